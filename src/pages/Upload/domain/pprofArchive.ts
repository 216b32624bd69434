import { zipSync } from 'fflate';
import { UploadPlan } from '../../../core/plan/planUpload';
import { EncodedProfile } from '../../../core/push/encodeUpload';

/** The converted profiles as a zip of gzipped pprof files, named by thread label value and time. */
export function pprofArchive(plan: Pick<UploadPlan, 'threads'>, profiles: EncodedProfile[]): Uint8Array {
  const labelValues = new Map(plan.threads.map((t) => [t.threadKey, t.labelValue]));
  const entries: Record<string, Uint8Array> = {};
  profiles.forEach(({ ref, gzipped }, i) => {
    const safe = (labelValues.get(ref.threadKey) ?? ref.threadKey).replace(/[^a-zA-Z0-9_.-]+/g, '_').slice(0, 80);
    entries[`${String(i + 1).padStart(4, '0')}-${safe}-${ref.timeNanos}.pb.gz`] = gzipped;
  });
  // The members are gzip already: store them as they are.
  return zipSync(entries, { level: 0 });
}
