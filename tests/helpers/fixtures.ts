import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpeedscope } from '../../src/core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../src/core/threads/threadModel';

/** MIT-licensed copies committed with the project. */
export const PROJECT_FIXTURES = resolve(__dirname, '../fixtures/speedscope');

/** The team's shared folder beside the project; absent when someone clones the project alone. */
export const SHARED_FIXTURES = resolve(__dirname, '../../../shared/fixtures/speedscope');
export const hasSharedFixtures = existsSync(join(SHARED_FIXTURES, 'SOURCES.md'));

/** `describe` for tests over ../shared: skipped, with the reason in the title, when the folder is absent. */
export const describeShared: jest.Describe = hasSharedFixtures
  ? describe
  : (Object.assign((name: string, fn: () => void) => describe.skip(`${name} (skipped: ${SHARED_FIXTURES} is absent)`, fn), describe) as jest.Describe);

export function readFixture(name: string): Buffer {
  const local = join(PROJECT_FIXTURES, name);
  return readFileSync(existsSync(local) ? local : join(SHARED_FIXTURES, name));
}

export function parseFixture(name: string): ParsedFile {
  return parseSpeedscope(name.split('/').pop()!, readFixture(name));
}

export function okThreads(file: ParsedFile) {
  return file.profiles.filter((p) => p.ok);
}
