import { act, configure, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';
import { readFixture } from '../../../../tests/helpers/fixtures';
import { PlanError, planUpload } from '../../../core/plan/planUpload';
import { UploadOptions } from '../../../core/plan/uploadOptions';
import { parseSpeedscope } from '../../../core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../../core/threads/threadModel';
import { summarizePlan } from '../domain/summaries';
import { buildThreadRows, ThreadChoiceUi, withPlannedThreads } from '../domain/threadRows';
import { initialForm, UploadForm, uploadOptionsFrom } from '../domain/uploadForm';
import { ThreadTable } from '../ui/ThreadTable';
import { syntheticDotnetDocument } from '../../../../tests/helpers/syntheticDotnet';
import { parsedUploadFiles } from '../../../../tests/helpers/parsedUploadFiles';

configure({ asyncUtilTimeout: 20_000 });
jest.setTimeout(60_000);

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const RANGE = { fromMs: NOW - 10 * 60_000, toMs: NOW };
const PY_SPY = 'py-spy-0.4.1-2threads-small.speedscope.json';
const DOTNET = 'synthetic-dotnet.speedscope.json';

/** A dotnet-trace thread-time export: 2 ms on the CPU of 10 ms. */
function syntheticDotnet(): ParsedFile {
  return parseSpeedscope(DOTNET, new TextEncoder().encode(JSON.stringify(syntheticDotnetDocument())));
}

function plannedOrUndefined(parsed: ParsedFile[], options: UploadOptions) {
  try {
    return summarizePlan(planUpload(parsed, options));
  } catch (error) {
    if (error instanceof PlanError) {
      return undefined;
    }
    throw error;
  }
}

/** The page's loop without the worker: choices → rows → options → the real planner → rows as planned. */
function Harness({ parsed, onOptions }: { parsed: ParsedFile[]; onOptions: (options: UploadOptions) => void }) {
  const files = parsedUploadFiles(parsed);
  const [choices, setChoices] = useState<Record<string, ThreadChoiceUi>>({});
  const [form, setForm] = useState<UploadForm>(() => initialForm({}, NOW));
  const [selected, setSelected] = useState<string>();
  const rows = buildThreadRows(files, choices);
  const options = { ...uploadOptionsFrom(form, rows, 'shop', RANGE, undefined), nowMs: NOW };
  onOptions(options);
  // As on the page: options the planner refuses leave the rows as the files say (the page lists the problems).
  const plan = plannedOrUndefined(parsed, options);
  return (
    <ThreadTable
      rows={withPlannedThreads(rows, plan)}
      selectedKey={selected}
      threadLabelName={plan?.threadLabelName}
      services={plan?.services}
      fileServices={form.fileServices}
      onChange={(uiKey, patch) => setChoices((c) => ({ ...c, [uiKey]: { ...c[uiKey], ...patch } }))}
      onChangeFileService={(fileId, serviceName) =>
        setForm((f) => ({ ...f, fileServices: { ...f.fileServices, ...(serviceName && { [fileId]: serviceName }) } }))
      }
      onToggleAll={() => {}}
      onShow={setSelected}
    />
  );
}

function renderTable(...parsed: ParsedFile[]) {
  const seen: { options?: UploadOptions } = {};
  const view = render(<Harness parsed={parsed} onOptions={(options) => (seen.options = options)} />);
  return { ...view, seen };
}

const pySpy = () => parseSpeedscope(PY_SPY, new Uint8Array(readFixture(PY_SPY)));
const valueOf = (label: string, index: number) =>
  screen.getByRole('textbox', { name: `Value of label ${label} of ${PY_SPY} profile ${index}` });

describe('ThreadTable', () => {
  it("shows the labels derived from py-spy's names, whole, with each thread's type and why", () => {
    renderTable(pySpy());
    expect(screen.getByRole('textbox', { name: `Thread label value for ${PY_SPY} profile 0` })).toHaveValue(
      'MainThread'
    );
    expect(valueOf('thread_id', 0)).toHaveValue('680254');
    expect(valueOf('thread_id', 1)).toHaveValue('680344');
    expect(
      screen.getAllByText(
        'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.'
      )
    ).toHaveLength(2);
    expect(screen.getByRole('textbox', { name: `Service of ${PY_SPY}` })).toHaveValue('shop');
  });

  it('edits a derived label, removes one, and the upload options carry exactly that', async () => {
    const { seen } = renderTable(pySpy());
    await userEvent.clear(valueOf('thread_id', 0));
    await userEvent.type(valueOf('thread_id', 0), 'main-1{Enter}');
    expect(valueOf('thread_id', 0)).toHaveValue('main-1');
    expect(seen.options?.threads?.['0:0']).toEqual({ include: true, labels: [{ name: 'thread_id', value: 'main-1' }] });

    await userEvent.click(screen.getByRole('button', { name: `Remove label thread_id of ${PY_SPY} profile 1` }));
    expect(screen.queryByRole('textbox', { name: `Value of label thread_id of ${PY_SPY} profile 1` })).toBeNull();
    expect(seen.options?.threads?.['0:1']).toEqual({ include: true, labels: [] });

    // A name Pyroscope would refuse is said where it is typed.
    const name = screen.getByRole('textbox', { name: `Label name 1 of ${PY_SPY} profile 0` });
    await userEvent.clear(name);
    await userEvent.type(name, '1bad{Enter}');
    expect(
      screen.getByText('Label name "1bad" must start with a letter or _ and contain only letters, digits and _.')
    ).toBeInTheDocument();

    await userEvent.click(screen.getAllByRole('button', { name: "Restore the file's labels" })[1]);
    expect(valueOf('thread_id', 1)).toHaveValue('680344');

    // A label of its own: added once it has a name and a value.
    await userEvent.click(screen.getAllByRole('button', { name: 'Add label' })[1]);
    await userEvent.type(screen.getByRole('textbox', { name: `Name of the new label of ${PY_SPY} profile 1` }), 'pid');
    await userEvent.tab();
    expect(seen.options?.threads?.['0:1']).toEqual({ include: true });
    await userEvent.type(
      screen.getByRole('textbox', { name: `Value of the new label of ${PY_SPY} profile 1` }),
      '680254{Enter}'
    );
    expect(seen.options?.threads?.['0:1']).toEqual({
      include: true,
      labels: [
        { name: 'thread_id', value: '680344' },
        { name: 'pid', value: '680254' },
      ],
    });
    expect(valueOf('pid', 1)).toHaveValue('680254');
  });

  it('overrides the type of one thread and shows why', async () => {
    const { seen } = renderTable(pySpy());
    const type = screen.getByRole('radiogroup', { name: `Profile type of ${PY_SPY} profile 1` });
    expect(within(type).getByRole('radio', { name: 'CPU time' })).toBeChecked();
    await userEvent.click(within(type).getByRole('radio', { name: 'Wall time' }));
    expect(seen.options?.threads?.['0:1']).toEqual({ include: true, profileType: 'wall' });
    const row = screen.getByRole('button', { name: 'Thread 680344 "GetTelemetryConfig"' }).closest('tr')!;
    expect(within(row).getByText('Chosen for this thread.')).toBeInTheDocument();
    expect(within(type).getByRole('radio', { name: 'Wall time' })).toBeChecked();
    // The other thread keeps its suggestion.
    expect(
      within(screen.getByRole('radiogroup', { name: `Profile type of ${PY_SPY} profile 0` })).getByRole('radio', {
        name: 'CPU time',
      })
    ).toBeChecked();
  });

  it("offers dotnet-trace's CPU part as its own CPU series", async () => {
    const { seen } = renderTable(syntheticDotnet());
    const reason = screen.getByText(/^dotnet-trace's thread time covers the thread's whole life: 2 ms of 10 ms/);
    expect(reason).toBeInTheDocument();
    expect(
      within(screen.getByRole('radiogroup', { name: `Profile type of ${DOTNET} profile 0` })).getByRole('radio', {
        name: 'Wall time',
      })
    ).toBeChecked();
    await userEvent.click(screen.getByRole('checkbox', { name: /Also push its CPU part as a CPU series/ }));
    expect(seen.options?.threads?.['0:0']).toEqual({ include: true, alsoCpu: true });
    expect(screen.getByText('CPU series: 2.00 ms in 1 profile.')).toBeInTheDocument();
  });

  it('keeps the focus on a thread name after Enter, and has no unnamed focusable wrapper', async () => {
    renderTable(pySpy());
    const name = screen.getByRole('button', { name: 'Thread 680344 "GetTelemetryConfig"' });
    act(() => name.focus());
    await userEvent.keyboard('{Enter}');
    expect(screen.getByRole('button', { name: 'Thread 680344 "GetTelemetryConfig"' })).toHaveAttribute(
      'aria-pressed',
      'true'
    );
    expect(document.activeElement).toBe(name);

    // Every element reachable with Tab in the table is a control with a name.
    const table = screen.getAllByRole('table')[0];
    const focusable = [
      ...table.querySelectorAll<HTMLElement>('[tabindex]:not([tabindex="-1"]), input, button, textarea'),
    ];
    for (const element of focusable.filter((e) => !(e as HTMLButtonElement).disabled)) {
      expect(['BUTTON', 'INPUT', 'TEXTAREA']).toContain(element.tagName);
    }
  });
});
