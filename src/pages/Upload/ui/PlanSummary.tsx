import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Stack, Text, useStyles2 } from '@grafana/ui';
import { UploadPlan } from '../../../core/plan/planUpload';
import { formatValue, plural } from './formatValue';

interface Props {
  plan?: UploadPlan;
  problems: string[];
  onPlaceAtNow: () => void;
}

const selectorOf = (labels: Array<{ name: string; value: string }>) =>
  `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;

export function PlanSummary({ plan, problems, onPlaceAtNow }: Props) {
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
    return null;
  }
  const typeIds = [...new Set(plan.threads.map((t) => t.profileTypeId))];
  const timeWarnings = plan.warnings.filter((w) => w.code === 'too-old' || w.code === 'too-new');
  const otherWarnings = plan.warnings.filter((w) => w.code === 'many-series' || w.code === 'deep-stacks');
  return (
    <Stack direction="column" gap={1}>
      <Text element="p" data-testid="plan-counts">
        {`${plan.threads.length} series, ${plan.profiles.length} profiles, from ${new Date(plan.fromMs).toLocaleString()} to ${new Date(plan.toMs).toLocaleString()} · ${typeIds.join(', ')}`}
      </Text>
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
            <th>Total</th>
          </tr>
        </thead>
        <tbody>
          {plan.threads.map((t) => (
            <tr key={t.threadKey}>
              <td className={styles.labels}>{selectorOf(t.labels)}</td>
              <td>{t.profileCount}</td>
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
