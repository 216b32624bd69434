import path from 'path';
import webpack, { type Compiler, type Configuration, type EntryObject } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/** Must match the webpackChunkName in src/pages/Upload/infrastructure/createParseWorker.ts. */
const WORKER_CHUNK = 'pipeline-worker';

/**
 * Three parts of @grafana/flamegraph are replaced by the plugin's own, as jest.config.js does in the tests: its top
 * table (src/pages/Upload/ui/FlameGraphTopTable.tsx says why), its canvas drawing (flameGraphRendering.ts beside it)
 * and its data container (flameGraphData.ts). The library's version is pinned in package.json; the build fails if a
 * replaced part of the library is still in the bundle or the plugin's is not (a renamed module, a new import path),
 * rather than quietly shipping the library's again.
 */
const FLAMEGRAPH_PARTS = [
  {
    request: /^\.\/TopTable\/FlameGraphTopTableContainer\.mjs$/,
    library: path.join('TopTable', 'FlameGraphTopTableContainer.mjs'),
    own: path.resolve(__dirname, 'src/pages/Upload/ui/FlameGraphTopTable.tsx'),
  },
  {
    request: /^\.\/rendering\.mjs$/,
    library: path.join('FlameGraph', 'rendering.mjs'),
    own: path.resolve(__dirname, 'src/pages/Upload/ui/flameGraphRendering.ts'),
  },
  {
    request: /^\.\/FlameGraph\/dataTransform\.mjs$/,
    library: path.join('FlameGraph', 'dataTransform.mjs'),
    own: path.resolve(__dirname, 'src/pages/Upload/ui/flameGraphData.ts'),
  },
];
const FLAMEGRAPH_DIST = path.resolve(__dirname, 'node_modules/@grafana/flamegraph/dist/esm');

/**
 * The library's files the plugin's drawing and data import (the package exports only its index); tsconfig.json types
 * them.
 */
const FLAMEGRAPH_DIST_ALIASES = {
  'flamegraph-dist/colors$': path.join(FLAMEGRAPH_DIST, 'FlameGraph', 'colors.mjs'),
  'flamegraph-dist/constants$': path.join(FLAMEGRAPH_DIST, 'constants.mjs'),
  'flamegraph-dist/treeTransforms$': path.join(FLAMEGRAPH_DIST, 'FlameGraph', 'treeTransforms.mjs'),
  'flamegraph-dist/types$': path.join(FLAMEGRAPH_DIST, 'types.mjs'),
};

class ReplaceFlameGraphParts {
  apply(compiler: Compiler) {
    for (const part of FLAMEGRAPH_PARTS) {
      new webpack.NormalModuleReplacementPlugin(part.request, (resource) => {
        if (resource.context.includes(path.join('@grafana', 'flamegraph'))) {
          resource.request = part.own;
        }
      }).apply(compiler);
    }
    // Checked on the finished module graph, which holds modules restored from the build cache too.
    compiler.hooks.thisCompilation.tap('ReplaceFlameGraphParts', (compilation) => {
      compilation.hooks.finishModules.tap('ReplaceFlameGraphParts', (modules) => {
        const resources = Array.from(modules, (module) => (module as { resource?: string }).resource ?? '');
        const usesLibrary = resources.some((resource) => resource.includes(path.join('@grafana', 'flamegraph')));
        for (const part of FLAMEGRAPH_PARTS) {
          if (
            resources.some((resource) =>
              resource.endsWith(path.join('@grafana', 'flamegraph', 'dist', 'esm', part.library))
            )
          ) {
            compilation.errors.push(
              new webpack.WebpackError(`@grafana/flamegraph's own ${part.library} is in the bundle`)
            );
          }
          if (usesLibrary && !resources.includes(part.own)) {
            compilation.errors.push(
              new webpack.WebpackError(`The plugin's ${path.basename(part.own)} is not in the bundle`)
            );
          }
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
 * and puts the plugin's top table, drawing and data container in @grafana/flamegraph's place (above).
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
    resolve: { ...base.resolve, alias: { ...base.resolve?.alias, ...FLAMEGRAPH_DIST_ALIASES } },
    plugins: [...(base.plugins ?? []), new ReplaceFlameGraphParts()],
    optimization: {
      ...base.optimization,
      splitChunks: { chunks: (chunk) => chunk.name !== WORKER_CHUNK },
    },
  };
};

export default config;
