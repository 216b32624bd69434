import { readFixture } from '../../../../../tests/helpers/fixtures';
import { planUpload } from '../../../../core/plan/planUpload';
import { parseSpeedscope } from '../../../../core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../../../core/threads/threadModel';
import { summarizePlan } from '../summaries';
import { buildThreadRows, ThreadChoiceUi, withPlannedThreads } from '../threadRows';
import { UploadFile } from '../uploadFiles';
import { initialForm, UploadForm, uploadOptionsFrom } from '../uploadForm';
import { parsedUploadFiles } from '../../../../../tests/helpers/parsedUploadFiles';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const RANGE = { fromMs: NOW - 10 * 60_000, toMs: NOW };

function parse(name: string): ParsedFile {
  return parseSpeedscope(name, new Uint8Array(readFixture(name)));
}

/** Parsed on "the worker side" and summarized as the page receives them; ids as the page gives them. */
function dropped(...names: string[]): { parsed: ParsedFile[]; files: UploadFile[] } {
  const parsed = names.map(parse);
  const files = parsedUploadFiles(parsed);
  return { parsed, files };
}

const form = (patch: Partial<UploadForm> = {}): UploadForm => ({
  ...initialForm({}, NOW),
  ...patch,
});

describe('thread rows', () => {
  const PY_SPY = 'py-spy-0.4.1-2threads-small.speedscope.json';
  const TWO = 'speedscope-0.6.0-two-sampled.speedscope.json';

  it("show the labels and type the planner derives from py-spy's names, before and after planning", () => {
    const { parsed, files } = dropped(PY_SPY, TWO);
    const rows = buildThreadRows(files, {});
    expect(rows.map((r) => [r.planKey, r.name, r.labelValue, r.labels, r.profileType, r.allowedProfileTypes])).toEqual([
      [
        '0:0',
        'Thread 680254 "MainThread"',
        'MainThread',
        [{ name: 'thread_id', value: '680254' }],
        'cpu',
        ['cpu', 'wall'],
      ],
      [
        '0:1',
        'Thread 680344 "GetTelemetryConfig"',
        'GetTelemetryConfig',
        [{ name: 'thread_id', value: '680344' }],
        'cpu',
        ['cpu', 'wall'],
      ],
      ['1:0', 'one', 'one', [], 'cpu', ['cpu', 'wall']],
      ['1:1', 'two', 'two', [], 'cpu', ['cpu', 'wall']],
    ]);
    expect(rows[0].profileTypeReason).toBe(
      'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.'
    );

    const plan = summarizePlan(planUpload(parsed, uploadOptionsFrom(form(), rows, 'shop', RANGE, undefined)));
    const planned = withPlannedThreads(rows, plan);
    expect(planned.map((r) => [r.labelValue, r.duplicate, r.serviceName, r.profileTypeReason])).toEqual([
      ['MainThread', false, 'shop-py-spy-0.4.1-2threads-small', rows[0].profileTypeReason],
      ['GetTelemetryConfig', false, 'shop-py-spy-0.4.1-2threads-small', rows[0].profileTypeReason],
      [
        'one',
        false,
        'shop-speedscope-0.6.0-two-sampled',
        'Nothing in the file says whether waiting time is included; CPU time is the default.',
      ],
      [
        'two',
        false,
        'shop-speedscope-0.6.0-two-sampled',
        'Nothing in the file says whether waiting time is included; CPU time is the default.',
      ],
    ]);
  });

  it('turn edited labels, a per-thread type, alsoCpu and per-file services into exact upload options', () => {
    const { files } = dropped(PY_SPY, TWO);
    const choices: Record<string, ThreadChoiceUi> = {
      'file-0#0': { labelValue: 'main', labels: [{ name: 'thread_id', value: '1' }], profileType: 'wall' },
      'file-0#1': { labels: [] },
      'file-1#1': { include: false, alsoCpu: true },
    };
    const rows = buildThreadRows(files, choices);
    expect(rows[0]).toMatchObject({ labelValue: 'main', labelEdited: true, labelsEdited: true });
    expect(rows[0].profileTypeReason).toBe('Chosen for this thread.');
    const options = uploadOptionsFrom(
      form({ fileServices: { 'file-1': 'samples-app' }, sliceSeconds: 5 }),
      rows,
      'shop',
      RANGE,
      'thread'
    );
    expect(options).toEqual({
      serviceName: 'shop',
      fromMs: RANGE.fromMs,
      toMs: RANGE.toMs,
      profileType: undefined,
      sampleRateHz: undefined,
      extraLabels: [],
      threadLabelName: 'thread',
      sliceSeconds: 5,
      fileServices: [undefined, 'samples-app'],
      threads: {
        '0:0': { include: true, labelValue: 'main', labels: [{ name: 'thread_id', value: '1' }], profileType: 'wall' },
        '0:1': { include: true, labels: [] },
        '1:0': { include: true },
        '1:1': { include: false, alsoCpu: true },
      },
    });
    // Without a service set per file, the planner's suggestion applies: no fileServices at all.
    expect(uploadOptionsFrom(form(), rows, 'shop', RANGE, undefined)).not.toHaveProperty('fileServices');
  });

  it('keep the suffix the planner gives a thread whose name another thread in the same series has', () => {
    const { parsed, files } = dropped(TWO);
    const rows = buildThreadRows(files, { 'file-0#1': { labelValue: 'one' } });
    const plan = summarizePlan(planUpload(parsed, uploadOptionsFrom(form(), rows, 'shop', RANGE, undefined)));
    const planned = withPlannedThreads(rows, plan);
    expect(planned.map((r) => [r.labelValue, r.duplicate, r.plannedLabelValue])).toEqual([
      ['one', false, 'one'],
      ['one', true, 'one (2)'],
    ]);
  });

  it('offer CPU and wall time for sample counts only with a sampling rate, as the planner allows', () => {
    const { files } = dropped('speedscope-0.0.1-simple-evented.speedscope.json');
    const rows = buildThreadRows(files, {});
    expect(rows[0].allowedProfileTypes).toEqual(['samples']);
    expect(withPlannedThreads(rows, undefined, 100)[0].allowedProfileTypes).toEqual(['samples', 'cpu', 'wall']);
  });
});
