import { cx } from '@emotion/css';
import React, { memo, UIEvent, useCallback, useMemo, useRef, useState } from 'react';
import { escapeStringForRegex, formattedValueToString, getValueFormat } from '@grafana/data';
import { Icon, useStyles2 } from '@grafana/ui';
import {
  FlameGraphNodes,
  matchingRows,
  sortTopTableRows,
  TopTableColumn,
  TopTableSort,
  topTableRows,
} from '../domain/topTableRows';
import { getTopTableStyles, ROW_HEIGHT } from './topTableStyles';
import { TopTableRowView } from './TopTableRowView';
import { useViewHeight } from './useViewHeight';

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
  const styles = useStyles2(getTopTableStyles);
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
              <TopTableRowView
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

export default memo(FlameGraphTopTable);
