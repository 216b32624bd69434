import path from 'path';
import webpack, { type Compiler, type Configuration, type EntryObject } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/** Must match the webpackChunkName in src/pages/Upload/infrastructure/createParseWorker.ts. */
const WORKER_CHUNK = 'pipeline-worker';

/**
 * @grafana/flamegraph's top table is replaced by the plugin's own (src/pages/Upload/ui/FlameGraphTopTable.tsx says
 * why), as jest.config.js does in the tests. The library's version is pinned in package.json; the build fails if the
 * library's table is still in the bundle or the plugin's is not (a renamed module, a new import path), rather than
 * quietly shipping the library's table again.
 */
const LIBRARY_TOP_TABLE = /^\.\/TopTable\/FlameGraphTopTableContainer\.mjs$/;
const OWN_TOP_TABLE = path.resolve(__dirname, 'src/pages/Upload/ui/FlameGraphTopTable.tsx');

class ReplaceFlameGraphTopTable {
  apply(compiler: Compiler) {
    new webpack.NormalModuleReplacementPlugin(LIBRARY_TOP_TABLE, (resource) => {
      if (resource.context.includes(path.join('@grafana', 'flamegraph'))) {
        resource.request = OWN_TOP_TABLE;
      }
    }).apply(compiler);
    // Checked on the finished module graph, which holds modules restored from the build cache too.
    compiler.hooks.thisCompilation.tap('ReplaceFlameGraphTopTable', (compilation) => {
      compilation.hooks.finishModules.tap('ReplaceFlameGraphTopTable', (modules) => {
        const resources = Array.from(modules, (module) => (module as { resource?: string }).resource ?? '');
        if (resources.some((resource) => resource.endsWith(path.join('TopTable', 'FlameGraphTopTableContainer.mjs')))) {
          compilation.errors.push(new webpack.WebpackError("@grafana/flamegraph's own top table is in the bundle"));
        }
        if (
          resources.some((resource) => resource.includes(path.join('@grafana', 'flamegraph'))) &&
          !resources.includes(OWN_TOP_TABLE)
        ) {
          compilation.errors.push(new webpack.WebpackError("The plugin's top table is not in the bundle"));
        }
      });
    });
  }
}

/**
 * Extends create-plugin's config (see .config/README.md) for the upload pipeline's Web Worker:
 * - webpack gives a worker chunk the `output.library` of the build, and create-plugin's AMD library wraps it in
 *   `define(…)`, which does not exist inside a worker; so the AMD library moves onto the plugin's own entries;
 * - the worker starts from a blob URL and cannot load further chunks, so it keeps its own copy of shared modules;
 * and puts the plugin's top table in @grafana/flamegraph's place (above).
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
    plugins: [...(base.plugins ?? []), new ReplaceFlameGraphTopTable()],
    optimization: {
      ...base.optimization,
      splitChunks: { chunks: (chunk) => chunk.name !== WORKER_CHUNK },
    },
  };
};

export default config;
