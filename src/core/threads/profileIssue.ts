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

/**
 * What is wrong with a profile, returned (not thrown) by the builders: a file can hold 200 000 broken profiles, and
 * an exception with its stack trace per profile would cost seconds.
 */
export class ProfileProblem {
  constructor(
    readonly field: string,
    readonly message: string
  ) {}
}
