import { css, cx } from '@emotion/css';
import React, { DragEvent, useId, useRef, useState } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, IconButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { UploadFile } from '../domain/uploadFiles';
import { formatValue, plural } from './formatValue';

interface Props {
  files: UploadFile[];
  maxFileSizeMb: number;
  onAdd: (files: File[]) => void;
  onRemove: (id: string) => void;
}

/** What the file chooser offers; a dropped file of another name still goes to the parser, which says what is wrong. */
const ACCEPT = 'application/json,.json,application/gzip,.gz';

const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

/**
 * The dropzone is one native button: it has a name and a role, takes focus, and Enter or Space opens the file chooser
 * (through the hidden, labelled file input) as a click does. Files dropped on it are added the same way.
 */
export function FileDrop({ files, maxFileSizeMb, onAdd, onRemove }: Props) {
  const styles = useStyles2(getStyles);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const hintId = useId();
  const add = (list: FileList | null) => {
    if (list && list.length > 0) {
      onAdd(Array.from(list));
    }
  };
  return (
    <Stack direction="column" gap={1}>
      <input
        ref={input}
        id="speedscope-files"
        type="file"
        multiple
        accept={ACCEPT}
        aria-label="Speedscope files"
        tabIndex={-1}
        className={styles.hiddenInput}
        onChange={(e) => {
          add(e.currentTarget.files);
          // Choosing the same file again (after removing it, say) must fire another change.
          e.currentTarget.value = '';
        }}
      />
      {/* Clicking anywhere in the zone opens the chooser too; a click on the button reaches it by bubbling. */}
      <div
        data-testid="dropzone"
        className={cx(styles.dropzone, dragging && styles.dragging)}
        onClick={() => input.current?.click()}
        onDragEnter={(e) => hasFiles(e) && setDragging(true)}
        onDragOver={(e) => {
          if (hasFiles(e)) {
            // Without this the browser would open the file instead of letting it drop here.
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
          }
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) {
            setDragging(false);
          }
        }}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer.files);
        }}
      >
        <button type="button" aria-describedby={hintId} className={styles.chooser}>
          Drop Speedscope files here, or click to choose them
        </button>
        <p id={hintId} className={styles.hint}>
          .json or .json.gz from py-spy, pyinstrument, dotnet-trace, Austin, rbspy…; up to {maxFileSizeMb} MB each.
          Files are read in your browser; nothing is sent until you push.
        </p>
      </div>
      {files.map((file) => (
        <div key={file.id} className={styles.file} data-testid="upload-file">
          <Stack direction="row" alignItems="center" justifyContent="space-between">
            <Stack direction="row" alignItems="center" gap={1}>
              <Text weight="medium">{file.name}</Text>
              <Text color="secondary" variant="bodySmall">
                {formatValue(file.size, 'bytes')}
                {file.status === 'parsed' &&
                  file.parsed &&
                  ` · ${plural(file.parsed.profiles.length, 'profile')}${file.parsed.exporter ? ` · ${file.parsed.exporter}` : ''}`}
              </Text>
            </Stack>
            <IconButton name="times" tooltip={`Remove ${file.name}`} onClick={() => onRemove(file.id)} />
          </Stack>
          {file.status === 'parsing' && (
            <Stack direction="row" alignItems="center" gap={1}>
              <progress className={styles.progress} value={file.progress} max={1} aria-label={`Parsing ${file.name}`} />
              <Text variant="bodySmall" color="secondary">
                {file.stage ?? 'Reading'}
                {file.parsedIn === 'main thread' && ' (on the page: no Web Worker could start)'}
              </Text>
            </Stack>
          )}
          {file.status === 'error' && (
            <Alert severity="error" title="This file cannot be used" className={styles.alert}>
              {file.error}
            </Alert>
          )}
          {file.parsed?.warnings.map((w) => (
            <Text key={w} element="p" variant="bodySmall" color="warning">
              {w}
            </Text>
          ))}
        </div>
      ))}
    </Stack>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  dropzone: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(3, 2),
    textAlign: 'center',
    background: theme.colors.background.primary,
    border: `1px dashed ${theme.colors.border.strong}`,
    borderRadius: theme.shape.radius.default,
    cursor: 'pointer',
    '&:hover': { borderColor: theme.colors.primary.border },
    // Grafana's own focus ring (a gap in the canvas colour, then the primary colour), around the whole zone while its
    // button has keyboard focus; the transparent outline shows in forced-colours mode, where shadows are not drawn.
    '&:has(button:focus-visible)': {
      outline: '2px dotted transparent',
      outlineOffset: 2,
      boxShadow: `0 0 0 2px ${theme.colors.background.canvas}, 0 0 0 4px ${theme.colors.primary.main}`,
    },
  }),
  dragging: css({ background: theme.colors.background.secondary, borderColor: theme.colors.primary.border }),
  chooser: css({
    ...theme.typography.body,
    padding: theme.spacing(0.5, 1),
    color: theme.colors.text.primary,
    background: 'none',
    border: 'none',
    cursor: 'pointer',
    // The zone draws the ring where :has() is supported; elsewhere the button keeps Grafana's global one.
    '@supports selector(:has(*))': { '&:focus-visible': { outline: 'none', boxShadow: 'none' } },
  }),
  hint: css({ ...theme.typography.bodySmall, margin: 0, color: theme.colors.text.secondary }),
  // Out of sight and out of the tab order: the button above is the control; the input only carries the chooser.
  hiddenInput: css({
    position: 'absolute',
    width: 1,
    height: 1,
    margin: -1,
    padding: 0,
    border: 0,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  }),
  file: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 2),
  }),
  progress: css({ width: 240, accentColor: theme.colors.primary.main }),
  alert: css({ marginTop: theme.spacing(1), marginBottom: 0 }),
});
