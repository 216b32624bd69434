import { exploreUrl, LinkTarget, threadFlameGraphUrl, uploadLabelsUrl } from '../../../core/links/drilldown';
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
