import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Stack, Text, useStyles2 } from '@grafana/ui';
import { PlanSummary as Plan } from '../domain/summaries';
import { formatValue, plural } from './formatValue';

interface Props {
  plan?: Plan;
  problems: string[];
  /** A newer plan is being made (after an edit). */
  planning: boolean;
  sliceSeconds: number;
  onPlaceAtNow: () => void;
  onWidenSlices: (sliceSeconds: number) => void;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
const duration = (seconds: number) =>
  seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`;

const selectorOf = (labels: Array<{ name: string; value: string }>) =>
  `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;

export function PlanSummary({ plan, problems, planning, sliceSeconds, onPlaceAtNow, onWidenSlices }: Props) {
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
  return (
    <Stack direction="column" gap={1}>
      <Text element="p" data-testid="plan-counts">
        {`${plan.threads.length} series, ${plan.profileCount} profiles, from ${new Date(plan.fromMs).toLocaleString()} to ${new Date(plan.toMs).toLocaleString()} · ${typeIds.join(', ')}`}
      </Text>
      {volume && (
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text element="p" data-testid="plan-volume">
            {`${mb(volume.uncompressedBytes)} of pprof (${mb(volume.estimatedCompressedBytes)} gzipped): about ${duration(volume.estimatedPushSeconds)} to push at Pyroscope's default ingestion limit of 4 MB/s.`}
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
      <table className={styles.table} aria-label="What will be written">
        <thead>
          <tr>
            <th>Series labels</th>
            <th>Profiles</th>
            <th>Slices</th>
            <th>pprof</th>
            <th>Total</th>
          </tr>
        </thead>
        <tbody>
          {plan.threads.map((t) => (
            <tr key={t.threadKey}>
              <td className={styles.labels}>{selectorOf(t.labels)}</td>
              <td>{t.profileCount}</td>
              <td>{`${t.sliceSeconds} s`}</td>
              <td>{mb(t.uncompressedBytes)}</td>
              <td>{formatValue(t.total, t.unit)}</td>
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

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ margin: 0, paddingLeft: theme.spacing(2) }),
  labels: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    wordBreak: 'break-all',
  }),
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
