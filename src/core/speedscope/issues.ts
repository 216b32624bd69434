/** Where in an input file a problem was found, so messages can name file, profile and field. */
export interface ProfileIssue {
  fileName: string;
  profileIndex: number;
  profileName: string;
  /** JSON path inside the profile, e.g. `samples[12][3]` or `events[6601]`. */
  field: string;
  message: string;
}

export function formatProfileIssue(issue: ProfileIssue): string {
  const name = issue.profileName === '' ? '(unnamed)' : JSON.stringify(issue.profileName);
  return `${issue.fileName}: profile ${issue.profileIndex} ${name}: ${issue.field}: ${issue.message}`;
}

/** The whole file is unusable: not JSON, not Speedscope, or broken shared data. */
export class SpeedscopeFileError extends Error {
  constructor(
    readonly fileName: string,
    readonly detail: string
  ) {
    super(`${fileName}: ${detail}`);
    this.name = 'SpeedscopeFileError';
  }
}

/** Thrown inside a profile builder; the parser turns it into a ProfileIssue for that profile only. */
export class ProfileDataError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message);
    this.name = 'ProfileDataError';
  }
}
