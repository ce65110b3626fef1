// The embedded database belongs to one process: a second process opening the same DATA_DIR (the CLI
// while the server runs) is refused with a one-line message, instead of writing to a copy of the
// database that the first process never sees.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUse, lockDataDir } from '../../src/db/data-dir-lock.ts';
import { testDbMode } from '../support/database.ts';
import { waitForListening } from '../support/processes.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'pgw-lock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the lock of an embedded database directory', () => {
  it('is held by one process at a time: a second taker is refused, naming the holder; release frees it', () => {
    const dir = path.join(scratch, 'a');
    const release = lockDataDir(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    expect(() => lockDataDir(dir)).toThrow(`is in use by process ${process.pid}`);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    lockDataDir(dir)();
  });

  it('a lock left by a process that no longer runs is taken over', () => {
    const dir = path.join(scratch, 'b');
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(`${dir}.lock`, String(gone));
    const release = lockDataDir(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
    release();
  });

  it("a lock holding this process's own pid that it did not take (a container's pid 1 after a restart) is taken over", () => {
    const dir = path.join(scratch, 'c');
    writeFileSync(`${dir}.lock`, String(process.pid));
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it.runIf(testDbMode === 'pglite')('the CLI refuses to write while the server holds the directory, and writes once it has stopped', async () => {
    const dataDir = path.join(scratch, 'served');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitForListening(server);
      const refused = await cli('token:create', '--user', 'dev', '--name', 'ci', '--scopes', 'read_api');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim()).toBe(
        `the embedded database in ${dataDir} is in use by process ${server.pid} (a running server?): stop it first, or use DATABASE_URL with PostgreSQL, which any number of processes can share`,
      );
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const created = await cli('token:create', '--user', 'dev', '--name', 'ci', '--scopes', 'read_api');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^glpat-/);
  }, 60_000);
});
