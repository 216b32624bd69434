import { gunzipSync } from 'fflate';
import { errorText } from '../util/errorText';
import { SpeedscopeFileError } from './issues';

/** V8 cannot hold a string longer than 2^29 − 24 characters; JSON.parse needs the whole text as one string. */
export const MAX_JSON_CHARS = 2 ** 29 - 24;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gzip is recognised by its magic bytes, not by the file name: people rename files. */
export function decodeToText(fileName: string, bytes: Uint8Array): string {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new SpeedscopeFileError(fileName, `looks gzip-compressed but could not be decompressed: ${errorText(e)}`);
    }
  }
  if (raw.length > MAX_JSON_CHARS) {
    throw new SpeedscopeFileError(
      fileName,
      `is ${raw.length} bytes of JSON; browsers and Node can parse at most ${MAX_JSON_CHARS} characters in one document`
    );
  }
  // TextDecoder drops a leading byte-order mark and replaces invalid UTF-8 instead of failing.
  return new TextDecoder('utf-8').decode(raw);
}
