import { concatBytes } from './bytes';
import { Inflate } from 'fflate';
import { crc32 } from './crc32';

/**
 * Streaming gunzip after RFC 1952, for any number of members (`cat a.gz b.gz`).
 *
 * - The member framing is read here: header (FEXTRA, FNAME, FCOMMENT and FHCRC, whose CRC16 is checked), then the
 *   raw DEFLATE data through fflate's streaming `Inflate`, then the trailer, whose CRC32 and ISIZE are checked
 *   against what was inflated.
 * - fflate's `Inflate` does not say where a DEFLATE stream ends. Its own multi-member `Gunzip` reads that from the
 *   inflater's state (final block seen, no block in progress, bit position); we do the same, against the pinned
 *   fflate version, and a test over multi-member files guards it.
 * - Input is inflated in slices of at most INPUT_SLICE bytes (at most about 1032× as many bytes out), and the output
 *   is counted against `maxBytes` after each slice: a bomb stops within one slice of the cap. The size in the
 *   trailer is only compared, never used to allocate.
 */

export class GunzipError extends Error {
  constructor(
    message: string,
    /** True when the data is fine but inflates to more than the allowed size. */
    readonly tooLarge = false
  ) {
    super(message);
    this.name = 'GunzipError';
  }
}

const INPUT_SLICE = 16 * 1024;
const MIN_INPUT = 4 * 1024;
/** A header longer than this (file name or comment without end) is not a real gzip header. */
const MAX_HEADER_BYTES = 1024 * 1024;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

const HEADER = 0;
const BODY = 1;
const TRAILER = 2;

/** What fflate's Inflate keeps between pushes (see the note above). */
interface InflateInternals {
  s: { f?: number; l?: unknown; p?: number };
  p: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export class GunzipStream {
  private state = HEADER;
  /** Header or trailer bytes gathered so far. */
  private pending: Uint8Array = new Uint8Array(0);
  /** Input chunks smaller than MIN_INPUT, gathered. */
  private small: Uint8Array = new Uint8Array(0);
  private inflate: Inflate | undefined;
  private member = 0;
  private memberCrc = 0;
  private memberSize = 0;
  private total = 0;

  constructor(
    private readonly onData: (chunk: Uint8Array) => void,
    private readonly maxBytes: number
  ) {}

  push(chunk: Uint8Array): void {
    // fflate sets up a fresh output window for every push: tiny chunks (a trickling stream) are gathered first.
    if (this.small.length + chunk.length < MIN_INPUT) {
      this.small = concatBytes(this.small, chunk);
      return;
    }
    const input = concatBytes(this.small, chunk);
    this.small = new Uint8Array(0);
    this.process(input);
  }

  private process(chunk: Uint8Array): void {
    let input = chunk;
    while (input.length > 0) {
      if (this.state === HEADER) {
        input = this.readHeader(input);
      } else if (this.state === BODY) {
        input = this.inflateSome(input);
      } else {
        input = this.readTrailer(input);
      }
    }
  }

  /** The input has ended: it must end after a complete member. */
  finish(): void {
    const small = this.small;
    this.small = new Uint8Array(0);
    this.process(small);
    if (this.state === HEADER && this.pending.length === 0 && this.member > 0) {
      return;
    }
    if (this.state === HEADER && this.member > 0 && this.pending.every((b) => b === 0)) {
      // gzip(1) also accepts zero padding after the last member.
      return;
    }
    const where = this.state === HEADER ? 'header' : this.state === BODY ? 'compressed data' : 'trailer';
    throw new GunzipError(`the data ends inside the ${where} of gzip member ${this.member + 1} (truncated file?)`);
  }

  private gather(input: Uint8Array): Uint8Array {
    return concatBytes(this.pending, input);
  }

  private readHeader(input: Uint8Array): Uint8Array {
    const bytes = this.gather(input);
    if (this.member > 0 && bytes.every((b) => b === 0)) {
      this.pending = bytes.slice(0, 16);
      return new Uint8Array(0);
    }
    const length = headerLength(bytes, this.member + 1);
    if (length < 0) {
      if (bytes.length > MAX_HEADER_BYTES) {
        throw new GunzipError(`gzip member ${this.member + 1} has a header longer than ${MAX_HEADER_BYTES} bytes`);
      }
      this.pending = bytes.slice();
      return new Uint8Array(0);
    }
    this.pending = new Uint8Array(0);
    this.state = BODY;
    this.memberCrc = 0;
    this.memberSize = 0;
    this.inflate = new Inflate((data) => this.output(data));
    return bytes.subarray(length);
  }

  private output(data: Uint8Array): void {
    if (data.length === 0) {
      return;
    }
    this.total += data.length;
    if (this.total > this.maxBytes) {
      throw new GunzipError(`inflates to more than ${this.maxBytes} bytes, the maximum size`, true);
    }
    this.memberCrc = crc32(data, this.memberCrc);
    this.memberSize += data.length;
    this.onData(data);
  }

  private inflateSome(input: Uint8Array): Uint8Array {
    const inflate = this.inflate!;
    const slice = input.subarray(0, INPUT_SLICE);
    try {
      inflate.push(slice, false);
    } catch (e) {
      if (e instanceof GunzipError) {
        throw e;
      }
      const message = e instanceof Error ? e.message : String(e);
      throw new GunzipError(`gzip member ${this.member + 1} has corrupt compressed data (${message})`);
    }
    const internals = inflate as unknown as InflateInternals;
    if (typeof internals.s !== 'object' || !(internals.p instanceof Uint8Array)) {
      throw new GunzipError('the gzip reader does not match this version of fflate');
    }
    if (!(internals.s.f && !internals.s.l)) {
      return input.subarray(slice.length);
    }
    // The DEFLATE stream has ended: what the inflater did not consume, from the next whole byte, is the trailer.
    const unused = internals.p.subarray(((internals.s.p ?? 0) + 7) >> 3);
    this.inflate = undefined;
    this.state = TRAILER;
    return concatBytes(unused, input.subarray(slice.length));
  }

  private readTrailer(input: Uint8Array): Uint8Array {
    const bytes = this.gather(input);
    if (bytes.length < 8) {
      this.pending = bytes.slice();
      return new Uint8Array(0);
    }
    const crc = readUint32(bytes, 0);
    const size = readUint32(bytes, 4);
    this.member++;
    if (crc !== this.memberCrc) {
      throw new GunzipError(
        `gzip member ${this.member} is corrupt: its CRC32 is ${hex(crc)} but the data inflates to ${hex(this.memberCrc)}`
      );
    }
    if (size !== this.memberSize % 2 ** 32) {
      throw new GunzipError(
        `gzip member ${this.member} is corrupt: its trailer says ${size} bytes (mod 2^32) but it inflates to ${this.memberSize}`
      );
    }
    this.pending = new Uint8Array(0);
    this.state = HEADER;
    return bytes.subarray(8);
  }
}

/** Length of a complete gzip header at the start of `bytes`, or -1 if more bytes are needed. */
function headerLength(bytes: Uint8Array, member: number): number {
  if (bytes.length < 10) {
    checkMagic(bytes, member);
    return -1;
  }
  checkMagic(bytes, member);
  if (bytes[2] !== 8) {
    throw new GunzipError(`gzip member ${member} uses compression method ${bytes[2]}, not DEFLATE (8)`);
  }
  const flags = bytes[3];
  if (flags & 0xe0) {
    throw new GunzipError(`gzip member ${member} sets reserved header flags`);
  }
  let p = 10;
  if (flags & FEXTRA) {
    if (bytes.length < p + 2) {
      return -1;
    }
    p += 2 + (bytes[p] | (bytes[p + 1] << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      while (p < bytes.length && bytes[p] !== 0) {
        p++;
      }
      if (p >= bytes.length) {
        return -1;
      }
      p++;
    }
  }
  if (flags & FHCRC) {
    if (bytes.length < p + 2) {
      return -1;
    }
    const expected = bytes[p] | (bytes[p + 1] << 8);
    if ((crc32(bytes.subarray(0, p)) & 0xffff) !== expected) {
      throw new GunzipError(`gzip member ${member} has a header CRC that does not match`);
    }
    p += 2;
  }
  return bytes.length < p ? -1 : p;
}

function checkMagic(bytes: Uint8Array, member: number): void {
  if ((bytes.length > 0 && bytes[0] !== 0x1f) || (bytes.length > 1 && bytes[1] !== 0x8b)) {
    throw new GunzipError(
      member === 1 ? 'not gzip data' : `the data after gzip member ${member - 1} is neither gzip nor zero padding`
    );
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
