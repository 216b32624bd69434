import { ParsedFile, ParsedFileHead, ThreadProfile } from '../threads/threadModel';
import { concatBytes } from '../util/bytes';
import { GunzipError, GunzipStream, isGzip } from '../util/gunzip';
import { SpeedscopeFileError } from './issues';
import { JsonSyntaxError } from './jsonTokenizer';
import { SpeedscopeReader } from './speedscopeReader';

export interface ParseOptions {
  /** Stop inflating/reading beyond this many bytes of JSON text (the app's max file size); default 4 GiB. */
  maxJsonBytes?: number;
  /**
   * Called with each thread as soon as it is read (once the frame table is known), while the rest of the file is
   * still being parsed, so work on it can start early. Its `startOffset` is provisional: the file's earliest
   * startValue is known only at its end, when the same object gets its final offset (or the file's result reports
   * the profile broken).
   */
  onThread?: (thread: ThreadProfile, file: ParsedFileHead) => void;
}

export interface ParseProgress {
  fileName: string;
  bytesRead: number;
  /** input (compressed) bytes */
  bytesTotal?: number;
  profilesDone: number;
}

export const DEFAULT_MAX_JSON_BYTES = 4 * 1024 ** 3;

/** Report progress to `onProgress` at most once per this many input bytes. */
const PROGRESS_EVERY_BYTES = 1024 * 1024;

/**
 * Push-based incremental parser: gzip detected by magic bytes, inflated as a stream; JSON tokenized straight into
 * the thread model. Chunks are not kept. `push` throws SpeedscopeFileError for file-level problems (invalid JSON,
 * corrupt gzip, too large); a broken profile becomes a BrokenProfile in `finish`'s result and the others stay usable.
 */
export class SpeedscopeStreamParser {
  private readonly reader: SpeedscopeReader;
  private readonly maxJsonBytes: number;
  private gunzip: GunzipStream | undefined;
  /** Undecided until two bytes show whether this is gzip. */
  private head: Uint8Array | undefined = new Uint8Array(0);
  private jsonBytes = 0;
  private bytesRead = 0;
  private finished = false;

  constructor(
    readonly fileName: string,
    options: ParseOptions = {}
  ) {
    this.reader = new SpeedscopeReader(fileName, options.onThread);
    this.maxJsonBytes = options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  }

  get progress(): ParseProgress {
    return { fileName: this.fileName, bytesRead: this.bytesRead, profilesDone: this.reader.profilesDone };
  }

  push(chunk: Uint8Array): void {
    if (this.finished) {
      throw new Error('SpeedscopeStreamParser: push after finish');
    }
    this.bytesRead += chunk.length;
    this.guard(() => this.route(chunk));
  }

  finish(): ParsedFile {
    this.finished = true;
    return this.guard(() => {
      if (this.head !== undefined) {
        const head = this.head;
        this.head = undefined;
        this.json(head);
      }
      this.gunzip?.finish();
      this.reader.tokenizer.finish();
      return this.reader.result();
    });
  }

  private route(chunk: Uint8Array): void {
    if (this.head !== undefined) {
      const head = concatBytes(this.head, chunk);
      if (head.length < 2) {
        this.head = head;
        return;
      }
      this.head = undefined;
      if (isGzip(head)) {
        this.gunzip = new GunzipStream((data) => this.json(data), this.maxJsonBytes);
      }
      chunk = head;
    }
    if (this.gunzip !== undefined) {
      this.gunzip.push(chunk);
    } else {
      this.json(chunk);
    }
  }

  private json(chunk: Uint8Array): void {
    this.jsonBytes += chunk.length;
    if (this.jsonBytes > this.maxJsonBytes) {
      throw new SpeedscopeFileError(
        this.fileName,
        `is larger than ${this.maxJsonBytes} bytes of JSON, the maximum size; it was not read further`
      );
    }
    this.reader.tokenizer.push(chunk);
  }

  /** Turns the layers' own errors into file-level errors naming the file. */
  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        throw new SpeedscopeFileError(this.fileName, `is not valid JSON: ${e.message}`);
      }
      if (e instanceof GunzipError) {
        throw new SpeedscopeFileError(
          this.fileName,
          e.tooLarge
            ? `is gzip-compressed and ${e.message}; it was not inflated further`
            : `looks gzip-compressed but could not be decompressed: ${e.message}`
        );
      }
      if (e instanceof RangeError) {
        // A string or array beyond what the JavaScript engine can hold, e.g. a frame name of a gigabyte.
        throw new SpeedscopeFileError(this.fileName, `holds a value too large to read: ${e.message}`);
      }
      throw e;
    }
  }
}

/** Parses a whole file held in memory. */
export function parseSpeedscope(fileName: string, bytes: Uint8Array, options?: ParseOptions): ParsedFile {
  const parser = new SpeedscopeStreamParser(fileName, options);
  parser.push(bytes);
  return parser.finish();
}

export interface StreamParseOptions extends ParseOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ParseProgress) => void;
  /** Size of the input (e.g. `File.size`), for progress. */
  bytesTotal?: number;
}

/**
 * Parses a file read as a stream: `File.stream()` in a browser or worker, `fs.createReadStream` in Node. Memory is
 * set by the model, not by the text, so files beyond the 512 MB string limit parse. Aborting rejects with the
 * signal's reason between chunks.
 */
export async function parseSpeedscopeStream(
  fileName: string,
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: StreamParseOptions = {}
): Promise<ParsedFile> {
  const { signal, onProgress, bytesTotal } = options;
  const parser = new SpeedscopeStreamParser(fileName, options);
  let reported = 0;
  const report = () => {
    if (onProgress) {
      onProgress({ ...parser.progress, bytesTotal });
    }
  };
  signal?.throwIfAborted();
  for await (const chunk of chunksOf(source)) {
    signal?.throwIfAborted();
    parser.push(chunk);
    const read = parser.progress.bytesRead;
    if (read - reported >= PROGRESS_EVERY_BYTES) {
      reported = read;
      report();
    }
  }
  signal?.throwIfAborted();
  const parsed = parser.finish();
  report();
  return parsed;
}

/** ReadableStream is async-iterable in Node and some browsers only: read it through its reader everywhere. */
async function* chunksOf(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  if (!('getReader' in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!ended) {
      // Stopped early (abort, bad data): tell the source, so a file read stops too.
      await reader.cancel().catch(() => undefined);
    }
    reader.releaseLock();
  }
}
