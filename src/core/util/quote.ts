/** Error messages quote at most this many characters of input: a 50 MB name must not end up in a message. */
export const MAX_QUOTED_CHARS = 200;

/** A string as JSON would write it, cut to about MAX_QUOTED_CHARS characters. */
export function quoteForMessage(text: string): string {
  if (text.length <= MAX_QUOTED_CHARS) {
    return JSON.stringify(text);
  }
  return `${JSON.stringify(text.slice(0, MAX_QUOTED_CHARS))}… (${text.length} characters)`;
}

/** Text shown as is (a unit, a number's source), cut to about MAX_QUOTED_CHARS characters. */
export function clipForMessage(text: string): string {
  if (text.length <= MAX_QUOTED_CHARS) {
    return text;
  }
  return `${text.slice(0, MAX_QUOTED_CHARS)}… (${text.length} characters)`;
}
