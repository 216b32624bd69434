import { zipSync } from 'fflate';
import { EncodedProfile } from '../../../core/push/encodeUpload';
import { fromBase64 } from '../../../core/util/base64';

/** The converted profiles as a zip of gzipped pprof files, named by thread label value and time. */
export function pprofArchive(profiles: EncodedProfile[]): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  profiles.forEach((profile, i) => {
    const safe = profile.planned.threadLabelValue.replace(/[^a-zA-Z0-9_.-]+/g, '_').slice(0, 80);
    entries[`${String(i + 1).padStart(4, '0')}-${safe}-${profile.planned.timeNanos}.pb.gz`] = fromBase64(
      profile.rawProfile
    );
  });
  // The members are gzip already: store them as they are.
  return zipSync(entries, { level: 0 });
}
