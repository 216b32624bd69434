import { css, cx } from '@emotion/css';
import React, { memo, startTransition, UIEvent, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { escapeStringForRegex, formattedValueToString, getValueFormat, GrafanaTheme2 } from '@grafana/data';
import { Icon, IconButton, useStyles2 } from '@grafana/ui';
import {
  FlameGraphNodes,
  matchingRows,
  sortTopTableRows,
  TopTableColumn,
  TopTableRow,
  TopTableSort,
  topTableRows,
} from '../domain/topTableRows';

/**
 * The top table of @grafana/flamegraph's container, written here and put in the library's place by the build
 * (`webpack.config.ts`) and the tests (`jest.config.js`): same props, same behaviour (sortable Symbol, Self and Total;
 * highlight and sandwich a function; rows narrowed by the graph's search), so the library's header, search, focus and
 * sandwich view keep working around it.
 *
 * Why: the library's table mounts its visible rows (Grafana's `Table`, with emotion styles, SVG icons and a tooltip
 * per cell) in one synchronous pass, forced by its auto-sizer's first measure: about 100 ms on the main thread for a
 * tall graph, every time a thread's graph is shown. These rows are plain elements rendered in the graph's own
 * transition, and only those in view are mounted.
 *
 * The plugin draws single profiles only, never the library's two-profile comparison, so the diff columns are not here.
 */
interface Props {
  data: FlameGraphNodes & { selfField: UnitField; valueField: UnitField };
  onSymbolClick: (symbol: string) => void;
  search: string;
  matchedLabels?: Set<string>;
  onSearch: (symbol: string) => void;
  sandwichItem?: string;
  onSandwich: (symbol?: string) => void;
  onTableSort?: (sort: string) => void;
}

interface UnitField {
  config: { unit?: string };
}

const ROW_HEIGHT = 32;
/** Rows mounted beyond those in view on each side, so a scroll shows rows already there. */
const OVERSCAN = 8;

const COLUMN_NAMES: Record<TopTableColumn, string> = { symbol: 'Symbol', self: 'Self', total: 'Total' };

function FlameGraphTopTable({
  data,
  onSymbolClick,
  search,
  matchedLabels,
  onSearch,
  sandwichItem,
  onSandwich,
  onTableSort,
}: Props) {
  const styles = useStyles2(getStyles);
  const [sort, setSort] = useState<TopTableSort>({ column: 'self', desc: true });
  const [firstInView, setFirstInView] = useState(0);
  const body = useRef<HTMLDivElement>(null);
  const viewHeight = useViewHeight(body);
  const all = useMemo(() => topTableRows(data), [data]);
  const rows = useMemo(() => sortTopTableRows(matchingRows(all, matchedLabels), sort), [all, matchedLabels, sort]);
  const format = useMemo(() => {
    const self = getValueFormat(data.selfField.config.unit ?? 'short');
    const total = getValueFormat(data.valueField.config.unit ?? 'short');
    return {
      self: (v: number) => formattedValueToString(self(v)),
      total: (v: number) => formattedValueToString(total(v)),
    };
  }, [data]);

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => {
    setFirstInView(Math.floor(event.currentTarget.scrollTop / ROW_HEIGHT));
  }, []);
  const sortBy = (column: TopTableColumn) => {
    // A new column starts with its largest values (the names: from A); the same column flips.
    const next = { column, desc: sort.column === column ? !sort.desc : column !== 'symbol' };
    setSort(next);
    onTableSort?.(`${COLUMN_NAMES[column]}_${next.desc ? 'desc' : 'asc'}`);
  };

  // Nothing is mounted until the body has a height, as the library's auto-sized table did (jsdom has no layout).
  const rowsInView = Math.ceil(viewHeight / ROW_HEIGHT);
  const start = Math.max(0, Math.min(firstInView, rows.length - rowsInView) - OVERSCAN);
  const end = rowsInView > 0 ? Math.min(rows.length, firstInView + rowsInView + OVERSCAN) : 0;
  const mounted = rows.slice(start, end);

  return (
    <div data-testid="topTable" className={styles.container}>
      <div
        role="table"
        aria-label="Functions by self and total"
        aria-rowcount={rows.length + 1}
        className={styles.table}
      >
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} className={cx(styles.row, styles.header)}>
            <div role="columnheader" className={styles.actions}>
              <span className={styles.hidden}>Actions</span>
            </div>
            {(['symbol', 'self', 'total'] as const).map((column) => (
              <div
                key={column}
                role="columnheader"
                aria-sort={sort.column === column ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                className={column === 'symbol' ? styles.symbol : styles.value}
              >
                <button type="button" className={styles.sortButton} onClick={() => sortBy(column)}>
                  {COLUMN_NAMES[column]}
                  {sort.column === column && <Icon name={sort.desc ? 'arrow-down' : 'arrow-up'} size="sm" />}
                </button>
              </div>
            ))}
          </div>
        </div>
        <div ref={body} role="rowgroup" className={styles.body} onScroll={onScroll}>
          <div className={styles.bodyContent} style={{ height: Math.max(rows.length, 1) * ROW_HEIGHT }}>
            {rows.length === 0 && (
              <div role="row" className={styles.empty}>
                <div role="cell">No function matches the search.</div>
              </div>
            )}
            {mounted.map((row, i) => (
              <Row
                key={row.symbol}
                row={row}
                index={start + i}
                searched={search === `^${escapeStringForRegex(row.symbol)}$`}
                sandwiched={sandwichItem === row.symbol}
                self={format.self(row.self)}
                total={format.total(row.total)}
                onSymbolClick={onSymbolClick}
                onSearch={onSearch}
                onSandwich={onSandwich}
              />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}

/**
 * The body's height, as a transition: the rows it makes room for are rendered in slices, not in the task that
 * measured it (the library's table measured in a synchronous update, which mounted its rows in one long task).
 */
function useViewHeight(body: React.RefObject<HTMLDivElement | null>): number {
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const element = body.current;
    if (!element) {
      return;
    }
    const measure = () => {
      const measured = element.clientHeight;
      startTransition(() => setHeight(measured));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [body]);
  return height;
}

interface RowProps {
  row: TopTableRow;
  index: number;
  searched: boolean;
  sandwiched: boolean;
  self: string;
  total: string;
  onSymbolClick: (symbol: string) => void;
  onSearch: (symbol: string) => void;
  onSandwich: (symbol?: string) => void;
}

/** Memoized: a scroll re-renders the table, and the rows still in view stay as they are. */
const Row = memo(function Row({
  row,
  index,
  searched,
  sandwiched,
  self,
  total,
  onSymbolClick,
  onSearch,
  onSandwich,
}: RowProps) {
  const styles = useStyles2(getStyles);
  const search = searched ? 'Clear from search' : 'Search for symbol';
  const sandwich = sandwiched ? 'Remove from sandwich view' : 'Show in sandwich view';
  return (
    <div role="row" aria-rowindex={index + 2} className={styles.row} style={{ top: index * ROW_HEIGHT }}>
      <div role="cell" className={styles.actions}>
        <IconButton
          name="search"
          variant={searched ? 'primary' : 'secondary'}
          aria-label={search}
          title={search}
          onClick={() => onSearch(searched ? '' : row.symbol)}
        />
        <IconButton
          name="gf-show-context"
          variant={sandwiched ? 'primary' : 'secondary'}
          aria-label={sandwich}
          title={sandwich}
          onClick={() => onSandwich(sandwiched ? undefined : row.symbol)}
        />
      </div>
      <div role="cell" className={styles.symbol}>
        <button
          type="button"
          className={styles.symbolButton}
          title={`Highlight ${row.symbol}`}
          onClick={() => onSymbolClick(row.symbol)}
        >
          {row.symbol}
        </button>
      </div>
      <div role="cell" className={styles.value}>
        {self}
      </div>
      <div role="cell" className={styles.value}>
        {total}
      </div>
    </div>
  );
});

const VALUE_WIDTH = 120;
const ACTIONS_WIDTH = 64;

const getStyles = (theme: GrafanaTheme2) => {
  const cell = {
    padding: theme.spacing(0, 1),
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    textOverflow: 'ellipsis',
  } as const;
  return {
    container: css({
      padding: theme.spacing(1),
      backgroundColor: theme.colors.background.secondary,
      height: '100%',
      display: 'flex',
      flexDirection: 'column',
      minHeight: 0,
    }),
    table: css({
      display: 'flex',
      flexDirection: 'column',
      flex: '1 1 0',
      minHeight: 0,
      backgroundColor: theme.colors.background.primary,
      fontSize: theme.typography.bodySmall.fontSize,
    }),
    header: css({
      position: 'relative',
      fontWeight: theme.typography.fontWeightMedium,
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    }),
    body: css({ flex: '1 1 0', minHeight: ROW_HEIGHT, overflowY: 'auto' }),
    bodyContent: css({ position: 'relative' }),
    row: css({
      position: 'absolute',
      left: 0,
      right: 0,
      height: ROW_HEIGHT,
      display: 'flex',
      alignItems: 'center',
      '&:hover': { backgroundColor: theme.colors.action.hover },
    }),
    empty: css({
      ...cell,
      height: ROW_HEIGHT,
      display: 'flex',
      alignItems: 'center',
      color: theme.colors.text.secondary,
    }),
    actions: css({
      flex: `0 0 ${ACTIONS_WIDTH}px`,
      display: 'flex',
      gap: theme.spacing(0.5),
      paddingLeft: theme.spacing(1),
    }),
    symbol: css({ ...cell, flex: '1 1 0', minWidth: 0 }),
    value: css({ ...cell, flex: `0 0 ${VALUE_WIDTH}px`, textAlign: 'right' }),
    sortButton: css({
      all: 'unset',
      cursor: 'pointer',
      display: 'inline-flex',
      alignItems: 'center',
      gap: theme.spacing(0.5),
      color: theme.colors.text.link,
      '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
    }),
    symbolButton: css({
      all: 'unset',
      cursor: 'pointer',
      maxWidth: '100%',
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      '&:hover': { textDecoration: 'underline' },
      '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
    }),
    hidden: css({
      position: 'absolute',
      width: 1,
      height: 1,
      overflow: 'hidden',
      clip: 'rect(0 0 0 0)',
      whiteSpace: 'nowrap',
    }),
  };
};

export default memo(FlameGraphTopTable);
