/** The whole file is unusable: not JSON, not Speedscope, corrupt gzip, too large, or broken shared data. */
export class SpeedscopeFileError extends Error {
  constructor(
    readonly fileName: string,
    readonly detail: string
  ) {
    super(`${fileName}: ${detail}`);
    this.name = 'SpeedscopeFileError';
  }
}
