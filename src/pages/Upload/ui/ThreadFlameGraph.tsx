import { css } from '@emotion/css';
import React, { memo, useCallback, useEffect, useId, useMemo, useRef } from 'react';
import { FlameGraph } from '@grafana/flamegraph';
import { Button, Stack, Text, useStyles2, useTheme2 } from '@grafana/ui';
import { ThreadRow } from '../domain/threadRows';
import { flameGraphFrame } from '../domain/flameGraphFrame';
import { FlameGraphRows } from '../domain/flameGraphRows';
import { FlameGraphReveal } from '../domain/useUploadPage';
import { SkipLink } from './SkipLink';

interface Props {
  row: ThreadRow;
  rows?: FlameGraphRows;
  collapsed: boolean;
  onToggleCollapsed: () => void;
  /** The user's latest request to see a thread's graph: a new one for this thread scrolls it into view once drawn. */
  reveal?: FlameGraphReveal;
  /** Where "Skip to Push" moves focus. */
  skipTargetId: string;
}

/** 0.025 %, 0.4 %: the share as written, without float noise. */
const formatShare = (fraction: number) => `${Number((fraction * 100).toPrecision(3))} %`;

const prefersReducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/**
 * Memoized, with a stable theme getter: the page re-renders at every push progress, and redrawing a large flame graph
 * each time would block the page for its whole length.
 */
export const ThreadFlameGraph = memo(function ThreadFlameGraph({
  row,
  rows,
  collapsed,
  onToggleCollapsed,
  reveal,
  skipTargetId,
}: Props) {
  const theme = useTheme2();
  const getTheme = useCallback(() => theme, [theme]);
  const styles = useStyles2(getStyles);
  const data = useMemo(() => (rows && !collapsed ? flameGraphFrame(rows) : undefined), [rows, collapsed]);
  const frameId = useId();
  const section = useRef<HTMLDivElement>(null);
  const revealed = useRef(0);

  // Scrolls when the requested thread's graph is there (its rows arrive after the click), so the whole graph lands
  // in view, not its "Loading" line. Focus stays on the thread the user chose: scrolling does not move it.
  // A request for another thread (one removed since, say) is not this graph's to answer.
  const drawn = collapsed || rows !== undefined;
  const request = reveal?.uiKey === row.uiKey ? reveal.count : 0;
  useEffect(() => {
    if (request > revealed.current && drawn) {
      revealed.current = request;
      section.current?.scrollIntoView?.({ block: 'nearest', behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
    }
  }, [request, drawn]);

  if (!row.thread) {
    return null;
  }
  return (
    <div ref={section} className={styles.section}>
      <Stack direction="column" gap={1}>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <Text element="h3" variant="h5">{`Flame graph: ${row.name || `profile ${row.index}`}`}</Text>
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            icon={collapsed ? 'angle-right' : 'angle-down'}
            aria-expanded={!collapsed}
            aria-controls={frameId}
            onClick={onToggleCollapsed}
          >
            {collapsed ? 'Show flame graph' : 'Hide flame graph'}
          </Button>
        </Stack>
        {!collapsed && <SkipLink targetId={skipTargetId}>Skip to Push</SkipLink>}
        {!collapsed && rows && rows.leftOut > 0 && (
          <Text color="secondary" variant="bodySmall">
            {`${rows.leftOut.toLocaleString('en-US')} call-tree nodes under ${formatShare(rows.drawnFraction)} of the thread's total are too narrow to draw and left out here; the totals and the push include them.`}
          </Text>
        )}
        {/* The third-party graph in its own element: the accessibility checks report it apart from the page. */}
        <div id={frameId} data-testid="thread-flame-graph" className={styles.frame} hidden={collapsed}>
          {collapsed ? null : data ? (
            // Without collapsing, as Profiles Drilldown shows graphs by default (its `collapsedFlamegraphs` setting is
            // off): the same picture here and there, and the library's collapsing pass, which grows faster than the
            // rows, is the longest part of drawing a large graph.
            <FlameGraph data={data} getTheme={getTheme} disableCollapsing />
          ) : (
            <Text color="secondary" variant="bodySmall">
              Loading the flame graph…
            </Text>
          )}
        </div>
      </Stack>
    </div>
  );
});

const getStyles = () => ({
  // Scrolled to with a little room above its heading.
  section: css({ scrollMarginTop: 16, scrollMarginBottom: 16 }),
  // Deep stacks make very tall flame graphs; keep the rest of the page within reach.
  frame: css({ maxHeight: 640, overflowY: 'auto' }),
});
