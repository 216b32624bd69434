/**
 * The compatibility matrix of the browser suite: the Grafana stand-in's host page (tests/standins/grafana/host.tsx)
 * built with the shared frontend packages of one Grafana version. Each version has its own package folder and lock
 * file (tests/hosts/grafana-<n>/), so the plugin's own dependencies stay as they are:
 * - `12`: @grafana/data|ui|runtime 12.4.10 with React 18.3 (the default);
 * - `13`: @grafana/data|ui|runtime 13.2.3 with React 19.2, the newest 13.x that installs from the npm registry alone.
 * `GRAFANA_HOST=12|13` chooses one; `npm run e2e:local` runs the whole suite once per host.
 */
import { build, Plugin } from 'esbuild';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export const GRAFANA_HOSTS = ['12', '13'] as const;
export type GrafanaHost = (typeof GRAFANA_HOSTS)[number];

/** The host chosen by `GRAFANA_HOST`; default 12. */
export function grafanaHost(): GrafanaHost {
  const host = process.env.GRAFANA_HOST ?? '12';
  if (!(GRAFANA_HOSTS as readonly string[]).includes(host)) {
    throw new Error(`GRAFANA_HOST=${host}: expected one of ${GRAFANA_HOSTS.join(', ')}`);
  }
  return host as GrafanaHost;
}

/** The package folder of a host (`npm ci --prefix <it>` installs it). */
export function hostPackagesDir(host: GrafanaHost = grafanaHost()): string {
  return join(__dirname, `grafana-${host}`);
}

/**
 * Every bare import of the stand-in's own sources resolves from the host's package folder, never from the plugin's
 * node_modules, so React, @grafana/* and the router are that host's single copies. Imports inside the host's
 * packages resolve as usual, within that folder.
 */
function hostPackages(hostDir: string): Plugin {
  // esbuild reports importers by their real paths.
  const hostModules = `${realpathSync(join(hostDir, 'node_modules'))}/`;
  return {
    name: 'host-packages',
    setup(bundler) {
      // @grafana/ui's .mjs files default-import this CommonJS package. Grafana's webpack honours its __esModule
      // flag; esbuild gives .mjs importers Node's interop (default = module.exports). Hand them the component.
      bundler.onResolve({ filter: /^react-custom-scrollbars-2$/ }, (args) => {
        if (args.namespace === 'scrollbars-interop') {
          return bundler.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'host' });
        }
        return args.pluginData === 'host' ? undefined : { path: args.resolveDir, namespace: 'scrollbars-interop' };
      });
      bundler.onLoad({ filter: /.*/, namespace: 'scrollbars-interop' }, (args) => ({
        contents: `module.exports = require('react-custom-scrollbars-2').default;`,
        resolveDir: args.path,
        loader: 'js',
      }));
      bundler.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.pluginData === 'host' || args.importer.startsWith(hostModules)) {
          return undefined;
        }
        return bundler.resolve(args.path, { kind: args.kind, resolveDir: hostDir, pluginData: 'host' });
      });
    },
  };
}

/**
 * React's development build for the suite (its warnings are what the host spec's clean-console check catches); the
 * production build, which Grafana itself ships, for the browser benchmark (`BENCH_BROWSER`), whose long tasks would
 * otherwise include React's development-only checks.
 */
export function hostReactBuild(): 'development' | 'production' {
  return process.env.BENCH_BROWSER ? 'production' : 'development';
}

/** Bundles a host page entry (an IIFE script) with one host's packages. */
export async function buildHostScript(entry: string, host: GrafanaHost = grafanaHost()): Promise<string> {
  const hostDir = hostPackagesDir(host);
  if (!existsSync(join(hostDir, 'node_modules/@grafana/ui'))) {
    throw new Error(`the Grafana ${host} host is not installed: npm ci --prefix ${hostDir}`);
  }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: false,
    define: { 'process.env.NODE_ENV': JSON.stringify(hostReactBuild()), global: 'window' },
    // Grafana core ships third-party CSS (date picker, uPlot, Monaco) and fonts itself; the stand-in leaves them out.
    loader: { '.css': 'empty', '.ttf': 'empty', '.woff': 'empty', '.woff2': 'empty' },
    plugins: [hostPackages(hostDir)],
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}
