import { Frame, ParsedFile, ParsedFileHead, ParsedProfile, ThreadProfile } from '../threads/threadModel';
import { BASE_UNIT_LIMIT, EXACT_BASE_UNITS, formatNanos, roundingAt } from '../threads/units';
import { clipForMessage, MAX_QUOTED_CHARS, quoteForMessage } from '../util/quote';
import { SpeedscopeFileError } from './issues';
import { JsonSink, JsonTokenizer } from './jsonTokenizer';
import {
  brokenProfile,
  EVENT_CODES,
  EventProblem,
  OptionalNumber,
  ProfileReader,
  SampledReader,
  WrittenValue,
} from './profileReader';
import { unitInfo } from './units';

/** Where in the document the tokens are: only the parts of a Speedscope file that matter get a context. */
const C_ROOT = 0;
const C_DOC = 1;
const C_SHARED = 2;
const C_FRAMES = 3;
const C_FRAME = 4;
const C_PROFILES = 5;
const C_PROFILE = 6;
const C_SAMPLES = 7;
const C_STACK = 8;
const C_WEIGHTS = 9;
const C_EVENTS = 10;
const C_EVENT = 11;
/** A container whose contents are muted; only its end arrives. */
const C_IGNORED = 12;
/** A container shown in a message: rendered as JSON.stringify would, cut to about 200 characters. */
const C_RENDER = 13;
const MAX_RENDERED = MAX_QUOTED_CHARS;

const F_NONE = 0;
const F_PROFILES = 1;
const F_SHARED = 2;
const F_EXPORTER = 3;
const F_NAME = 4;
const F_FRAMES = 5;
const F_FILE = 6;
const F_LINE = 7;
const F_COL = 8;
const F_TYPE = 9;
const F_UNIT = 10;
const F_START = 11;
const F_END = 12;
const F_SAMPLES = 13;
const F_WEIGHTS = 14;
const F_EVENTS = 15;
const F_FRAME = 16;
const F_AT = 17;

const V_STRING = 0;
const V_NUMBER = 1;
const V_LITERAL = 2;
const V_OBJECT = 3;
const V_ARRAY = 4;

const { OPEN, CLOSE, BAD_TYPE, NOT_AN_EVENT, BAD_FRAME } = EVENT_CODES;

type ArrayState = 'missing' | 'array' | 'invalid';

/** The frame being read from `shared.frames`. */
interface FrameDraft {
  name?: WrittenValue & { usable: boolean };
  file?: string;
  line?: number;
  col?: number;
}

/**
 * Consumes the tokens of a Speedscope document and builds the thread model as it goes. Profiles are finished as
 * soon as they close if the frame table is already known, else at the end of the file. File-level problems are
 * collected and reported at the end in the order the old whole-document reader checked them.
 */
export class SpeedscopeReader implements JsonSink {
  readonly tokenizer = new JsonTokenizer(this);
  private contexts: number[] = [C_ROOT];
  private context = C_ROOT;
  private field = F_NONE;

  private topLevelNotObject = false;
  private profilesState: ArrayState = 'missing';
  private sharedState: ArrayState = 'missing';
  private framesState: ArrayState = 'missing';
  private framesDone = false;
  private exporter: string | undefined;
  private documentName: string | undefined;
  private readonly frames: Frame[] = [];
  private frame: FrameDraft = {};
  private firstFrameError: string | undefined;
  private profileCount = 0;
  private firstNonObjectProfile = -1;
  /** Finished profiles, or readers waiting for the frame table. */
  private readonly profiles: Array<ParsedProfile | ProfileReader> = [];
  private readonly starts: OptionalNumber[] = [];
  private profile: ProfileReader | undefined;
  /** The sampled profile whose stack is being read (the hot path). */
  private stack: SampledReader | undefined;
  // The event being read.
  private eventType = BAD_TYPE;
  private eventTypeShown = 'undefined';
  private eventFrame = BAD_FRAME;
  private eventFrameShown = 'undefined';
  private eventFrameKind: 'not-integer' | 'out-of-range' = 'not-integer';
  private eventAt = NaN;
  private eventAtShown = 'undefined';

  // The container being rendered for a message.
  private renderText = '';
  private renderDepth = 0;
  private renderNeedsComma = false;
  private renderKind = V_OBJECT;
  private renderField = F_NONE;

  private readonly describeNumber = (value: number) => this.shownNumber(value);

  constructor(
    readonly fileName: string,
    /** See `ParseOptions.onThread`. */
    private readonly onThread?: (thread: ThreadProfile, file: ParsedFileHead) => void
  ) {}

  get profilesDone(): number {
    return this.profiles.length;
  }

  // ---- JsonSink -------------------------------------------------------------------------------------------------

  beginArray(): void {
    switch (this.context) {
      case C_SAMPLES: {
        const sampled = this.profile!.sampledReader();
        if (sampled.broken) {
          sampled.endStack();
          this.enter(C_IGNORED);
          this.tokenizer.skipRest();
          return;
        }
        sampled.beginStack();
        this.stack = sampled;
        this.enter(C_STACK);
        return;
      }
      case C_STACK:
        this.render(V_ARRAY);
        return;
    }
    this.containerValue(V_ARRAY);
  }

  endArray(): void {
    if (this.context === C_RENDER) {
      this.renderClose(']');
      return;
    }
    this.closed(this.leave());
  }

  beginObject(): void {
    this.containerValue(V_OBJECT);
  }

  endObject(): void {
    if (this.context === C_RENDER) {
      this.renderClose('}');
      return;
    }
    this.closed(this.leave());
  }

  /** Frames and events may be arrays (then without fields), so both kinds of close end them. */
  private closed(ended: number): void {
    switch (ended) {
      case C_STACK:
        this.profile!.sampled!.endStack();
        return;
      case C_EVENT:
        this.endEvent();
        return;
      case C_PROFILE:
        this.endProfile();
        return;
      case C_FRAME:
        this.endFrame();
        return;
      case C_FRAMES:
        this.framesDone = true;
        this.finishWaitingProfiles();
        return;
    }
  }

  key(name: string): void {
    if (this.context === C_RENDER) {
      this.renderAppend(`${JSON.stringify(name)}:`);
      this.renderNeedsComma = false;
      return;
    }
    this.field = fieldOf(this.context, name);
    if (this.field === F_NONE) {
      this.tokenizer.skipNextValue();
    }
  }

  number(value: number): void {
    if (this.context === C_STACK) {
      if (!this.stack!.frame(value)) {
        this.muteStack();
      }
      return;
    }
    switch (this.context) {
      case C_WEIGHTS:
        this.profile!.sampled!.weight(value, () => this.shownNumber(value));
        return;
    }
    this.scalarValue(V_NUMBER, value, '', null);
  }

  /** A run of whole numbers (see `JsonSink.numbers`): a stack's frame indexes or weights, without a call each. */
  numbers(values: Float64Array, count: number): void {
    switch (this.context) {
      case C_STACK:
        if (!this.stack!.frames(values, count)) {
          this.muteStack();
        }
        return;
      case C_WEIGHTS:
        this.profile!.sampled!.weightRun(values, count);
        return;
    }
    // Nowhere else does a number mute what follows it.
    for (let i = 0; i < count; i++) {
      this.number(values[i]);
    }
  }

  string(value: string): void {
    this.scalarValue(V_STRING, 0, value, null);
  }

  literal(value: boolean | null): void {
    this.scalarValue(V_LITERAL, 0, '', value);
  }

  // ---- contexts -------------------------------------------------------------------------------------------------

  private enter(context: number): void {
    this.contexts.push(context);
    this.context = context;
  }

  private leave(): number {
    const ended = this.contexts.pop()!;
    this.context = this.contexts[this.contexts.length - 1];
    this.field = F_NONE;
    return ended;
  }

  /** A container nobody wants here: mute its contents. */
  private ignoreContainer(): void {
    this.enter(C_IGNORED);
    this.tokenizer.skipRest();
  }

  /** A container that a message must show: its tokens are rendered, then it is handled like a scalar. */
  private render(kind: number): void {
    this.renderKind = kind;
    this.renderField = this.field;
    this.renderText = kind === V_ARRAY ? '[' : '{';
    this.renderDepth = 1;
    this.renderNeedsComma = false;
    this.enter(C_RENDER);
  }

  private renderAppend(text: string): void {
    if (this.renderNeedsComma) {
      this.renderText += ',';
    }
    if (this.renderText.length <= MAX_RENDERED) {
      this.renderText += text;
    }
    this.renderNeedsComma = true;
  }

  private renderOpen(isArray: boolean): void {
    this.renderAppend(isArray ? '[' : '{');
    this.renderNeedsComma = false;
    this.renderDepth++;
  }

  private renderClose(bracket: string): void {
    this.renderNeedsComma = false;
    this.renderAppend(bracket);
    if (--this.renderDepth > 0) {
      return;
    }
    this.contexts.pop();
    this.context = this.contexts[this.contexts.length - 1];
    this.field = this.renderField;
    const text = this.renderText.length > MAX_RENDERED ? `${this.renderText.slice(0, MAX_RENDERED)}…` : this.renderText;
    this.renderText = '';
    this.scalarValue(this.renderKind, 0, text, null);
    this.field = F_NONE;
  }

  /** The current stack has a bad entry: mute the rest of it; its end still arrives. */
  private muteStack(): void {
    this.tokenizer.skipRest();
  }

  private shownNumber(value: number): string {
    return Number.isFinite(value) ? String(value) : clipForMessage(this.tokenizer.numberText());
  }

  private shown(kind: number, num: number, str: string, literal: boolean | null): string {
    switch (kind) {
      case V_STRING:
        return quoteForMessage(str);
      case V_NUMBER:
        return this.shownNumber(num);
      case V_LITERAL:
        return String(literal);
      default:
        // Containers arrive here rendered.
        return str;
    }
  }

  private written(kind: number, num: number, str: string, literal: boolean | null): WrittenValue {
    const text =
      kind === V_STRING
        ? str
        : kind === V_NUMBER
          ? String(num)
          : kind === V_LITERAL
            ? String(literal)
            : kind === V_OBJECT
              ? '[object Object]'
              : str.slice(1, -1);
    return { isString: kind === V_STRING, text, shown: this.shown(kind, num, str, literal) };
  }

  // ---- values by context ----------------------------------------------------------------------------------------

  private containerValue(kind: number): void {
    const isArray = kind === V_ARRAY;
    switch (this.context) {
      case C_ROOT:
        if (isArray) {
          this.topLevelNotObject = true;
          this.ignoreContainer();
        } else {
          this.enter(C_DOC);
        }
        return;
      case C_DOC:
        if (this.field === F_PROFILES) {
          if (isArray && this.profilesState === 'missing') {
            this.profilesState = 'array';
            this.enter(C_PROFILES);
            return;
          }
          this.profilesState = 'invalid';
        } else if (this.field === F_SHARED) {
          if (!isArray && this.sharedState === 'missing') {
            this.sharedState = 'array';
            this.enter(C_SHARED);
            return;
          }
          this.sharedState = 'invalid';
        } else if (this.field === F_EXPORTER) {
          this.exporter = undefined;
        } else if (this.field === F_NAME) {
          this.documentName = undefined;
        }
        this.ignoreContainer();
        return;
      case C_SHARED:
        if (this.field === F_FRAMES && isArray && this.framesState === 'missing') {
          this.framesState = 'array';
          this.enter(C_FRAMES);
          return;
        }
        this.framesState = 'invalid';
        this.ignoreContainer();
        return;
      case C_FRAMES:
        // An array is an object to the old reader: it then has no name.
        this.frame = {};
        this.enter(C_FRAME);
        if (isArray) {
          this.tokenizer.skipRest();
        }
        return;
      case C_FRAME:
        if (this.field === F_NAME) {
          this.render(kind);
          return;
        }
        this.ignoreContainer();
        return;
      case C_PROFILES:
        if (isArray) {
          if (this.firstNonObjectProfile < 0) {
            this.firstNonObjectProfile = this.profileCount;
          }
          this.profileCount++;
          this.ignoreContainer();
          return;
        }
        this.profile = new ProfileReader(this.fileName, this.profileCount++, this.describeNumber);
        this.enter(C_PROFILE);
        return;
      case C_PROFILE:
        this.profileContainer(kind);
        return;
      case C_SAMPLES:
      case C_STACK:
      case C_WEIGHTS:
        this.render(kind);
        return;
      case C_RENDER:
        this.renderOpen(isArray);
        return;
      case C_EVENTS:
        this.beginEvent();
        this.enter(C_EVENT);
        if (isArray) {
          this.tokenizer.skipRest();
        }
        return;
      case C_EVENT:
        if (this.field === F_NONE) {
          this.ignoreContainer();
        } else {
          this.render(kind);
        }
        return;
      default:
        this.ignoreContainer();
    }
  }

  private profileContainer(kind: number): void {
    const profile = this.profile!;
    const isArray = kind === V_ARRAY;
    switch (this.field) {
      case F_SAMPLES:
        if (isArray && profile.samples === 'missing') {
          profile.samples = 'array';
          profile.sampledReader();
          this.enter(C_SAMPLES);
          return;
        }
        profile.samples = 'invalid';
        break;
      case F_WEIGHTS:
        if (isArray && profile.weights === 'missing') {
          profile.weights = 'array';
          profile.sampledReader();
          this.enter(C_WEIGHTS);
          return;
        }
        profile.weights = 'invalid';
        break;
      case F_EVENTS:
        if (isArray && profile.events === 'missing') {
          profile.events = 'array';
          profile.eventedReader();
          this.enter(C_EVENTS);
          return;
        }
        profile.events = 'invalid';
        break;
      case F_TYPE:
      case F_UNIT:
      case F_START:
      case F_END:
      case F_NAME:
        this.render(kind);
        return;
    }
    this.ignoreContainer();
  }

  private scalarValue(kind: number, num: number, str: string, literal: boolean | null): void {
    switch (this.context) {
      case C_RENDER:
        this.renderAppend(
          kind === V_STRING ? JSON.stringify(str) : kind === V_NUMBER ? this.shownNumber(num) : String(literal)
        );
        return;
      case C_ROOT:
        this.topLevelNotObject = true;
        return;
      case C_DOC:
        if (this.field === F_PROFILES) {
          this.profilesState = 'invalid';
        } else if (this.field === F_SHARED) {
          this.sharedState = 'invalid';
        } else if (this.field === F_EXPORTER) {
          this.exporter = kind === V_STRING ? str : undefined;
        } else if (this.field === F_NAME) {
          this.documentName = kind === V_STRING ? str : undefined;
        }
        return;
      case C_SHARED:
        this.framesState = 'invalid';
        return;
      case C_FRAMES:
        if (this.firstFrameError === undefined) {
          this.firstFrameError = `shared.frames[${this.frames.length}] is not an object`;
        }
        this.frames.push({ name: '' });
        return;
      case C_FRAME:
        this.frameValue(kind, num, str, literal);
        return;
      case C_PROFILES:
        if (this.firstNonObjectProfile < 0) {
          this.firstNonObjectProfile = this.profileCount;
        }
        this.profileCount++;
        return;
      case C_PROFILE:
        this.profileScalar(kind, num, str, literal);
        return;
      case C_SAMPLES:
        this.profile!.sampledReader().notAnArray(this.shown(kind, num, str, literal));
        return;
      case C_STACK:
        this.stackValue(kind, num, this.shown(kind, num, str, literal));
        return;
      case C_WEIGHTS:
        this.profile!.sampled!.weight(NaN, () => this.shown(kind, num, str, literal));
        return;
      case C_EVENTS:
        this.beginEvent();
        this.eventType = NOT_AN_EVENT;
        this.eventTypeShown = this.shown(kind, num, str, literal);
        this.endEvent();
        return;
      case C_EVENT:
        this.eventValue(kind, num, str, literal);
        return;
    }
  }

  /** Anything but a number inside a stack. */
  private stackValue(kind: number, num: number, shown: string): void {
    const sampled = this.profile!.sampled!;
    if (kind === V_NUMBER) {
      sampled.frame(num);
    } else {
      sampled.frameProblem('not-integer', shown);
    }
    this.muteStack();
  }

  private frameValue(kind: number, num: number, str: string, literal: boolean | null): void {
    const frame = this.frame;
    switch (this.field) {
      case F_NAME:
        frame.name = { ...this.written(kind, num, str, literal), usable: kind === V_STRING || kind === V_NUMBER };
        return;
      case F_FILE:
        frame.file = kind === V_STRING ? str : undefined;
        return;
      case F_LINE:
        frame.line = kind === V_NUMBER && Number.isFinite(num) ? num : undefined;
        return;
      case F_COL:
        frame.col = kind === V_NUMBER && Number.isFinite(num) ? num : undefined;
        return;
    }
  }

  private endFrame(): void {
    const draft = this.frame;
    const index = this.frames.length;
    if (draft.name === undefined || !draft.name.usable) {
      if (this.firstFrameError === undefined) {
        this.firstFrameError = `shared.frames[${index}].name: expected a string, got ${draft.name?.shown ?? 'undefined'}`;
      }
      this.frames.push({ name: '' });
      return;
    }
    const frame: Frame = { name: draft.name.text };
    if (draft.file !== undefined) {
      frame.file = draft.file;
    }
    if (draft.line !== undefined) {
      frame.line = draft.line;
    }
    if (draft.col !== undefined) {
      frame.col = draft.col;
    }
    this.frames.push(frame);
  }

  private profileScalar(kind: number, num: number, str: string, literal: boolean | null): void {
    const profile = this.profile!;
    switch (this.field) {
      case F_NAME:
        profile.name = kind === V_LITERAL && literal === null ? '' : this.written(kind, num, str, literal).text;
        return;
      case F_TYPE:
        profile.type = this.written(kind, num, str, literal);
        return;
      case F_UNIT:
        profile.unit = this.written(kind, num, str, literal);
        return;
      case F_START:
        profile.start = this.optionalNumber(kind, num, str, literal);
        return;
      case F_END:
        profile.end = this.optionalNumber(kind, num, str, literal);
        return;
      case F_SAMPLES:
        profile.samples = 'invalid';
        return;
      case F_WEIGHTS:
        profile.weights = 'invalid';
        return;
      case F_EVENTS:
        profile.events = 'invalid';
        return;
    }
  }

  /** startValue/endValue: old dotnet-trace writes them as strings, which are accepted and noted. */
  private optionalNumber(kind: number, num: number, str: string, literal: boolean | null): OptionalNumber {
    if (kind === V_LITERAL && literal === null) {
      return { wasString: false };
    }
    if (kind === V_NUMBER && Number.isFinite(num)) {
      return { value: num, wasString: false };
    }
    if (kind === V_STRING && str.trim() !== '' && Number.isFinite(Number(str))) {
      return { value: Number(str), wasString: true };
    }
    return { wasString: false, invalid: this.shown(kind, num, str, literal) };
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  private beginEvent(): void {
    this.eventType = BAD_TYPE;
    this.eventTypeShown = 'undefined';
    this.eventFrame = BAD_FRAME;
    this.eventFrameShown = 'undefined';
    this.eventFrameKind = 'not-integer';
    this.eventAt = NaN;
    this.eventAtShown = 'undefined';
  }

  private eventValue(kind: number, num: number, str: string, literal: boolean | null): void {
    switch (this.field) {
      case F_TYPE:
        if (kind === V_STRING && (str === 'O' || str === 'C')) {
          this.eventType = str === 'O' ? OPEN : CLOSE;
        } else {
          this.eventType = BAD_TYPE;
          this.eventTypeShown = this.shown(kind, num, str, literal);
        }
        return;
      case F_FRAME:
        if (kind === V_NUMBER && Number.isInteger(num) && num >= 0 && num <= 0x7fffffff) {
          this.eventFrame = num;
        } else {
          this.eventFrame = BAD_FRAME;
          this.eventFrameShown = this.shown(kind, num, str, literal);
          this.eventFrameKind = kind === V_NUMBER && Number.isInteger(num) ? 'out-of-range' : 'not-integer';
        }
        return;
      case F_AT:
        if (kind === V_NUMBER && Number.isFinite(num)) {
          this.eventAt = num;
        } else {
          this.eventAt = NaN;
          this.eventAtShown = this.shown(kind, num, str, literal);
        }
        return;
    }
  }

  private endEvent(): void {
    const evented = this.profile!.evented!;
    let problem: EventProblem | undefined;
    if (this.eventType === NOT_AN_EVENT) {
      problem = { index: 0, notAnEventShown: this.eventTypeShown };
    } else if (this.eventFrame === BAD_FRAME) {
      problem = { index: 0, frameShown: this.eventFrameShown, frameKind: this.eventFrameKind };
    } else if (Number.isNaN(this.eventAt)) {
      problem = { index: 0, atShown: this.eventAtShown };
    } else if (this.eventType === BAD_TYPE) {
      problem = { index: 0, typeShown: this.eventTypeShown };
    }
    evented.add(this.eventType, this.eventFrame, this.eventAt, problem);
  }

  // ---- profiles and the file ------------------------------------------------------------------------------------

  private endProfile(): void {
    const profile = this.profile!;
    this.profile = undefined;
    this.starts.push(profile.start);
    this.profiles.push(this.framesDone ? this.finishProfile(profile, this.profiles.length) : profile);
  }

  private finishWaitingProfiles(): void {
    for (let i = 0; i < this.profiles.length; i++) {
      const entry = this.profiles[i];
      if (entry instanceof ProfileReader) {
        this.profiles[i] = this.finishProfile(entry, i);
      }
    }
  }

  private finishProfile(reader: ProfileReader, index: number): ParsedProfile {
    const profile = reader.finish(this.frames);
    if (this.onThread && profile.ok) {
      // Provisional: relative to the earliest start read so far.
      let earliest = Infinity;
      for (const start of this.starts) {
        earliest = Math.min(earliest, start.value ?? Infinity);
      }
      this.place(profile, this.starts[index], earliest === Infinity ? 0 : earliest);
      const head = { fileName: this.fileName, exporter: this.exporter, name: this.documentName, frames: this.frames };
      this.onThread(profile, head);
    }
    return profile;
  }

  /** The whole document has been read: file-level checks in the old order, then each profile's place in time. */
  result(): ParsedFile {
    const fail = (detail: string): never => {
      throw new SpeedscopeFileError(this.fileName, detail);
    };
    if (this.topLevelNotObject) {
      fail('is not a Speedscope file: the top level is not a JSON object');
    }
    if (this.profilesState !== 'array') {
      fail('is not a Speedscope file: it has no "profiles" array');
    }
    if (this.sharedState !== 'array' || this.framesState !== 'array') {
      fail('is not a Speedscope file: it has no "shared.frames" array');
    }
    if (this.profileCount === 0) {
      fail('contains no profiles');
    }
    if (this.firstNonObjectProfile >= 0) {
      fail(`profiles[${this.firstNonObjectProfile}] is not an object`);
    }
    if (this.firstFrameError !== undefined) {
      fail(this.firstFrameError);
    }
    this.finishWaitingProfiles();
    const warnings: string[] = [];
    let earliest = Infinity;
    /** The profile with the largest startValue beyond 2^53, where doubles no longer hold every integer. */
    let inexact: { start: number; unit: string } | undefined;
    let wasString = false;
    this.starts.forEach((start, i) => {
      if (start.value !== undefined) {
        earliest = Math.min(earliest, start.value);
        if (Math.abs(start.value) > Math.max(EXACT_BASE_UNITS, Math.abs(inexact?.start ?? 0))) {
          inexact = { start: start.value, unit: (this.profiles[i] as ParsedProfile).unit };
        }
      }
      wasString ||= start.wasString;
    });
    if (earliest === Infinity) {
      earliest = 0;
    }
    if (inexact !== undefined) {
      warnings.push(inexactClockWarning(inexact.start, inexact.unit));
    }
    if (wasString) {
      warnings.push('startValue/endValue are written as strings (old dotnet-trace); they were read as numbers');
    }
    const profiles = this.profiles.map((entry, i) => this.place(entry as ParsedProfile, this.starts[i], earliest));
    return {
      fileName: this.fileName,
      exporter: this.exporter,
      name: this.documentName,
      frames: this.frames,
      profiles,
      warnings,
    };
  }

  /** Sets where a thread starts relative to the file's earliest profile, refusing what cannot be exact. */
  private place(profile: ParsedProfile, start: OptionalNumber, earliest: number): ParsedProfile {
    if (!profile.ok || profile.kind !== 'time') {
      return profile;
    }
    const offset = ((start.value ?? 0) - earliest) * unitInfo(profile.unit).toBase;
    if (!(offset < BASE_UNIT_LIMIT)) {
      return brokenProfile(
        profile,
        'startValue',
        `starts 2^63 ${profile.baseUnit} or more after the earliest profile of the file`
      );
    }
    profile.startOffset = Math.round(offset);
    return profile;
  }
}

/**
 * Times are read relative to startValue, but each one is first held as the file wrote it: near an absolute clock
 * reading (epoch nanoseconds are about 2^60) neighbouring doubles are far apart, so the times round by up to half that.
 */
function inexactClockWarning(start: number, unit: string): string {
  const info = unitInfo(unit);
  const rounding = roundingAt(start) * info.toBase;
  const within = info.kind === 'time' ? formatNanos(rounding) : `${rounding} ${clipForMessage(unit)}`;
  return (
    `startValue ${start} looks like an absolute clock reading: numbers this large cannot be stored exactly, ` +
    `so times are rounded to within ${within}`
  );
}

function fieldOf(context: number, name: string): number {
  switch (context) {
    case C_EVENT:
      return name === 'type' ? F_TYPE : name === 'frame' ? F_FRAME : name === 'at' ? F_AT : F_NONE;
    case C_PROFILE:
      switch (name) {
        case 'type':
          return F_TYPE;
        case 'name':
          return F_NAME;
        case 'unit':
          return F_UNIT;
        case 'startValue':
          return F_START;
        case 'endValue':
          return F_END;
        case 'samples':
          return F_SAMPLES;
        case 'weights':
          return F_WEIGHTS;
        case 'events':
          return F_EVENTS;
      }
      return F_NONE;
    case C_FRAME:
      return name === 'name'
        ? F_NAME
        : name === 'file'
          ? F_FILE
          : name === 'line'
            ? F_LINE
            : name === 'col'
              ? F_COL
              : F_NONE;
    case C_DOC:
      return name === 'profiles'
        ? F_PROFILES
        : name === 'shared'
          ? F_SHARED
          : name === 'exporter'
            ? F_EXPORTER
            : name === 'name'
              ? F_NAME
              : F_NONE;
    case C_SHARED:
      return name === 'frames' ? F_FRAMES : F_NONE;
  }
  return F_NONE;
}
