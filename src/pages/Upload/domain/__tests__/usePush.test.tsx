/**
 * usePush with the real pipeline (on the page: jsdom has no Worker) and a recording fake of Grafana's backendSrv:
 * what a retry and the zip do after a file was dropped again, and where the read-back of a write-route push goes.
 */
import { act, renderHook, waitFor } from '@testing-library/react';
import { setBackendSrv } from '@grafana/runtime';
import { FakeBackendSrv } from '../../../../../tests/helpers/fakeBackendSrv';
import { readFixture } from '../../../../../tests/helpers/fixtures';
import { PipelineClient } from '../../infrastructure/pipelineClient';
import { PlanInput } from '../../pipeline/pipelineMessages';
import { ProgressFeed, usePush } from '../usePush';

jest.setTimeout(60_000);

let backend: FakeBackendSrv;
let pipeline: PipelineClient;

beforeEach(() => {
  backend = new FakeBackendSrv();
  setBackendSrv(backend as never);
  pipeline = new PipelineClient();
});
afterEach(() => pipeline.terminate());

function fixtureFile(name: string, as = name): File {
  return new File([new Uint8Array(readFixture(name))], as);
}

const NOW = Date.now();
const input: PlanInput = {
  fileIds: ['file:a.json'],
  options: { serviceName: 'svc', fromMs: NOW - 60_000, toMs: NOW },
};
const noSleep = () => Promise.resolve();

async function parsedAndPlanned(fixture: string) {
  await pipeline.parse(
    'file:a.json',
    fixtureFile(fixture, 'a.json'),
    { sliceSeconds: 10, maxJsonBytes: 1 << 30 },
    () => {}
  ).result;
  const { plan } = await pipeline.plan(input).result;
  return plan!;
}

const REJECTED = { status: 400, body: { code: 'invalid_argument', message: 'rejected by the test' } };

describe('usePush', () => {
  it('a retry after the file was dropped again fails clearly, sends nothing, and so does the zip', async () => {
    const plan = await parsedAndPlanned('py-spy-0.4.1-2threads-small.speedscope.json');
    backend.answer(...Array.from({ length: 20 }, () => REJECTED));
    const { result } = renderHook(() => usePush(pipeline, { sleep: noSleep }));
    const target = { kind: 'datasource', uid: 'pyro', name: 'Pyroscope' } as const;
    await act(() => result.current.start(plan, input, target));
    expect(result.current.state.phase).toBe('done');
    expect(result.current.state.report?.threads.map((t) => t.status)).toEqual(['failed', 'failed']);
    const requestsBefore = backend.requests.length;

    // The same name, new content: the page's file id stays, the drop is a new one.
    await parsedAndPlanned('speedscope-0.6.0-two-sampled.speedscope.json');
    await act(() => result.current.retryFailed());
    const state = result.current.state;
    expect(state.error ?? state.report?.error).toMatch(/A file of this upload is no longer loaded; drop it again\./);
    expect(backend.requests).toHaveLength(requestsBefore);

    let zip: Uint8Array | undefined;
    await act(async () => {
      zip = await result.current.archive();
    });
    expect(zip).toBeUndefined();
    expect(result.current.state.error).toBe('A file of this upload is no longer loaded; drop it again.');
  });

  it('a retry of a file that was not dropped again sends that plan again', async () => {
    const plan = await parsedAndPlanned('py-spy-0.4.1-2threads-small.speedscope.json');
    // One request with both profiles, then each alone: all three rejected. Later answers are the fake's `{}`.
    backend.answer(REJECTED, REJECTED, REJECTED);
    const { result } = renderHook(() => usePush(pipeline, { sleep: noSleep }));
    await act(() => result.current.start(plan, input, { kind: 'datasource', uid: 'pyro', name: 'Pyroscope' }));
    expect(result.current.state.report?.threads.map((t) => t.status)).toEqual(['failed', 'failed']);
    const failedBodies = backend.requests.map((r) => r.body);
    expect(failedBodies).toHaveLength(3);
    await act(() => result.current.retryFailed());
    await waitFor(() => expect(result.current.state.verification?.phase).toBe('done'));
    expect(result.current.state.report?.complete).toBe(true);
    // The same profiles, byte for byte, as the first push sent.
    const retried = backend.requests.slice(failedBodies.length).filter((r) => r.url.endsWith('/Push'));
    expect(retried.map((r) => r.body)).toEqual([failedBodies[0]]);
  });

  it('reads a write-route push back through the read route, never the write route', async () => {
    const plan = await parsedAndPlanned('py-spy-0.4.1-2threads-small.speedscope.json');
    const { result } = renderHook(() => usePush(pipeline, { sleep: noSleep }));
    await act(() => result.current.start(plan, input, { kind: 'app-route', url: 'https://pyroscope.example' }));
    await waitFor(() => expect(result.current.state.verification?.phase).toBe('done'));
    const paths = backend.requests.map((r) => r.url);
    const base = '/api/plugin-proxy/flamedrop-speedscope-app';
    expect(
      paths.filter((p) => p.endsWith('/Push')).every((p) => p === `${base}/pyroscope-write/push.v1.PusherService/Push`)
    ).toBe(true);
    const reads = paths.filter((p) => !p.endsWith('/Push'));
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(new Set([`${base}/pyroscope-read/querier.v1.QuerierService/SelectSeries`]));
  });
});

describe('ProgressFeed', () => {
  const progress = (profilesSent: number) => ({
    profilesSent,
    profilesStored: profilesSent,
    profilesTotal: 10,
    bytesSent: 0,
    bytesTotal: 0,
  });

  it('tells its subscribers at most once per interval, with the latest progress', () => {
    jest.useFakeTimers();
    try {
      const feed = new ProgressFeed(100);
      const seen: Array<number | undefined> = [];
      feed.subscribe(() => seen.push(feed.get()?.profilesSent));
      for (let sent = 1; sent <= 5; sent++) {
        feed.set(progress(sent));
      }
      expect(seen).toEqual([]);
      jest.advanceTimersByTime(100);
      expect(seen).toEqual([5]);
      feed.set(progress(6));
      feed.flush();
      jest.advanceTimersByTime(100);
      expect(seen).toEqual([5, 6]);
    } finally {
      jest.useRealTimers();
    }
  });
});
