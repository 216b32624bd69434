import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../../../core/util/errorText';
import { ParseCancelledError, parseFileInBackground, ParseHandle } from '../infrastructure/parseFileInBackground';
import { progressOf, readFileBytes, sizeLimitError, UploadFile } from './uploadFiles';

/** The files of the page: dropped, parsed in the background, removable and replaceable at any time. */
export function useUploadFiles(maxFileSizeMb: number, sliceSeconds: number) {
  const [files, setFiles] = useState<UploadFile[]>([]);
  const handles = useRef(new Map<string, ParseHandle>());
  // Bumped whenever a file is added, replaced or removed: a slower, older read of the same name must not win.
  const generations = useRef(new Map<string, number>());
  const nextGeneration = (id: string) => {
    const generation = (generations.current.get(id) ?? 0) + 1;
    generations.current.set(id, generation);
    return generation;
  };

  const update = useCallback((id: string, patch: Partial<UploadFile>) => {
    setFiles((current) => current.map((f) => (f.id === id ? { ...f, ...patch } : f)));
  }, []);

  const removeFile = useCallback((id: string) => {
    nextGeneration(id);
    handles.current.get(id)?.cancel();
    handles.current.delete(id);
    setFiles((current) => current.filter((f) => f.id !== id));
  }, []);

  const addFiles = useCallback(
    (dropped: File[]) => {
      for (const file of dropped) {
        // Same name: replace the earlier file (a re-captured profile), keeping its place in the list.
        const id = `file:${file.name}`;
        const generation = nextGeneration(id);
        const current = () => generations.current.get(id) === generation;
        handles.current.get(id)?.cancel();
        const entry: UploadFile = { id, name: file.name, size: file.size, status: 'reading', progress: 0 };
        const tooBig = sizeLimitError(file.name, file.size, maxFileSizeMb);
        setFiles((current) => {
          const replaced = current.some((f) => f.id === id);
          const next = tooBig ? { ...entry, status: 'error' as const, error: tooBig } : entry;
          return replaced ? current.map((f) => (f.id === id ? next : f)) : [...current, next];
        });
        if (tooBig) {
          continue;
        }
        void (async () => {
          try {
            const bytes = await readFileBytes(file);
            if (!current()) {
              return;
            }
            const handle = parseFileInBackground(file.name, bytes, sliceSeconds, (p) =>
              update(id, { status: 'parsing', ...progressOf(p) })
            );
            handles.current.set(id, handle);
            update(id, { status: 'parsing', parsedIn: handle.where });
            const parsed = await handle.result;
            if (current()) {
              update(id, { status: 'parsed', progress: 1, parsed, stage: undefined });
            }
          } catch (e) {
            if (current() && !(e instanceof ParseCancelledError)) {
              update(id, { status: 'error', error: errorText(e), stage: undefined });
            }
          }
        })();
      }
    },
    [maxFileSizeMb, sliceSeconds, update]
  );

  useEffect(() => {
    const current = handles.current;
    return () => current.forEach((h) => h.cancel());
  }, []);

  return { files, addFiles, removeFile };
}
