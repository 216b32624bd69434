import { css } from '@emotion/css';
import React, { useMemo } from 'react';
import { FlameGraph } from '@grafana/flamegraph';
import { Stack, Text, useStyles2, useTheme2 } from '@grafana/ui';
import { ThreadRow } from '../domain/threadRows';
import { flameGraphFrame } from '../domain/flameGraphFrame';

export function ThreadFlameGraph({ row }: { row: ThreadRow }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const data = useMemo(() => (row.thread ? flameGraphFrame(row.thread) : undefined), [row.thread]);
  if (!row.thread || !data) {
    return null;
  }
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3" variant="h5">{`Flame graph: ${row.name || `profile ${row.index}`}`}</Text>
      <div data-testid="thread-flame-graph" className={styles.frame}>
        <FlameGraph data={data} getTheme={() => theme} />
      </div>
    </Stack>
  );
}

// Deep stacks make very tall flame graphs; keep the rest of the page within reach.
const getStyles = () => ({
  frame: css({ maxHeight: 640, overflowY: 'auto' }),
});
