/** The pipeline client's file keys: every drop is its own generation, so a pinned plan never takes a later file. */
import { readFixture } from '../../../../../tests/helpers/fixtures';
import { PlanInput } from '../../pipeline/pipelineMessages';
import { PipelineClient } from '../pipelineClient';

jest.setTimeout(60_000);

let pipeline: PipelineClient;
beforeEach(() => (pipeline = new PipelineClient()));
afterEach(() => pipeline.terminate());

const input: PlanInput = {
  fileIds: ['file:a.json'],
  options: { serviceName: 'svc', fromMs: Date.UTC(2026, 10, 25, 12), toMs: Date.UTC(2026, 10, 25, 12, 1) },
};
const NO_LONGER_LOADED = 'A file of this upload is no longer loaded; drop it again.';

function drop(fixture: string) {
  const file = new File([new Uint8Array(readFixture(fixture))], 'a.json');
  return pipeline.parse('file:a.json', file, { sliceSeconds: 10, maxJsonBytes: 1 << 30 }, () => {}).result;
}

const threadNames = async (planInput: PlanInput) =>
  (await pipeline.plan(planInput).result).plan?.threads.map((t) => t.labelValue);

describe('PipelineClient file generations', () => {
  it('a pinned input names the drop it was pinned on: after a new drop of the same name it is no longer loaded', async () => {
    await drop('py-spy-0.4.1-2threads-small.speedscope.json');
    const pinned = pipeline.pin(input);
    expect(pinned.fileIds).toEqual(['file:a.json@1']);
    expect(await threadNames(pinned)).toEqual(['MainThread', 'GetTelemetryConfig']);

    await drop('speedscope-0.6.0-two-sampled.speedscope.json');
    expect(await pipeline.plan(pinned).result).toEqual({ problems: [NO_LONGER_LOADED] });
    await expect(pipeline.archive(pinned).result).rejects.toThrow(NO_LONGER_LOADED);
    // The page's own input names the file as it is now.
    expect(await threadNames(input)).toEqual(['one', 'two']);
    expect(pipeline.pin(input).fileIds).toEqual(['file:a.json@2']);
  });

  it('a removed file is no longer loaded, pinned or not', async () => {
    await drop('py-spy-0.4.1-2threads-small.speedscope.json');
    const pinned = pipeline.pin(input);
    pipeline.remove('file:a.json');
    expect(await pipeline.plan(pinned).result).toEqual({ problems: [NO_LONGER_LOADED] });
    expect(await pipeline.plan(input).result).toEqual({ problems: [NO_LONGER_LOADED] });
  });
});
