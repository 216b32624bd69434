/**
 * A LOCAL STAND-IN for Grafana Pyroscope's write and read API. It is not Pyroscope: it imitates, from
 * `../shared/reference/pyroscope.md` and Pyroscope's `pkg/validation` and `pkg/distributor` source, the behaviour
 * the plugin depends on, so tests can run where no Pyroscope server can be installed.
 *
 * Reproduced:
 * - `POST /push.v1.PusherService/Push` (Connect JSON): base64 → gzip → pprof decoding with `pprof-format`;
 *   default validation with Pyroscope's wording where known: labels (count ≤ 30, names `[a-zA-Z_][a-zA-Z0-9_]*`,
 *   name ≤ 1024 and value ≤ 2048 bytes, valid UTF-8, no duplicates, `__name__` and `service_name` required),
 *   profile size ≤ 4 MiB, ≤ 16 000 samples, no `-` in sample types, timestamps not older than 1 h nor more than
 *   10 min ahead; any invalid series rejects the whole request (400 `invalid_argument`), as the distributor does.
 * - The ingestion rate limiter: a token bucket of 4 MiB/s with a 2 MB burst over uncompressed profile bytes plus
 *   label bytes per request (429 `resource_exhausted`).
 * - Zero-valued samples dropped; a profile left empty is answered 200 and not stored.
 * - Compaction on demand: one profile kept per (label set, time_nanos), as block compaction does.
 * - `POST /querier.v1.QuerierService/Series` with simple `{name="value",…}` matchers.
 * Not reproduced: storage formats, symbolization, multi-tenancy (X-Scope-OrgID is recorded, not enforced),
 * relabeling, ingestion-time aggregation, querying flame graphs, exact wording of every error.
 *
 * Test-only endpoints under `/standin/`: `GET series` (stored series with totals and times), `POST compact`,
 * `POST faults` (`{"status429":n,"status500":n,"drop":n,"delayMs":ms}` for the next requests), `POST reset`.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export interface StoredProfile {
  labels: Array<{ name: string; value: string }>;
  timeNanos: bigint;
  durationNanos: bigint;
  sampleType: string;
  total: number;
  sampleCount: number;
  profile: Profile;
}

export interface Faults {
  status429?: number;
  status500?: number;
  drop?: number;
  delayMs?: number;
}

export interface StandInOptions {
  /** Clock for the ingestion window; tests can pin it. */
  now?: () => number;
  rateBytesPerSecond?: number;
  burstBytes?: number;
}

const MAX_LABEL_NAMES = 30;
const MAX_NAME_BYTES = 1024;
const MAX_VALUE_BYTES = 2048;
const MAX_PROFILE_BYTES = 4 * 1024 * 1024;
const MAX_SAMPLES = 16_000;
const WINDOW_PAST_MS = 60 * 60 * 1000;
const WINDOW_FUTURE_MS = 10 * 60 * 1000;

class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

const labelsString = (labels: Array<{ name: string; value: string }>) =>
  `{${labels.map((l) => `${l.name}="${l.value}"`).join(', ')}}`;

const sortLabels = (labels: Array<{ name: string; value: string }>) =>
  [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export const seriesKey = (labels: Array<{ name: string; value: string }>) => JSON.stringify(sortLabels(labels));

function isWellFormed(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

export class PyroscopeStandIn {
  stored: StoredProfile[] = [];
  requests: Array<{ path: string; headers: IncomingMessage['headers']; body: string; status: number }> = [];
  private faults: Required<Faults> = { status429: 0, status500: 0, drop: 0, delayMs: 0 };
  private server?: Server;
  private tokens: number;
  private lastRefill: number;
  private readonly now: () => number;
  private readonly rate: number;
  private readonly burst: number;

  constructor(options: StandInOptions = {}) {
    this.now = options.now ?? Date.now;
    this.rate = options.rateBytesPerSecond ?? 4 * 1024 * 1024;
    this.burst = options.burstBytes ?? 2 * 1000 * 1000;
    this.tokens = this.burst;
    this.lastRefill = Date.now();
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  setFaults(faults: Faults): void {
    this.faults = { status429: 0, status500: 0, drop: 0, delayMs: 0, ...faults };
  }

  reset(): void {
    this.stored = [];
    this.requests = [];
    this.setFaults({});
    this.tokens = this.burst;
  }

  /** Pyroscope's compaction: one profile per (label set, time); the others are gone. */
  compact(): number {
    const seen = new Set<string>();
    const before = this.stored.length;
    this.stored = this.stored.filter((p) => {
      const key = `${seriesKey(p.labels)}@${p.timeNanos}`;
      if (seen.has(key)) {
        return false;
      }
      seen.add(key);
      return true;
    });
    return before - this.stored.length;
  }

  /** Stored series with their totals, for assertions. */
  series(): Array<{ labels: Record<string, string>; profiles: number; total: number; timeNanos: string[] }> {
    const bySeries = new Map<
      string,
      { labels: Record<string, string>; profiles: number; total: number; timeNanos: string[] }
    >();
    for (const p of this.stored) {
      const key = seriesKey(p.labels);
      let entry = bySeries.get(key);
      if (!entry) {
        entry = {
          labels: Object.fromEntries(sortLabels(p.labels).map((l) => [l.name, l.value])),
          profiles: 0,
          total: 0,
          timeNanos: [],
        };
        bySeries.set(key, entry);
      }
      entry.profiles++;
      entry.total += p.total;
      entry.timeNanos.push(String(p.timeNanos));
    }
    return [...bySeries.values()];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    const reply = (status: number, payload: unknown) => {
      this.requests.push({ path, headers: req.headers, body, status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (path.startsWith('/standin/')) {
      this.handleControl(path, req.method ?? 'GET', body, reply);
      return;
    }
    if (this.faults.drop > 0) {
      this.faults.drop--;
      this.requests.push({ path, headers: req.headers, body, status: 0 });
      req.socket.destroy();
      return;
    }
    if (this.faults.delayMs > 0) {
      await new Promise((r) => setTimeout(r, this.faults.delayMs));
    }
    if (this.faults.status429 > 0) {
      this.faults.status429--;
      reply(429, {
        code: 'resource_exhausted',
        message: 'push rate limit (4.0 MiB) exceeded while adding 1.0 MiB (injected)',
      });
      return;
    }
    if (this.faults.status500 > 0) {
      this.faults.status500--;
      reply(500, { code: 'internal', message: 'injected internal error' });
      return;
    }
    try {
      if (req.method !== 'POST') {
        throw new Rejection(405, 'unimplemented', `${req.method} is not supported`);
      }
      if (path === '/push.v1.PusherService/Push') {
        this.push(body);
        reply(200, {});
      } else if (path === '/querier.v1.QuerierService/Series') {
        reply(200, this.querySeries(body));
      } else {
        throw new Rejection(404, 'not_found', `404 page not found: ${path}`);
      }
    } catch (e) {
      if (e instanceof Rejection) {
        reply(e.status, { code: e.code, message: e.message });
      } else {
        reply(500, { code: 'internal', message: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private handleControl(path: string, method: string, body: string, reply: (s: number, p: unknown) => void) {
    if (path === '/standin/series' && method === 'GET') {
      reply(200, this.series());
    } else if (path === '/standin/compact' && method === 'POST') {
      reply(200, { removed: this.compact() });
    } else if (path === '/standin/faults' && method === 'POST') {
      this.setFaults(JSON.parse(body || '{}'));
      reply(200, {});
    } else if (path === '/standin/reset' && method === 'POST') {
      this.reset();
      reply(200, {});
    } else {
      reply(404, { message: 'unknown stand-in endpoint' });
    }
  }

  private push(body: string): void {
    let request: {
      series?: Array<{
        labels?: Array<{ name: string; value: string }>;
        samples?: Array<{ ID?: string; rawProfile?: string }>;
      }>;
    };
    try {
      request = JSON.parse(body);
    } catch (e) {
      throw new Rejection(400, 'invalid_argument', `invalid JSON: ${e instanceof Error ? e.message : e}`);
    }
    const accepted: StoredProfile[] = [];
    let cost = 0;
    let profiles = 0;
    const decoded = (request.series ?? []).map((series) => {
      const labels = sortLabels(series.labels ?? []);
      cost += labels.reduce((s, l) => s + Buffer.byteLength(l.name) + Buffer.byteLength(l.value), 0);
      return {
        labels,
        samples: (series.samples ?? []).map((sample) => {
          const raw = Buffer.from(sample.rawProfile ?? '', 'base64');
          const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
          cost += bytes.length;
          profiles++;
          return { size: bytes.length, profile: Profile.decode(bytes) };
        }),
      };
    });
    this.takeTokens(cost);
    for (const series of decoded) {
      this.validateLabels(series.labels);
      for (const { size, profile } of series.samples) {
        this.validateProfile(profile, size, series.labels);
        const stored = toStored(series.labels, profile);
        if (stored.sampleCount > 0) {
          accepted.push(stored);
        }
      }
    }
    if (profiles === 0) {
      throw new Rejection(400, 'invalid_argument', 'no profiles received');
    }
    // The whole request passed validation: only now is anything stored.
    this.stored.push(...accepted);
  }

  private takeTokens(cost: number): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
    this.lastRefill = now;
    if (cost > this.tokens) {
      throw new Rejection(
        429,
        'resource_exhausted',
        `push rate limit (${(this.rate / 1048576).toFixed(1)} MiB) exceeded while adding ${cost} B`
      );
    }
    this.tokens -= cost;
  }

  private validateLabels(labels: Array<{ name: string; value: string }>): void {
    const ls = labelsString(labels);
    if (labels.length === 0) {
      throw new Rejection(400, 'invalid_argument', 'error at least one label pair is required per profile');
    }
    if (labels.length > MAX_LABEL_NAMES) {
      throw new Rejection(
        400,
        'invalid_argument',
        `profile series '${ls}' has ${labels.length} label names; limit ${MAX_LABEL_NAMES}`
      );
    }
    const metric = labels.find((l) => l.name === '__name__')?.value ?? '';
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) {
      throw new Rejection(400, 'invalid_argument', `invalid labels '${ls}' with error: invalid metric name`);
    }
    if (!labels.find((l) => l.name === 'service_name')?.value) {
      throw new Rejection(400, 'invalid_argument', `invalid labels '${ls}' with error: service name is not provided`);
    }
    let last = '';
    for (const l of labels) {
      if (Buffer.byteLength(l.name) > MAX_NAME_BYTES) {
        throw new Rejection(
          400,
          'invalid_argument',
          `profile with labels '${ls}' has label name too long: '${l.name}'`
        );
      }
      if (Buffer.byteLength(l.value) > MAX_VALUE_BYTES) {
        throw new Rejection(
          400,
          'invalid_argument',
          `profile with labels '${ls}' has label value too long: '${l.value}'`
        );
      }
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l.name)) {
        throw new Rejection(
          400,
          'invalid_argument',
          `invalid labels '${ls}' with error: invalid label name '${l.name}'`
        );
      }
      if (!isWellFormed(l.value)) {
        throw new Rejection(
          400,
          'invalid_argument',
          `invalid labels '${ls}' with error: invalid label value '${l.value}'`
        );
      }
      if (l.name === last) {
        throw new Rejection(
          400,
          'invalid_argument',
          `profile with labels '${ls}' has duplicate label name: '${l.name}'`
        );
      }
      last = l.name;
    }
  }

  private validateProfile(profile: Profile, size: number, labels: Array<{ name: string; value: string }>): void {
    const ls = labelsString(labels);
    if (size > MAX_PROFILE_BYTES) {
      throw new Rejection(
        400,
        'invalid_argument',
        `the profile with labels '${ls}' exceeds the size limit (max_profile_size_byte, actual: ${size}, limit: ${MAX_PROFILE_BYTES})`
      );
    }
    if (profile.sample.length > MAX_SAMPLES) {
      throw new Rejection(
        400,
        'invalid_argument',
        `the profile with labels '${ls}' exceeds the samples count limit (max_profile_stacktrace_samples, actual: ${profile.sample.length}, limit: ${MAX_SAMPLES})`
      );
    }
    for (const type of profile.sampleType) {
      if (profile.stringTable.strings[Number(type.type)].includes('-')) {
        throw new Rejection(400, 'invalid_argument', 'sample type contains -');
      }
    }
    const timeMs = Number(BigInt(profile.timeNanos) / 1_000_000n);
    const now = this.now();
    if (timeMs !== 0 && (timeMs < now - WINDOW_PAST_MS || timeMs > now + WINDOW_FUTURE_MS)) {
      throw new Rejection(
        400,
        'invalid_argument',
        `profile with labels '${ls}' is outside of ingestion window (profile timestamp: ${new Date(timeMs).toISOString()}, the ingestion window starts at ${new Date(now - WINDOW_PAST_MS).toISOString()} and ends at ${new Date(now + WINDOW_FUTURE_MS).toISOString()})`
      );
    }
  }

  private querySeries(body: string): { labelsSet: Array<{ labels: Array<{ name: string; value: string }> }> } {
    const query = JSON.parse(body || '{}') as {
      matchers?: string[];
      labelNames?: string[];
      start?: string;
      end?: string;
    };
    const startNs = BigInt(query.start ?? '0') * 1_000_000n;
    const endNs = query.end ? BigInt(query.end) * 1_000_000n : BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
    const matchers = (query.matchers ?? []).map(parseMatcher);
    const result = new Map<string, Array<{ name: string; value: string }>>();
    for (const p of this.stored) {
      if (p.timeNanos < startNs || p.timeNanos > endNs) {
        continue;
      }
      const withType = [
        ...p.labels,
        { name: '__profile_type__', value: `${p.labels.find((l) => l.name === '__name__')?.value}:${p.sampleType}` },
      ];
      if (
        matchers.length > 0 &&
        !matchers.some((m) => m.every(([n, v]) => withType.some((l) => l.name === n && l.value === v)))
      ) {
        continue;
      }
      const names = query.labelNames ?? [];
      const picked = sortLabels(names.length > 0 ? withType.filter((l) => names.includes(l.name)) : withType);
      result.set(JSON.stringify(picked), picked);
    }
    return { labelsSet: [...result.values()].map((labels) => ({ labels })) };
  }
}

/** `{a="b", c="d"}` equality matchers only; values may contain escaped quotes. */
function parseMatcher(matcher: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(matcher); m; m = re.exec(matcher)) {
    pairs.push([m[1], JSON.parse(`"${m[2]}"`)]);
  }
  return pairs;
}

function toStored(labels: Array<{ name: string; value: string }>, profile: Profile): StoredProfile {
  const strings = profile.stringTable.strings;
  const type = profile.sampleType[0];
  const sampleType = `${strings[Number(type.type)]}:${strings[Number(type.unit)]}:${strings[Number(profile.periodType?.type ?? 0)]}:${strings[Number(profile.periodType?.unit ?? 0)]}`;
  // Pyroscope drops zero-valued samples.
  profile.sample = profile.sample.filter((s) => Number(s.value[0]) !== 0);
  return {
    labels,
    timeNanos: BigInt(profile.timeNanos),
    durationNanos: BigInt(profile.durationNanos),
    sampleType,
    total: profile.sample.reduce((sum, s) => sum + Number(s.value[0]), 0),
    sampleCount: profile.sample.length,
    profile,
  };
}
