/**
 * A push-based JSON tokenizer: bytes in, tokens out to a sink, with JSON.parse's grammar and values.
 *
 * - No document string: each chunk is scanned in place. A token cut by the end of a chunk is carried over (a few
 *   bytes; strings and numbers longer than LONG_TOKEN_BYTES are decoded piecewise instead), so chunks can be split
 *   anywhere, inside numbers, strings, escapes or UTF-8 sequences, and nothing is held once scanned.
 * - Numbers: short ones are converted exactly on the fast path (at most 15 significant digits and a power of ten up
 *   to 10^22: one correctly rounded multiplication or division); others go through `Number(text)`, which rounds the
 *   same way as JSON.parse. `1e400` becomes Infinity, as in JSON.parse; the sink decides what to do with it.
 * - Strings: UTF-8 decoded by TextDecoder (invalid bytes become U+FFFD, as when the whole text is decoded first);
 *   escapes and lone surrogates as JSON.parse.
 * - A sink can mute the next value or the rest of the current container: muted values are still checked for
 *   grammar but are neither decoded nor reported, so unknown keys cost no strings or numbers.
 * - Nesting depth is held in a byte array, not on the call stack.
 * - Runs of short non-negative integers in an array go to the sink's `numbers` in one call, when it has one.
 */

export interface JsonSink {
  beginObject(): void;
  endObject(): void;
  beginArray(): void;
  endArray(): void;
  key(name: string): void;
  string(value: string): void;
  number(value: number): void;
  literal(value: boolean | null): void;
  /**
   * Optional: a run of numbers of one array, each a non-negative integer of at most 15 digits, reported at once instead
   * of one `number` call each (the bulk of a profile: stacks of frame indexes, weights). `values[0..count)` are only
   * valid during the call. The values come in document order, as `number` would have; the only muting a sink may ask
   * for during the call is `skipRest` of that array, after which it ignores the rest of the run (those values would
   * have been muted).
   */
  numbers?(values: Float64Array, count: number): void;
}

/** Invalid JSON, with the absolute byte offset where it was found. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number
  ) {
    super(`${detail} at byte ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

/** Tokens longer than this are not carried over whole when a chunk ends inside them. */
const LONG_TOKEN_BYTES = 1 << 16;
/** How much of the next chunk a carried token is first joined with. */
const CARRY_JOIN_BYTES = 1 << 12;
/** Most numbers handed to `JsonSink.numbers` in one call. */
const RUN_LENGTH = 1024;

const OBJECT = 0;
const ARRAY = 1;

const S_VALUE = 0;
const S_VALUE_OR_CLOSE = 1;
const S_KEY_OR_CLOSE = 2;
const S_KEY = 3;
const S_COLON = 4;
const S_AFTER_VALUE = 5;
const S_DONE = 6;
/** Inside a long string whose beginning was already decoded. */
const S_STRING_CONT = 7;
/** Inside a long number whose beginning is in `longText`. */
const S_NUMBER_CONT = 8;

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const SINGLE_CHARACTERS = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
const CACHE_SIZE = 4096;
const MAX_CACHED_LENGTH = 24;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class JsonTokenizer {
  private stack = new Uint8Array(64);
  private depthValue = 0;
  private state = S_VALUE;
  /** Values complete at this depth end the muting (-1: not muted). */
  private muteDepth = -1;
  /** Whether the close that ends the muting is reported. */
  private muteEmitsClose = false;
  private carry: Uint8Array | undefined;
  /** Absolute offset of byte 0 of the buffer being scanned. */
  private base = 0;
  private started = false;
  private bomChecked = false;
  private longIsKey = false;
  private longMuted = false;
  private longText = '';
  private readonly longDecoder = new TextDecoder('utf-8');
  private readonly decoder = new TextDecoder('utf-8');
  // Flags of the last scanned string.
  private escapes = false;
  private nonAscii = false;
  private stop = 0;
  // Last scanned number.
  /** Text of the last number that took the slow path (the only way to get a non-finite value). */
  private slowNumberText = '';
  private readonly cacheBytes: Array<Uint8Array | undefined> = new Array(CACHE_SIZE);
  private readonly cacheStrings: string[] = new Array(CACHE_SIZE);

  /** Where a run of numbers is gathered for `JsonSink.numbers` (undefined: the sink takes them one by one). */
  private readonly runValues: Float64Array | undefined;

  constructor(private readonly sink: JsonSink) {
    this.runValues = typeof sink.numbers === 'function' ? new Float64Array(RUN_LENGTH) : undefined;
  }

  /** Number of open containers. */
  get depth(): number {
    return this.depthValue;
  }

  /**
   * The source text of the number just reported, when it was not converted on the fast path: this covers every
   * non-finite value (`1e400`), which is what messages need it for.
   */
  numberText(): string {
    return this.slowNumberText;
  }

  /** Mutes the next value at the current depth (call from `key`, or before a value of an array). */
  skipNextValue(): void {
    this.muteDepth = this.depthValue;
    this.muteEmitsClose = false;
  }

  /** Mutes the rest of the open container at `depth` (default: the innermost); its close is still reported. */
  skipRest(depth = this.depthValue): void {
    this.muteDepth = depth - 1;
    this.muteEmitsClose = true;
  }

  push(chunk: Uint8Array): void {
    let rest = chunk;
    // A carried token is joined with the head of the chunk only, not the whole chunk (a chunk can be split anywhere);
    // a token longer than that is joined again, and beyond LONG_TOKEN_BYTES read piecewise, so this ends.
    while (this.carry !== undefined && rest.length > 0) {
      const carry = this.carry;
      const take = Math.min(CARRY_JOIN_BYTES, rest.length);
      const joined = new Uint8Array(carry.length + take);
      joined.set(carry);
      joined.set(rest.subarray(0, take), carry.length);
      this.carry = undefined;
      this.run(joined, false);
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      this.run(rest, false);
    }
  }

  /** The input has ended: the document must be complete. */
  finish(): void {
    const rest = this.carry ?? new Uint8Array(0);
    this.carry = undefined;
    this.run(rest, true);
    if (this.state !== S_DONE) {
      throw new JsonSyntaxError(this.started ? 'unexpected end of input' : 'no JSON value', this.base + rest.length);
    }
  }

  private fail(detail: string, offset: number): never {
    throw new JsonSyntaxError(detail, this.base + offset);
  }

  private unexpected(buf: Uint8Array, pos: number): never {
    const c = buf[pos];
    const shown =
      c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16).padStart(2, '0')}`;
    this.fail(`unexpected ${shown}`, pos);
  }

  /** Keeps buf[from..] for the next chunk. */
  private keep(buf: Uint8Array, from: number): void {
    this.carry = buf.slice(from);
    this.base += from;
  }

  private run(buf: Uint8Array, final: boolean): void {
    const end = buf.length;
    let pos = 0;
    if (!this.bomChecked) {
      // TextDecoder drops one leading byte-order mark; so do we.
      if (end < 3 && !final && isBomPrefix(buf, end)) {
        this.keep(buf, 0);
        return;
      }
      this.bomChecked = true;
      if (end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        pos = 3;
      }
    }
    if (this.state === S_STRING_CONT) {
      pos = this.continueString(buf, 0, end, final);
      if (pos < 0) {
        return;
      }
    } else if (this.state === S_NUMBER_CONT) {
      pos = this.continueNumber(buf, 0, end, final);
      if (pos < 0) {
        return;
      }
    }
    for (;;) {
      let c = 0;
      while (pos < end && ((c = buf[pos]) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
        pos++;
      }
      if (pos >= end) {
        this.base += end;
        return;
      }
      this.started = true;
      switch (this.state) {
        case S_AFTER_VALUE:
          if (c === 0x2c) {
            this.state = this.stack[this.depthValue - 1] === ARRAY ? S_VALUE : S_KEY;
            pos++;
          } else if (c === 0x5d || c === 0x7d) {
            this.close(buf, pos, c);
            pos++;
          } else {
            this.unexpected(buf, pos);
          }
          continue;
        case S_VALUE_OR_CLOSE:
          if (c === 0x5d) {
            this.close(buf, pos, c);
            pos++;
            continue;
          }
          break;
        case S_VALUE:
          break;
        case S_KEY_OR_CLOSE:
        case S_KEY: {
          if (c === 0x7d && this.state === S_KEY_OR_CLOSE) {
            this.close(buf, pos, c);
            pos++;
            continue;
          }
          if (c !== 0x22) {
            this.unexpected(buf, pos);
          }
          const next = this.string(buf, pos, end, final, true);
          if (next < 0) {
            return;
          }
          pos = next;
          this.state = S_COLON;
          continue;
        }
        case S_COLON:
          if (c !== 0x3a) {
            this.unexpected(buf, pos);
          }
          pos++;
          this.state = S_VALUE;
          continue;
        case S_DONE:
          this.unexpected(buf, pos);
      }
      // A value.
      const muted = this.muteDepth >= 0;
      if (c === 0x5b || c === 0x7b) {
        const kind = c === 0x5b ? ARRAY : OBJECT;
        if (this.depthValue === this.stack.length) {
          const bigger = new Uint8Array(this.stack.length * 2);
          bigger.set(this.stack);
          this.stack = bigger;
        }
        this.stack[this.depthValue++] = kind;
        this.state = kind === ARRAY ? S_VALUE_OR_CLOSE : S_KEY_OR_CLOSE;
        pos++;
        if (!muted) {
          if (kind === ARRAY) {
            this.sink.beginArray();
          } else {
            this.sink.beginObject();
          }
        }
        continue;
      }
      if (c >= 0x30 && c <= 0x39 && !muted) {
        // Fast path for the bulk of a profile: runs of short non-negative integers in an array, each followed by
        // `,` `]` `}` or a space. Anything else (a fraction, an exponent, the end of the chunk) takes the general path.
        const inArray = this.stack[this.depthValue - 1] === ARRAY;
        let p = pos;
        if (inArray && this.runValues !== undefined) {
          p = this.numberRun(buf, pos, end);
          if (p !== pos) {
            pos = p;
            continue;
          }
        }
        for (;;) {
          let q = p + 1;
          let value = buf[p] - 0x30;
          let d = 0;
          if (value !== 0) {
            while (q < end && (d = buf[q]) >= 0x30 && d <= 0x39 && q - p < 15) {
              value = value * 10 + (d - 0x30);
              q++;
            }
          }
          if (q + 1 >= end) {
            break;
          }
          d = buf[q];
          if (d === 0x2c && inArray) {
            this.sink.number(value);
            if (this.muteDepth === this.depthValue) {
              this.muteDepth = -1;
            }
            this.state = S_VALUE;
            const e = buf[q + 1];
            if (this.muteDepth < 0 && e >= 0x30 && e <= 0x39) {
              p = q + 1;
              continue;
            }
            p = q + 1;
            break;
          }
          if (d === 0x5d || d === 0x7d || d === 0x2c || d === 0x20 || d === 0x0a || d === 0x0d) {
            this.sink.number(value);
            p = q;
            this.valueDone();
            break;
          }
          break;
        }
        if (p !== pos) {
          pos = p;
          continue;
        }
      }
      let next: number;
      if (c === 0x22) {
        next = this.string(buf, pos, end, final, false);
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        next = this.number(buf, pos, end, final, muted);
      } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
        next = this.literal(buf, pos, end, final, muted);
      } else {
        this.unexpected(buf, pos);
      }
      if (next < 0) {
        return;
      }
      pos = next;
      this.valueDone();
    }
  }

  /**
   * The fast path above for a sink with `numbers`: the same tokens, gathered and reported in one call. Returns the
   * position after what it took (`pos` when it took nothing: the general path reads that token).
   */
  private numberRun(buf: Uint8Array, pos: number, end: number): number {
    const values = this.runValues!;
    let count = 0;
    let p = pos;
    /** Whether the last number taken is followed by something else than a comma (its value is then done). */
    let last = false;
    for (;;) {
      let q = p + 1;
      let value = buf[p] - 0x30;
      let d = 0;
      if (value !== 0) {
        while (q < end && (d = buf[q]) >= 0x30 && d <= 0x39 && q - p < 15) {
          value = value * 10 + (d - 0x30);
          q++;
        }
      }
      if (q + 1 >= end) {
        break;
      }
      d = buf[q];
      if (d === 0x2c) {
        values[count++] = value;
        p = q + 1;
        const e = buf[p];
        if (count < RUN_LENGTH && e >= 0x30 && e <= 0x39) {
          continue;
        }
        break;
      }
      if (d === 0x5d || d === 0x7d || d === 0x20 || d === 0x0a || d === 0x0d) {
        values[count++] = value;
        p = q;
        last = true;
      }
      break;
    }
    if (count === 0) {
      return pos;
    }
    this.sink.numbers!(values, count);
    if (last) {
      this.valueDone();
    } else {
      this.state = S_VALUE;
    }
    return p;
  }

  private valueDone(): void {
    if (this.muteDepth === this.depthValue) {
      this.muteDepth = -1;
    }
    this.state = this.depthValue === 0 ? S_DONE : S_AFTER_VALUE;
  }

  private close(buf: Uint8Array, pos: number, c: number): void {
    const kind = c === 0x5d ? ARRAY : OBJECT;
    if (this.depthValue === 0 || this.stack[this.depthValue - 1] !== kind) {
      this.unexpected(buf, pos);
    }
    this.depthValue--;
    let emit = this.muteDepth < 0;
    if (this.muteDepth === this.depthValue) {
      emit = this.muteEmitsClose;
      this.muteDepth = -1;
    }
    if (emit) {
      if (kind === ARRAY) {
        this.sink.endArray();
      } else {
        this.sink.endObject();
      }
    }
    this.state = this.depthValue === 0 ? S_DONE : S_AFTER_VALUE;
  }

  /** A string starting at the quote at `pos`; returns the position after it, or -1 when the chunk ends first. */
  private string(buf: Uint8Array, pos: number, end: number, final: boolean, isKey: boolean): number {
    const muted = this.muteDepth >= 0;
    // Fast path for keys and short values ("type", "O"): printable ASCII without escapes, hashed for the cache as it
    // is scanned. Anything else, or a string cut by the end of the chunk, takes the general path below.
    const limit = Math.min(end, pos + 2 + MAX_CACHED_LENGTH);
    let hash = FNV_OFFSET;
    let p = pos + 1;
    for (; p < limit; p++) {
      const c = buf[p];
      if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80) {
        break;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    if (p < limit && buf[p] === 0x22) {
      if (!muted) {
        const text = this.cachedAscii(buf, pos + 1, p, hash);
        if (isKey) {
          this.sink.key(text);
        } else {
          this.sink.string(text);
        }
      }
      return p + 1;
    }
    const closing = this.scanString(buf, pos + 1, end);
    if (closing < 0) {
      if (final) {
        this.fail('unterminated string', pos);
      }
      if (end - pos <= LONG_TOKEN_BYTES) {
        this.keep(buf, pos);
        return -1;
      }
      // Long string: decode what is complete, carry only the cut escape (if any).
      this.longIsKey = isKey;
      this.longMuted = muted;
      this.longText = muted ? '' : this.decodeContent(buf, pos + 1, this.stop, this.longDecoder, true);
      this.state = S_STRING_CONT;
      this.keep(buf, this.stop);
      return -1;
    }
    if (isKey) {
      if (!muted) {
        this.sink.key(this.decodeContent(buf, pos + 1, closing, this.decoder, false));
      }
    } else if (!muted) {
      this.sink.string(this.decodeContent(buf, pos + 1, closing, this.decoder, false));
    }
    return closing + 1;
  }

  private continueString(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    const closing = this.scanString(buf, pos, end);
    if (closing < 0) {
      if (final) {
        this.fail('unterminated string', end);
      }
      if (!this.longMuted) {
        this.longText += this.decodeContent(buf, pos, this.stop, this.longDecoder, true);
      }
      this.keep(buf, this.stop);
      return -1;
    }
    const text = this.longMuted ? '' : this.longText + this.decodeContent(buf, pos, closing, this.longDecoder, false);
    this.longText = '';
    if (this.longIsKey) {
      this.state = S_COLON;
      if (!this.longMuted) {
        this.sink.key(text);
      }
    } else {
      if (!this.longMuted) {
        this.sink.string(text);
      }
      this.valueDone();
    }
    return closing + 1;
  }

  /**
   * Scans string content from `pos`: the index of the closing quote, or -1 with `stop` set to where complete content
   * ends (before a cut escape). Checks escapes and control characters as JSON.parse does.
   */
  private scanString(buf: Uint8Array, pos: number, end: number): number {
    let escapes = false;
    let nonAscii = false;
    let p = pos;
    for (; p < end; p++) {
      const c = buf[p];
      if (c === 0x22) {
        this.escapes = escapes;
        this.nonAscii = nonAscii;
        return p;
      }
      if (c === 0x5c) {
        if (p + 1 >= end) {
          break;
        }
        const e = buf[p + 1];
        if (e === 0x75) {
          if (p + 5 >= end) {
            break;
          }
          for (let k = p + 2; k < p + 6; k++) {
            if (hexValue(buf[k]) < 0) {
              this.fail('invalid \\u escape', k);
            }
          }
          p += 5;
        } else if (
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          p += 1;
        } else {
          this.fail('invalid escape in string', p + 1);
        }
        escapes = true;
      } else if (c < 0x20) {
        this.fail('control character in string', p);
      } else if (c >= 0x80) {
        nonAscii = true;
      }
    }
    this.escapes = escapes;
    this.nonAscii = nonAscii;
    this.stop = p;
    return -1;
  }

  /** Decodes scanned string content [start, end) using the flags of the last scan. */
  private decodeContent(buf: Uint8Array, start: number, end: number, decoder: TextDecoder, stream: boolean): string {
    if (!this.escapes) {
      if (!this.nonAscii && !stream && decoder === this.decoder) {
        return this.ascii(buf, start, end);
      }
      return decoder.decode(buf.subarray(start, end), { stream });
    }
    let out = '';
    let segment = start;
    for (let p = start; p < end; p++) {
      if (buf[p] !== 0x5c) {
        continue;
      }
      // Always decode the segment before an escape (even empty) so a streaming decoder flushes a cut sequence.
      out += decoder.decode(buf.subarray(segment, p));
      const e = buf[p + 1];
      if (e === 0x75) {
        out += String.fromCharCode(
          (hexValue(buf[p + 2]) << 12) |
            (hexValue(buf[p + 3]) << 8) |
            (hexValue(buf[p + 4]) << 4) |
            hexValue(buf[p + 5])
        );
        p += 5;
      } else {
        out += simpleEscape(e);
        p += 1;
      }
      segment = p + 1;
    }
    return out + decoder.decode(buf.subarray(segment, end), { stream });
  }

  /** ASCII text; short strings (keys, "O", "C") come from a small cache instead of a new string each time. */
  private ascii(buf: Uint8Array, start: number, end: number): string {
    if (end - start > MAX_CACHED_LENGTH) {
      return asciiText(buf, start, end);
    }
    let hash = FNV_OFFSET;
    for (let p = start; p < end; p++) {
      hash = Math.imul(hash ^ buf[p], FNV_PRIME);
    }
    return this.cachedAscii(buf, start, end, hash);
  }

  /** `ascii` for at most MAX_CACHED_LENGTH bytes whose FNV-1a `hash` is known. */
  private cachedAscii(buf: Uint8Array, start: number, end: number, hash: number): string {
    const length = end - start;
    if (length === 1) {
      return SINGLE_CHARACTERS[buf[start]];
    }
    const slot = (hash >>> 0) & (CACHE_SIZE - 1);
    const cached = this.cacheBytes[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (cached[k] !== buf[start + k]) {
          same = false;
          break;
        }
      }
      if (same) {
        return this.cacheStrings[slot];
      }
    }
    const text = asciiText(buf, start, end);
    this.cacheBytes[slot] = buf.slice(start, end);
    this.cacheStrings[slot] = text;
    return text;
  }

  /** A number starting at `pos`; returns the position after it, or -1 when the chunk may end inside it. */
  private number(buf: Uint8Array, pos: number, end: number, final: boolean, muted: boolean): number {
    let p = pos;
    if (buf[p] === 0x2d) {
      p++;
    }
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = 0;
    let exponent = 0;
    let c = p < end ? buf[p] : -1;
    if (c === 0x30) {
      p++;
    } else if (c >= 0x31 && c <= 0x39) {
      do {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        p++;
      } while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39);
    } else if (c >= 0 || final) {
      this.fail('expected a digit', p);
    }
    if (p < end && buf[p] === 0x2e) {
      p++;
      c = p < end ? buf[p] : -1;
      if (!(c >= 0x30 && c <= 0x39) && (c >= 0 || final)) {
        this.fail('expected a digit after the decimal point', p);
      }
      while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
        if (mantissa !== 0 || c !== 0x30) {
          mantissa = mantissa * 10 + (c - 0x30);
          digits++;
        }
        fractionDigits++;
        p++;
      }
    }
    if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
      p++;
      let negativeExponent = false;
      if (p < end && (buf[p] === 0x2b || buf[p] === 0x2d)) {
        negativeExponent = buf[p] === 0x2d;
        p++;
      }
      c = p < end ? buf[p] : -1;
      if (!(c >= 0x30 && c <= 0x39) && (c >= 0 || final)) {
        this.fail('expected a digit in the exponent', p);
      }
      while (p < end && (c = buf[p]) >= 0x30 && c <= 0x39) {
        if (exponent < 1e6) {
          exponent = exponent * 10 + (c - 0x30);
        }
        p++;
      }
      if (negativeExponent) {
        exponent = -exponent;
      }
    }
    if (p >= end && !final) {
      if (end - pos <= LONG_TOKEN_BYTES) {
        this.keep(buf, pos);
      } else {
        this.longText = asciiText(buf, pos, end);
        this.longMuted = muted;
        this.state = S_NUMBER_CONT;
        this.base += end;
      }
      return -1;
    }
    if (!muted) {
      const scale = exponent - fractionDigits;
      let value: number;
      // A 16-digit mantissa below 2^53 is exact; one at or above 2^53 cannot round to below it.
      if ((digits <= 15 || (digits === 16 && mantissa < 2 ** 53)) && scale >= -22 && scale <= 22) {
        value = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
        if (buf[pos] === 0x2d) {
          value = -value;
        }
      } else {
        this.slowNumberText = asciiText(buf, pos, p);
        value = Number(this.slowNumberText);
      }
      this.sink.number(value);
    }
    return p;
  }

  private continueNumber(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    let p = pos;
    let c: number;
    while (
      p < end &&
      (((c = buf[p]) >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x65 || c === 0x45)
    ) {
      p++;
    }
    this.longText += asciiText(buf, pos, p);
    if (p >= end && !final) {
      this.base += end;
      return -1;
    }
    const text = this.longText;
    this.longText = '';
    if (!JSON_NUMBER.test(text)) {
      this.fail('invalid number', p);
    }
    if (!this.longMuted) {
      this.slowNumberText = text;
      this.sink.number(Number(text));
    }
    this.state = S_VALUE;
    this.valueDone();
    return p;
  }

  private literal(buf: Uint8Array, pos: number, end: number, final: boolean, muted: boolean): number {
    const c = buf[pos];
    const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
    for (let k = 0; k < word.length; k++) {
      if (pos + k >= end) {
        if (final) {
          this.fail('unexpected end of input', end);
        }
        this.keep(buf, pos);
        return -1;
      }
      if (buf[pos + k] !== word[k]) {
        this.unexpected(buf, pos + k);
      }
    }
    if (!muted) {
      this.sink.literal(word === TRUE ? true : word === FALSE ? false : null);
    }
    return pos + word.length;
  }
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function isBomPrefix(buf: Uint8Array, end: number): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let k = 0; k < end; k++) {
    if (buf[k] !== bom[k]) {
      return false;
    }
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) {
    return c - 0x30;
  }
  if (c >= 0x61 && c <= 0x66) {
    return c - 0x61 + 10;
  }
  if (c >= 0x41 && c <= 0x46) {
    return c - 0x41 + 10;
  }
  return -1;
}

function simpleEscape(e: number): string {
  switch (e) {
    case 0x62:
      return '\b';
    case 0x66:
      return '\f';
    case 0x6e:
      return '\n';
    case 0x72:
      return '\r';
    case 0x74:
      return '\t';
    default:
      return String.fromCharCode(e);
  }
}

const latin1 = new TextDecoder('latin1');

/** One reusable array per short length: numbers on the slow path (e.g. 17-digit times) make no garbage but a string. */
const SCRATCH = Array.from({ length: 64 }, (_, length) => new Array<number>(length).fill(0));

function asciiText(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length < SCRATCH.length) {
    const codes = SCRATCH[length];
    for (let k = 0; k < length; k++) {
      codes[k] = buf[start + k];
    }
    return String.fromCharCode.apply(null, codes);
  }
  if (length < 1024) {
    return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return latin1.decode(buf.subarray(start, end));
}
