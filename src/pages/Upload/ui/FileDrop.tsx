import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, FileDropzone, IconButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { UploadFile } from '../domain/uploadFiles';
import { formatValue, plural } from './formatValue';

interface Props {
  files: UploadFile[];
  maxFileSizeMb: number;
  onAdd: (files: File[]) => void;
  onRemove: (id: string) => void;
}

export function FileDrop({ files, maxFileSizeMb, onAdd, onRemove }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <Stack direction="column" gap={1}>
      <FileDropzone
        id="speedscope-files"
        options={{
          onDrop: onAdd,
          multiple: true,
          accept: { 'application/json': ['.json'], 'application/gzip': ['.gz'] },
        }}
        fileListRenderer={() => null}
      >
        <div className={styles.dropText}>
          <Text element="p">Drop Speedscope files here, or click to choose them</Text>
          <Text element="p" variant="bodySmall" color="secondary">
            .json or .json.gz from py-spy, pyinstrument, dotnet-trace, Austin, rbspy…; up to {maxFileSizeMb} MB each.
            Files are read in your browser; nothing is sent until you push.
          </Text>
        </div>
      </FileDropzone>
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
  dropText: css({ textAlign: 'center', padding: theme.spacing(2) }),
  file: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 2),
  }),
  progress: css({ width: 240, accentColor: theme.colors.primary.main }),
  alert: css({ marginTop: theme.spacing(1), marginBottom: 0 }),
});
