import { LabelPair, labelSetKey, utf8Length } from '../plan/labels';
import { PlannedProfile, planUpload, UploadPlan } from '../plan/planUpload';
import { UploadOptions } from '../plan/uploadOptions';
import { encodePprof } from '../pprof/encodePprof';
import { gzip } from '../pprof/gzip';
import { ParsedFile, ParsedFileHead, ThreadProfile } from '../threads/threadModel';
import { stableUuid } from '../util/stableId';

/** Pyroscope's hard per-profile limit (`max_profile_size_bytes`); the planner aims far below it. */
export const PYROSCOPE_MAX_PROFILE_BYTES = 4 << 20;

/** What the push needs to know of an encoded profile; structured-clone safe, so it crosses the worker boundary. */
export interface ProfileRef {
  threadKey: string;
  labels: LabelPair[];
  timeNanos: bigint;
  /** stableUuid of labels@time: the same profile always gets the same id. */
  id: string;
  /** Size of the pprof before gzip: what Pyroscope checks against its limits and rate limiter. */
  uncompressedBytes: number;
  /** What Pyroscope's rate limiter counts for this profile: label bytes + uncompressed pprof bytes. */
  costBytes: number;
}

export interface EncodedProfile {
  ref: ProfileRef;
  gzipped: Uint8Array;
}

/** UTF-8 bytes of the label names and values of one series. */
export function labelBytes(labels: LabelPair[]): number {
  return labels.reduce((sum, l) => sum + utf8Length(l.name) + utf8Length(l.value), 0);
}

export function profileRef(planned: PlannedProfile, uncompressedBytes: number): ProfileRef {
  return {
    threadKey: planned.threadKey,
    labels: planned.labels,
    timeNanos: planned.timeNanos,
    id: stableUuid(`${labelSetKey(planned.labels)}@${planned.timeNanos}`),
    uncompressedBytes,
    costBytes: uncompressedBytes + labelBytes(planned.labels),
  };
}

export async function encodeProfile(planned: PlannedProfile): Promise<EncodedProfile> {
  const pprof = encodePprof(planned);
  if (pprof.length !== planned.uncompressedBytes) {
    throw new Error(`pprof of ${pprof.length} bytes where the plan sized ${planned.uncompressedBytes}`);
  }
  if (pprof.length > PYROSCOPE_MAX_PROFILE_BYTES) {
    throw new Error(
      `${planned.thread.fileName}: profile ${planned.thread.index}: a profile of ${pprof.length} bytes exceeds Pyroscope's ${PYROSCOPE_MAX_PROFILE_BYTES}-byte limit`
    );
  }
  return { ref: profileRef(planned, pprof.length), gzipped: await gzip(pprof) };
}

/** How many profiles are gzipped while the next ones are encoded (zlib runs on Node's thread pool). */
const GZIP_IN_FLIGHT = 4;

/**
 * Encodes the plan's profiles in plan order, one at a time as they are consumed, so memory holds only the profiles
 * in flight. `only` keeps the profiles of some threads (a retry); `signal` stops between two profiles; `ahead` holds
 * profiles encoded while the files were still being parsed, taken when the plan asks for exactly the same bytes.
 * planUpload has checked the (labels, time) invariant; pushUpload checks it again before anything is sent.
 */
export async function* encodePlan(
  plan: UploadPlan,
  options: { signal?: AbortSignal; only?: Set<string>; ahead?: EncodingAhead } = {}
): AsyncIterable<EncodedProfile> {
  const { signal, only, ahead } = options;
  ahead?.stop();
  const pending: Array<Promise<EncodedProfile>> = [];
  for (const planned of plan.profiles) {
    signal?.throwIfAborted();
    if (only && !only.has(planned.threadKey)) {
      continue;
    }
    const started = ahead?.take(planned) ?? encodeProfile(planned);
    // A rejection is awaited below in order; this keeps it from being reported as unhandled meanwhile.
    started.catch(() => undefined);
    pending.push(started);
    if (pending.length >= GZIP_IN_FLIGHT) {
      yield await pending.shift()!;
    }
  }
  while (pending.length > 0) {
    signal?.throwIfAborted();
    yield await pending.shift()!;
  }
}

/** What a profile's pprof bytes depend on besides its slice of stacks (`nodes` and `values`): its header. */
function headerKey(planned: PlannedProfile): string {
  const { timeNanos, durationNanos, periodNanos, profileType } = planned;
  const { sampleType, periodType } = profileType;
  return `${timeNanos}:${durationNanos}:${periodNanos}:${sampleType.type}:${sampleType.unit}:${periodType.type}:${periodType.unit}`;
}

/**
 * Profiles encoded at once while the parse goes on: two, so that zlib compresses one while this thread plans and
 * writes the next. With one, this thread and zlib's took turns and 100-110 of the bench's 213 profiles were left when
 * the parse ended; with two, 28-60 are left and the conversion ends 0.15-0.3 s sooner, though the parse shares its
 * core more (six paired runs on 2 cores, once planning and writing had become cheaper than gzip; before that, two
 * made no difference).
 */
const AHEAD_IN_FLIGHT = 2;

interface AheadEntry {
  planned: PlannedProfile;
  headerKey: string;
  encoded?: Promise<EncodedProfile>;
}

/**
 * Encodes each thread as soon as the parser has read it (`ParseOptions.onThread`), planned alone with the upload's
 * options, so its pprof is written between two chunks of the file and gzipped on zlib's threads while the rest is
 * still being parsed: for a conversion, the second core is otherwise idle during the parse. The final plan decides:
 * `encodePlan` takes an encoding only for a profile with the same slice (the planner's cached arrays, so the same
 * thread, start and slicing) and the same header; anything else (a thread that moved because a later profile starts
 * earlier, labels or types that depend on the whole file) is encoded again, and unused encodings are dropped. The
 * ids and labels come from the final plan. Memory: the gzipped profiles until they are taken, at most
 * `AHEAD_IN_FLIGHT` uncompressed ones.
 */
export class EncodingAhead {
  /** Profiles the final plan took from here (the others were encoded when it asked). */
  reused = 0;
  private readonly bySlice = new Map<Int32Array, AheadEntry[]>();
  private queue: Array<AheadEntry | undefined> = [];
  private next = 0;
  private inFlight = 0;
  private stopped = false;

  constructor(private readonly options: UploadOptions) {}

  /** A thread just read from the file at `fileIndex` of the upload; see `ParseOptions.onThread`. */
  addThread(fileIndex: number, file: ParsedFileHead, thread: ThreadProfile): void {
    if (this.stopped) {
      return;
    }
    let plan: UploadPlan;
    try {
      // Earlier files only hold the thread's file index; their threads were queued as they were read.
      const earlier = Array.from({ length: fileIndex }, (): ParsedFile => ({ ...file, profiles: [], warnings: [] }));
      plan = planUpload([...earlier, { ...file, profiles: [thread], warnings: [] }], this.options);
    } catch {
      // The final plan reports what is wrong.
      return;
    }
    for (const planned of plan.profiles) {
      const entry: AheadEntry = { planned, headerKey: headerKey(planned) };
      const entries = this.bySlice.get(planned.nodes);
      if (entries) {
        entries.push(entry);
      } else {
        this.bySlice.set(planned.nodes, [entry]);
      }
      this.queue.push(entry);
    }
    this.pump();
  }

  /** The encoding of exactly this profile, started now if it was still waiting; undefined if there is none. */
  take(planned: PlannedProfile): Promise<EncodedProfile> | undefined {
    const entries = this.bySlice.get(planned.nodes);
    const key = headerKey(planned);
    const at =
      entries?.findIndex(
        (e) => e.headerKey === key && e.planned.values === planned.values && e.planned.thread === planned.thread
      ) ?? -1;
    if (entries === undefined || at < 0) {
      return undefined;
    }
    const [entry] = entries.splice(at, 1);
    if (entries.length === 0) {
      this.bySlice.delete(planned.nodes);
    }
    const encoded = entry.encoded ?? this.start(entry);
    this.reused++;
    return encoded.then(({ ref, gzipped }) => {
      if (ref.uncompressedBytes !== planned.uncompressedBytes) {
        throw new Error(`pprof of ${ref.uncompressedBytes} bytes where the plan sized ${planned.uncompressedBytes}`);
      }
      return { ref: profileRef(planned, ref.uncompressedBytes), gzipped };
    });
  }

  /** Starts no more encodings of its own: `take` still starts the ones asked for. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.next = 0;
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < AHEAD_IN_FLIGHT && this.next < this.queue.length) {
      const entry = this.queue[this.next];
      this.queue[this.next++] = undefined;
      if (entry && entry.encoded === undefined) {
        this.start(entry);
      }
    }
    if (this.next === this.queue.length) {
      this.queue = [];
      this.next = 0;
    }
  }

  private start(entry: AheadEntry): Promise<EncodedProfile> {
    this.inFlight++;
    const encoded = encodeProfile(entry.planned);
    entry.encoded = encoded;
    const done = () => {
      this.inFlight--;
      this.pump();
    };
    encoded.then(done, done);
    return encoded;
  }
}
