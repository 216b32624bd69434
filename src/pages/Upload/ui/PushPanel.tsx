import { css } from '@emotion/css';
import React, { memo, useSyncExternalStore } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, BadgeColor, Button, LinkButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { ThreadPushResult, ThreadPushStatus } from '../../../core/push/pushUpload';
import { ArrivalStatus, describeArrival } from '../../../core/push/verifyUpload';
import { hintFor } from '../domain/errorHints';
import { compareThreadsLinks, threadLinks } from '../domain/links';
import { PlanSummary } from '../domain/summaries';
import { ProgressFeed, PushState, unsettled } from '../domain/usePush';
import { formatBytes, formatValue, plural } from './formatValue';

interface Props {
  plan?: PlanSummary;
  state: PushState;
  disabledReason?: string;
  targetLabel: string;
  datasourceUid?: string;
  hasWriteTarget: boolean;
  onPush: () => void;
  onCancel: () => void;
  onRetry: () => void;
  onDownload: () => void;
}

const STATUS_COLOR: Record<ThreadPushStatus, BadgeColor> = {
  pushed: 'green',
  uncertain: 'orange',
  failed: 'red',
  skipped: 'blue',
};
const ARRIVAL_COLOR: Record<ArrivalStatus, BadgeColor> = {
  exact: 'green',
  missing: 'red',
  more: 'orange',
  'not-queryable': 'orange',
};
const ARRIVAL_TEXT: Record<ArrivalStatus, string> = {
  exact: 'arrived exactly',
  missing: 'missing',
  more: 'more than pushed',
  'not-queryable': 'not queryable yet',
};
/** A thread of a cancelled push that lost nothing to a rejection: it is cancelled, not failed. */
const notSentBecauseCancelled = (t: ThreadPushResult) => t.status === 'failed' && t.profilesRejected === 0;

/** What a cancelled push left in Pyroscope, in numbers. */
export function storedWhenCancelled(threads: ThreadPushResult[]): string {
  const sent = threads.filter((t) => t.status !== 'skipped');
  const count = (pick: (t: ThreadPushResult) => number) => sent.reduce((sum, t) => sum + pick(t), 0);
  const total = count((t) => t.profilesTotal);
  const stored = count((t) => t.profilesPushed);
  const uncertain = count((t) => t.profilesUncertain);
  const complete = sent.filter((t) => t.status === 'pushed').length;
  return (
    `${stored} of ${plural(total, 'profile')} stored before the cancel, ` +
    `${plural(complete, 'thread')} of ${sent.length} complete` +
    (uncertain > 0 ? `; ${uncertain} maybe stored (their request was under way)` : '') +
    '. The rest was not sent.'
  );
}

/** The only part of the page that re-renders as answers arrive: it subscribes to the push's progress feed. */
function PushProgressLine({ feed }: { feed: ProgressFeed }) {
  const styles = useStyles2(getStyles);
  const progress = useSyncExternalStore(feed.subscribe, feed.get);
  return (
    <Stack direction="row" gap={1} alignItems="center">
      <progress
        className={styles.progress}
        value={progress?.profilesSent ?? 0}
        max={Math.max(1, progress?.profilesTotal ?? 1)}
        aria-label="Pushing"
      />
      <Text variant="bodySmall">
        {progress
          ? `${progress.profilesSent.toLocaleString()} of ${plural(progress.profilesTotal, 'profile')} converted and sent (${formatBytes(progress.bytesSent)})`
          : 'Starting'}
        {progress?.retry &&
          ` · retry ${progress.retry.attempt} in ${Math.round(progress.retry.delayMs / 1000)} s after ${progress.retry.reason}`}
      </Text>
    </Stack>
  );
}

function PushPanelView({
  plan,
  state,
  disabledReason,
  targetLabel,
  datasourceUid,
  hasWriteTarget,
  onPush,
  onCancel,
  onRetry,
  onDownload,
}: Props) {
  const styles = useStyles2(getStyles);
  const busy = state.phase === 'pushing';
  const report = state.report;
  const failed = report?.threads.filter(unsettled) ?? [];
  const stopError = state.error ?? report?.error;
  const pushedPlan = state.plan;
  // Without an error that stopped the push, the first thread's reason says what went wrong (a rejection, say).
  const firstReason = failed.find((t) => t.reason)?.reason;
  const serverAnswer = (stopError ?? firstReason)?.match(/(HTTP \d{3}|no response)\b.*$/)?.[0];
  const hint = serverAnswer ? hintFor(serverAnswer, state.target?.kind ?? 'datasource', hasWriteTarget) : undefined;
  const pushedKeys = new Set(report?.threads.filter((t) => t.status === 'pushed').map((t) => t.threadKey));
  const verification = state.verification;
  const arrivals = new Map(verification?.report?.threads.map((a) => [a.threadKey, a]));
  const compare = pushedPlan && datasourceUid ? compareThreadsLinks(pushedPlan, pushedKeys, datasourceUid) : [];

  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <Button
          icon="upload"
          onClick={onPush}
          disabled={Boolean(disabledReason) || busy || !plan}
          tooltip={disabledReason}
        >
          {plan
            ? `Push ${plural(plan.profileCount, 'profile')} of ${plural(plan.threads.filter((t) => t.cpuPartOf === undefined).length, 'thread')}`
            : 'Push'}
        </Button>
        {busy && (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Text color="secondary" variant="bodySmall">
          {disabledReason ?? `to ${targetLabel}`}
        </Text>
      </Stack>

      {busy && <PushProgressLine feed={state.progress} />}

      {state.phase === 'done' && stopError && (
        <Alert
          severity={report?.cancelled ? 'warning' : 'error'}
          title={report?.cancelled ? 'Push cancelled' : 'The push did not complete'}
        >
          <Text element="p">{stopError}</Text>
          {hint && (
            <Text element="p" color="secondary">
              {hint}
            </Text>
          )}
        </Alert>
      )}
      {state.phase === 'done' && report && !report.complete && !report.cancelled && !stopError && (
        <Alert severity="error" title="Not every profile was stored">
          <Text element="p">{serverAnswer ?? 'See each thread below.'}</Text>
          {hint && (
            <Text element="p" color="secondary">
              {hint}
            </Text>
          )}
        </Alert>
      )}
      {state.phase === 'done' && report?.cancelled && !stopError && (
        <Alert severity="warning" title="Push cancelled">
          {storedWhenCancelled(report.threads)}
        </Alert>
      )}
      {state.phase === 'done' && report?.complete && (
        <Alert
          severity="success"
          title="Pushed"
        >{`${pushedPlan?.profileCount === 1 ? 'The profile was' : `All ${plural(pushedPlan?.profileCount ?? 0, 'profile')} were`} accepted by ${targetLabel}.`}</Alert>
      )}

      {verification?.phase === 'verifying' && (
        <Text color="secondary" variant="bodySmall" aria-live="polite">
          {verification.retry
            ? `Reading back what arrived: ${verification.retry.pending} not visible yet, asking again in ${Math.ceil(verification.retry.delayMs / 1000)} s`
            : 'Reading back what arrived…'}
        </Text>
      )}
      {state.phase === 'done' && state.target?.kind === 'app-route' && pushedKeys.size > 0 && (
        <Text color="secondary" variant="bodySmall">
          Not read back: the app’s write target takes pushes only.
        </Text>
      )}
      {verification?.error && (
        <Alert severity="warning" title="What arrived could not be read back">
          {verification.error}
        </Alert>
      )}

      {compare.length > 0 && (
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text variant="bodySmall">Compare the threads in Profiles Drilldown:</Text>
          {compare.map((c) => (
            <LinkButton key={c.href} size="sm" variant="secondary" icon="columns" href={c.href}>
              {`${c.serviceName} · ${c.profileTypeId.split(':').slice(0, 2).join(':')}`}
            </LinkButton>
          ))}
        </Stack>
      )}

      {report && pushedPlan && (
        <table className={styles.table} aria-label="Push results">
          <thead>
            <tr>
              <th>Thread</th>
              <th>Status</th>
              <th>Profiles</th>
              <th>Details</th>
              <th>Arrived</th>
              <th>Open</th>
            </tr>
          </thead>
          <tbody>
            {report.threads.map((t) => {
              const links = datasourceUid ? threadLinks(pushedPlan, t.threadKey, datasourceUid) : undefined;
              const arrival = arrivals.get(t.threadKey);
              return (
                <tr key={t.threadKey} data-testid="push-result">
                  <td>{t.labelValue ?? (t.threadName || `${t.fileName} #${t.threadIndex}`)}</td>
                  <td>
                    {report.cancelled && notSentBecauseCancelled(t) ? (
                      <Badge color="darkgrey" text="cancelled" />
                    ) : (
                      <Badge color={STATUS_COLOR[t.status]} text={t.status} />
                    )}
                  </td>
                  <td>{t.status === 'skipped' ? '' : `${t.profilesPushed} / ${t.profilesTotal}`}</td>
                  <td className={styles.reason}>{t.reason ?? ''}</td>
                  <td className={styles.reason} data-testid="arrival">
                    {arrival && (
                      <Stack direction="column" gap={0.5} alignItems="flex-start">
                        <Badge
                          color={ARRIVAL_COLOR[arrival.status]}
                          text={
                            arrival.status === 'missing' && arrival.foundProfiles !== undefined
                              ? `missing ${arrival.missingProfiles}`
                              : ARRIVAL_TEXT[arrival.status]
                          }
                        />
                        {describeArrival(arrival, formatValue)}
                      </Stack>
                    )}
                  </td>
                  <td>
                    {t.status === 'pushed' && links && (
                      <Stack direction="row" gap={1}>
                        <LinkButton size="sm" variant="secondary" fill="text" icon="fire" href={links.drilldown}>
                          Drilldown
                        </LinkButton>
                        <LinkButton size="sm" variant="secondary" fill="text" icon="compass" href={links.explore}>
                          Explore
                        </LinkButton>
                      </Stack>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {state.phase === 'done' && (
        <Stack direction="row" gap={1}>
          {failed.length > 0 && (
            <Button icon="sync" onClick={onRetry}>{`Retry ${plural(failed.length, 'failed thread')}`}</Button>
          )}
          {(pushedPlan?.profileCount ?? 0) > 0 && (
            <Button icon="download-alt" variant="secondary" onClick={onDownload} disabled={state.archiving}>
              {state.archiving ? 'Converting for the download…' : 'Download pprof files'}
            </Button>
          )}
        </Stack>
      )}
    </Stack>
  );
}

/** Memoized: the page re-renders when other sections change (files, flame graph rows); this one only when its props do. */
export const PushPanel = memo(PushPanelView);

const getStyles = (theme: GrafanaTheme2) => ({
  progress: css({ width: 320, accentColor: theme.colors.primary.main }),
  reason: css({ maxWidth: 480, wordBreak: 'break-word', fontSize: theme.typography.bodySmall.fontSize }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
    },
  }),
});
