import { ParsedFile, ThreadProfile } from '../threads/threadModel';
import { formatNanos } from '../threads/units';

/**
 * What real producers write into Speedscope files, read from their source (see /tmp/issue9-research.md):
 * - py-spy `src/speedscope.rs`: exporter `py-spy@<version>`, profile `Thread <tid> "<name>"`, with `--subprocesses`
 *   `Process <pid> Thread <tid> "<name>"`; the tid is decimal on Linux, `0x…` (pthread id) on macOS.
 * - dotnet-trace (TraceEvent `SpeedScopeStackSourceWriter`, `TraceLog.VerboseThreadName`): exporter
 *   `Microsoft.Diagnostics.Tracing.TraceEvent@<version>` (older builds: `speedscope@1.3.2`), profile
 *   `Thread (<tid>)`, optionally ` CPU=<n>ms` and ` (<thread info>)`; the stack's root frame is
 *   `Process64 <name> (<pid>) Args: …`; thread-time leaves are `CPU_TIME` and `UNMANAGED_CODE_TIME`.
 * - Austin (austin-python `austin/format/speedscope.py`): exporter `Austin2Speedscope Converter <version>`, profiles
 *   `{CPU time|Wall time|Memory allocation|Memory deallocation} profile for <pid>:<tid>` (`<pid>:<iid>:<tid>`).
 * - rbspy `src/ui/speedscope.rs`: exporter `rbspy@<version>`, one profile per process `rbspy profile - pid <pid>`.
 * - pyinstrument `renderers/speedscope.py`: exporter `pyinstrument`, one profile `CPU profile for <target> at <time>`.
 */
export type Producer = 'py-spy' | 'dotnet-trace' | 'austin' | 'rbspy' | 'pyinstrument' | 'speedscope' | 'unknown';

/** Label names of Pyroscope's own SDKs (pyroscope-rs `StackTrace::new`: `pid`, `thread_id`, `thread_name`). */
export const THREAD_ID_LABEL = 'thread_id';
export const PID_LABEL = 'pid';

/** Same shape as the planner's `LabelPair`; declared here so the file format layer does not import the planner. */
export interface IdentityLabel {
  name: string;
  value: string;
}

/** Same values as the planner's `ProfileTypeChoice`. */
export type SuggestedProfileType = 'cpu' | 'wall' | 'memory' | 'samples';

export interface FileProducer {
  producer: Producer;
  /** Version as the exporter string gives it. */
  version?: string;
}

export interface ThreadIdentity {
  producer: Producer;
  /** The thread's own name without the producer's decoration; '' when the file has no name at all. */
  threadName: string;
  threadId?: string;
  pid?: string;
  /** The program, where the producer writes it (dotnet's process frame, pyinstrument's target). */
  programName?: string;
  /** Labels besides the thread label, named as Pyroscope's SDKs name them (`thread_id`, `pid`). */
  labels: IdentityLabel[];
}

export interface ProfileTypeSuggestion {
  type: SuggestedProfileType;
  /** Why, in plain words, for the thread table. */
  reason: string;
  /**
   * Present when the producer marks on-CPU time with leaf frames (dotnet-trace's `CPU_TIME`): the thread can be pushed
   * as wall time and, besides, as CPU time made of the stacks under those leaves only. Totals are in the base unit.
   */
  cpuPart?: { leafFrames: string[]; cpuTotal: number; otherTotal: number };
}

export interface ThreadInsight extends ThreadIdentity {
  profileType: ProfileTypeSuggestion;
}

export interface ServiceSuggestion {
  fileName: string;
  serviceName: string;
}

export interface ServicePlan {
  /** One entry per file, in file order. */
  services: ServiceSuggestion[];
  /** True when the files look like one program, so they share the base service. */
  shared: boolean;
  reason: string;
}

export function detectProducer(exporter: string | undefined, profileNames: readonly string[] = []): FileProducer {
  const text = (exporter ?? '').trim();
  const versioned = /^([\w.-]+)@(\S+)$/.exec(text);
  if (versioned) {
    const [, tool, version] = versioned;
    if (tool === 'py-spy' || tool === 'rbspy') {
      return { producer: tool, version };
    }
    if (tool === 'Microsoft.Diagnostics.Tracing.TraceEvent') {
      return { producer: 'dotnet-trace', version };
    }
    if (tool === 'speedscope') {
      // Old TraceEvent builds wrote `speedscope@1.3.2`; their profiles are named `Thread (<id>)`.
      const dotnet = profileNames.length > 0 && profileNames.every((name) => DOTNET_THREAD.test(name));
      return dotnet ? { producer: 'dotnet-trace' } : { producer: 'speedscope', version };
    }
  }
  const austin = /^Austin2Speedscope Converter\s*(\S*)/.exec(text);
  if (austin) {
    return austin[1] ? { producer: 'austin', version: austin[1] } : { producer: 'austin' };
  }
  if (text === 'pyinstrument') {
    return { producer: 'pyinstrument' };
  }
  return { producer: 'unknown' };
}

const PY_SPY_THREAD = /^(?:Process (\d+) )?Thread (\S+) "(.*)"$/s;
const DOTNET_THREAD = /^Thread \((\d+)\)(?: CPU=\d+ms)?(?: \((.*)\))?$/s;
const AUSTIN_PROFILE =
  /^(CPU time|Wall time|Memory allocation|Memory deallocation) profile for (\d+):(?:(\d+):)?(\S+)$/;
const RBSPY_PROFILE = /^rbspy profile - pid (\d+)$/;
const PYINSTRUMENT_PROFILE = /^CPU profile for (.*) at \S+$/s;
const DOTNET_PROCESS_FRAME = /^Process(?:32|64)? (.*?) ?\((\d+)\)(?: Args:.*)?$/s;

/**
 * The thread's clean name and ids from its profile name. `thread` (when given) adds what only the stacks say:
 * dotnet-trace's process frame gives the pid and program.
 */
export function threadIdentity(producer: Producer, profileName: string, thread?: ThreadProfile): ThreadIdentity {
  const name = profileName.trim();
  const identity = (
    threadName: string,
    ids: { threadId?: string; pid?: string; programName?: string }
  ): ThreadIdentity => {
    const result: ThreadIdentity = { producer, threadName, labels: [] };
    if (ids.threadId !== undefined) {
      result.threadId = ids.threadId;
      result.labels.push({ name: THREAD_ID_LABEL, value: ids.threadId });
    }
    if (ids.pid !== undefined) {
      result.pid = ids.pid;
      result.labels.push({ name: PID_LABEL, value: ids.pid });
    }
    if (ids.programName !== undefined) {
      result.programName = ids.programName;
    }
    return result;
  };

  switch (producer) {
    case 'py-spy': {
      const match = PY_SPY_THREAD.exec(name);
      if (match) {
        const [, pid, threadId, threadName] = match;
        return identity(threadName === '' ? `Thread ${threadId}` : threadName, { threadId, pid });
      }
      break;
    }
    case 'dotnet-trace': {
      const match = DOTNET_THREAD.exec(name);
      if (match) {
        const [, threadId, info] = match;
        const process = thread ? dotnetProcess(thread) : undefined;
        return identity(info ? info : `Thread ${threadId}`, {
          threadId,
          pid: process?.pid,
          programName: process?.programName,
        });
      }
      break;
    }
    case 'austin': {
      const match = AUSTIN_PROFILE.exec(name);
      if (match) {
        const [, , pid, , threadId] = match;
        return identity(`Thread ${threadId}`, { threadId, pid });
      }
      break;
    }
    case 'rbspy': {
      const match = RBSPY_PROFILE.exec(name);
      if (match) {
        return identity(`Process ${match[1]}`, { pid: match[1] });
      }
      break;
    }
    case 'pyinstrument': {
      const match = PYINSTRUMENT_PROFILE.exec(name);
      if (match) {
        const target = match[1].replace(/^'(.*)'$/s, '$1');
        return identity(target, { programName: target });
      }
      break;
    }
  }
  return identity(name, {});
}

/** dotnet-trace roots every stack in `Process64 <name> (<pid>) Args: …`. */
function dotnetProcess(thread: ThreadProfile): { pid: string; programName: string } | undefined {
  const { depth, frame } = thread.tree;
  for (let node = 1; node < depth.length; node++) {
    if (depth[node] === 1) {
      const match = DOTNET_PROCESS_FRAME.exec(thread.frames[frame[node]]?.name ?? '');
      if (match) {
        return { programName: match[1], pid: match[2] };
      }
    }
  }
  return undefined;
}

/** TraceEvent's thread-time computers mark what a thread was doing with these leaf frames. */
const ON_CPU_LEAVES = ['CPU_TIME'];
const OFF_CPU_LEAVES = ['UNMANAGED_CODE_TIME', 'BLOCKED_TIME'];

/** py-spy's idle heuristic (`PythonSpy::_heuristic_is_thread_idle`): these leaves only appear when run with --idle. */
function isPySpyIdleLeaf(name: string, file: string): boolean {
  return (
    (name === 'wait' && file.endsWith('threading.py')) ||
    (name === 'select' && file.endsWith('selectors.py')) ||
    (name === 'poll' &&
      (file.endsWith('asyncore.py') || file.includes('zmq') || file.includes('gevent') || file.includes('tornado')))
  );
}

/**
 * 1 for every node of the thread's tree that is an on-CPU leaf (`CPU_TIME`) or below one: the stacks a CPU series
 * made from a thread-time profile keeps. Parents precede children in the tree, so one pass suffices.
 */
export function onCpuNodeMask(thread: ThreadProfile): Uint8Array {
  const { parent, frame } = thread.tree;
  const named = framesNamed(thread, ON_CPU_LEAVES);
  const mask = new Uint8Array(parent.length);
  for (let node = 1; node < parent.length; node++) {
    mask[node] = mask[parent[node]] === 1 || isNamed(named, frame[node]) ? 1 : 0;
  }
  return mask;
}

/**
 * 1 for each frame of the thread's table whose name is one of `names`, and its last entry for a frame index beyond the
 * table (as a frame without a name): one string test per frame instead of one per tree node (trees have 10-20 times
 * more nodes than frames).
 */
function framesNamed(thread: ThreadProfile, names: readonly string[]): Uint8Array {
  const { frames } = thread;
  const named = new Uint8Array(frames.length + 1);
  for (let f = 0; f < frames.length; f++) {
    named[f] = names.includes(frames[f]?.name ?? '') ? 1 : 0;
  }
  named[frames.length] = names.includes('') ? 1 : 0;
  return named;
}

function isNamed(named: Uint8Array, frameIndex: number): boolean {
  return named[frameIndex >= 0 && frameIndex < named.length - 1 ? frameIndex : named.length - 1] === 1;
}

/** Totals under named frames (and below them), in the base unit. */
function totalsUnderFrames(thread: ThreadProfile, names: readonly string[]): number {
  const { parent, frame, self } = thread.tree;
  const named = framesNamed(thread, names);
  const under = new Uint8Array(parent.length);
  let total = 0;
  for (let node = 1; node < parent.length; node++) {
    under[node] = under[parent[node]] === 1 || isNamed(named, frame[node]) ? 1 : 0;
    if (under[node] === 1) {
      total += self[node];
    }
  }
  return total;
}

/** Share of the thread's total whose leaf is one of py-spy's idle functions. */
function pySpyIdleShare(thread: ThreadProfile): number {
  const { frame, self } = thread.tree;
  let idle = 0;
  for (let node = 1; node < frame.length; node++) {
    const leaf = thread.frames[frame[node]];
    if (self[node] > 0 && leaf && isPySpyIdleLeaf(leaf.name, leaf.file ?? '')) {
      idle += self[node];
    }
  }
  return thread.stats.total > 0 ? idle / thread.stats.total : 0;
}

/** A thread's total above its duration by more than this cannot be one thread's wall-clock time. */
const OVERLAP_TOLERANCE = 1.05;

/** The default profile type for a thread, from its unit, its producer, its leaf frames and its total against duration. */
export function suggestProfileType(
  producer: Producer,
  thread: ThreadProfile,
  sampleRateHz?: number
): ProfileTypeSuggestion {
  if (thread.kind === 'bytes') {
    return { type: 'memory', reason: 'Its values are bytes: allocated memory.' };
  }
  if (thread.kind === 'count') {
    if (sampleRateHz) {
      return {
        type: 'cpu',
        reason: `Its values are sample counts; at ${sampleRateHz} samples per second they become CPU time.`,
      };
    }
    return {
      type: 'samples',
      reason: `Its unit "${thread.unit}" is not a time: pushed as sample counts unless you give a sampling rate.`,
    };
  }

  const { total, duration } = thread.stats;
  if (producer === 'austin') {
    const kind = AUSTIN_PROFILE.exec(thread.name.trim())?.[1];
    if (kind === 'Wall time') {
      return { type: 'wall', reason: 'Austin calls it a "Wall time" profile: time on and off the CPU.' };
    }
    if (kind === 'CPU time') {
      return { type: 'cpu', reason: 'Austin calls it a "CPU time" profile: time on the CPU only.' };
    }
  }

  const cpuTotal = totalsUnderFrames(thread, ON_CPU_LEAVES);
  const offCpuTotal = totalsUnderFrames(thread, OFF_CPU_LEAVES);
  if (cpuTotal > 0 || offCpuTotal > 0) {
    const tool = producer === 'dotnet-trace' ? "dotnet-trace's thread time" : 'This thread-time profile';
    return {
      type: 'wall',
      reason:
        `${tool} covers the thread's whole life: ${formatNanos(cpuTotal)} of ${formatNanos(total)} is under ` +
        `CPU_TIME, the rest is waiting or unmanaged code (${OFF_CPU_LEAVES.join(', ')}).`,
      cpuPart: { leafFrames: [...ON_CPU_LEAVES], cpuTotal, otherTotal: total - cpuTotal },
    };
  }

  if (producer === 'py-spy') {
    const idle = pySpyIdleShare(thread);
    if (idle > 0) {
      return {
        type: 'wall',
        reason: `py-spy ran with --idle: ${formatPercent(idle)} of the time is in waiting functions (threading wait, select, poll).`,
      };
    }
    return {
      type: 'cpu',
      reason: 'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.',
    };
  }
  if (producer === 'rbspy') {
    return {
      type: 'wall',
      reason: 'rbspy samples whether the process runs or waits (unless started with --on-cpu): wall-clock time.',
    };
  }
  if (producer === 'pyinstrument') {
    return {
      type: 'wall',
      reason: 'pyinstrument measures wall-clock time, waiting included, although it titles the profile "CPU profile".',
    };
  }

  if (duration > 0 && total > duration * OVERLAP_TOLERANCE) {
    return {
      type: 'cpu',
      reason:
        `Its total (${formatNanos(total)}) is more than its duration (${formatNanos(duration)}): it adds up several ` +
        'threads or CPUs, which wall-clock time of one thread cannot.',
    };
  }
  if (thread.type === 'evented') {
    return {
      type: 'wall',
      reason: 'Evented profiles time each call from entry to exit: wall-clock time, waiting included.',
    };
  }
  return {
    type: 'cpu',
    reason: 'Nothing in the file says whether waiting time is included; CPU time is the default.',
  };
}

/** The producer of a whole file: detect it once per file, not per thread (it looks at every profile name). */
export function producerOfFile(file: ParsedFile): Producer {
  return programOf(file).producer;
}

/** Identity and profile type of one thread of a parsed file. */
export function describeThread(file: ParsedFile, thread: ThreadProfile, sampleRateHz?: number): ThreadInsight {
  const producer = producerOfFile(file);
  return {
    ...threadIdentity(producer, thread.name, thread),
    profileType: suggestProfileType(producer, thread, sampleRateHz),
  };
}

function profileNamesOf(file: ParsedFile): string[] {
  return file.profiles.map((profile) => profile.name);
}

interface Program {
  producer: Producer;
  programNames: Set<string>;
  pids: Set<string>;
}

/** Kept per file: the planner suggests services on every re-plan, and dotnet's pids come from the stack trees. */
const programs = new WeakMap<ParsedFile, Program>();

function programOf(file: ParsedFile): Program {
  let program = programs.get(file);
  if (!program) {
    program = readProgram(file);
    programs.set(file, program);
  }
  return program;
}

/** What tells programs apart: producer, program name and process ids, where the file says them. */
function readProgram(file: ParsedFile): Program {
  const { producer } = detectProducer(file.exporter, profileNamesOf(file));
  const programNames = new Set<string>();
  const pids = new Set<string>();
  for (const profile of file.profiles) {
    const identity = threadIdentity(producer, profile.name, profile.ok ? profile : undefined);
    if (identity.programName !== undefined) {
      programNames.add(identity.programName);
    }
    if (identity.pid !== undefined) {
      pids.add(identity.pid);
    }
  }
  return { producer, programNames, pids };
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}

/**
 * One service for all files when they look like one program; one per file (`<base>-<program or file stem>`) when
 * their producers, program names or process ids differ.
 */
export function suggestServices(files: ParsedFile[], baseService: string): ServicePlan {
  const fileProgram = files.map(programOf);
  // A file without one readable profile has nothing to push: it neither splits the services nor gets its own.
  const readable = files.map((file) => file.profiles.some((profile) => profile.ok));
  const compared = fileProgram.filter((_, i) => readable[i]);
  const first = compared[0];
  const differences = new Set<string>();
  for (const program of compared.slice(1)) {
    if (program.producer !== first.producer) {
      differences.add('producers');
    }
    if (!sameSet(program.programNames, first.programNames)) {
      differences.add('program names');
    }
    if (!sameSet(program.pids, first.pids)) {
      differences.add('process ids');
    }
  }
  if (compared.length <= 1 || differences.size === 0) {
    return {
      services: files.map((file) => ({ fileName: file.fileName, serviceName: baseService })),
      shared: true,
      reason:
        files.length <= 1
          ? 'One file: one service.'
          : compared.length <= 1
            ? 'Only one file has readable profiles: one service.'
            : 'The files come from the same producer with the same program and process ids: one service.',
    };
  }
  const taken = new Set<string>();
  const services = files.map((file, i) => {
    if (!readable[i]) {
      return { fileName: file.fileName, serviceName: baseService };
    }
    const base = `${baseService}-${serviceSuffix(fileProgram[i].programNames, file.fileName)}`;
    let serviceName = base;
    for (let n = 2; taken.has(serviceName); n++) {
      serviceName = `${base}-${n}`;
    }
    taken.add(serviceName);
    return { fileName: file.fileName, serviceName };
  });
  return {
    services,
    shared: false,
    reason: `The files differ in ${[...differences].join(' and ')}: one service per file.`,
  };
}

function serviceSuffix(programNames: Set<string>, fileName: string): string {
  const program = programNames.size === 1 ? [...programNames][0] : undefined;
  const stem = fileName.replace(/\.gz$/i, '').replace(/(\.speedscope)?\.json$/i, '');
  const slug = (program ?? stem)
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'file' : slug;
}

function formatPercent(share: number): string {
  return `${Number((share * 100).toPrecision(2))} %`;
}
