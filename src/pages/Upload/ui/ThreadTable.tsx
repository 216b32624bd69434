import { css } from '@emotion/css';
import React, { memo, useMemo, useState } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  Button,
  Checkbox,
  Column,
  FilterInput,
  InteractiveTable,
  Input,
  Stack,
  Text,
  Tooltip,
  useStyles2,
} from '@grafana/ui';
import { ThreadChoiceUi, ThreadRow } from '../domain/threadRows';
import { formatValue } from './formatValue';

interface Props {
  rows: ThreadRow[];
  selectedKey?: string;
  /** A change to one thread's choices: included, its label value. */
  onChange: (uiKey: string, patch: Partial<ThreadChoiceUi>) => void;
  onToggleAll: (include: boolean) => void;
  onShow: (uiKey: string) => void;
}

/** Edits locally and commits on blur or Enter, so typing does not re-plan the upload at every key. */
function LabelValueInput({ row, onChange }: { row: ThreadRow; onChange: Props['onChange'] }) {
  const [draft, setDraft] = useState<string>();
  const commit = () => {
    if (draft !== undefined) {
      onChange(row.uiKey, { labelValue: draft === row.name ? undefined : draft });
      setDraft(undefined);
    }
  };
  return (
    <Input
      aria-label={`Thread label value for ${row.fileName} profile ${row.index}`}
      value={draft ?? row.labelValue}
      disabled={!row.thread}
      invalid={row.duplicate}
      width={24}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}

function groupByFile(rows: ThreadRow[]): Array<[string, ThreadRow[]]> {
  const groups = new Map<string, ThreadRow[]>();
  for (const row of rows) {
    groups.set(row.fileName, [...(groups.get(row.fileName) ?? []), row]);
  }
  return [...groups.entries()];
}

/** Memoized: the page re-renders at every parse and push progress, the table only when its rows change. */
export const ThreadTable = memo(ThreadTableView);

function ThreadTableView({ rows, selectedKey, onChange, onToggleAll, onShow }: Props) {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useState('');
  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? rows.filter((r) => `${r.name} ${r.labelValue} ${r.fileName}`.toLowerCase().includes(needle)) : rows;
  }, [rows, filter]);
  const selectable = rows.filter((r) => !r.notSelectable);
  const included = selectable.filter((r) => r.included).length;

  const columns = useMemo<Array<Column<ThreadRow>>>(
    () => [
      {
        id: 'include',
        header: 'Push',
        disableGrow: true,
        cell: ({ row: { original: r } }) => (
          <Tooltip content={r.notSelectable ?? 'Include this thread'} show={r.notSelectable ? undefined : false}>
            <span>
              <Checkbox
                aria-label={`Include ${r.fileName} profile ${r.index}`}
                value={r.included}
                disabled={Boolean(r.notSelectable)}
                onChange={(e) => onChange(r.uiKey, { include: e.currentTarget.checked })}
              />
            </span>
          </Tooltip>
        ),
      },
      {
        id: 'name',
        header: 'Thread',
        cell: ({ row: { original: r } }) => (
          <Button
            variant="secondary"
            fill="text"
            size="sm"
            disabled={!r.thread}
            aria-pressed={selectedKey === r.uiKey}
            className={selectedKey === r.uiKey ? styles.selected : undefined}
            onClick={() => onShow(r.uiKey)}
            tooltip="Show its flame graph"
          >
            {r.name === '' ? `(unnamed profile ${r.index})` : r.name}
          </Button>
        ),
      },
      { id: 'index', header: '#', disableGrow: true, cell: ({ row: { original: r } }) => r.index },
      {
        id: 'type',
        header: 'Type',
        cell: ({ row: { original: r } }) => <span className={styles.nowrap}>{`${r.type}, ${r.unit}`}</span>,
      },
      {
        id: 'duration',
        header: 'Duration',
        cell: ({ row: { original: r } }) => (
          <span className={styles.nowrap}>
            {r.thread?.kind === 'time' ? formatValue(r.thread.stats.duration, 'nanoseconds') : ''}
          </span>
        ),
      },
      {
        id: 'total',
        header: 'Total',
        cell: ({ row: { original: r } }) => (
          <span className={styles.nowrap}>{r.thread ? formatValue(r.thread.stats.total, r.thread.baseUnit) : ''}</span>
        ),
      },
      {
        id: 'samples',
        header: 'Samples / events',
        cell: ({ row: { original: r } }) => r.thread?.stats.samplesOrEvents.toLocaleString() ?? '',
      },
      {
        id: 'stacks',
        header: 'Stacks',
        cell: ({ row: { original: r } }) => r.thread?.stats.uniqueStacks.toLocaleString() ?? '',
      },
      { id: 'depth', header: 'Depth', cell: ({ row: { original: r } }) => r.thread?.stats.maxDepth ?? '' },
      {
        id: 'label',
        header: 'Thread label value',
        cell: ({ row: { original: r } }) =>
          r.thread ? (
            <Stack direction="row" alignItems="center" gap={1}>
              <LabelValueInput row={r} onChange={onChange} />
              {r.duplicate && (
                <Badge
                  color="orange"
                  text="duplicate name"
                  tooltip="Several threads share this name; each gets a suffix so none is lost."
                />
              )}
            </Stack>
          ) : null,
      },
      {
        id: 'notes',
        header: 'Notes',
        cell: ({ row: { original: r } }) => (
          <div className={styles.notes}>
            {r.error && (
              <Text color="error" variant="bodySmall">
                {r.error}
              </Text>
            )}
            {!r.error && r.notSelectable && (
              <Text color="secondary" variant="bodySmall">
                {r.notSelectable}
              </Text>
            )}
            {r.thread && r.thread.stats.emptyStackSamples > 0 && (
              <Text
                color="secondary"
                variant="bodySmall"
              >{`${r.thread.stats.emptyStackSamples} empty-stack samples (not pushed)`}</Text>
            )}
            {r.thread?.warnings.map((w) => (
              <Text key={w} color="warning" variant="bodySmall">
                {w}
              </Text>
            ))}
          </div>
        ),
      },
    ],
    [onChange, onShow, selectedKey, styles]
  );

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" alignItems="center" gap={1} wrap="wrap">
        <div className={styles.filter}>
          <FilterInput placeholder="Filter threads" value={filter} onChange={setFilter} />
        </div>
        <Button
          size="sm"
          variant="secondary"
          onClick={() => onToggleAll(true)}
          disabled={included === selectable.length}
        >
          Select all
        </Button>
        <Button size="sm" variant="secondary" onClick={() => onToggleAll(false)} disabled={included === 0}>
          Select none
        </Button>
        <Text color="secondary" variant="bodySmall">{`${included} of ${rows.length} threads selected`}</Text>
      </Stack>
      {groupByFile(visible).map(([fileName, fileRows]) => (
        <section key={fileName} aria-label={`Threads of ${fileName}`}>
          <Text element="h3" variant="h6">
            {fileName}
          </Text>
          <div className={styles.scroll}>
            <InteractiveTable
              columns={columns}
              data={fileRows}
              getRowId={(r) => r.uiKey}
              pageSize={fileRows.length > 50 ? 50 : 0}
            />
          </div>
        </section>
      ))}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  filter: css({ width: 280 }),
  scroll: css({ overflowX: 'auto', maxWidth: '100%' }),
  selected: css({ fontWeight: theme.typography.fontWeightBold, textDecoration: 'underline' }),
  notes: css({ display: 'flex', flexDirection: 'column', maxWidth: 320 }),
  nowrap: css({ whiteSpace: 'nowrap' }),
});
