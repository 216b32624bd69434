import { css } from '@emotion/css';
import React, { memo, useMemo } from 'react';
import { dateTime, GrafanaTheme2, TimeRange } from '@grafana/data';
import {
  Button,
  Combobox,
  EmptyState,
  Field,
  Input,
  LinkButton,
  RadioButtonGroup,
  Stack,
  TimeRangeInput,
  useStyles2,
} from '@grafana/ui';
import { PROFILE_TYPE_CHOICES } from '../../../core/plan/profileTypes';
import { MAX_SLICE_SECONDS, MIN_SLICE_SECONDS } from '../../../core/plan/uploadOptions';
import { PyroscopeDatasourcePicker } from '../../../components/PyroscopeDatasourcePicker';
import { inGrafana } from '../domain/links';
import { UploadForm } from '../domain/uploadForm';
import { PROFILE_TYPE_LABELS } from './formatValue';

interface Props {
  form: UploadForm;
  onChange: (patch: Partial<UploadForm>) => void;
  onPlaceAtNow: () => void;
  serviceName: string;
  serviceNameProblem?: string;
  range: { fromMs: number; toMs: number };
  hasDatasources: boolean;
  writeTargetUrl?: string;
  needsSampleRate: boolean;
}

const PROFILE_TYPE_OPTIONS = (['auto', ...PROFILE_TYPE_CHOICES] as const).map((value) => ({
  value,
  label: value === 'auto' ? 'Suggested for each thread' : PROFILE_TYPE_LABELS[value],
}));

function toTimeRange(range: { fromMs: number; toMs: number }): TimeRange {
  const from = dateTime(range.fromMs);
  const to = dateTime(range.toMs);
  return { from, to, raw: { from, to } };
}

let nextLabelId = 1;

function TargetFormView({
  form,
  onChange,
  onPlaceAtNow,
  serviceName,
  serviceNameProblem,
  range,
  hasDatasources,
  writeTargetUrl,
  needsSampleRate,
}: Props) {
  // The same object while the range is the same: the picker resets what is being typed in it when its value changes,
  // and the page re-renders often (progress, plans, flame graphs arriving from the pipeline).
  const timeRange = useMemo(() => toTimeRange(range), [range]);
  const styles = useStyles2(getStyles);
  const updateLabel = (id: number, patch: { name?: string; value?: string }) =>
    onChange({ labels: form.labels.map((l) => (l.id === id ? { ...l, ...patch } : l)) });

  return (
    <div className={styles.grid}>
      {writeTargetUrl && (
        <Field
          label="Push through"
          description={`The app's write target goes to ${writeTargetUrl} with its own credentials.`}
        >
          <RadioButtonGroup<UploadForm['target']>
            value={form.target}
            onChange={(target) => onChange({ target })}
            options={[
              { label: 'App write target', value: 'app-route' },
              { label: 'Datasource proxy', value: 'datasource' },
            ]}
          />
        </Field>
      )}
      <Field
        label="Pyroscope datasource"
        description={
          form.target === 'app-route'
            ? 'Used to open the uploaded threads in Profiles Drilldown and Explore.'
            : 'Profiles are pushed through this datasource.'
        }
      >
        {hasDatasources ? (
          <PyroscopeDatasourcePicker
            inputId="pyroscope-datasource"
            uid={form.datasourceUid}
            onChange={(datasourceUid) => onChange({ datasourceUid })}
          />
        ) : (
          <EmptyState variant="call-to-action" message="No Pyroscope datasource yet" hideImage>
            <LinkButton href={inGrafana('/connections/datasources/new')} icon="plus">
              Add a Pyroscope datasource
            </LinkButton>
          </EmptyState>
        )}
      </Field>
      <Field
        label="Service name"
        description="The service_name label: how Pyroscope and Grafana group the profiles."
        invalid={Boolean(serviceNameProblem)}
        error={serviceNameProblem}
        required
      >
        <Input
          id="service-name"
          width={40}
          value={serviceName}
          onChange={(e) => onChange({ serviceName: e.currentTarget.value })}
        />
      </Field>
      <Field
        label="Time range"
        description="Each file starts at the beginning of the range; threads keep their own offsets."
      >
        <Stack direction="row" gap={1} alignItems="center">
          <TimeRangeInput
            value={timeRange}
            onChange={(r) => onChange({ range: { fromMs: r.from.valueOf(), toMs: r.to.valueOf() } })}
            hideQuickRanges
          />
          <Button
            variant="secondary"
            size="sm"
            onClick={onPlaceAtNow}
            tooltip="End the upload now, lasting as long as the profiles"
          >
            Place at now
          </Button>
        </Stack>
      </Field>
      <Field
        label="Profile type"
        description="For the whole upload. By default each thread gets the type its file suggests (see the thread table), and you can change it per thread."
      >
        <Combobox
          id="profile-type"
          width={40}
          value={form.profileType}
          options={PROFILE_TYPE_OPTIONS}
          onChange={(option) => onChange({ profileType: option.value })}
        />
      </Field>
      {needsSampleRate && (
        <Field
          label="Sampling rate (Hz)"
          description="For threads with unit “none”: samples per second turn counts into CPU time. Leave empty to keep counts."
        >
          <Input
            id="sample-rate"
            type="number"
            width={20}
            min={1}
            value={form.sampleRateHz ?? ''}
            onChange={(e) =>
              onChange({ sampleRateHz: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })
            }
          />
        </Field>
      )}
      <Field
        label="Slice width (seconds)"
        description="Time-unit threads are cut into slices so Pyroscope's timeline shows when the work happened."
      >
        <Input
          id="slice-seconds"
          type="number"
          width={20}
          min={MIN_SLICE_SECONDS}
          max={MAX_SLICE_SECONDS}
          value={form.sliceSeconds}
          onChange={(e) => onChange({ sliceSeconds: Number(e.currentTarget.value) })}
        />
      </Field>
      <Field label="Extra labels" description="Added to every thread's series, e.g. env=staging or version=1.4.2.">
        <Stack direction="column" gap={1}>
          {form.labels.map((label) => (
            <Stack key={label.id} direction="row" gap={1} alignItems="center">
              <Input
                aria-label="Label name"
                placeholder="name"
                width={20}
                value={label.name}
                onChange={(e) => updateLabel(label.id, { name: e.currentTarget.value })}
              />
              <Input
                aria-label="Label value"
                placeholder="value"
                width={30}
                value={label.value}
                onChange={(e) => updateLabel(label.id, { value: e.currentTarget.value })}
              />
              <Button
                aria-label="Remove label"
                icon="trash-alt"
                variant="secondary"
                fill="text"
                onClick={() => onChange({ labels: form.labels.filter((l) => l.id !== label.id) })}
              />
            </Stack>
          ))}
          <div>
            <Button
              icon="plus"
              variant="secondary"
              size="sm"
              onClick={() => onChange({ labels: [...form.labels, { id: nextLabelId++, name: '', value: '' }] })}
            >
              Add label
            </Button>
          </div>
        </Stack>
      </Field>
    </div>
  );
}

/** Memoized: the page re-renders when other sections change (files, flame graph rows); this one only when its props do. */
export const TargetForm = memo(TargetFormView);

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), maxWidth: 720 }),
});
