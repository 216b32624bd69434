import React, { useRef } from 'react';
import { dateTimeFormat } from '@grafana/data';
import { Alert, Button, Text } from '@grafana/ui';
import { ExistingCheck, ExistingSummary } from '../domain/existingData';
import { plural } from './formatValue';

interface Props {
  check?: ExistingCheck;
  summary?: ExistingSummary;
  onPlaceAfter: () => void;
}

const time = (ms: number) => dateTimeFormat(ms, { format: 'HH:mm:ss' });

/** "3 of 6 threads already have profiles between 14:02:00 and 14:05:10". */
function whereAndWhen(s: ExistingSummary): string {
  const which =
    s.withData === s.threads ? `All ${plural(s.threads, 'thread')}` : `${s.withData} of ${plural(s.threads, 'thread')}`;
  const have = s.withData === 1 && s.threads !== 1 ? 'already has' : 'already have';
  return `${which} ${have} profiles between ${time(s.firstMs!)} and ${time(s.lastMs!)}`;
}

/** What pushing now would do to data already stored under the same labels, and the offer to place the upload after it. */
export function ExistingDataNotice({ check, summary, onPlaceAfter }: Props) {
  // Placing moves the range: the notice changes, its button goes; focus stays in the notice, not on <body>.
  const region = useRef<HTMLDivElement>(null);
  if (!check) {
    return null;
  }
  const place = summary?.place;
  const placeAfter = () => {
    onPlaceAfter();
    region.current?.focus();
  };
  return (
    <div ref={region} tabIndex={-1} aria-live="polite" data-testid="existing-data">
      {(check.phase === 'waiting' || check.phase === 'checking') && (
        <Text color="secondary" variant="bodySmall">
          Looking for profiles already stored under these labels in the range…
        </Text>
      )}
      {check.phase === 'failed' && (
        <Text color="secondary" variant="bodySmall">
          {`Could not check for profiles already stored under these labels: ${check.error}. You can still push.`}
        </Text>
      )}
      {check.phase === 'done' && summary && summary.withData === 0 && (
        <Text color="secondary" variant="bodySmall">
          No profiles are stored under these labels in the range yet.
        </Text>
      )}
      {check.phase === 'done' && summary && summary.withData > 0 && (
        <Alert
          severity="warning"
          title={summary.rePush ? 'This upload seems to be stored already' : 'Profiles are already stored here'}
        >
          <Text element="p">
            {summary.rePush
              ? `${whereAndWhen(summary)}, with exactly the totals this upload would write: an earlier push of it? ` +
                'Pushing it again at the same times adds a second copy that Pyroscope merges away eventually; until ' +
                'then queries may count both.'
              : `${whereAndWhen(summary)}: pushing would add this upload's profiles to them, and Profiles Drilldown ` +
                'would show the sum of both.'}
          </Text>
          {place?.possible && (
            <Text element="p">{`Placed after the existing data, the upload would run from ${time(place.range.fromMs)} to ${time(place.range.toMs)}.`}</Text>
          )}
          {place && !place.possible && (
            <Text element="p">
              {`After the existing data the upload would end at ${time(place.endMs)}, more than 10 minutes from now ` +
                `(${time(place.latestEndMs)}), and Pyroscope rejects such profiles by default. Shorten the range, or ` +
                'push under another service name.'}
            </Text>
          )}
          {place?.possible && (
            <Button size="sm" variant="secondary" icon="arrow-right" onClick={placeAfter}>
              Place after the existing data
            </Button>
          )}
        </Alert>
      )}
    </div>
  );
}
