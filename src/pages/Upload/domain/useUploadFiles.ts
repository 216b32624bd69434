import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../../../core/util/errorText';
import { Operation, PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { FileSummary } from './summaries';
import { sizeLimitError, UploadFile } from './uploadFiles';

/** The files of the page: dropped, parsed by the pipeline, removable and replaceable at any time. */
export function useUploadFiles(pipeline: PipelineClient | undefined, maxFileSizeMb: number, sliceSeconds: number) {
  const [files, setFiles] = useState<UploadFile[]>([]);
  // A drop and what the pipeline says of it (progress, outcome) are transitions: React renders them in slices, never
  // in one long task. A removal, the user's click, stays urgent.
  const changeFiles = useCallback(
    (change: (current: UploadFile[]) => UploadFile[]) => startTransition(() => setFiles(change)),
    []
  );
  const parses = useRef(new Map<string, Operation<FileSummary>>());
  // Bumped whenever a file is added, replaced or removed: a slower, older parse of the same name must not win.
  const generations = useRef(new Map<string, number>());
  const nextGeneration = (id: string) => {
    const generation = (generations.current.get(id) ?? 0) + 1;
    generations.current.set(id, generation);
    return generation;
  };

  const update = useCallback(
    (id: string, generation: number, patch: Partial<UploadFile>) => {
      if (generations.current.get(id) === generation) {
        changeFiles((current) => current.map((f) => (f.id === id ? { ...f, ...patch } : f)));
      }
    },
    [changeFiles]
  );

  const removeFile = useCallback(
    (id: string) => {
      nextGeneration(id);
      parses.current.get(id)?.cancel();
      parses.current.delete(id);
      pipeline?.remove(id);
      setFiles((current) => current.filter((f) => f.id !== id));
    },
    [pipeline]
  );

  const addFiles = useCallback(
    (dropped: File[]) => {
      if (!pipeline) {
        return;
      }
      for (const file of dropped) {
        // Same name: replace the earlier file (a re-captured profile), keeping its place in the list.
        const id = `file:${file.name}`;
        const generation = nextGeneration(id);
        parses.current.get(id)?.cancel();
        const tooBig = sizeLimitError(file.name, file.size, maxFileSizeMb);
        const entry: UploadFile = tooBig
          ? { id, name: file.name, size: file.size, status: 'error', progress: 0, error: tooBig }
          : { id, name: file.name, size: file.size, status: 'parsing', progress: 0, parsedIn: pipeline.where };
        changeFiles((current) =>
          current.some((f) => f.id === id) ? current.map((f) => (f.id === id ? entry : f)) : [...current, entry]
        );
        if (tooBig) {
          // What the pipeline holds of an earlier file of this name goes too.
          pipeline.remove(id);
          continue;
        }
        const limits = { sliceSeconds, maxJsonBytes: maxFileSizeMb * 1024 * 1024 };
        const parse = pipeline.parse(id, file, limits, (progress, stage) =>
          update(id, generation, { progress, stage, parsedIn: pipeline.where })
        );
        parses.current.set(id, parse);
        parse.result.then(
          (parsed) => update(id, generation, { status: 'parsed', progress: 1, parsed, stage: undefined }),
          (e) => {
            if (!(e instanceof PipelineCancelledError)) {
              update(id, generation, { status: 'error', error: errorText(e), stage: undefined });
            }
          }
        );
      }
    },
    [pipeline, maxFileSizeMb, sliceSeconds, update, changeFiles]
  );

  useEffect(() => {
    const current = parses.current;
    return () => current.forEach((p) => p.cancel());
  }, []);

  return { files, addFiles, removeFile };
}
