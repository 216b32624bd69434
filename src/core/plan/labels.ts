/** Pyroscope's default label limits (`pkg/validation/limits.go`); lengths are counted in UTF-8 bytes. */
export const MAX_LABEL_NAME_BYTES = 1024;
export const MAX_LABEL_VALUE_BYTES = 2048;
export const MAX_LABELS_PER_SERIES = 30;
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface LabelPair {
  name: string;
  value: string;
}

/** UTF-8 length without allocating (it runs for every frame of every planned profile). */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else {
      // Other BMP characters, and lone surrogates, which encoders replace with the 3-byte U+FFFD.
      bytes += 3;
    }
  }
  return bytes;
}

export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME_PATTERN.test(name)) {
    return `label name ${JSON.stringify(name)} must start with a letter or _ and contain only letters, digits and _`;
  }
  if (utf8Length(name) > MAX_LABEL_NAME_BYTES) {
    return `label name ${JSON.stringify(name.slice(0, 40))}… is longer than ${MAX_LABEL_NAME_BYTES} bytes`;
  }
  return undefined;
}

/** Labels the upload sets itself (`service_name`) and Pyroscope's internal ones (`__name__`, `__delta__`, …). */
export function isReservedLabelName(name: string): boolean {
  return name.startsWith('__') || name === 'service_name';
}

export function labelValueProblem(name: string, value: string): string | undefined {
  if (value.trim() === '') {
    return `label ${name} needs a value`;
  }
  if (utf8Length(value) > MAX_LABEL_VALUE_BYTES) {
    return `the value of label ${name} is ${utf8Length(value)} bytes; Pyroscope accepts at most ${MAX_LABEL_VALUE_BYTES}`;
  }
  return undefined;
}

/**
 * Thread names come from files: control characters (newlines, tabs) become spaces and unpaired surrogates
 * become U+FFFD, since Pyroscope rejects label values that are not valid UTF-8.
 */
export function sanitizeLabelValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i] + value[i + 1];
        i++;
      } else {
        out += '\ufffd';
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\ufffd';
    } else if (code < 0x20 || code === 0x7f) {
      out += ' ';
    } else {
      out += value[i];
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

const ELLIPSIS = '…';

/** Cuts a value to at most `maxBytes` UTF-8 bytes on a code point boundary, marking the cut with an ellipsis. */
export function truncateToBytes(value: string, maxBytes: number): string {
  if (utf8Length(value) <= maxBytes) {
    return value;
  }
  const budget = maxBytes - utf8Length(ELLIPSIS);
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = utf8Length(char);
    if (bytes + size > budget) {
      break;
    }
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end) + ELLIPSIS;
}

/**
 * The one rule for every label value the upload writes (thread names, the service name, extra labels), in the CLI and
 * on the page: control characters become spaces, runs of whitespace one space, ends trimmed, unpaired surrogates
 * U+FFFD, and the value is cut to Pyroscope's 2048 bytes with a visible ellipsis.
 */
export function cleanLabelValue(value: string): string {
  return truncateToBytes(sanitizeLabelValue(value), MAX_LABEL_VALUE_BYTES);
}

/** A stable, unambiguous key of a label set: names sorted, as Pyroscope compares them. */
export function labelSetKey(labels: LabelPair[]): string {
  const sorted = [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify(sorted.map((l) => [l.name, l.value]));
}

/**
 * A selector matching every label exactly, as Pyroscope's queries and Explore's Pyroscope editor read it (Prometheus
 * syntax): values quoted with JSON's escapes, which are also Go's.
 */
export function labelSelector(labels: Array<{ name: string; value: string }>): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}
