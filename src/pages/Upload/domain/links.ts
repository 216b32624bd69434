import {
  AdHocFilter,
  embeddedExplorationFilters,
  exploreUrl,
  LinkTarget,
  threadFlameGraphUrl,
  uploadLabelsUrl,
} from '../../../core/links/drilldown';
import { LabelPair } from '../../../core/plan/labels';
import { grafanaSubPath } from '../infrastructure/grafanaPaths';

/** A path from Grafana's root, with Grafana's sub-path in front. */
export function inGrafana(path: string): string {
  return `${grafanaSubPath()}${path}`;
}

/** What the links need of a pushed plan (`PlanSummary` has it). */
export interface LinkPlan {
  threadLabelName: string;
  fromMs: number;
  toMs: number;
  threads: Array<{ threadKey: string; serviceName: string; profileTypeId: string; labels: LabelPair[] }>;
}

export interface ThreadLinks {
  /** Profiles Drilldown's flame graph filtered to the thread. */
  drilldown: string;
  /** Explore with a query selecting the thread. */
  explore: string;
}

export interface CompareThreadsLink {
  serviceName: string;
  profileTypeId: string;
  /** Profiles Drilldown's Labels view of the service and type, grouped by the thread label. */
  href: string;
}

function targetOf(plan: LinkPlan, thread: LinkPlan['threads'][number], datasourceUid: string): LinkTarget {
  return {
    datasourceUid,
    serviceName: thread.serviceName,
    profileTypeId: thread.profileTypeId,
    fromMs: plan.fromMs,
    toMs: plan.toMs,
  };
}

/**
 * The labels that tell the thread's series apart within its service: the thread label, the thread's own ids
 * (thread_id, pid) and any extra labels. `service_name` is in the target; `__name__` and `__delta__` are not labels
 * a query selects on.
 */
function seriesFilters(labels: LabelPair[]): LabelPair[] {
  return labels.filter((l) => !l.name.startsWith('__') && l.name !== 'service_name');
}

export function threadLinks(plan: LinkPlan, threadKey: string, datasourceUid: string): ThreadLinks | undefined {
  const thread = plan.threads.find((t) => t.threadKey === threadKey);
  if (!thread) {
    return undefined;
  }
  const target = targetOf(plan, thread, datasourceUid);
  const filters = seriesFilters(thread.labels);
  return {
    drilldown: inGrafana(threadFlameGraphUrl(target, filters)),
    explore: inGrafana(exploreUrl(target, filters)),
  };
}

/** One "compare threads" link per (service, profile type) of the given threads, in plan order. */
export function compareThreadsLinks(
  plan: LinkPlan,
  threadKeys: Set<string>,
  datasourceUid: string
): CompareThreadsLink[] {
  const links = new Map<string, CompareThreadsLink>();
  for (const thread of plan.threads.filter((t) => threadKeys.has(t.threadKey))) {
    const key = JSON.stringify([thread.serviceName, thread.profileTypeId]);
    if (!links.has(key)) {
      const target = targetOf(plan, thread, datasourceUid);
      links.set(key, {
        serviceName: thread.serviceName,
        profileTypeId: thread.profileTypeId,
        href: inGrafana(uploadLabelsUrl(target, plan.threadLabelName)),
      });
    }
  }
  return [...links.values()];
}

/** One way to open Profiles Drilldown's embedded exploration on what was pushed. */
export interface ExplorationChoice {
  /** Stable while the push stays the same; the exploration is remounted when it changes (it reads its props once). */
  key: string;
  label: string;
  datasourceUid: string;
  fromMs: number;
  toMs: number;
  /** Drilldown's `initialFilters`: the service, and for one thread its own labels. */
  filters: AdHocFilter[];
}

/**
 * The embedded exploration's starting points for the given threads: each service with all its pushed threads (the
 * Labels view, where they can be grouped by the thread label), then each thread on its own, in plan order.
 */
export function explorationChoices(
  plan: LinkPlan,
  threadKeys: Set<string>,
  datasourceUid: string
): ExplorationChoice[] {
  const at = { datasourceUid, fromMs: plan.fromMs, toMs: plan.toMs };
  // A thread pushed as two types (its CPU part beside its wall time) is one set of filters: one choice.
  const perThread = new Map<string, ExplorationChoice & { serviceName: string }>();
  for (const t of plan.threads.filter((t) => threadKeys.has(t.threadKey))) {
    const filters = embeddedExplorationFilters(t.serviceName, seriesFilters(t.labels));
    const key = JSON.stringify(['thread', filters]);
    const name = t.labels.find((l) => l.name === plan.threadLabelName)?.value ?? t.threadKey;
    if (!perThread.has(key)) {
      perThread.set(key, {
        ...at,
        key,
        label: `${t.serviceName}: thread ${name}`,
        filters,
        serviceName: t.serviceName,
      });
    }
  }
  const threads = [...perThread.values()];
  const services = new Map<string, number>();
  threads.forEach((t) => services.set(t.serviceName, (services.get(t.serviceName) ?? 0) + 1));
  const perService = [...services].map(([serviceName, count]) => ({
    ...at,
    key: JSON.stringify(['service', serviceName]),
    label: `${serviceName}: ${count === 1 ? 'its thread' : `all ${count} threads`}`,
    filters: embeddedExplorationFilters(serviceName),
  }));
  return [...perService, ...threads.map(({ serviceName: _service, ...choice }) => choice)];
}
