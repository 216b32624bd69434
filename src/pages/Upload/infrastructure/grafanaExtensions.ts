import { ComponentType } from 'react';
import { AdHocVariableFilter, TimeRange } from '@grafana/data';
import { usePluginComponent } from '@grafana/runtime';

/** Profiles Drilldown's embedded exploration, exposed by the app `grafana-pyroscope-app` (its `src/module.tsx`). */
export const EMBEDDED_EXPLORATION_ID = 'grafana-pyroscope-app/embedded-profiles-exploration/v1';

/**
 * The component's props as grafana/profiles-drilldown declares them: `EmbeddedProfilesExplorationState` in
 * `src/exposedComponents/types.ts`, read by `src/exposedComponents/EmbeddedProfilesExploration/
 * EmbeddedProfilesExploration.tsx`. It reads them once, when it builds its scene: change them by remounting it.
 * With `initialFilters` it opens its Labels view; the profile type is chosen inside it.
 */
export interface EmbeddedExplorationProps {
  /** A Pyroscope datasource uid. */
  initialDS?: string;
  initialFilters?: AdHocVariableFilter[];
  /** Its `raw.from`/`raw.to` become the scene's time range text (`.toString()`), so they must parse as times. */
  initialTimeRange: TimeRange;
  onTimeRangeChange?: (timeRange: TimeRange) => void;
  returnToPreviousSource?: string;
}

/**
 * The embedded exploration when this Grafana offers it (Profiles Drilldown installed and recent enough), else
 * undefined; also undefined while Grafana is still loading the app plugins that expose components.
 */
export function useEmbeddedExploration(): ComponentType<EmbeddedExplorationProps> | undefined {
  const { component } = usePluginComponent<EmbeddedExplorationProps>(EMBEDDED_EXPLORATION_ID);
  return component ?? undefined;
}
