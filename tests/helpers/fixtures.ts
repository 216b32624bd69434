import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpeedscope } from '../../src/core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../src/core/threads/threadModel';

/** MIT-licensed copies committed with the project. */
export const PROJECT_FIXTURES = resolve(__dirname, '../fixtures/speedscope');

/** The team's shared folder beside the project; absent when someone clones the project alone. */
export const SHARED_FIXTURES = resolve(__dirname, '../../../shared/fixtures/speedscope');
export const hasSharedFixtures = existsSync(join(SHARED_FIXTURES, 'SOURCES.md'));

/**
 * `describe` for tests over ../shared. Without the folder its body is not even run (it lists the folder); one
 * skipped test says why instead.
 */
export function describeShared(name: string, body: () => void): void {
  if (hasSharedFixtures) {
    describe(name, body);
  } else {
    describe(name, () =>
      it.skip(`skipped: ${SHARED_FIXTURES} is absent (the team's shared fixtures are not part of the repository)`, () => {})
    );
  }
}

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
