import React, { memo } from 'react';
import { IconButton, useStyles2 } from '@grafana/ui';
import { TopTableRow } from '../domain/topTableRows';
import { getTopTableStyles, ROW_HEIGHT } from './topTableStyles';

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
export const TopTableRowView = memo(function TopTableRowView({
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
  const styles = useStyles2(getTopTableStyles);
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
