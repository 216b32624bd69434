import { css } from '@emotion/css';
import React, { memo, useCallback, useMemo } from 'react';
import { FlameGraph } from '@grafana/flamegraph';
import { Stack, Text, useStyles2, useTheme2 } from '@grafana/ui';
import { ThreadRow } from '../domain/threadRows';
import { flameGraphFrame } from '../domain/flameGraphFrame';
import { DRAWN_FRACTION, FlameGraphRows } from '../domain/flameGraphRows';

/**
 * Memoized, with a stable theme getter: the page re-renders at every push progress, and redrawing a large flame graph
 * each time would block the page for its whole length.
 */
export const ThreadFlameGraph = memo(function ThreadFlameGraph({
  row,
  rows,
}: {
  row: ThreadRow;
  rows?: FlameGraphRows;
}) {
  const theme = useTheme2();
  const getTheme = useCallback(() => theme, [theme]);
  const styles = useStyles2(getStyles);
  const data = useMemo(() => (rows ? flameGraphFrame(rows) : undefined), [rows]);
  if (!row.thread) {
    return null;
  }
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3" variant="h5">{`Flame graph: ${row.name || `profile ${row.index}`}`}</Text>
      {rows && rows.leftOut > 0 && (
        <Text color="secondary" variant="bodySmall">
          {`${rows.leftOut.toLocaleString('en-US')} call-tree nodes under ${DRAWN_FRACTION * 100} % of the thread's total are too narrow to draw and left out here; the totals and the push include them.`}
        </Text>
      )}
      <div data-testid="thread-flame-graph" className={styles.frame}>
        {data ? (
          <FlameGraph data={data} getTheme={getTheme} />
        ) : (
          <Text color="secondary" variant="bodySmall">
            Loading the flame graph…
          </Text>
        )}
      </div>
    </Stack>
  );
});

// Deep stacks make very tall flame graphs; keep the rest of the page within reach.
const getStyles = () => ({
  frame: css({ maxHeight: 640, overflowY: 'auto' }),
});
