import { css } from '@emotion/css';
import React, { memo } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Stack, Text, useStyles2 } from '@grafana/ui';
import { labelSelector } from '../../../core/plan/labels';
import { PlanSummary as Plan } from '../domain/summaries';
import { formatBytes, formatValue, plural, PROFILE_TYPE_LABELS } from './formatValue';

interface Props {
  plan?: Plan;
  problems: string[];
  /** A newer plan is being made (after an edit). */
  planning: boolean;
  sliceSeconds: number;
  onPlaceAtNow: () => void;
  onWidenSlices: (sliceSeconds: number) => void;
}

const duration = (seconds: number) =>
  seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;

function PlanSummaryView({ plan, problems, planning, sliceSeconds, onPlaceAtNow, onWidenSlices }: Props) {
  const styles = useStyles2(getStyles);
  if (problems.length > 0) {
    return (
      <Alert severity="error" title="Fix these before pushing">
        <ul className={styles.list}>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </Alert>
    );
  }
  if (!plan) {
    return planning ? <Text color="secondary">Planning…</Text> : null;
  }
  const volume = plan.volume;
  const wider = Math.min(3600, sliceSeconds * 3);
  const typeIds = [...new Set(plan.threads.map((t) => t.profileTypeId))];
  const timeWarnings = plan.warnings.filter((w) => w.code === 'too-old' || w.code === 'too-new');
  const otherWarnings = plan.warnings.filter((w) => w.code === 'many-series' || w.code === 'deep-stacks');
  // Per-thread notes (names, empty stacks, the file's own warnings) are in the thread table; these concern the plan.
  const planNotes = plan.warnings.filter(
    (w) =>
      w.code === 'also-cpu-unavailable' ||
      w.code === 'slices-widened' ||
      w.code === 'stacks-truncated' ||
      (w.code === 'label-changed' && w.threadKey === undefined)
  );
  const labelValueOf = new Map(plan.threads.map((t) => [t.threadKey, t.labelValue]));
  return (
    <Stack direction="column" gap={1}>
      <Text element="p" data-testid="plan-counts">
        {`${plan.threads.length} series, ${plural(plan.profileCount, 'profile')}, from ${new Date(plan.fromMs).toLocaleString()} to ${new Date(plan.toMs).toLocaleString()} · ${typeIds.join(', ')}`}
      </Text>
      {volume && (
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text element="p" data-testid="plan-volume">
            {`${formatBytes(volume.uncompressedBytes)} of pprof (about ${formatBytes(volume.estimatedCompressedBytes)} gzipped): about ${duration(volume.estimatedPushSeconds)} to push at Pyroscope's default ingestion limit of 4 MiB/s.`}
          </Text>
          {wider > sliceSeconds && (
            <Button size="sm" variant="secondary" onClick={() => onWidenSlices(wider)}>
              {`Widen slices to ${wider} s`}
            </Button>
          )}
          {planning && <Text color="secondary">Planning…</Text>}
        </Stack>
      )}
      {timeWarnings.map((w) => (
        <Alert key={w.code} severity="warning" title="Pyroscope will reject this time range">
          <Stack direction="column" gap={1} alignItems="flex-start">
            {w.message}
            <Button size="sm" onClick={onPlaceAtNow}>
              Place at now
            </Button>
          </Stack>
        </Alert>
      ))}
      {otherWarnings.map((w) => (
        <Alert key={w.message} severity="warning" title={w.code === 'many-series' ? 'Many series' : 'Deep stacks'}>
          {w.message}
        </Alert>
      ))}
      {planNotes.length > 0 && (
        <Alert severity="info" title={plural(planNotes.length, 'note') + ' on what will be written'}>
          <ul className={styles.list}>
            {planNotes.map((w) => (
              <li key={w.message}>{w.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      <section aria-label="Services" className={styles.services}>
        <Text element="h3" variant="h6">
          {plan.services.length === 1 ? 'One service' : `${plan.services.length} services`}
        </Text>
        <ul className={styles.list}>
          {plan.services.map((service) => (
            <li key={service.serviceName}>
              <Text>
                <code>{service.serviceName}</code>
                {`: ${plural(service.threadKeys.length, 'series', 'series')} from ${service.fileNames.join(', ')}. `}
              </Text>
              <Text color="secondary">{service.reason}</Text>
            </li>
          ))}
        </ul>
      </section>
      <table className={styles.table} aria-label="What will be written">
        <thead>
          <tr>
            <th>Series labels</th>
            <th>Type</th>
            <th>Profiles</th>
            <th>pprof</th>
            <th>Total</th>
          </tr>
        </thead>
        <tbody>
          {plan.threads.map((t) => (
            <tr key={t.threadKey}>
              <td className={styles.labels}>{labelSelector(t.labels)}</td>
              <td>
                {t.cpuPartOf !== undefined
                  ? `${PROFILE_TYPE_LABELS[t.profileType]}: the CPU part of ${labelValueOf.get(t.cpuPartOf) ?? t.cpuPartOf}`
                  : PROFILE_TYPE_LABELS[t.profileType]}
              </td>
              <td>{`${t.profileCount.toLocaleString()} (${t.sliceSeconds} s slices)`}</td>
              <td className={styles.nowrap}>{formatBytes(t.uncompressedBytes)}</td>
              <td className={styles.nowrap}>{formatValue(t.total, t.unit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.skipped.length > 0 && (
        <details>
          <summary>{`${plural(plan.skipped.length, 'thread')} will not be pushed`}</summary>
          <ul className={styles.list}>
            {plan.skipped.map((s) => (
              <li key={s.threadKey}>{`${s.fileName} #${s.threadIndex} ${s.threadName || '(unnamed)'}: ${s.reason}`}</li>
            ))}
          </ul>
        </details>
      )}
    </Stack>
  );
}

/** Memoized: the page re-renders when other sections change (files, flame graph rows); this one only when its props do. */
export const PlanSummary = memo(PlanSummaryView);

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ margin: 0, paddingLeft: theme.spacing(2) }),
  labels: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    wordBreak: 'break-all',
  }),
  services: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
  }),
});
