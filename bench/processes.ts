// Child processes of the bench (the gateway, the reference, the seed) and the cleanup that stops them.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchDir } from './generate.ts';

export const root = path.dirname(benchDir);

export const log = (line: string) => console.error(`[bench] ${line}`);

/** A failure the bench explains in its message (no stack needed). */
export class BenchError extends Error {}

/**
 * The main of a compared service run as its own process (the reference, PostGraphile): starts it on
 * DATABASE_URL and the port in `portVariable` (0: a free one), prints `listening <url>`, and closes it
 * on SIGTERM or SIGINT.
 */
export function runAsProcess(
  start: (options: { databaseUrl: string; port: number }) => Promise<{ url: string; close(): Promise<void> }>,
  portVariable: string,
): void {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is required');
    process.exit(1);
  }
  start({ databaseUrl, port: Number(process.env[portVariable] ?? 0) }).then(
    (running) => {
      console.log(`listening ${running.url}`);
      const stop = () => {
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// Cleanup: everything started registers how to undo it; run in reverse order, at the end or on a signal.

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;
export function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        log(`cleanup "${step.name}" failed: ${(error as Error).message}`);
      }
    }
  })());
}
export function onCleanup(name: string, run: () => Promise<void>): () => Promise<void> {
  const step = { name, run };
  cleanups.push(step);
  return async () => {
    const i = cleanups.indexOf(step);
    if (i >= 0) cleanups.splice(i, 1);
    await run();
  };
}
/** On SIGINT / SIGTERM: clean up, then exit 130. */
export function installSignalCleanup(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      cleanup().finally(() => process.exit(130));
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines of its output, for error messages. */
  tail: string[];
  /** performance.now() at spawn. */
  startedAt: number;
  exit: Promise<number | null>;
  stop(): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, echo = 20): Child {
  const startedAt = performance.now();
  const proc = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let echoed = 0;
  const take = (stream: NodeJS.ReadableStream | null, passLines: boolean) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (passLines && echoed < echo) {
          echoed++;
          console.error(`[${name}] ${line}${echoed === echo ? '  (further output not shown)' : ''}`);
        }
      }
    });
  };
  take(proc.stdout, false);
  take(proc.stderr, true);
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  proc.once('error', (error) => tail.push(`spawn error: ${error.message}`));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const done = await Promise.race([exit.then(() => true), sleep(15_000).then(() => false)]);
    if (!done) {
      log(`${name} did not stop in 15 s: killing it`);
      proc.kill('SIGKILL');
      await exit;
    }
  };
  return { name, proc, tail, startedAt, exit, stop };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitReady(child: Child, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exit.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new BenchError(`${child.name} exited before it was ready:\n${child.tail.join('\n')}`);
    try {
      const response = await fetch(`${url}/-/readiness`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new BenchError(`${child.name} not ready after ${timeoutMs / 1000} s:\n${child.tail.join('\n')}`);
}

export interface Service {
  /** `gateway`, `gateway×2` (WORKERS=2), `reference` or `postgraphile`. */
  name: string;
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/**
 * The gateway as `npm start` runs it: built once per bench run (`npm run build`), then package.json's
 * start command run by `sh -c 'exec …'` (so signals and --cpu-prof reach node directly). `env` is
 * applied last (the soak seeds the demo data and sets the package storage and cleanup).
 */
export async function startGateway(databaseUrl: string, profileDir?: string, workers = 1, env: NodeJS.ProcessEnv = {}): Promise<Service> {
  await buildOnce();
  const port = await freePort();
  const start = startScript().replace(/^node /, `node ${profileDir ? `--cpu-prof --cpu-prof-dir=${profileDir} ` : ''}`);
  const child = startChild(
    'gateway',
    'sh',
    ['-c', `exec ${start}`],
    {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      WORKERS: String(workers),
      ...env,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const name = workers > 1 ? `gateway×${workers}` : 'gateway';
  const stop = onCleanup(`stop ${name}`, () => child.stop());
  await waitReady(child, url);
  return { name, url, child, stop };
}

/** package.json's `start` script (`node … dist/cli.mjs serve`). */
function startScript(): string {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  if (!scripts.start?.startsWith('node ')) throw new BenchError(`package.json's start script does not start with "node ": ${scripts.start}`);
  return scripts.start;
}

let built: Promise<void> | undefined;
/** `npm run build` (what `npm start` runs first), once per bench run. */
function buildOnce(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) =>
    execFile('npm', ['run', '--silent', 'build'], { cwd: root }, (error, _stdout, stderr) =>
      error ? reject(new BenchError(`npm run build failed: ${stderr || error.message}`)) : resolve(),
    ),
  );
  return built;
}

/** A bench-only server (`bench/<name>.ts`, run through tsx) on a free port, given in `portVariable`. */
async function startBenchProcess(name: 'postgraphile' | 'reference', portVariable: string, databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Service> {
  const port = await freePort();
  const child = startChild(name, process.execPath, ['--import', 'tsx', `bench/${name}.ts`], {
    ...process.env,
    ...env,
    DATABASE_URL: databaseUrl,
    [portVariable]: String(port),
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = onCleanup(`stop ${name}`, () => child.stop());
  await waitReady(child, url);
  return { name, url, child, stop };
}

/** PostGraphile 5, the peer (bench/postgraphile.ts), in production mode. */
export const startPostGraphileProcess = (databaseUrl: string) => startBenchProcess('postgraphile', 'PEER_PORT', databaseUrl, { NODE_ENV: 'production' });

/** The hand-written one-statement reference (bench/reference.ts). */
export const startReferenceProcess = (databaseUrl: string) => startBenchProcess('reference', 'REFERENCE_PORT', databaseUrl);

