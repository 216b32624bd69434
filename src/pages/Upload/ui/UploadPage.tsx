import { css } from '@emotion/css';
import React, { useCallback, useMemo, useState } from 'react';
import { GrafanaTheme2, usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';
import { labelValueProblem } from '../../../core/plan/labels';
import { AppSettings, DEFAULT_MAX_FILE_SIZE_MB } from '../../../settings';
import { pyroscopeDatasources } from '../domain/pyroscopeDatasources';
import { buildThreadRows, parsedFilesOf, ThreadChoiceUi } from '../domain/threadRows';
import {
  defaultRange,
  initialForm,
  serviceNameFromFile,
  UploadForm,
  uploadOptionsFrom,
  uploadSpanMs,
} from '../domain/uploadForm';
import { useFlameGraph } from '../domain/useFlameGraph';
import { usePipeline } from '../domain/usePipeline';
import { userCanPush } from '../domain/userCanPush';
import { usePush } from '../domain/usePush';
import { useUploadFiles } from '../domain/useUploadFiles';
import { useUploadPlan } from '../domain/useUploadPlan';
import { PushTarget } from '../infrastructure/grafanaTransport';
import { FileDrop } from './FileDrop';
import { PageSection } from './PageSection';
import { PlanSummary } from './PlanSummary';
import { PushPanel } from './PushPanel';
import { TargetForm } from './TargetForm';
import { ThreadFlameGraph } from './ThreadFlameGraph';
import { ThreadTable } from './ThreadTable';

function downloadBytes(bytes: Uint8Array, fileName: string) {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

export default function UploadPage() {
  const styles = useStyles2(getStyles);
  const settings = (usePluginContext()?.meta.jsonData ?? {}) as AppSettings;
  const maxFileSizeMb = settings.maxFileSizeMb ?? DEFAULT_MAX_FILE_SIZE_MB;
  const [choices, setChoices] = useState<Record<string, ThreadChoiceUi>>({});
  const [form, setForm] = useState<UploadForm>(() => initialForm(settings, Date.now()));
  const pipeline = usePipeline();
  const { files, addFiles, removeFile } = useUploadFiles(pipeline, maxFileSizeMb, form.sliceSeconds);
  const [shownKey, setShownKey] = useState<string>();
  const push = usePush(pipeline);
  const datasources = useMemo(() => pyroscopeDatasources(), []);
  const canPush = userCanPush();

  const rows = useMemo(() => buildThreadRows(files, choices), [files, choices]);
  // The same list, in the same order, that buildThreadRows numbers the planner's thread keys by.
  const fileIds = useMemo(() => parsedFilesOf(files).map((f) => f.id), [files]);
  const spanMs = uploadSpanMs(rows);
  const range = useMemo(
    () => form.range ?? defaultRange(form.anchorMs, spanMs, form.sliceSeconds),
    [form.range, form.anchorMs, spanMs, form.sliceSeconds]
  );
  const datasourceUid = form.datasourceUid ?? datasources[0]?.uid;
  const datasource = datasources.find((d) => d.uid === datasourceUid);
  const serviceName =
    form.serviceName ?? (settings.defaultServiceName || (files[0] ? serviceNameFromFile(files[0].name) : ''));
  const serviceNameProblem = files.length > 0 ? labelValueProblem('service_name', serviceName) : undefined;

  const planInput = useMemo(
    () =>
      fileIds.length > 0
        ? { fileIds, options: uploadOptionsFrom(form, rows, serviceName, range, settings.threadLabelName) }
        : undefined,
    [fileIds, form, rows, serviceName, range, settings.threadLabelName]
  );
  const { plan, input: plannedInput, problems, planning } = useUploadPlan(pipeline, planInput);

  const target: PushTarget | undefined =
    form.target === 'app-route' && settings.pushUrl
      ? { kind: 'app-route', url: settings.pushUrl }
      : datasource
        ? { kind: 'datasource', uid: datasource.uid, name: datasource.name }
        : undefined;
  const disabledReason = !canPush
    ? 'Only Editors and Admins can push profiles. You can still inspect the files.'
    : !target
      ? 'Choose a Pyroscope datasource to push to.'
      : problems.length > 0 || !plan
        ? undefined
        : plan.profileCount === 0
          ? 'No thread is selected or has data to push.'
          : planning
            ? 'Updating what will be written…'
            : undefined;

  const onChangeForm = useCallback((patch: Partial<UploadForm>) => setForm((f) => ({ ...f, ...patch })), []);
  const placeAtNow = useCallback(() => setForm((f) => ({ ...f, range: undefined, anchorMs: Date.now() })), []);
  const onAddFiles = useCallback(
    (dropped: File[]) => {
      addFiles(dropped);
      setForm((f) => ({ ...f, anchorMs: Date.now() }));
    },
    [addFiles]
  );
  const onToggle = useCallback(
    (uiKey: string, include: boolean) => setChoices((c) => ({ ...c, [uiKey]: { ...c[uiKey], include } })),
    []
  );
  const onRename = useCallback(
    (uiKey: string, labelValue: string | undefined) =>
      setChoices((c) => ({ ...c, [uiKey]: { ...c[uiKey], labelValue } })),
    []
  );
  const onToggleAll = useCallback(
    (include: boolean) => setChoices((c) => Object.fromEntries(rows.map((r) => [r.uiKey, { ...c[r.uiKey], include }]))),
    [rows]
  );
  // The table shows the label values the planner derived (clean thread names), once there is a plan.
  const tableRows = useMemo(() => {
    const planned = new Map(plan?.threads.filter((t) => !t.cpuPartOf).map((t) => [t.threadKey, t.labelValue]));
    return rows.map((r) => {
      const value = planned.get(r.planKey);
      return value !== undefined && !r.labelEdited ? { ...r, labelValue: value } : r;
    });
  }, [rows, plan]);
  const shownRow = rows.find((r) => r.uiKey === shownKey) ?? rows.find((r) => r.included);
  const flameGraphRows = useFlameGraph(pipeline, shownRow?.fileId, shownRow?.thread);
  const onDownload = useCallback(async () => {
    const zip = await push.archive();
    if (zip) {
      downloadBytes(zip, `${push.state.plan?.serviceName || 'speedscope'}-pprof.zip`);
    }
  }, [push]);
  const needsSampleRate = rows.some((r) => r.thread?.kind === 'count' && r.included);

  return (
    <PluginPage subTitle="Put Speedscope profiles into Pyroscope: every thread its own series, nothing dropped.">
      <div className={styles.page}>
        <PageSection title="Files">
          <FileDrop files={files} maxFileSizeMb={maxFileSizeMb} onAdd={onAddFiles} onRemove={removeFile} />
        </PageSection>

        {rows.length > 0 && (
          <PageSection title="Threads">
            <ThreadTable
              rows={tableRows}
              selectedKey={shownRow?.uiKey}
              onToggle={onToggle}
              onToggleAll={onToggleAll}
              onRename={onRename}
              onShow={setShownKey}
            />
            {shownRow && <ThreadFlameGraph row={shownRow} rows={flameGraphRows} />}
          </PageSection>
        )}

        <PageSection title="Where and when">
          <TargetForm
            form={form}
            onChange={onChangeForm}
            onPlaceAtNow={placeAtNow}
            serviceName={serviceName}
            serviceNameProblem={serviceNameProblem}
            range={range}
            hasDatasources={datasources.length > 0}
            writeTargetUrl={settings.pushUrl}
            needsSampleRate={needsSampleRate}
          />
        </PageSection>

        {fileIds.length > 0 && (
          <PageSection title="What will be written">
            <PlanSummary
              plan={plan}
              problems={problems}
              planning={planning}
              sliceSeconds={form.sliceSeconds}
              onPlaceAtNow={placeAtNow}
              onWidenSlices={(sliceSeconds) => onChangeForm({ sliceSeconds })}
            />
          </PageSection>
        )}

        {fileIds.length > 0 && (
          <PageSection title="Push">
            {!canPush && (
              <Alert severity="info" title="Read-only">
                Only Editors and Admins can push profiles. You can still inspect the files and their flame graphs.
              </Alert>
            )}
            <PushPanel
              plan={plan}
              state={push.state}
              disabledReason={disabledReason}
              targetLabel={
                target?.kind === 'app-route' ? `write target ${target.url}` : `datasource ${datasource?.name ?? ''}`
              }
              datasourceUid={datasourceUid}
              hasWriteTarget={Boolean(settings.pushUrl)}
              onPush={() => plan && plannedInput && target && push.start(plan, plannedInput, target)}
              onCancel={push.cancel}
              onRetry={push.retryFailed}
              onDownload={onDownload}
            />
          </PageSection>
        )}
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(3),
    maxWidth: '100%',
    minWidth: 0,
    section: { display: 'flex', flexDirection: 'column', gap: theme.spacing(1), minWidth: 0 },
  }),
});
