/** The message of anything thrown; errors from another realm (a worker, Node's fs under jest) fail `instanceof`. */
export function errorText(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}
