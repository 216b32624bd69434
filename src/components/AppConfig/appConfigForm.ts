import { isReservedLabelName, labelNameProblem } from '../../core/plan/labels';
import { MAX_SLICE_SECONDS, MIN_SLICE_SECONDS } from '../../core/plan/uploadOptions';
import { toBase64 } from '../../core/util/base64';
import { AppSecureSettings, AppSettings } from '../../settings';

export interface AppConfigForm extends AppSettings {
  /** New secrets typed on this visit; empty means "keep what is stored". */
  pushPassword: string;
  pushToken: string;
  /** The stored Authorization was reset with the SecretInput's Reset button. */
  authorizationReset: boolean;
}

export function configProblems(form: AppConfigForm): Partial<Record<keyof AppConfigForm, string>> {
  const problems: Partial<Record<keyof AppConfigForm, string>> = {};
  if (form.threadLabelName) {
    const problem = labelNameProblem(form.threadLabelName);
    if (problem) {
      problems.threadLabelName = problem;
    } else if (isReservedLabelName(form.threadLabelName)) {
      problems.threadLabelName = `${form.threadLabelName} is reserved`;
    }
  }
  if (
    form.sliceSeconds !== undefined &&
    !(form.sliceSeconds >= MIN_SLICE_SECONDS && form.sliceSeconds <= MAX_SLICE_SECONDS)
  ) {
    problems.sliceSeconds = `between ${MIN_SLICE_SECONDS} and ${MAX_SLICE_SECONDS} seconds`;
  }
  if (form.maxFileSizeMb !== undefined && !(form.maxFileSizeMb > 0)) {
    problems.maxFileSizeMb = 'a positive number of megabytes';
  }
  if (form.pushUrl && !/^https?:\/\/[^/]+/.test(form.pushUrl)) {
    problems.pushUrl = 'an http:// or https:// URL of Pyroscope (or of a Grafana Cloud Profiles push endpoint)';
  }
  if (form.pushAuthKind === 'basic' && !form.pushUser) {
    problems.pushUser = 'a user for basic auth';
  }
  return problems;
}

/** What to save: `jsonData` replaces the stored one whole; `secureJsonData` only carries a changed secret. */
export function settingsToSave(form: AppConfigForm): { jsonData: AppSettings; secureJsonData?: AppSecureSettings } {
  const jsonData: AppSettings = {
    defaultDatasourceUid: form.defaultDatasourceUid || undefined,
    defaultServiceName: form.defaultServiceName?.trim() || undefined,
    threadLabelName: form.threadLabelName?.trim() || undefined,
    sliceSeconds: form.sliceSeconds,
    maxFileSizeMb: form.maxFileSizeMb,
    pushUrl: form.pushUrl?.trim().replace(/\/+$/, '') || undefined,
    pushTenant: form.pushTenant?.trim() || undefined,
    pushAuthKind: form.pushUrl ? (form.pushAuthKind ?? 'none') : undefined,
    pushUser: form.pushAuthKind === 'basic' ? form.pushUser : undefined,
  };
  let authorization: string | undefined;
  if (form.pushAuthKind === 'basic' && form.pushPassword) {
    authorization = `Basic ${toBase64(new TextEncoder().encode(`${form.pushUser ?? ''}:${form.pushPassword}`))}`;
  } else if (form.pushAuthKind === 'bearer' && form.pushToken) {
    authorization = `Bearer ${form.pushToken}`;
  } else if (form.authorizationReset || (form.pushAuthKind ?? 'none') === 'none' || !form.pushUrl) {
    authorization = '';
  }
  return { jsonData, secureJsonData: authorization === undefined ? undefined : { pushAuthorization: authorization } };
}
