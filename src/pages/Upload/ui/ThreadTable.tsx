import { css } from '@emotion/css';
import React, { createContext, memo, useCallback, useContext, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import {
  Button,
  Checkbox,
  Column,
  FilterInput,
  IconButton,
  InteractiveTable,
  RadioButtonGroup,
  Stack,
  Text,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import { isReservedLabelName, LabelPair, labelNameProblem, labelValueProblem } from '../../../core/plan/labels';
import { PlannedService } from '../../../core/plan/planUpload';
import { ProfileTypeChoice } from '../../../core/plan/profileTypes';
import { DEFAULT_THREAD_LABEL } from '../../../core/plan/uploadOptions';
import { ThreadChoiceUi, ThreadRow } from '../domain/threadRows';
import { formatValue, plural, PROFILE_TYPE_LABELS } from './formatValue';

interface Props {
  rows: ThreadRow[];
  selectedKey?: string;
  /** The thread label's name (`thread_name` unless the app's settings say otherwise). */
  threadLabelName?: string;
  /** Which files go to which service, and why (from the plan). */
  services?: PlannedService[];
  /** The services the user set, by file id. */
  fileServices?: Record<string, string>;
  /** A change to one thread's choices: included, label value, own labels, profile type, CPU series. */
  onChange: (uiKey: string, patch: Partial<ThreadChoiceUi>) => void;
  /** `undefined` returns the file to the suggested service. */
  onChangeFileService: (fileId: string, serviceName: string | undefined) => void;
  onToggleAll: (include: boolean) => void;
  onShow: (uiKey: string) => void;
}

/**
 * The selected thread reaches its cell through context, not through the columns: columns that changed with the
 * selection would give every cell a new component type, so React would remount them and the focused button would be
 * lost (focus falling to <body> after Enter on a thread's name).
 */
const SelectedThread = createContext<string | undefined>(undefined);

/**
 * A text field that wraps, so a whole value is always visible, and grows with it. It edits locally and commits on
 * blur or Enter, so typing does not re-plan the upload at every key (label values cannot hold line breaks anyway).
 */
function WrappingInput({
  value,
  label,
  invalid,
  onCommit,
  className,
}: {
  value: string;
  label: string;
  invalid?: boolean;
  onCommit: (value: string) => void;
  className?: string;
}) {
  const styles = useStyles2(getStyles);
  const [draft, setDraft] = useState<string>();
  const commit = () => {
    if (draft !== undefined) {
      setDraft(undefined);
      if (draft !== value) {
        onCommit(draft);
      }
    }
  };
  return (
    <TextArea
      aria-label={label}
      className={`${styles.wrapping} ${className ?? ''}`}
      rows={1}
      value={draft ?? value}
      invalid={invalid}
      onChange={(e) => setDraft(e.currentTarget.value.replace(/[\r\n]+/g, ' '))}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        }
      }}
    />
  );
}

function labelProblem(label: LabelPair, threadLabelName: string): string | undefined {
  const name = label.name.trim();
  if (isReservedLabelName(name)) {
    return `${name} is set by the upload itself; choose another name.`;
  }
  if (name === threadLabelName) {
    return `${name} is the thread label; change the value above instead.`;
  }
  const problem = labelNameProblem(name) ?? labelValueProblem(name, label.value);
  return problem && `${problem[0].toUpperCase()}${problem.slice(1)}.`;
}

function LabelsCell({
  row,
  threadLabelName,
  onChange,
}: {
  row: ThreadRow;
  threadLabelName: string;
  onChange: Props['onChange'];
}) {
  const styles = useStyles2(getStyles);
  const where = `${row.fileName} profile ${row.index}`;
  const setLabels = (labels: LabelPair[]) => onChange(row.uiKey, { labels });
  const names = row.labels.map((l) => l.name.trim());
  // A label being added stays here until it has a name and a value: half a label would stop the plan.
  const [adding, setAdding] = useState<LabelPair>();
  const add = (label: LabelPair) => {
    if (label.name.trim() !== '' && label.value.trim() !== '') {
      setAdding(undefined);
      setLabels([...row.labels, { name: label.name.trim(), value: label.value }]);
    } else {
      setAdding(label);
    }
  };
  return (
    <div className={styles.labels}>
      <span className={styles.labelName}>{threadLabelName}</span>
      <WrappingInput
        label={`Thread label value for ${where}`}
        value={row.labelValue}
        invalid={row.duplicate}
        onCommit={(value) =>
          onChange(row.uiKey, { labelValue: value.trim() === row.derivedLabelValue ? undefined : value })
        }
      />
      <span />
      {row.duplicate && (
        <Text color="warning" variant="bodySmall" element="p">
          {`Another thread has this name too: this one is written as ${JSON.stringify(row.plannedLabelValue)}.`}
        </Text>
      )}
      {row.labels.map((label, i) => {
        const problem =
          labelProblem(label, threadLabelName) ??
          (names.indexOf(names[i]) !== i ? `${names[i]} is given twice.` : undefined);
        const replace = (patch: Partial<LabelPair>) =>
          setLabels(row.labels.map((l, j) => (j === i ? { ...l, ...patch } : l)));
        return (
          <React.Fragment key={i}>
            <WrappingInput
              label={`Label name ${i + 1} of ${where}`}
              className={styles.labelNameInput}
              value={label.name}
              invalid={Boolean(problem)}
              onCommit={(name) => replace({ name })}
            />
            <WrappingInput
              label={`Value of label ${label.name} of ${where}`}
              value={label.value}
              invalid={Boolean(problem)}
              onCommit={(value) => replace({ value })}
            />
            <IconButton
              name="trash-alt"
              size="sm"
              tooltip={`Remove label ${label.name} of ${where}`}
              onClick={() => setLabels(row.labels.filter((_, j) => j !== i))}
            />
            {problem && (
              <Text color="error" variant="bodySmall" element="p">
                {problem}
              </Text>
            )}
          </React.Fragment>
        );
      })}
      {adding && (
        <>
          <WrappingInput
            label={`Name of the new label of ${where}`}
            className={styles.labelNameInput}
            value={adding.name}
            onCommit={(name) => add({ ...adding, name })}
          />
          <WrappingInput
            label={`Value of the new label of ${where}`}
            value={adding.value}
            onCommit={(value) => add({ ...adding, value })}
          />
          <IconButton
            name="times"
            size="sm"
            tooltip={`Cancel the new label of ${where}`}
            onClick={() => setAdding(undefined)}
          />
        </>
      )}
      <div className={styles.fullRow}>
        {!adding && (
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            icon="plus"
            onClick={() => setAdding({ name: '', value: '' })}
          >
            Add label
          </Button>
        )}
        {row.labelsEdited && (
          <Button size="sm" variant="secondary" fill="text" onClick={() => onChange(row.uiKey, { labels: undefined })}>
            Restore the file&apos;s labels
          </Button>
        )}
      </div>
    </div>
  );
}

function ProfileTypeCell({ row, onChange }: { row: ThreadRow; onChange: Props['onChange'] }) {
  const styles = useStyles2(getStyles);
  const cpuPart = row.thread?.insight.cpuPart;
  const where = `${row.fileName} profile ${row.index}`;
  const options = row.allowedProfileTypes.map((value) => ({ value, label: PROFILE_TYPE_LABELS[value] }));
  return (
    <div className={styles.typeCell}>
      {options.length > 1 ? (
        <RadioButtonGroup<ProfileTypeChoice>
          aria-label={`Profile type of ${where}`}
          className={styles.typeChoice}
          size="sm"
          value={row.profileType}
          options={options}
          onChange={(profileType) => onChange(row.uiKey, { profileType })}
        />
      ) : (
        <Text>{options[0]?.label}</Text>
      )}
      {row.profileTypeReason && (
        <Text color="secondary" variant="bodySmall" element="p">
          {row.profileTypeReason}
        </Text>
      )}
      {row.choice.profileType && (
        <div>
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            onClick={() => onChange(row.uiKey, { profileType: undefined })}
          >
            {`Use the suggested type (${PROFILE_TYPE_LABELS[row.thread?.insight.profileType ?? 'cpu']})`}
          </Button>
        </div>
      )}
      {cpuPart && (
        <Checkbox
          label="Also push its CPU part as a CPU series"
          description={`${formatValue(cpuPart.cpuTotal, row.thread!.baseUnit)} of it is under ${cpuPart.leafFrames.join(', ')}.`}
          value={row.choice.alsoCpu ?? false}
          onChange={(e) => onChange(row.uiKey, { alsoCpu: e.currentTarget.checked })}
        />
      )}
      {row.cpuSeries && (
        <Text variant="bodySmall" element="p">
          {`CPU series: ${formatValue(row.cpuSeries.total, 'nanoseconds')} in ${plural(row.cpuSeries.profileCount, 'profile')}.`}
        </Text>
      )}
    </div>
  );
}

function ThreadNameCell({ row, onShow }: { row: ThreadRow; onShow: Props['onShow'] }) {
  const styles = useStyles2(getStyles);
  const selected = useContext(SelectedThread) === row.uiKey;
  const thread = row.thread;
  const stats = thread?.stats;
  const details = [
    `${row.type}, ${row.unit}`,
    thread && stats ? `total ${formatValue(stats.total, thread.baseUnit)}` : '',
    thread?.kind === 'time' && stats ? `over ${formatValue(stats.duration, 'nanoseconds')}` : '',
    stats ? plural(stats.samplesOrEvents, row.type === 'evented' ? 'event' : 'sample') : '',
    stats ? plural(stats.uniqueStacks, 'stack') : '',
    stats ? `depth ${stats.maxDepth}` : '',
  ].filter((d) => d !== '');
  return (
    <div className={styles.nameCell}>
      <Button
        variant="secondary"
        fill="text"
        size="sm"
        disabled={!thread}
        aria-pressed={selected}
        className={selected ? `${styles.name} ${styles.selected}` : styles.name}
        onClick={() => onShow(row.uiKey)}
        tooltip="Show its flame graph"
      >
        {row.name === '' ? `(unnamed profile ${row.index})` : row.name}
      </Button>
      <Text color="secondary" variant="bodySmall" element="p">
        {`#${row.index} · ${details.join(' · ')}`}
      </Text>
      {row.error && (
        <Text color="error" variant="bodySmall" element="p">
          {row.error}
        </Text>
      )}
      {!row.error && row.notSelectable && (
        <Text color="secondary" variant="bodySmall" element="p">
          {row.notSelectable}
        </Text>
      )}
      {stats && stats.emptyStackSamples > 0 && (
        <Text color="secondary" variant="bodySmall" element="p">
          {`${stats.emptyStackSamples} empty-stack samples (not pushed)`}
        </Text>
      )}
      {thread?.warnings.map((w) => (
        <Text key={w} color="warning" variant="bodySmall" element="p">
          {w}
        </Text>
      ))}
    </div>
  );
}

/** The service a file goes to: set by the user, or suggested by the planner with its reason. */
function FileService({
  fileId,
  fileName,
  services,
  given,
  onChange,
}: {
  fileId: string;
  fileName: string;
  services?: PlannedService[];
  given?: string;
  onChange: Props['onChangeFileService'];
}) {
  const styles = useStyles2(getStyles);
  const planned = services?.find((s) => s.fileNames.includes(fileName));
  const value = given ?? planned?.serviceName;
  if (value === undefined) {
    return null;
  }
  return (
    <div className={styles.service}>
      <Stack direction="row" alignItems="center" gap={1} wrap="wrap">
        <Text variant="bodySmall">service_name</Text>
        <div className={styles.serviceInput}>
          <WrappingInput
            label={`Service of ${fileName}`}
            value={value}
            onCommit={(name) => onChange(fileId, name.trim() === '' ? undefined : name)}
          />
        </div>
        {given !== undefined && (
          <Button size="sm" variant="secondary" fill="text" onClick={() => onChange(fileId, undefined)}>
            Use the suggested service
          </Button>
        )}
      </Stack>
      {planned && (
        <Text color="secondary" variant="bodySmall" element="p">
          {`${planned.reason} ${plural(planned.threadKeys.length, 'series', 'series')} under ${JSON.stringify(planned.serviceName)}, from ${plural(planned.fileNames.length, 'file')}.`}
        </Text>
      )}
    </div>
  );
}

function groupByFile(rows: ThreadRow[]): Array<{ fileId: string; fileName: string; rows: ThreadRow[] }> {
  const groups = new Map<string, { fileId: string; fileName: string; rows: ThreadRow[] }>();
  for (const row of rows) {
    let group = groups.get(row.fileId);
    if (!group) {
      group = { fileId: row.fileId, fileName: row.fileName, rows: [] };
      groups.set(row.fileId, group);
    }
    group.rows.push(row);
  }
  return [...groups.values()];
}

const rowId = (r: ThreadRow) => r.uiKey;

/** Memoized: the page re-renders at every parse and push progress, the table only when its rows change. */
export const ThreadTable = memo(ThreadTableView);

function ThreadTableView({
  rows,
  selectedKey,
  threadLabelName = DEFAULT_THREAD_LABEL,
  services,
  fileServices,
  onChange,
  onChangeFileService,
  onToggleAll,
  onShow,
}: Props) {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useState('');
  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle
      ? rows.filter((r) =>
          [r.name, r.labelValue, r.fileName, ...r.labels.map((l) => l.value)].join(' ').toLowerCase().includes(needle)
        )
      : rows;
  }, [rows, filter]);
  const selectable = rows.filter((r) => !r.notSelectable);
  const included = selectable.filter((r) => r.included).length;

  // The columns stay the same objects for the table's life, whatever callbacks the parent passes: see `SelectedThread`.
  const latest = useRef({ onChange, onShow });
  useLayoutEffect(() => {
    latest.current = { onChange, onShow };
  });
  const changeThread = useCallback<Props['onChange']>((...args) => latest.current.onChange(...args), []);
  const showThread = useCallback<Props['onShow']>((...args) => latest.current.onShow(...args), []);
  const columns = useMemo<Array<Column<ThreadRow>>>(
    () => [
      {
        id: 'include',
        header: 'Push',
        disableGrow: true,
        cell: ({ row: { original: r } }) => (
          <Checkbox
            aria-label={`Include ${r.fileName} profile ${r.index}`}
            value={r.included}
            disabled={Boolean(r.notSelectable)}
            onChange={(e) => changeThread(r.uiKey, { include: e.currentTarget.checked })}
          />
        ),
      },
      {
        id: 'name',
        header: 'Thread',
        cell: ({ row: { original: r } }) => <ThreadNameCell row={r} onShow={showThread} />,
      },
      {
        id: 'labels',
        header: 'Labels',
        cell: ({ row: { original: r } }) =>
          r.thread ? <LabelsCell row={r} threadLabelName={threadLabelName} onChange={changeThread} /> : null,
      },
      {
        id: 'type',
        header: 'Profile type',
        cell: ({ row: { original: r } }) => (r.thread ? <ProfileTypeCell row={r} onChange={changeThread} /> : null),
      },
    ],
    [changeThread, showThread, threadLabelName]
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
        <Text color="secondary" variant="bodySmall">{`${included} of ${plural(rows.length, 'thread')} selected`}</Text>
      </Stack>
      <SelectedThread.Provider value={selectedKey}>
        {groupByFile(visible).map((group) => (
          <section key={group.fileId} aria-label={`Threads of ${group.fileName}`} className={styles.file}>
            <Text element="h3" variant="h6">
              {group.fileName}
            </Text>
            {group.rows.some((r) => r.thread) && (
              <FileService
                fileId={group.fileId}
                fileName={group.fileName}
                services={services}
                given={fileServices?.[group.fileId]}
                onChange={onChangeFileService}
              />
            )}
            <InteractiveTable
              className={styles.table}
              columns={columns}
              data={group.rows}
              getRowId={rowId}
              pageSize={group.rows.length > 50 ? 50 : 0}
            />
          </section>
        ))}
      </SelectedThread.Provider>
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  filter: css({ width: 280 }),
  file: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), minWidth: 0 }),
  table: css({
    tableLayout: 'fixed',
    width: '100%',
    'th:nth-child(1)': { width: 56 },
    'th:nth-child(3)': { width: '36%' },
    'th:nth-child(4)': { width: '28%' },
    td: { verticalAlign: 'top', overflowWrap: 'anywhere' },
  }),
  nameCell: css({ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', minWidth: 0 }),
  // Whole names, wrapped: py-spy's `Thread 0x1FA08F100 "MainThread"` must not be cut.
  name: css({ whiteSpace: 'normal', height: 'auto', textAlign: 'left', overflowWrap: 'anywhere', padding: 0 }),
  selected: css({ fontWeight: theme.typography.fontWeightBold, textDecoration: 'underline' }),
  labels: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(4em, max-content) minmax(0, 1fr) auto',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    p: { gridColumn: '1 / -1', margin: 0 },
  }),
  labelName: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  labelNameInput: css({ maxWidth: '12em' }),
  fullRow: css({ gridColumn: '1 / -1' }),
  // `field-sizing: content` grows the field with its value, wrapped, instead of cutting it (Chromium, Grafana's
  // browsers); elsewhere the field keeps one line and the value scrolls inside it.
  wrapping: css({
    fieldSizing: 'content',
    minHeight: theme.spacing(theme.components.height.md),
    resize: 'none',
    overflowWrap: 'anywhere',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  // Three choices (counts with a sampling rate) wrap instead of widening the column.
  typeChoice: css({ '&&': { flexWrap: 'wrap', height: 'auto' } }),
  typeCell: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), p: { margin: 0 } }),
  service: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), p: { margin: 0 } }),
  serviceInput: css({ width: 360, maxWidth: '100%' }),
});
