/**
 * A LOCAL STAND-IN for Grafana Pyroscope's write and read API, for tests where no Pyroscope can run. It is not
 * Pyroscope. Each behaviour below follows grafana/pyroscope main of 2026-08 (for all of it the same as v2.2.1; the
 * two places where v1.16.0 differs are behind the `version` option), and tests/standins/README.md lists them with
 * the test that covers each one.
 *
 * Push, `POST /push.v1.PusherService/Push` (Connect JSON):
 * - `pkg/distributor/distributor.go` `Push`: every sample of every series is decompressed on its own (gzip when the
 *   gzip magic is there, `pkg/pprof/pprof.go` `RawFromBytesWithLimit`, capped at the 4 MiB profile limit), then
 *   `PushBatch` pushes each profile on its own and collects the errors (`dskit/multierror`): the valid profiles of a
 *   partly rejected request ARE stored. The answer's code and message are those of the first Connect error among them
 *   (connect-go `newConnectWireError` unwraps the list); with none, a validation error becomes 400 with the joined
 *   message ("2 errors: a; b"), anything else 500 `unknown`. HTTP status by Connect code: invalid_argument 400,
 *   resource_exhausted 429, unauthenticated 401, unknown 500.
 * - `pushSeries`: `service_name` added as `unknown_service` when missing; labels sorted; cost = label bytes +
 *   decompressed bytes, charged to the rate limiter per profile (pyroscope/rateLimiter.ts); then `ValidateProfile`,
 *   `Normalize` (pyroscope/validation.ts); a profile left with no samples is accepted and not stored; then
 *   `ValidateLabels`.
 * - Tenancy (`pkg/tenant/interceptor.go`): with `multitenancy: true`, a missing or empty X-Scope-OrgID is 401
 *   `unauthenticated` "no org id"; without it every request is tenant `anonymous`. Stored data is kept per tenant.
 * - Compaction on demand (`pkg/phlaredb/compact.go`): one profile kept per (tenant, label set, time).
 *
 * Read, `POST /querier.v1.QuerierService/<Method>` (Connect JSON, `api/querier/v1/querier.proto`), over the profiles
 * stored for the caller's tenant, `start`/`end` in ms inclusive: `Series` (`matchers`, `labelNames`; the labels
 * include `__profile_type__`, `__type__`, `__unit__`, `__period_type__`, `__period_unit__`), `LabelNames`,
 * `LabelValues` (`name`, `matchers`), `ProfileTypes`, `SelectSeries` (`profileTypeID`, `labelSelector`, `groupBy`,
 * `step` in seconds: sums per step, a point holding (point - step, point], the first at `start`),
 * `SelectMergeStacktraces` (`flamegraph` with `names`, `levels` in flamebearer form, `total`, `maxSelf`).
 * Selectors: `=`, `!=`, `=~`, `!~`. Visibility: v1's ingester answers from its head block, so a profile is
 * queryable as soon as Push returns (`pkg/ingester/query.go`); v2's segment writer flushes every 500 ms first
 * (`pkg/segmentwriter/service.go`). `queryLagMs` (option, by the stand-in's clock) and the `notQueryable` switch
 * reproduce "not queryable yet".
 *
 * Test switches, `POST /standin/faults` with JSON; each number counts the next PUSH requests it applies to, checked in
 * this order (queries only see `notQueryable`):
 *   {"drop": n}          close the connection without an answer
 *   {"hang": n}          never answer (the socket stays open until the stand-in stops)
 *   {"delayMs": ms}      wait before handling every push (not counted)
 *   {"redirect": n, "redirectStatus": 301|302|307|308, "redirectLocation": "/login"}   3xx with Location, nothing stored
 *   {"html200": n}       200 with a text/html login page, nothing stored
 *   {"json200error": n}  200 application/json `{"error":"upstream unavailable"}`, as a proxy in front may answer;
 *                        nothing stored
 *   {"trickle": n, "trickleEveryMs": 1000}   200 application/json headers, then one space every trickleEveryMs, never
 *                        finishing; nothing stored
 *   {"hugeError": n, "hugeErrorBytes": 6291456}   400 invalid_argument whose JSON body is that many bytes
 *   {"status429": n}, {"status500": n}   a Connect error without handling the request
 *   {"notQueryable": n}  the next n QUERY requests see nothing that was stored
 * Setting faults replaces the previous ones. Other endpoints: `GET /standin/series` (stored series with totals and
 * times), `POST /standin/compact`, `POST /standin/reset`, `POST /standin/remove` `{"labels": {"thread_name": "x"},
 * "nth": 0}` (removes one stored profile, for "missing" tests).
 *
 * Other content types than application/json: 415 with Accept-Post, as connect-go answers (application/proto, which
 * Pyroscope accepts, is refused with 501 here: the stand-in reads Connect JSON only).
 * Not reproduced: storage, symbolization, sample-label series splitting, relabeling, aggregation, sampling, usage
 * groups, profiles with several sample types (only the first is stored), the concurrency of PushBatch (errors are
 * collected in index order, the server's in completion order), async queries, exact flame-graph truncation.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeProfile, strings, WireError, WireProfile } from './pyroscope/pprofWire';
import { humanizeBytes, humanizeIBytes, RateLimitOptions, TenantRateLimiter } from './pyroscope/rateLimiter';
import {
  ConnectError,
  DEFAULT_LIMITS,
  LabelPair,
  Limits,
  normalize,
  sortLabels,
  validateLabels,
  validateProfile,
} from './pyroscope/validation';

export interface StoredProfile {
  tenant: string;
  labels: LabelPair[];
  timeNanos: bigint;
  durationNanos: bigint;
  /** `sample_type:sample_unit:period_type:period_unit` of the first sample type. */
  sampleType: string;
  total: number;
  sampleCount: number;
  profile: WireProfile;
  /** When the stand-in stored it, by its clock. */
  storedAtMs: number;
}

export interface Faults {
  status429?: number;
  status500?: number;
  drop?: number;
  delayMs?: number;
  hang?: number;
  redirect?: number;
  redirectStatus?: 301 | 302 | 307 | 308;
  redirectLocation?: string;
  html200?: number;
  json200error?: number;
  trickle?: number;
  trickleEveryMs?: number;
  hugeError?: number;
  hugeErrorBytes?: number;
  notQueryable?: number;
}

export interface StandInOptions extends RateLimitOptions {
  /** The stand-in's clock: ingestion window, rate limiter refill, query lag. Tests can pin it. */
  now?: () => number;
  /** Require X-Scope-OrgID, as a multi-tenant Pyroscope does (default false, like the single binary). */
  multitenancy?: boolean;
  /** Profiles become queryable this long after they were stored (default 0: at once, as v1's ingester). */
  queryLagMs?: number;
  limits?: Partial<Limits>;
  /**
   * Whose write path to follow (default `main`, the same as v2.2.1 here). `1.16` (the compose default) decompresses
   * without a cap, so a profile over 4 MiB meets the rate limiter (429, over the burst) before the size check, and
   * answers "no profiles received" when no profile of a request could be decoded.
   */
  version?: 'main' | '1.16';
}

type Counter =
  | 'status429'
  | 'status500'
  | 'drop'
  | 'hang'
  | 'redirect'
  | 'html200'
  | 'json200error'
  | 'trickle'
  | 'hugeError'
  | 'notQueryable';

const LOGIN_PAGE =
  '<!doctype html><html><head><title>Sign in</title></head><body><form action="/login" method="post">' +
  '<input name="user"><input name="password" type="password"><button>Sign in</button></form></body></html>';

export const seriesKey = (labels: LabelPair[]) => JSON.stringify(sortLabels(labels));

/**
 * A request the stand-in answered, or did not: status -1 when `hang` left it unanswered, 0 when `drop` closed the
 * connection, -2 when the client went away before its body was complete.
 */
export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

export class PyroscopeStandIn {
  stored: StoredProfile[] = [];
  requests: RecordedRequest[] = [];
  private requestWaiters: Array<{ matches: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }> =
    [];
  private faults: Faults = {};
  private server?: Server;
  private readonly now: () => number;
  private readonly limiter: TenantRateLimiter;
  private readonly limits: Limits;

  constructor(private readonly options: StandInOptions = {}) {
    this.now = options.now ?? Date.now;
    this.limiter = new TenantRateLimiter(options, this.now);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.handlerFailed(req, res, e));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * The first request, already recorded or still to come, that `matches`: tests wait for the event itself, never for
   * an amount of time that a loaded machine may exceed.
   */
  requestMatching(matches: (r: RecordedRequest) => boolean): Promise<RecordedRequest> {
    const seen = this.requests.find(matches);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => this.requestWaiters.push({ matches, resolve }));
  }

  setFaults(faults: Faults): void {
    this.faults = { ...faults };
  }

  reset(): void {
    this.stored = [];
    this.requests = [];
    this.setFaults({});
    this.limiter.reset();
  }

  /** Pyroscope's compaction: one profile per (tenant, label set, time); the others are gone. */
  compact(): number {
    const seen = new Set<string>();
    const before = this.stored.length;
    this.stored = this.stored.filter((p) => {
      const key = `${p.tenant}|${seriesKey(p.labels)}@${p.timeNanos}`;
      if (seen.has(key)) {
        return false;
      }
      seen.add(key);
      return true;
    });
    return before - this.stored.length;
  }

  /** Removes the nth stored profile whose labels include all of `labels`; returns it, or undefined. */
  removeProfile(labels: Record<string, string>, nth = 0): StoredProfile | undefined {
    const matching = this.stored.filter((p) =>
      Object.entries(labels).every(([name, value]) => p.labels.some((l) => l.name === name && l.value === value))
    );
    const victim = matching[nth];
    if (victim) {
      this.stored = this.stored.filter((p) => p !== victim);
    }
    return victim;
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
          labels: Object.fromEntries(p.labels.map((l) => [l.name, l.value])),
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

  private take(counter: Counter): boolean {
    const left = this.faults[counter] ?? 0;
    if (left > 0) {
      this.faults[counter] = left - 1;
      return true;
    }
    return false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    const record = (status: number) => this.record({ path, headers: req.headers, body, status });
    const reply = (
      status: number,
      payload: unknown,
      type = 'application/json',
      headers: Record<string, string> = {}
    ) => {
      record(status);
      res.writeHead(status, { 'Content-Type': type, ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const fail = (e: ConnectError) => reply(e.status, { code: e.code, message: e.message });
    if (path.startsWith('/standin/')) {
      this.handleControl(path, req.method ?? 'GET', body, reply);
      return;
    }
    if (req.method !== 'POST') {
      // Connect answers other methods of a unary procedure with 405.
      reply(405, '', 'text/plain', { Allow: 'POST' });
      return;
    }
    // The misbehaviours play something in front of Pyroscope (a proxy, a broken server): they come first.
    if (path === '/push.v1.PusherService/Push' && (await this.misbehave(req, res, record))) {
      return;
    }
    // connect-go answers a content type it has no codec for with 415 and the ones it accepts in Accept-Post.
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (contentType !== 'application/json') {
      const known = contentType === 'application/proto';
      reply(known ? 501 : 415, known ? 'the stand-in reads Connect JSON only' : '', 'text/plain', {
        'Accept-Post': 'application/json, application/json; charset=utf-8, application/proto',
      });
      return;
    }
    const tenant = this.tenantOf(req);
    if (tenant instanceof ConnectError) {
      fail(tenant);
      return;
    }
    if (path === '/push.v1.PusherService/Push') {
      const error = this.push(body, tenant);
      return error ? fail(error) : reply(200, {});
    }
    const method = path.match(/^\/querier\.v1\.QuerierService\/(\w+)$/)?.[1];
    if (method) {
      let query: Record<string, unknown>;
      try {
        query = JSON.parse(body || '{}');
      } catch (e) {
        return fail(new ConnectError('invalid_argument', `unmarshal into querier request: ${String(e)}`));
      }
      const hidden = this.take('notQueryable');
      const result = this.query(method, query, tenant, hidden);
      return result instanceof ConnectError ? fail(result) : reply(200, result);
    }
    reply(404, '404 page not found\n', 'text/plain; charset=utf-8');
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    const waiting = this.requestWaiters;
    this.requestWaiters = waiting.filter((w) => !w.matches(request));
    waiting.filter((w) => w.matches(request)).forEach((w) => w.resolve(request));
  }

  /**
   * A client that goes away in the middle of its request body (an aborted or timed-out upload) makes reading the body
   * fail with "aborted": like a Go server, the stand-in then has nobody to answer. Anything else is a stand-in bug,
   * answered with 500 so that the test sees it; a rejection left unhandled would fail whichever test runs next instead.
   */
  private handlerFailed(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    if (req.destroyed || res.destroyed || res.headersSent) {
      this.record({ path: (req.url ?? '').split('?')[0], headers: req.headers, body: '', status: -2 });
      res.destroy();
      return;
    }
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code: 'internal', message: `stand-in failure: ${String(e)}` }));
  }

  private tenantOf(req: IncomingMessage): string | ConnectError {
    if (!this.options.multitenancy) {
      return 'anonymous';
    }
    const header = req.headers['x-scope-orgid'];
    const tenant = Array.isArray(header) ? header[0] : header;
    return tenant ? tenant : new ConnectError('unauthenticated', 'no org id');
  }

  /** The misbehaviour switches; true when the request was answered (or left unanswered) by one of them. */
  private async misbehave(
    req: IncomingMessage,
    res: ServerResponse,
    record: (status: number) => void
  ): Promise<boolean> {
    if (this.take('drop')) {
      record(0);
      req.socket.destroy();
      return true;
    }
    if (this.take('hang')) {
      record(-1);
      return true;
    }
    if (this.faults.delayMs) {
      await new Promise((r) => setTimeout(r, this.faults.delayMs));
    }
    if (this.take('redirect')) {
      const status = this.faults.redirectStatus ?? 302;
      record(status);
      res.writeHead(status, { Location: this.faults.redirectLocation ?? '/login', 'Content-Type': 'text/html' });
      res.end(`<a href="${this.faults.redirectLocation ?? '/login'}">Found</a>.\n`);
      return true;
    }
    if (this.take('html200')) {
      record(200);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(LOGIN_PAGE);
      return true;
    }
    if (this.take('json200error')) {
      record(200);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"error":"upstream unavailable"}');
      return true;
    }
    if (this.take('trickle')) {
      record(200);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      const timer = setInterval(() => res.write(' '), this.faults.trickleEveryMs ?? 1000);
      res.on('close', () => clearInterval(timer));
      return true;
    }
    if (this.take('hugeError')) {
      const size = this.faults.hugeErrorBytes ?? 6 * 1024 * 1024;
      const prefix = '{"code":"invalid_argument","message":"';
      const suffix = '"}';
      record(400);
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(prefix + 'x'.repeat(Math.max(0, size - prefix.length - suffix.length)) + suffix);
      return true;
    }
    if (this.take('status429')) {
      record(429);
      res.writeHead(429, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 'resource_exhausted',
          message: `push rate limit (${humanizeIBytes(this.limiter.rate)}) exceeded while adding 1.0 MiB`,
        })
      );
      return true;
    }
    if (this.take('status500')) {
      record(500);
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'unknown', message: 'injected internal error' }));
      return true;
    }
    return false;
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
    } else if (path === '/standin/remove' && method === 'POST') {
      const { labels = {}, nth = 0 } = JSON.parse(body || '{}') as { labels?: Record<string, string>; nth?: number };
      const removed = this.removeProfile(labels, nth);
      reply(removed ? 200 : 404, removed ? { removed: 1, timeNanos: String(removed.timeNanos) } : { removed: 0 });
    } else {
      reply(404, { message: 'unknown stand-in endpoint' });
    }
  }

  /** `Distributor.Push` + `PushBatch`: each profile on its own; returns the error the server would answer, if any. */
  private push(body: string, tenant: string): ConnectError | undefined {
    let request: { series?: Array<{ labels?: LabelPair[]; samples?: Array<{ ID?: string; rawProfile?: string }> }> };
    try {
      request = JSON.parse(body);
    } catch (e) {
      return new ConnectError(
        'invalid_argument',
        `unmarshal into *v1.PushRequest: ${e instanceof Error ? e.message : e}`
      );
    }
    const errors: Array<ConnectError | Error> = [];
    const profiles: Array<{ labels: LabelPair[]; profile: WireProfile; size: number }> = [];
    for (const series of request.series ?? []) {
      for (const sample of series.samples ?? []) {
        const raw = sample.rawProfile ?? '';
        if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) {
          return new ConnectError('invalid_argument', 'unmarshal into *v1.PushRequest: illegal base64 data');
        }
        const decompressed = this.decompress(Buffer.from(raw, 'base64'));
        if (decompressed instanceof Error) {
          errors.push(decompressed);
          continue;
        }
        let profile: WireProfile;
        try {
          profile = decodeProfile(decompressed);
        } catch (e) {
          errors.push(new Error(`proto: ${e instanceof WireError ? e.message : String(e)}`));
          continue;
        }
        const labels = (series.labels ?? []).map((l) => ({ name: l.name, value: l.value }));
        profiles.push({ labels, profile, size: decompressed.length });
      }
    }
    if (profiles.length === 0 && errors.length > 0 && this.options.version !== '1.16') {
      return answerFor(errors);
    }
    if (profiles.length === 0) {
      return answerFor([...errors, new ConnectError('invalid_argument', 'no profiles received')]);
    }
    for (const profile of profiles) {
      const error = this.pushSeries(profile.labels, profile.profile, profile.size, tenant);
      if (error) {
        errors.push(error);
      }
    }
    return errors.length > 0 ? answerFor(errors) : undefined;
  }

  /** `RawFromBytesWithLimit`: gzip when the magic says so, at most the profile size limit (1.16: `RawFromBytes`). */
  private decompress(raw: Buffer): Buffer | Error {
    const limit = this.options.version === '1.16' ? Number.MAX_SAFE_INTEGER : this.limits.maxProfileSizeBytes;
    let bytes = raw;
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        bytes = gunzipSync(raw, limit < Number.MAX_SAFE_INTEGER ? { maxOutputLength: limit + 1 } : {});
      } catch (e) {
        if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          return sizeError(limit);
        }
        return new Error(`copy to buffer: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return bytes.length > limit ? sizeError(limit) : bytes;
  }

  /** `pushSeries` for one decoded profile of `size` decompressed bytes. */
  private pushSeries(
    labels: LabelPair[],
    profile: WireProfile,
    size: number,
    tenant: string
  ): ConnectError | Error | undefined {
    if (!labels.find((l) => l.name === 'service_name')?.value) {
      labels.push({ name: 'service_name', value: 'unknown_service' });
    }
    const sorted = sortLabels(labels);
    const cost = sorted.reduce((sum, l) => sum + Buffer.byteLength(l.name) + Buffer.byteLength(l.value), 0) + size;
    if (!this.limiter.allowN(tenant, cost)) {
      return new ConnectError(
        'resource_exhausted',
        `push rate limit (${humanizeIBytes(this.limiter.rate)}) exceeded while adding ${humanizeIBytes(cost)}`,
        'rate_limited'
      );
    }
    try {
      validateProfile(this.limits, profile, size, sorted, this.now());
      normalize(profile);
      if (profile.sample.length === 0) {
        return undefined;
      }
      validateLabels(this.limits, sorted);
    } catch (e) {
      return e instanceof ConnectError ? e : new Error(String(e));
    }
    this.stored.push(toStored(tenant, sorted, profile, this.now()));
    return undefined;
  }

  private visible(tenant: string, query: Record<string, unknown>, hidden: boolean): StoredProfile[] {
    if (hidden) {
      return [];
    }
    const startNs = BigInt(String(query.start ?? '0')) * 1_000_000n;
    const endNs = query.end ? BigInt(String(query.end)) * 1_000_000n : BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
    const lag = this.options.queryLagMs ?? 0;
    const now = this.now();
    return this.stored.filter(
      (p) => p.tenant === tenant && p.timeNanos >= startNs && p.timeNanos <= endNs && now - p.storedAtMs >= lag
    );
  }

  private query(
    method: string,
    query: Record<string, unknown>,
    tenant: string,
    hidden: boolean
  ): unknown | ConnectError {
    // SelectSeries reads from one step before `start` (see `selectSeries`): its first point holds (start - step, start].
    const from =
      method === 'SelectSeries' ? { ...query, start: Number(query.start ?? 0) - seriesStepMs(query) + 1 } : query;
    const profiles = this.visible(tenant, from, hidden);
    const matchersOf = (list: unknown) => {
      const parsed = ((list as string[] | undefined) ?? []).map(parseSelector);
      return (labels: LabelPair[]) => parsed.length === 0 || parsed.some((m) => matches(m, labels));
    };
    switch (method) {
      case 'Series': {
        const match = matchersOf(query.matchers);
        const names = (query.labelNames as string[] | undefined) ?? [];
        const result = new Map<string, LabelPair[]>();
        for (const p of profiles) {
          const all = withTypeLabels(p);
          if (match(all)) {
            const picked = names.length > 0 ? all.filter((l) => names.includes(l.name)) : all;
            result.set(seriesKey(picked), sortLabels(picked));
          }
        }
        return { labelsSet: [...result.values()].map((labels) => ({ labels })) };
      }
      case 'LabelNames':
      case 'LabelValues': {
        const match = matchersOf(query.matchers);
        const found = new Set<string>();
        for (const p of profiles) {
          const all = withTypeLabels(p);
          if (!match(all)) {
            continue;
          }
          for (const l of all) {
            if (method === 'LabelNames') {
              found.add(l.name);
            } else if (l.name === query.name) {
              found.add(l.value);
            }
          }
        }
        return { names: [...found].sort() };
      }
      case 'ProfileTypes': {
        const types = new Map<string, Record<string, string>>();
        for (const p of profiles) {
          const [sampleType, sampleUnit, periodType, periodUnit] = p.sampleType.split(':');
          const name = p.labels.find((l) => l.name === '__name__')?.value ?? '';
          const ID = `${name}:${p.sampleType}`;
          types.set(ID, { ID, name, sampleType, sampleUnit, periodType, periodUnit });
        }
        return { profileTypes: [...types.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)) };
      }
      case 'SelectSeries':
      case 'SelectMergeStacktraces': {
        const typeId = String(query.profileTypeID ?? '');
        const selector = parseSelector(String(query.labelSelector ?? '{}'));
        const selected = profiles.filter((p) => {
          const all = withTypeLabels(p);
          return all.some((l) => l.name === '__profile_type__' && l.value === typeId) && matches(selector, all);
        });
        return method === 'SelectSeries'
          ? selectSeries(selected, query)
          : { flamegraph: flamegraph(selected, Number(query.maxNodes ?? 0)) };
      }
      default:
        return new ConnectError('not_found', `unknown method ${method}`);
    }
  }
}

/** The error the server answers for a list of per-profile errors (connect-go's wire error of a dskit MultiError). */
function answerFor(errors: Array<ConnectError | Error>): ConnectError {
  const firstConnect = errors.find((e): e is ConnectError => e instanceof ConnectError);
  if (firstConnect) {
    return firstConnect;
  }
  const joined = (errors.length > 1 ? `${errors.length} errors: ` : '') + errors.map((e) => e.message).join('; ');
  const validation = errors.some((e) => e instanceof ValidationSizeError);
  return new ConnectError(validation ? 'invalid_argument' : 'unknown', joined);
}

class ValidationSizeError extends Error {}

function sizeError(limit: number): Error {
  return new ValidationSizeError(`uncompressed profile payload size exceeds limit of ${humanizeBytes(limit)}`);
}

function toStored(tenant: string, labels: LabelPair[], profile: WireProfile, nowMs: number): StoredProfile {
  const table = strings(profile);
  const type = profile.sampleType[0];
  const period = profile.periodType ?? { type: 0, unit: 0 };
  return {
    tenant,
    labels,
    timeNanos: profile.timeNanos,
    durationNanos: profile.durationNanos,
    sampleType: `${table[type.type]}:${table[type.unit]}:${table[period.type] ?? ''}:${table[period.unit] ?? ''}`,
    total: Number(profile.sample.reduce((sum, s) => sum + s.value[0], 0n)),
    sampleCount: profile.sample.length,
    profile,
    storedAtMs: nowMs,
  };
}

/** The labels Pyroscope adds to every series it returns. */
function withTypeLabels(p: StoredProfile): LabelPair[] {
  const [type, unit, periodType, periodUnit] = p.sampleType.split(':');
  const name = p.labels.find((l) => l.name === '__name__')?.value ?? '';
  return [
    ...p.labels,
    { name: '__profile_type__', value: `${name}:${p.sampleType}` },
    { name: '__type__', value: type },
    { name: '__unit__', value: unit },
    { name: '__period_type__', value: periodType },
    { name: '__period_unit__', value: periodUnit },
  ];
}

type Matcher = { name: string; op: '=' | '!=' | '=~' | '!~'; value: string };

/** `{a="b", c=~"d.*"}`; values may contain escaped quotes. */
function parseSelector(selector: string): Matcher[] {
  const out: Matcher[] = [];
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(selector); m; m = re.exec(selector)) {
    out.push({ name: m[1], op: m[2] as Matcher['op'], value: JSON.parse(`"${m[3]}"`) });
  }
  return out;
}

function matches(matchers: Matcher[], labels: LabelPair[]): boolean {
  return matchers.every((m) => {
    const value = labels.find((l) => l.name === m.name)?.value ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(value);
      default:
        return !new RegExp(`^(?:${m.value})$`).test(value);
    }
  });
}

/** `step` (seconds, a double) in whole ms as the querier converts it: `time.Duration(step * 1e9).Milliseconds()`. */
function seriesStepMs(query: Record<string, unknown>): number {
  return Math.max(1, Math.trunc(Math.trunc(Number(query.step ?? 15) * 1e9) / 1e6));
}

/**
 * `rangeSeries` (`pkg/querier/querier.go`; `pkg/model` `RangeSeries` in v2): points at start, start + step, … up
 * to end; a profile counts in the first point at or after its time (ms), so a point holds (point - step, point];
 * profiles after the last point are left out.
 */
function selectSeries(profiles: StoredProfile[], query: Record<string, unknown>) {
  const groupBy = (query.groupBy as string[] | undefined) ?? [];
  const stepMs = seriesStepMs(query);
  const startMs = Number(query.start ?? 0);
  const lastPointMs = startMs + Math.floor((Number(query.end ?? startMs) - startMs) / stepMs) * stepMs;
  const groups = new Map<string, { labels: LabelPair[]; points: Map<number, number> }>();
  for (const p of profiles) {
    const t = Number(p.timeNanos / 1_000_000n);
    const point = t <= startMs ? startMs : startMs + Math.ceil((t - startMs) / stepMs) * stepMs;
    if (point > lastPointMs) {
      continue;
    }
    const labels = sortLabels(p.labels.filter((l) => groupBy.includes(l.name)));
    const key = seriesKey(labels);
    const group = groups.get(key) ?? { labels, points: new Map<number, number>() };
    groups.set(key, group);
    group.points.set(point, (group.points.get(point) ?? 0) + p.total);
  }
  return {
    series: [...groups.values()].map((g) => ({
      labels: g.labels,
      points: [...g.points.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([timestamp, value]) => ({ value, timestamp: String(timestamp) })),
    })),
  };
}

interface Node {
  name: string;
  total: number;
  self: number;
  children: Map<string, Node>;
}

/** Merged stacks as Pyroscope's flamebearer: per level, groups of [x offset from the previous node's end, total, self, name index]. */
function flamegraph(profiles: StoredProfile[], maxNodes: number) {
  const root: Node = { name: 'total', total: 0, self: 0, children: new Map() };
  for (const p of profiles) {
    const table = strings(p.profile);
    const functions = new Map(p.profile.function.map((f) => [f.id, table[f.name] ?? '']));
    const locations = new Map(
      p.profile.location.map((l) => [l.id, [...l.line].reverse().map((line) => functions.get(line.functionId) ?? '')])
    );
    for (const s of p.profile.sample) {
      const value = Number(s.value[0]);
      const frames = [...s.locationId].reverse().flatMap((id) => locations.get(id) ?? []);
      let node = root;
      node.total += value;
      for (const name of frames) {
        let child = node.children.get(name);
        if (!child) {
          child = { name, total: 0, self: 0, children: new Map() };
          node.children.set(name, child);
        }
        child.total += value;
        node = child;
      }
      node.self += value;
    }
  }
  const names: string[] = [];
  const index = new Map<string, number>();
  const levels: Array<{ values: string[] }> = [];
  let maxSelf = 0;
  let nodes = 0;
  const visit = (node: Node, depth: number, x: number) => {
    if (maxNodes > 0 && nodes >= maxNodes) {
      return;
    }
    nodes++;
    if (!index.has(node.name)) {
      index.set(node.name, names.length);
      names.push(node.name);
    }
    const level = (levels[depth] ??= { values: [] });
    const prevEnd = level.values.length === 0 ? 0 : levelEnd(level.values);
    level.values.push(String(x - prevEnd), String(node.total), String(node.self), String(index.get(node.name)));
    maxSelf = Math.max(maxSelf, node.self);
    let childX = x;
    for (const child of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      visit(child, depth + 1, childX);
      childX += child.total;
    }
  };
  visit(root, 0, 0);
  return { names, levels, total: String(root.total), maxSelf: String(maxSelf) };
}

/** Where the last node of a level ends, from its delta-encoded offsets. */
function levelEnd(values: string[]): number {
  let x = 0;
  for (let i = 0; i < values.length; i += 4) {
    x += Number(values[i]) + (i + 4 < values.length ? Number(values[i + 1]) : 0);
  }
  return x + Number(values[values.length - 3]);
}
