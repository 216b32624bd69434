import { readFixture } from '../../../../../tests/helpers/fixtures';
import { PipelinePort, PipelineRequest, PipelineResponse, PlanInput } from '../pipelineMessages';
import { servePipeline } from '../servePipeline';

/** The pipeline's side of a port, driven by hand: requests in, every response recorded in order. */
function servedPort() {
  const responses: PipelineResponse[] = [];
  const waiters: Array<() => void> = [];
  const port: PipelinePort = {
    onmessage: null,
    postMessage: (message) => {
      responses.push(message as PipelineResponse);
      waiters.splice(0).forEach((wake) => wake());
    },
  };
  servePipeline(port, 25);
  const send = (request: PipelineRequest) => port.onmessage?.({ data: request } as MessageEvent);
  /** Waits until a response matches, without a time bound of its own (jest's test timeout ends a hang). */
  const until = async (match: (r: PipelineResponse) => boolean): Promise<PipelineResponse> => {
    for (;;) {
      const found = responses.find(match);
      if (found) {
        return found;
      }
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { responses, send, until };
}

const FIXTURE = 'py-spy-0.4.1-3threads-large.speedscope.json';
const input: PlanInput = {
  fileIds: ['a'],
  options: { serviceName: 'svc', fromMs: Date.UTC(2026, 10, 25, 12), toMs: Date.UTC(2026, 10, 25, 12, 1) },
};
const isFrom = (id: number, kind: PipelineResponse['kind']) => (r: PipelineResponse) =>
  'id' in r && r.id === id && r.kind === kind;

describe('the upload pipeline behind its messages', () => {
  it('parses, plans, makes no more batches than acknowledged, stops on cancel and keeps its files', async () => {
    const { responses, send, until } = servedPort();
    const file = new File([new Uint8Array(readFixture(FIXTURE))], FIXTURE);
    send({ op: 'parse', id: 1, fileId: 'a', file, fileName: FIXTURE, sliceSeconds: 10, maxJsonBytes: 1 << 30 });
    const parsed = await until(isFrom(1, 'done'));
    // A summary: stats of each thread, never its stacks.
    const summary = (parsed as { value: { profiles: Array<Record<string, unknown>> } }).value;
    expect(summary.profiles.map((p) => [p.name, 'tree' in p, 'samples' in p, p.pushable])).toEqual([
      ['Thread 725838 ""', false, false, true],
      ['Thread 726007 "MLflowTelemetryConsumer-0"', false, false, true],
      ['Thread 726008 "GetTelemetryConfig"', false, false, true],
    ]);

    send({ op: 'plan', id: 2, input });
    const planned = (await until(isFrom(2, 'done'))) as {
      value: { plan: { profileCount: number; threads: unknown[] } };
    };
    expect(planned.value.plan.threads).toHaveLength(3);
    expect(planned.value.plan).not.toHaveProperty('profiles');

    // A window of one: the second batch waits for the page's acknowledgement of the first.
    send({ op: 'push', id: 3, input, window: 1 });
    await until(isFrom(3, 'batch'));
    await new Promise((r) => setTimeout(r, 50));
    expect(responses.filter(isFrom(3, 'batch'))).toHaveLength(1);
    send({ op: 'ack', id: 3 });
    await until((r) => responses.filter(isFrom(3, 'batch')).length === 2 || isFrom(3, 'done')(r));
    const batchesBeforeCancel = responses.filter(isFrom(3, 'batch')).length;
    send({ op: 'cancel', id: 3 });
    const ended = await until((r) => isFrom(3, 'failed')(r) || isFrom(3, 'done')(r));
    if (ended.kind === 'failed') {
      expect(ended).toMatchObject({ message: 'Cancelled.', cancelled: true });
      expect(responses.filter(isFrom(3, 'batch'))).toHaveLength(batchesBeforeCancel);
    }

    // The files stay: a retry of one thread makes exactly that thread's profiles again.
    send({ op: 'push', id: 4, input, only: ['0:1'], window: 4 });
    await until(isFrom(4, 'done'));
    const retried = responses.filter(isFrom(4, 'batch')) as Array<{ profiles: Array<{ threadKey: string }> }>;
    expect(retried.flatMap((b) => b.profiles.map((p) => p.threadKey))).toEqual(['0:1']);
  });
});
