import { PyroscopeClient } from '../../../core/push/pyroscopeClient';
import { ExistingReport, findExisting, PlanSummaryForVerify } from '../../../core/push/verifyUpload';
import { grafanaTransport, PushTarget } from './grafanaTransport';

/**
 * The check before a push for profiles already stored under the plan's label sets in its range: `findExisting`
 * through the client the read-back uses (the datasource's proxy, the same datasource the push goes to).
 */
export function findExistingProfiles(
  target: PushTarget,
  plan: PlanSummaryForVerify,
  signal: AbortSignal
): Promise<ExistingReport> {
  return findExisting(new PyroscopeClient(grafanaTransport(target, 'read')), plan, { signal });
}
