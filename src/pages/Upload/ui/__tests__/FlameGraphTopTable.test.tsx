import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { createTheme } from '@grafana/data';
import { FlameGraph } from '@grafana/flamegraph';
import { flameGraphFrame } from '../../domain/flameGraphFrame';
import { FlameGraphRows } from '../../domain/flameGraphRows';

/**
 * The plugin's top table inside @grafana/flamegraph's real container (jest.config.js puts it in the library's place,
 * as the build does): this checks the props the container passes still mean what the table takes them to mean.
 */

// total (14) > a (14) > b (14, self 5) > c (5, self 5), d (4, self 4): the simple evented fixture's thread.
const ROWS: FlameGraphRows = {
  level: Int32Array.from([0, 1, 2, 3, 3]),
  value: Float64Array.from([14, 14, 14, 5, 4]),
  self: Float64Array.from([0, 0, 5, 5, 4]),
  label: Int32Array.from([0, 1, 2, 3, 4]),
  names: ['total', 'a', 'b', 'c', 'd'],
  unit: 'count',
  leftOut: 0,
  drawnFraction: 0,
};

const theme = createTheme();
const getTheme = () => theme;

/** jsdom lays nothing out: the table's body is given the height a browser would, so its rows mount. */
beforeAll(() => {
  jest.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(400);
});
afterAll(() => jest.restoreAllMocks());

const shownRows = () =>
  within(screen.getByTestId('topTable'))
    .getAllByRole('row')
    .filter((row) => within(row).queryAllByRole('cell').length > 0)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .slice(1)
        .map((cell) => cell.textContent)
    );

const rowOf = (symbol: string) =>
  within(screen.getByTestId('topTable'))
    .getAllByRole('row')
    .find((row) => within(row).queryByRole('button', { name: symbol }))!;

describe('FlameGraphTopTable in @grafana/flamegraph’s container', () => {
  it('lists the functions by self, and follows the container’s search and sandwich view', async () => {
    const onTableSymbolClick = jest.fn();
    const onTableSort = jest.fn();
    render(
      <FlameGraph
        data={flameGraphFrame(ROWS)}
        getTheme={getTheme}
        disableCollapsing
        onTableSymbolClick={onTableSymbolClick}
        onTableSort={onTableSort}
      />
    );
    expect(await screen.findByRole('table', { name: 'Functions by self and total' })).toHaveAttribute(
      'aria-rowcount',
      '6'
    );
    expect(shownRows()).toEqual([
      ['b', '5', '14'],
      ['c', '5', '5'],
      ['d', '4', '4'],
      ['total', '0', '14'],
      ['a', '0', '14'],
    ]);

    await userEvent.click(screen.getByRole('button', { name: 'Total' }));
    expect(onTableSort).toHaveBeenLastCalledWith('Total_desc');
    expect(shownRows().map(([symbol]) => symbol)).toEqual(['total', 'a', 'b', 'c', 'd']);

    // The container anchors the search on the function, and its matched labels narrow the table.
    await userEvent.click(within(rowOf('c')).getByRole('button', { name: 'Search for symbol' }));
    expect(screen.getByPlaceholderText('Search...')).toHaveValue('^c$');
    expect(shownRows()).toEqual([['c', '5', '5']]);
    await userEvent.click(within(rowOf('c')).getByRole('button', { name: 'Clear from search' }));
    expect(shownRows()).toHaveLength(5);

    // A click on the name highlights it too, and tells the container's caller.
    await userEvent.click(within(rowOf('d')).getByRole('button', { name: 'd' }));
    expect(onTableSymbolClick).toHaveBeenCalledWith('d');
    expect(shownRows()).toEqual([['d', '4', '4']]);
    await userEvent.click(within(rowOf('d')).getByRole('button', { name: 'd' }));
    expect(shownRows()).toHaveLength(5);

    await userEvent.click(within(rowOf('b')).getByRole('button', { name: 'Show in sandwich view' }));
    expect(screen.getByRole('button', { name: 'Remove sandwich view' })).toBeInTheDocument();
    await userEvent.click(within(rowOf('b')).getByRole('button', { name: 'Remove from sandwich view' }));
    expect(screen.queryByRole('button', { name: 'Remove sandwich view' })).not.toBeInTheDocument();
  });

  it('says so when the search matches no function', async () => {
    render(<FlameGraph data={flameGraphFrame(ROWS)} getTheme={getTheme} disableCollapsing />);
    await userEvent.type(await screen.findByPlaceholderText('Search...'), 'zzz');
    expect(await screen.findByText('No function matches the search.')).toBeInTheDocument();
  });
});
