import { quoteForMessage } from '../util/quote';

/** Where in an input file a problem was found, so messages can name file, profile and field. */
export interface ProfileIssue {
  fileName: string;
  profileIndex: number;
  profileName: string;
  /** Path inside the profile, e.g. `samples[12][3]` or `events[6601]`. */
  field: string;
  message: string;
}

export function formatProfileIssue(issue: ProfileIssue): string {
  const name = issue.profileName === '' ? '(unnamed)' : quoteForMessage(issue.profileName);
  return `${issue.fileName}: profile ${issue.profileIndex} ${name}: ${issue.field}: ${issue.message}`;
}

/** Thrown while a profile is built; the reader turns it into a ProfileIssue for that profile only. */
export class ProfileDataError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message);
    this.name = 'ProfileDataError';
  }
}
