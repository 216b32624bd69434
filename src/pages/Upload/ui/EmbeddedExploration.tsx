import { css } from '@emotion/css';
import React, { ComponentType, useMemo } from 'react';
import { dateTime, GrafanaTheme2, TimeRange } from '@grafana/data';
import { Combobox, Field, Stack, Text, useStyles2 } from '@grafana/ui';
import { ExplorationChoice } from '../domain/links';
import { EmbeddedExplorationProps } from '../infrastructure/grafanaExtensions';

interface Props {
  component: ComponentType<EmbeddedExplorationProps>;
  choices: ExplorationChoice[];
  chosen: ExplorationChoice;
  onChoose: (key: string) => void;
}

/** The range as absolute times whose text (`raw`) parses back to the same instants: the exploration re-reads it. */
function timeRangeOf(fromMs: number, toMs: number): TimeRange {
  const from = dateTime(fromMs);
  const to = dateTime(toMs);
  return { from, to, raw: { from: from.toISOString(), to: to.toISOString() } };
}

/** Profiles Drilldown's own exploration, in the page, on what was just pushed. */
export function EmbeddedExploration({ component: Exploration, choices, chosen, onChoose }: Props) {
  const styles = useStyles2(getStyles);
  const timeRange = useMemo(() => timeRangeOf(chosen.fromMs, chosen.toMs), [chosen.fromMs, chosen.toMs]);
  const options = useMemo(() => choices.map((c) => ({ value: c.key, label: c.label })), [choices]);
  return (
    <Stack direction="column" gap={1}>
      <Text color="secondary" variant="bodySmall">
        Profiles Drilldown on the pushed data, without leaving this page. The links in the push results open it on its
        own.
      </Text>
      {choices.length > 1 && (
        <Field label="Explore" description="A service with all its pushed threads, or one thread.">
          <Combobox
            id="exploration-choice"
            width={60}
            value={chosen.key}
            options={options}
            onChange={(o) => onChoose(o.value)}
          />
        </Field>
      )}
      <div className={styles.frame} data-testid="embedded-exploration">
        {/* It builds its scene from these props once: a new choice is a new exploration. */}
        <Exploration
          key={chosen.key}
          initialDS={chosen.datasourceUid}
          initialFilters={chosen.filters}
          initialTimeRange={timeRange}
        />
      </div>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  frame: css({
    minHeight: 480,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
  }),
});
