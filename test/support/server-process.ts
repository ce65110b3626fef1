// A gateway started as users start it (`tsx src/cli.ts serve`, a child process) on a database of its
// own in the mode of this vitest project: a fresh embedded database in a temporary DATA_DIR, or a new
// PostgreSQL database. For tests of what only a real process shows (signals, sockets, timeouts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchPostgres, testDbMode } from './database.ts';
import { waitForListening } from './processes.ts';

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote so far (JSON log lines on stdout, and stderr). */
  output(): string;
  /** Resolves when the process has exited and its output is read to the end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process if it still runs (SIGKILL, its whole group) and removes its database. */
  cleanup(): Promise<void>;
}

/**
 * Starts `tsx src/cli.ts serve` on 127.0.0.1, a free port and a database of its own, with `env` on top
 * of this process's environment, in its own process group (so that a test can signal the group as a
 * supervisor does). `postgres: true` uses PostgreSQL in either project (WORKERS > 1 needs it).
 */
export async function startGatewayProcess(env: Record<string, string> = {}, options: { postgres?: boolean } = {}): Promise<GatewayProcess> {
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env };
  delete full.DATABASE_URL;
  const cleanups: (() => Promise<void> | void)[] = [];
  if (testDbMode === 'postgres' || options.postgres) {
    const scratch = await createScratchPostgres();
    cleanups.push(scratch.drop);
    full.DATABASE_URL = scratch.url;
  } else {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pgw-e2e-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    full.DATA_DIR = dataDir;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { env: full, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': the last log lines may still be in the pipe when the exit is reported.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
    for (const step of cleanups.reverse()) await step();
  };
  try {
    const url = await waitForListening(child);
    return { child, url, output: () => output, exited, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
