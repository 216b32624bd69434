import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';

/** Every row of the top table is this tall: a row's place is its index times this, without measuring. */
export const ROW_HEIGHT = 32;
const VALUE_WIDTH = 120;
const ACTIONS_WIDTH = 64;

/** The top table's styles, one set for its header and its rows so their columns line up. */
export const getTopTableStyles = (theme: GrafanaTheme2) => {
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
