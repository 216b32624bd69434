import { BuildProgress, buildEventedThread, buildSampledThread, ThreadHeader } from '../threads/buildThread';
import { Frame, ParsedFile, ParsedProfile } from '../threads/threadModel';
import { errorText } from '../util/errorText';
import { decodeToText } from './decode';
import { ProfileDataError, SpeedscopeFileError } from './issues';
import { unitInfo } from './units';

export type ParseStage = 'decode' | 'parse-json' | 'build';

export interface ParseProgress {
  fileName: string;
  stage: ParseStage;
  /** Profiles finished so far and in total (build stage). */
  profilesDone: number;
  profilesTotal: number;
  /** Progress inside the current profile, 0..1. */
  profileFraction: number;
}

/** Above this, absolute clock values (one producer writes nanoseconds since boot or epoch) are not exact in JSON. */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** Parses a whole file at once; for progress or cooperative scheduling drive `parseSpeedscopeSteps` yourself. */
export function parseSpeedscope(fileName: string, bytes: Uint8Array): ParsedFile {
  const steps = parseSpeedscopeSteps(fileName, bytes);
  for (;;) {
    const step = steps.next();
    if (step.done) {
      return step.value;
    }
  }
}

/**
 * Step by step parse: yields progress between stages and every few hundred thousand samples, so a Web Worker can
 * report progress and the main-thread fallback can yield to the browser. Throws SpeedscopeFileError when the whole
 * file is unusable; a broken profile becomes a BrokenProfile and the others stay usable.
 */
export function* parseSpeedscopeSteps(fileName: string, bytes: Uint8Array): Generator<ParseProgress, ParsedFile> {
  const progress = (stage: ParseStage, profilesDone = 0, profilesTotal = 0, profileFraction = 0): ParseProgress => ({
    fileName,
    stage,
    profilesDone,
    profilesTotal,
    profileFraction,
  });
  yield progress('decode');
  const text = decodeToText(fileName, bytes);
  yield progress('parse-json');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new SpeedscopeFileError(fileName, `is not valid JSON: ${errorText(e)}`);
  }
  const { rawProfiles, frames, exporter, name, warnings } = readDocument(fileName, document);
  const startValues = rawProfiles.map((raw) => readOptionalNumber(raw, 'startValue'));
  const validStarts = startValues.map((s) => s.value).filter((v): v is number => v !== undefined);
  const earliestStart = validStarts.length > 0 ? Math.min(...validStarts) : 0;
  if (validStarts.some((v) => Math.abs(v) > MAX_EXACT)) {
    warnings.push(
      'startValue is above 2^53 (an absolute clock?): JSON numbers that large are not exact, so times are rounded to the nearest representable value'
    );
  }
  if (startValues.some((s) => s.wasString)) {
    warnings.push('startValue/endValue are written as strings (old dotnet-trace); they were read as numbers');
  }

  const profiles: ParsedProfile[] = [];
  for (let index = 0; index < rawProfiles.length; index++) {
    yield progress('build', index, rawProfiles.length, 0);
    const raw = rawProfiles[index];
    const profileName = typeof raw.name === 'string' ? raw.name : raw.name == null ? '' : String(raw.name);
    const type = typeof raw.type === 'string' ? raw.type : String(raw.type);
    const unit = typeof raw.unit === 'string' ? raw.unit : String(raw.unit);
    try {
      const builder = profileBuilder(fileName, index, profileName, raw, frames, startValues[index], earliestStart);
      let step = builder.next();
      while (!step.done) {
        yield progress('build', index, rawProfiles.length, step.value.done / step.value.total);
        step = builder.next();
      }
      profiles.push(step.value);
    } catch (e) {
      if (!(e instanceof ProfileDataError)) {
        throw e;
      }
      profiles.push({
        ok: false,
        fileName,
        index,
        name: profileName,
        type,
        unit,
        error: { fileName, profileIndex: index, profileName, field: e.field, message: e.message },
      });
    }
  }
  return { fileName, exporter, name, frames, profiles, warnings };
}

interface DocumentParts {
  rawProfiles: Array<Record<string, unknown>>;
  frames: Frame[];
  exporter?: string;
  name?: string;
  warnings: string[];
}

function readDocument(fileName: string, document: unknown): DocumentParts {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new SpeedscopeFileError(fileName, 'is not a Speedscope file: the top level is not a JSON object');
  }
  const doc = document as Record<string, unknown>;
  if (!Array.isArray(doc.profiles)) {
    throw new SpeedscopeFileError(fileName, 'is not a Speedscope file: it has no "profiles" array');
  }
  const shared = doc.shared as Record<string, unknown> | undefined;
  if (typeof shared !== 'object' || shared === null || !Array.isArray(shared.frames)) {
    throw new SpeedscopeFileError(fileName, 'is not a Speedscope file: it has no "shared.frames" array');
  }
  if (doc.profiles.length === 0) {
    throw new SpeedscopeFileError(fileName, 'contains no profiles');
  }
  const rawProfiles = doc.profiles.map((p, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) {
      throw new SpeedscopeFileError(fileName, `profiles[${i}] is not an object`);
    }
    return p as Record<string, unknown>;
  });
  const frames = shared.frames.map((f, i) => readFrame(fileName, f, i));
  return {
    rawProfiles,
    frames,
    exporter: typeof doc.exporter === 'string' ? doc.exporter : undefined,
    name: typeof doc.name === 'string' ? doc.name : undefined,
    warnings: [],
  };
}

/** py-spy and pyinstrument write `null` for unknown file, line and col: treat null like a missing field. */
function readFrame(fileName: string, raw: unknown, index: number): Frame {
  if (typeof raw !== 'object' || raw === null) {
    throw new SpeedscopeFileError(fileName, `shared.frames[${index}] is not an object`);
  }
  const { name, file, line, col } = raw as Record<string, unknown>;
  if (typeof name !== 'string' && typeof name !== 'number') {
    throw new SpeedscopeFileError(
      fileName,
      `shared.frames[${index}].name: expected a string, got ${JSON.stringify(name)}`
    );
  }
  const frame: Frame = { name: String(name) };
  if (typeof file === 'string') {
    frame.file = file;
  }
  if (typeof line === 'number' && Number.isFinite(line)) {
    frame.line = line;
  }
  if (typeof col === 'number' && Number.isFinite(col)) {
    frame.col = col;
  }
  return frame;
}

interface OptionalNumber {
  value?: number;
  wasString: boolean;
  /** Set when the field is present but not a number. */
  invalid?: unknown;
}

function readOptionalNumber(raw: Record<string, unknown>, key: string): OptionalNumber {
  const value = raw[key];
  if (value === undefined || value === null) {
    return { wasString: false };
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { value, wasString: false };
  }
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return { value: Number(value), wasString: true };
  }
  return { wasString: false, invalid: value };
}

function profileBuilder(
  fileName: string,
  index: number,
  name: string,
  raw: Record<string, unknown>,
  frames: Frame[],
  start: OptionalNumber,
  earliestStart: number
): Generator<BuildProgress, ParsedProfile> {
  if (start.invalid !== undefined) {
    throw new ProfileDataError('startValue', `expected a number, got ${JSON.stringify(start.invalid)}`);
  }
  const end = readOptionalNumber(raw, 'endValue');
  if (end.invalid !== undefined) {
    throw new ProfileDataError('endValue', `expected a number, got ${JSON.stringify(end.invalid)}`);
  }
  const info = unitInfo(raw.unit);
  const header: ThreadHeader = {
    fileName,
    index,
    name,
    unit: typeof raw.unit === 'string' ? raw.unit : String(raw.unit),
    unitInfo: info,
    startValue: start.value ?? 0,
    endValue: end.value,
    startDelta: (start.value ?? 0) - earliestStart,
    frames,
  };
  const withUnitWarning = function* (inner: Generator<BuildProgress, ParsedProfile>) {
    const result = yield* inner;
    if (result.ok && info.unknownUnit !== undefined) {
      result.warnings.unshift(`unit ${JSON.stringify(info.unknownUnit)} is not a Speedscope unit; values are counted`);
    }
    return result;
  };
  if (raw.type === 'sampled') {
    return withUnitWarning(buildSampledThread(header, raw.samples, raw.weights));
  }
  if (raw.type === 'evented') {
    return withUnitWarning(buildEventedThread(header, raw.events));
  }
  throw new ProfileDataError('type', `expected "sampled" or "evented", got ${JSON.stringify(raw.type)}`);
}
