import { startTransition, useCallback, useMemo, useState } from 'react';
import { labelValueProblem } from '../../../core/plan/labels';
import { DEFAULT_MAX_FILE_SIZE_MB } from '../../../settings';
import { useEmbeddedExploration } from '../infrastructure/grafanaExtensions';
import { PushTarget } from '../infrastructure/grafanaTransport';
import { downloadBytes, pyroscopeDatasources, usePluginSettings, userCanPush } from '../infrastructure/grafanaRuntime';
import { readSessionFlag, writeSessionFlag } from '../infrastructure/sessionPreference';
import { PlanInput } from '../pipeline/pipelineMessages';
import { placeAfter, summarizeExisting, useExistingData } from './existingData';
import { explorationChoices } from './links';
import { buildThreadRows, parsedFilesOf, ThreadChoiceUi, withPlannedThreads } from './threadRows';
import {
  defaultRange,
  initialForm,
  serviceNameFromFile,
  UploadForm,
  uploadOptionsFrom,
  uploadSpanMs,
} from './uploadForm';
import { useFlameGraph } from './useFlameGraph';
import { usePipeline } from './usePipeline';
import { usePush } from './usePush';
import { useUploadFiles } from './useUploadFiles';
import { useStructurallyStable } from './useStructurallyStable';
import { useUploadPlan } from './useUploadPlan';

/** A request to bring a thread's flame graph into view; `count` tells one request from the next. */
export interface FlameGraphReveal {
  uiKey: string;
  count: number;
}

/** The flame graph stays collapsed for the rest of the session once the user collapses it. */
const FLAME_GRAPH_COLLAPSED = 'flameGraphCollapsed';

/** Everything the Upload page shows (`data`) and everything the user can do on it (`actions`). */
export function useUploadPage() {
  const settings = usePluginSettings();
  const maxFileSizeMb = settings.maxFileSizeMb ?? DEFAULT_MAX_FILE_SIZE_MB;
  const [choices, setChoices] = useState<Record<string, ThreadChoiceUi>>({});
  const [form, setForm] = useState<UploadForm>(() => initialForm(settings, Date.now()));
  const pipeline = usePipeline();
  const { files, addFiles, removeFile } = useUploadFiles(pipeline, maxFileSizeMb, form.sliceSeconds);
  const [shownKey, setShownKey] = useState<string>();
  const push = usePush(pipeline);
  const datasources = useMemo(() => pyroscopeDatasources(), []);
  const canPush = userCanPush();

  const rows = useMemo(() => buildThreadRows(files, choices), [files, choices]);
  const spanMs = uploadSpanMs(rows);
  const range = useMemo(
    () => form.range ?? defaultRange(form.anchorMs, spanMs, form.sliceSeconds),
    [form.range, form.anchorMs, spanMs, form.sliceSeconds]
  );
  const datasourceUid = form.datasourceUid ?? datasources[0]?.uid;
  const datasource = datasources.find((d) => d.uid === datasourceUid);
  const serviceName =
    form.serviceName ?? (settings.defaultServiceName || (files[0] ? serviceNameFromFile(files[0].name) : ''));
  const serviceNameProblem = files.length > 0 ? labelValueProblem('service_name', serviceName) : undefined;

  // The same list, in the same order, that buildThreadRows numbers the planner's thread keys by.
  const fileIds = parsedFilesOf(files).map((f) => f.id);
  const planInput = useStructurallyStable<PlanInput | undefined>(
    fileIds.length > 0
      ? { fileIds, options: uploadOptionsFrom(form, rows, serviceName, range, settings.threadLabelName) }
      : undefined
  );
  const { plan, input: plannedInput, problems, planning } = useUploadPlan(pipeline, planInput);

  const target = useMemo(
    (): PushTarget | undefined =>
      form.target === 'app-route' && settings.pushUrl
        ? { kind: 'app-route', url: settings.pushUrl }
        : datasource
          ? { kind: 'datasource', uid: datasource.uid, name: datasource.name }
          : undefined,
    [form.target, settings.pushUrl, datasource]
  );
  const disabledReason = !canPush
    ? 'Only Editors and Admins can push profiles. You can still inspect the files.'
    : !target
      ? 'Choose a Pyroscope datasource to push to.'
      : problems.length > 0 || !plan
        ? undefined
        : plan.profileCount === 0
          ? 'No thread is selected or has data to push.'
          : planning
            ? 'Updating what will be written…'
            : undefined;

  const tableRows = useMemo(() => withPlannedThreads(rows, plan, form.sampleRateHz), [rows, plan, form.sampleRateHz]);
  const shownRow = rows.find((r) => r.uiKey === shownKey) ?? rows.find((r) => r.included);
  const flameGraphRows = useFlameGraph(pipeline, shownRow?.fileId, shownRow?.thread);
  const [flameGraphCollapsed, setFlameGraphCollapsed] = useState(() => readSessionFlag(FLAME_GRAPH_COLLAPSED) ?? false);
  /** The user's latest request to see a thread's flame graph (numbered): the graph scrolls into view for each. */
  const [flameGraphReveal, setFlameGraphReveal] = useState<FlameGraphReveal>();

  // Before a push: data already under the plan's labels in its range. Re-checked after each push, never during one.
  const existing = useExistingData(plan, target, canPush && push.state.phase !== 'pushing', push.state.report);
  const existingSummary = useMemo(
    () =>
      existing?.phase === 'done' && plan
        ? summarizeExisting(existing.report, { fromMs: plan.fromMs, toMs: plan.toMs }, existing.checkedAtMs)
        : undefined,
    [existing, plan]
  );

  // After a push to a datasource: Profiles Drilldown's exploration in the page, when this Grafana offers it.
  const exploration = useEmbeddedExploration();
  const [explorationKey, setExplorationKey] = useState<string>();
  const pushedTo = push.state.target;
  const pushedReport = push.state.report;
  const pushedPlan = push.state.plan;
  const explorations = useMemo(() => {
    if (!pushedPlan || !pushedReport || pushedTo?.kind !== 'datasource') {
      return [];
    }
    const pushed = new Set(pushedReport.threads.filter((t) => t.status === 'pushed').map((t) => t.threadKey));
    return explorationChoices(pushedPlan, pushed, pushedTo.uid);
  }, [pushedPlan, pushedReport, pushedTo]);

  const changeForm = useCallback((patch: Partial<UploadForm>) => setForm((f) => ({ ...f, ...patch })), []);
  const showThread = useCallback((uiKey: string) => {
    setShownKey(uiKey);
    setFlameGraphReveal((previous) => ({ uiKey, count: (previous?.count ?? 0) + 1 }));
    // Choosing a thread is asking to see its graph.
    setFlameGraphCollapsed(false);
    writeSessionFlag(FLAME_GRAPH_COLLAPSED, false);
  }, []);
  const toggleFlameGraph = useCallback(
    () =>
      setFlameGraphCollapsed((collapsed) => {
        writeSessionFlag(FLAME_GRAPH_COLLAPSED, !collapsed);
        return !collapsed;
      }),
    []
  );
  const placeAfterExisting = useCallback(() => {
    if (existing?.phase === 'done' && existing.report.placeAfterMs !== undefined) {
      const place = placeAfter(existing.report.placeAfterMs, range, Date.now());
      if (place.possible) {
        setForm((f) => ({ ...f, range: place.range }));
      }
    }
  }, [existing, range]);
  const placeAtNow = useCallback(() => setForm((f) => ({ ...f, range: undefined, anchorMs: Date.now() })), []);
  const widenSlices = useCallback((sliceSeconds: number) => setForm((f) => ({ ...f, sliceSeconds })), []);
  const dropFiles = useCallback(
    (dropped: File[]) => {
      addFiles(dropped);
      // In the same transition as the dropped files: an urgent update here made React render the whole form (its time
      // range input among it) in the drop's event, one 50 ms task.
      const anchorMs = Date.now();
      startTransition(() => setForm((f) => ({ ...f, anchorMs })));
    },
    [addFiles]
  );
  const changeFileService = useCallback(
    (fileId: string, serviceName: string | undefined) =>
      setForm((f) => {
        const { [fileId]: _previous, ...others } = f.fileServices ?? {};
        return { ...f, fileServices: serviceName === undefined ? others : { ...others, [fileId]: serviceName } };
      }),
    []
  );
  const changeThread = useCallback(
    (uiKey: string, patch: Partial<ThreadChoiceUi>) =>
      setChoices((c) => ({ ...c, [uiKey]: { ...c[uiKey], ...patch } })),
    []
  );
  const includeAll = useCallback(
    (include: boolean) => setChoices((c) => Object.fromEntries(rows.map((r) => [r.uiKey, { ...c[r.uiKey], include }]))),
    [rows]
  );
  const { start, archive } = push;
  const existingReport = existing?.phase === 'done' ? existing.report : undefined;
  const startPush = useCallback(() => {
    if (plan && plannedInput && target) {
      start(plan, plannedInput, target, existingReport);
    }
  }, [plan, plannedInput, target, start, existingReport]);
  const pushedServiceName = push.state.plan?.serviceName;
  const download = useCallback(async () => {
    const zip = await archive();
    if (zip) {
      downloadBytes(zip, `${pushedServiceName || 'speedscope'}-pprof.zip`, 'application/zip');
    }
  }, [archive, pushedServiceName]);

  return {
    data: {
      maxFileSizeMb,
      files,
      hasParsedFiles: fileIds.length > 0,
      rows: tableRows,
      shownRow,
      flameGraphRows,
      flameGraphCollapsed,
      flameGraphReveal,
      form,
      serviceName,
      serviceNameProblem,
      range,
      hasDatasources: datasources.length > 0,
      datasourceUid,
      writeTargetUrl: settings.pushUrl,
      needsSampleRate: rows.some((r) => r.thread?.kind === 'count' && r.included),
      plan,
      problems,
      planning,
      canPush,
      disabledReason,
      targetLabel: target?.kind === 'app-route' ? `write target ${target.url}` : `datasource ${datasource?.name ?? ''}`,
      push: push.state,
      existing,
      existingSummary,
      exploration:
        exploration && explorations.length > 0 && push.state.phase === 'done'
          ? {
              component: exploration,
              choices: explorations,
              chosen: explorations.find((c) => c.key === explorationKey) ?? explorations[0],
            }
          : undefined,
    },
    actions: {
      dropFiles,
      removeFile,
      changeThread,
      changeFileService,
      includeAll,
      showThread,
      toggleFlameGraph,
      placeAfterExisting,
      chooseExploration: setExplorationKey,
      changeForm,
      placeAtNow,
      widenSlices,
      startPush,
      cancelPush: push.cancel,
      retryFailed: push.retryFailed,
      download,
    },
  };
}

export type UploadPageModel = ReturnType<typeof useUploadPage>;
