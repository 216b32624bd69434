/**
 * `npm run package`: the distributable zip as Grafana's plugin workflow makes it (grafana/plugin-actions
 * `package-plugin`): the built `dist/` as one folder named by the plugin id, in `<id>-<version>.zip`, with
 * `<zip>.sha1` and `<zip>.md5` holding the bare hex digest (what the catalog's submission form and the plugin
 * validator's checksum check take). It packages dist/ as it is and does not sign: a dist/ signed with
 * `npm run sign` (MANIFEST.txt) is packaged signed; see the README, "Packaging and signing".
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync, Zippable } from 'fflate';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const OUT = join(ROOT, 'artifacts');

interface PluginJson {
  id: string;
  info: {
    version: string;
    updated: string;
    logos: { small: string; large: string };
    screenshots?: Array<{ path: string }>;
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function main() {
  if (!existsSync(join(DIST, 'plugin.json'))) {
    throw new Error('dist/plugin.json is missing: run `npm run build` first');
  }
  const plugin = JSON.parse(readFileSync(join(DIST, 'plugin.json'), 'utf8')) as PluginJson;
  if (plugin.info.version.includes('%')) {
    throw new Error(`dist/plugin.json has no version (${plugin.info.version}): build with \`npm run build\``);
  }
  // What the catalog and the plugin validator read from the archive.
  const required = [
    'module.js',
    'module.js.map',
    'plugin.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    plugin.info.logos.small,
    plugin.info.logos.large,
    ...(plugin.info.screenshots ?? []).map((s) => s.path),
  ];
  const missing = required.filter((file) => !existsSync(join(DIST, file)));
  if (missing.length > 0) {
    throw new Error(`dist/ lacks ${missing.join(', ')}`);
  }
  // webpack's persistent cache can leave an older copy of these files in dist/ (`npm run package` builds without it).
  const copies: Array<[string, string]> = [
    ['README.md', 'src/README.md'],
    ['CHANGELOG.md', 'CHANGELOG.md'],
    ['LICENSE', 'LICENSE'],
    ...[...new Set(required.filter((file) => file.startsWith('img/')))].map((file): [string, string] => [
      file,
      `src/${file}`,
    ]),
  ];
  const stale = copies.filter(
    ([built, source]) => !readFileSync(join(DIST, built)).equals(readFileSync(join(ROOT, source)))
  );
  if (stale.length > 0) {
    throw new Error(
      `dist/ has stale copies of ${stale.map(([, source]) => source).join(', ')}: build without the cache`
    );
  }

  // Reproducible: every entry carries the build's date rather than the time of packaging.
  const mtime = new Date(plugin.info.updated);
  const folder: Zippable = {};
  for (const file of filesUnder(DIST).sort()) {
    folder[relative(DIST, file).split('\\').join('/')] = [readFileSync(file), { mtime }];
  }
  const zip = zipSync({ [plugin.id]: [folder, { mtime }] }, { level: 9 });

  const archive = `${plugin.id}-${plugin.info.version}.zip`;
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT);
  writeFileSync(join(OUT, archive), zip);
  for (const algorithm of ['sha1', 'md5']) {
    const digest = createHash(algorithm).update(zip).digest('hex');
    writeFileSync(join(OUT, `${archive}.${algorithm}`), `${digest}\n`);
    process.stdout.write(`${algorithm} ${digest}\n`);
  }
  const signature = existsSync(join(DIST, 'MANIFEST.txt')) ? 'signed (MANIFEST.txt)' : 'unsigned';
  process.stdout.write(
    `artifacts/${archive}: ${Object.keys(folder).length} files in ${plugin.id}/, ${zip.length} bytes, ${signature}\n`
  );
}

main();
