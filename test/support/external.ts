// Tests that need a program from outside npm (python-gitlab, Chromium, …): optional on a developer's
// machine, required in CI. `describeWith(program, …)` runs the suite when the program is there; when
// it is missing, the suite is skipped with a one-line reason, except under CI=true, where it fails.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

export interface ExternalProgram {
  /** What it is, for messages: `python-gitlab (Debian's python3-gitlab)`. */
  name: string;
  /** How to install it (what .ci/run does). */
  install: string;
  /** Null when usable, else why not. */
  missing(): string | null;
}

/** Whether `command args…` runs and exits 0 within 20 s; null when it does, else the reason. */
function runs(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return `${command}: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`;
  if (result.status !== 0) return `${[command, ...args].join(' ')} exited with ${result.status}: ${(result.stderr || '').trim().split('\n').pop()}`;
  return null;
}

/** Debian's python3-gitlab, run with /usr/bin/python3 (PyPI is not reachable here). */
export const pythonGitlab: ExternalProgram = {
  name: "python-gitlab (Debian's python3-gitlab)",
  install: 'apt-get install python3-gitlab',
  missing: () => runs('/usr/bin/python3', ['-c', 'import gitlab']),
};

export const chromiumPath = '/usr/bin/chromium';

/** Debian's chromium, driven by playwright-core. */
export const chromium: ExternalProgram = {
  name: "Chromium (Debian's chromium)",
  install: 'apt-get install chromium',
  missing: () => runs(chromiumPath, ['--version']),
};

/** curl (test/clients/curl.test.ts), as GitLab's docs publish generic packages with it. */
export const curl: ExternalProgram = {
  name: 'curl',
  install: 'apt-get install curl',
  missing: () => runs('curl', ['--version']),
};

const required = process.env.CI === 'true';
const checked = new Map<ExternalProgram, string | null>();

/**
 * `describe(title, body)` for tests that need `program`. Missing locally: skipped, and one line says
 * why. Missing with CI=true: a failing test says why.
 */
export function describeWith(program: ExternalProgram, title: string, body: () => void): void {
  if (!checked.has(program)) checked.set(program, program.missing());
  const reason = checked.get(program);
  if (reason === null) {
    describe(title, body);
  } else if (required) {
    describe(title, () => {
      it(`needs ${program.name}`, () => {
        throw new Error(`${program.name} is required when CI=true (${program.install}): ${reason}`);
      });
    });
  } else {
    console.warn(`skipped "${title}": ${program.name} is not available (${reason}); install it with: ${program.install}`);
    describe.skipIf(true)(`${title} [skipped: ${program.name} not available]`, body);
  }
}
