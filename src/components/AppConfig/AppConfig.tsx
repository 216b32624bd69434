import { css } from '@emotion/css';
import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, RadioButtonGroup, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import { DEFAULT_SLICE_SECONDS, DEFAULT_THREAD_LABEL } from '../../core/plan/uploadOptions';
import { errorText } from '../../core/util/errorText';
import { AppSettings, DEFAULT_MAX_FILE_SIZE_MB } from '../../settings';
import { PyroscopeDatasourcePicker } from '../PyroscopeDatasourcePicker';
import { AppConfigForm, configProblems, settingsToSave } from './appConfigForm';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

const numberOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text));

export default function AppConfig({ plugin }: AppConfigProps) {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [form, setForm] = useState<AppConfigForm>({
    ...jsonData,
    pushPassword: '',
    pushToken: '',
    authorizationReset: false,
  });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const update = (patch: Partial<AppConfigForm>) => setForm((f) => ({ ...f, ...patch }));
  const problems = configProblems(form);
  const authorizationStored = Boolean(secureJsonFields?.pushAuthorization) && !form.authorizationReset;

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      await lastValueFrom(
        getBackendSrv().fetch({
          url: `/api/plugins/${plugin.meta.id}/settings`,
          method: 'POST',
          data: { enabled, pinned, ...settingsToSave(form) },
          showErrorAlert: false,
        })
      );
      // Grafana caches plugin settings for the whole page: reload so the Upload page sees the new ones.
      window.location.reload();
    } catch (e) {
      const data = (e as { data?: { message?: string } }).data;
      setError(data?.message ?? errorText(e));
      setSaving(false);
    }
  };

  return (
    <form onSubmit={save} className={styles.form}>
      <FieldSet label="Defaults for the Upload page">
        <Field label="Pyroscope datasource" description="Where profiles go unless the person uploading picks another.">
          <PyroscopeDatasourcePicker
            inputId="default-datasource"
            uid={form.defaultDatasourceUid}
            onChange={(uid) => update({ defaultDatasourceUid: uid })}
          />
        </Field>
        <Field label="Service name" description="Default service_name; empty means “from the file name”.">
          <Input
            id="default-service-name"
            width={40}
            value={form.defaultServiceName ?? ''}
            onChange={(e) => update({ defaultServiceName: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Thread label name"
          description={`The label holding each thread's name (default ${DEFAULT_THREAD_LABEL}).`}
          invalid={Boolean(problems.threadLabelName)}
          error={problems.threadLabelName}
        >
          <Input
            id="thread-label-name"
            width={40}
            placeholder={DEFAULT_THREAD_LABEL}
            value={form.threadLabelName ?? ''}
            onChange={(e) => update({ threadLabelName: e.currentTarget.value })}
          />
        </Field>
        <Field label="Slice width (seconds)" invalid={Boolean(problems.sliceSeconds)} error={problems.sliceSeconds}>
          <Input
            id="slice-seconds"
            type="number"
            width={20}
            placeholder={String(DEFAULT_SLICE_SECONDS)}
            value={form.sliceSeconds ?? ''}
            onChange={(e) => update({ sliceSeconds: numberOrUndefined(e.currentTarget.value) })}
          />
        </Field>
        <Field label="Maximum file size (MB)" invalid={Boolean(problems.maxFileSizeMb)} error={problems.maxFileSizeMb}>
          <Input
            id="max-file-size"
            type="number"
            width={20}
            placeholder={String(DEFAULT_MAX_FILE_SIZE_MB)}
            value={form.maxFileSizeMb ?? ''}
            onChange={(e) => update({ maxFileSizeMb: numberOrUndefined(e.currentTarget.value) })}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Write target (optional)">
        <Alert severity="info" title="When to use a write target">
          Some Pyroscope datasources can read but not write (Grafana Cloud Profiles has separate write credentials), and
          in open-source Grafana any Viewer can POST through a datasource. A write target is reached through this app’s
          own route, which only Editors may use; its credentials stay on the Grafana server.
        </Alert>
        <Field
          label="Pyroscope push URL"
          description="Base URL; the app appends /push.v1.PusherService/Push."
          invalid={Boolean(problems.pushUrl)}
          error={problems.pushUrl}
        >
          <Input
            id="push-url"
            width={60}
            placeholder="https://profiles-prod-001.grafana.net"
            value={form.pushUrl ?? ''}
            onChange={(e) => update({ pushUrl: e.currentTarget.value })}
          />
        </Field>
        <Field label="Tenant (X-Scope-OrgID)" description="Only for multi-tenant Pyroscope.">
          <Input
            id="push-tenant"
            width={40}
            value={form.pushTenant ?? ''}
            onChange={(e) => update({ pushTenant: e.currentTarget.value })}
          />
        </Field>
        <Field label="Authentication">
          <RadioButtonGroup<NonNullable<AppSettings['pushAuthKind']>>
            value={form.pushAuthKind ?? 'none'}
            onChange={(pushAuthKind) => update({ pushAuthKind })}
            options={[
              { label: 'None', value: 'none' },
              { label: 'Basic auth', value: 'basic' },
              { label: 'Bearer token', value: 'bearer' },
            ]}
          />
        </Field>
        {form.pushAuthKind === 'basic' && (
          <Stack direction="row" gap={2}>
            <Field label="User" invalid={Boolean(problems.pushUser)} error={problems.pushUser}>
              <Input
                id="push-user"
                width={30}
                value={form.pushUser ?? ''}
                onChange={(e) => update({ pushUser: e.currentTarget.value })}
              />
            </Field>
            <Field label="Password">
              <SecretInput
                id="push-password"
                width={30}
                isConfigured={authorizationStored}
                value={form.pushPassword}
                onChange={(e) => update({ pushPassword: e.currentTarget.value })}
                onReset={() => update({ authorizationReset: true, pushPassword: '' })}
              />
            </Field>
          </Stack>
        )}
        {form.pushAuthKind === 'bearer' && (
          <Field label="Token">
            <SecretInput
              id="push-token"
              width={60}
              isConfigured={authorizationStored}
              value={form.pushToken}
              onChange={(e) => update({ pushToken: e.currentTarget.value })}
              onReset={() => update({ authorizationReset: true, pushToken: '' })}
            />
          </Field>
        )}
      </FieldSet>

      {error && (
        <Alert severity="error" title="Settings were not saved">
          {error}
        </Alert>
      )}
      <div>
        <Button type="submit" disabled={saving || Object.keys(problems).length > 0}>
          {saving ? 'Saving…' : 'Save settings'}
        </Button>
      </div>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: 800, display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
});
