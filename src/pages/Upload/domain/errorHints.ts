/** A short hint for errors people meet on the way to Pyroscope; the error itself is always shown as it came. */
export function hintFor(
  error: string,
  target: 'datasource' | 'app-route',
  hasWriteTarget: boolean
): string | undefined {
  if (/outside of ingestion window/.test(error)) {
    return 'Pyroscope accepts profiles from the last hour up to 10 minutes ahead by default. Use “Place at now” and push again.';
  }
  if (/^HTTP 400: Authentication to data source failed/.test(error)) {
    return 'Grafana could not log in to Pyroscope with this datasource’s credentials. Check the datasource settings.';
  }
  if (/^HTTP 40[13]\b/.test(error)) {
    return target === 'datasource'
      ? hasWriteTarget
        ? 'This datasource cannot write. Choose the app’s write target instead.'
        : 'This datasource may only read (Grafana Cloud Profiles uses separate write credentials). An admin can set a write target on the app’s configuration page.'
      : 'The write target refused the credentials, or your role may not push. Ask an admin to check the app’s configuration.';
  }
  if (/^HTTP 404\b/.test(error)) {
    return 'The URL does not lead to Pyroscope’s push API. Check the datasource or write target URL.';
  }
  if (/^HTTP 413\b/.test(error)) {
    return 'A proxy in front of Grafana limits request size. Ask its admin to allow larger bodies.';
  }
  if (/^HTTP 429\b/.test(error)) {
    return 'Pyroscope kept rate-limiting the upload. Try again in a minute; nothing already pushed will be duplicated.';
  }
  if (/^HTTP 50[234]\b/.test(error)) {
    return 'Grafana could not reach Pyroscope. Is it running, and is the datasource URL right?';
  }
  if (/^no response/.test(error)) {
    return 'The connection to Grafana was lost. Retrying pushes the missing profiles only.';
  }
  return undefined;
}
