import type { Configuration, EntryObject } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/** Must match the webpackChunkName in src/pages/Upload/infrastructure/createParseWorker.ts. */
const WORKER_CHUNK = 'pipeline-worker';

/**
 * Extends create-plugin's config (see .config/README.md) for the upload pipeline's Web Worker:
 * - webpack gives a worker chunk the `output.library` of the build, and create-plugin's AMD library wraps it in
 *   `define(…)`, which does not exist inside a worker; so the AMD library moves onto the plugin's own entries;
 * - the worker starts from a blob URL and cannot load further chunks, so it keeps its own copy of shared modules.
 */
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  const entries = base.entry as Record<string, string>;
  const amdEntries: EntryObject = Object.fromEntries(
    Object.entries(entries).map(([name, file]) => [name, { import: file, library: { type: 'amd' } }])
  );
  return {
    ...base,
    entry: amdEntries,
    // Without output.library, externals must be told to stay AMD dependencies rather than globals.
    externalsType: 'amd',
    output: { ...base.output, library: undefined },
    optimization: {
      ...base.optimization,
      splitChunks: { chunks: (chunk) => chunk.name !== WORKER_CHUNK },
    },
  };
};

export default config;
