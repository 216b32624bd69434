/**
 * What Grafana's plugin validator (grafana/plugin-validator, `pkg/analysis/passes/*`) checks in a submitted archive,
 * applied to the files the build copies into it, so that a regression shows here rather than in the catalog's review.
 * Each block names the analyzer it follows. The archive's layout and checksums are checked by `npm run package`
 * (scripts/packagePlugin.ts); the validator's React 19 check (@grafana/react-detect) is covered by the browser suite
 * running on a React 19 host (tests/hosts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const SRC = join(ROOT, 'src');
const plugin = JSON.parse(readFileSync(join(SRC, 'plugin.json'), 'utf8')) as {
  id: string;
  type: string;
  info: {
    description: string;
    keywords: string[];
    logos: { small: string; large: string };
    screenshots: Array<{ name: string; path: string }>;
  };
  dependencies: { grafanaDependency: string };
};
const readme = readFileSync(join(SRC, 'README.md'), 'utf8');

/** The image type a file's first bytes announce, as Go's http.DetectContentType does for these four. */
function imageType(bytes: Uint8Array): string | undefined {
  const starts = (...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) {
    return 'png';
  }
  if (starts(0xff, 0xd8, 0xff)) {
    return 'jpeg';
  }
  if (starts(0x47, 0x49, 0x46, 0x38)) {
    return 'gif';
  }
  return /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(new TextDecoder().decode(bytes.subarray(0, 512))) ? 'svg' : undefined;
}

describe('plugin.json', () => {
  it('has an id ending in its type (typesuffix), a description and keywords (discoverability)', () => {
    expect(plugin.id.split('-').at(-1)).toBe(plugin.type);
    expect(plugin.info.description.length).toBeGreaterThan(20);
    expect(plugin.info.keywords.length).toBeGreaterThanOrEqual(5);
  });

  it('names existing images beside plugin.json, typed as named (logos, screenshots, metadatapaths)', () => {
    const images = [plugin.info.logos.small, plugin.info.logos.large, ...plugin.info.screenshots.map((s) => s.path)];
    expect(plugin.info.screenshots.length).toBeGreaterThan(0);
    for (const path of images) {
      expect(path).toMatch(/^img\/[\w.-]+$/);
      const type = imageType(readFileSync(join(SRC, path)));
      expect({ path, type }).toEqual({ path, type: extname(path).slice(1).replace('jpg', 'jpeg') });
    }
    for (const screenshot of plugin.info.screenshots) {
      expect(screenshot.name.trim()).not.toBe('');
    }
  });

  it('states a Grafana range, not one release (grafanadependency, restrictivedep)', () => {
    // The pattern of plugin.schema.json's grafanaDependency, for ranges of two bounds.
    expect(plugin.dependencies.grafanaDependency).toMatch(/^>=\d+\.\d+\.\d+ <\d+\.\d+\.\d+$/);
  });
});

describe('logos and screenshots in SVG (unsafesvg)', () => {
  it('use no script, foreign content or event handlers', () => {
    const svgs = readdirSync(join(SRC, 'img')).filter((name) => name.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThan(0);
    for (const name of svgs) {
      const svg = readFileSync(join(SRC, 'img', name), 'utf8');
      expect({
        name,
        unsafe: svg.match(/<(script|iframe|foreignObject|audio|template|noscript)\b|\son\w+=/gi),
      }).toEqual({
        name,
        unsafe: null,
      });
    }
  });
});

describe('src/README.md, the catalog page (readme, templatereadme, jargon, brokenlinks)', () => {
  it('is written for the catalog: no template text, no comments, no developer jargon', () => {
    expect(readme).toMatch(/^# Speedscope Upload\n/);
    expect(readme).not.toMatch(/Grafana (Panel|Data Source|Datasource|App|Data Source Backend) Plugin Template/i);
    expect(readme).not.toContain('<!--');
    expect(readme).not.toMatch(/yarn|nodejs/);
    for (const section of ['## Why', '## Requirements', '## Getting started', '## Permissions', '## Provisioning']) {
      expect(readme).toContain(`\n${section}\n`);
    }
  });

  it('links only to absolute https addresses (relative links break in the catalog)', () => {
    const links = [...readme.matchAll(/\[.+?\]\((.+?)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !link.startsWith('https://'))).toEqual([]);
  });

  it('claims the Grafana versions plugin.json states', () => {
    expect(plugin.dependencies.grafanaDependency).toBe('>=12.4.0 <13.3.0');
    expect(readme).toContain('Grafana 12.4 to 13.2');
  });
});

describe('CHANGELOG.md and LICENSE (changelog, license)', () => {
  it('has a changelog entry for the current version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## ${version}`);
  });

  it('is Apache-2.0 with the copyright owner filled in', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License');
    expect(license).not.toMatch(/\{yyyy\}|\{name of copyright owner\}/);
  });
});

/** The frontend rules of `pkg/analysis/passes/coderules/semgrep-rules.yaml`, as regular expressions. */
const CODE_RULES: Array<[rule: string, pattern: RegExp]> = [
  [
    'console-logging',
    /\bconsole\.(log|info|table|clear|count|countReset|dir|dirxml|group|groupEnd|time|timeEnd|timeLog|trace)\(/,
  ],
  ['native-browser-dialogs', /(?<![.\w])alert\(|\bwindow\.(alert|confirm|prompt)\(/],
  ['direct-window-location-access', /\bwindow\.location\.(search|href)\b/],
  ['window-open-without-noopener', /\bwindow\.open\((?![^)]*noopener)/],
  ['ts-ignore-suppress', /@ts-ignore|@ts-expect-error/],
  ['deprecated-gf-form-css-classes', /gf-form/],
  ['no-direct-css-imports', /import\s+['"].*\.(css|scss|less)['"]/],
  ['no-direct-css-imports', /import\s*\{[^}]*\bGlobal\b[^}]*\}\s*from\s*['"]@emotion\/react['"]|<Global\b/],
  ['no-api-ds-query-endpoint', /\/api\/ds\/query/],
  ['window-properties', /window\.(grafanaBootData|grafanaRuntime|__grafanaSceneContext)/],
  ['access-old-react-internals', /__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED/],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === '__tests__' ? [] : sourceFiles(path);
    }
    return /\.tsx?$/.test(name) && !/\.(test|spec)\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('src/ code (coderules)', () => {
  it('breaks none of the validator’s frontend code rules', () => {
    const findings: string[] = [];
    for (const file of sourceFiles(SRC)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const [rule, pattern] of CODE_RULES) {
            if (pattern.test(line)) {
              findings.push(`${relative(ROOT, file)}:${index + 1}: ${rule}`);
            }
          }
        });
    }
    expect(findings).toEqual([]);
  });
});
