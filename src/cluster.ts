// WORKERS=N: N gateway processes serving one port. The primary prepares the database once (migrations,
// demo data), listens, forks the workers (node:cluster) and hands each connection it accepts to the
// next ready worker in turn, over the worker's IPC channel; it holds no state, and neither do the
// workers beyond their caches, which change notifications keep in step (src/db/cache.ts). A worker
// that dies is replaced.
//
// The primary listens itself rather than through node:cluster's shared listener so that a shutdown
// loses no connection: node:cluster closes the port only once every worker has stopped listening, and
// a connection it hands to a worker that has just stopped goes back to its queue, where it is reset
// when the primary exits. Here SIGTERM or SIGINT to the primary (or to the whole process group: the
// workers leave signals to the primary) closes the port first, so that new connections are refused,
// then asks each worker to drain (src/http-server.ts) after the connections already handed to it (the
// IPC channel keeps them in order); each worker closes its database pool and exits, then the primary.
// A worker still loading its modules when the group is signalled ends with the signal: it has taken
// no connection yet.
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Socket } from 'node:net';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { handedConnectionMessage, listeningUrl } from './http-server.ts';
import type { Logger } from './logger.ts';
import { prepareDatabase } from './server.ts';

/** How long closing the database and the rest may take after the drain's deadline before a process gives up, in seconds. */
export const shutdownMarginSeconds = 5;

/** A worker to the primary: serving (it takes connections from now on). */
const readyMessage = { pgw: 'ready' } as const;
/** The primary to a worker: drain and exit. */
const drainMessage = { pgw: 'drain' } as const;
/** The primary's URL, in each worker's environment (for its log lines). */
const urlVariable = 'PGW_PRIMARY_URL';

const isMessage = (message: unknown, expected: { pgw: string }) => (message as { pgw?: unknown } | null)?.pgw === expected.pgw;

/**
 * Runs the cluster primary: prepares the database, listens, forks `config.workers` workers, hands
 * them the connections, supervises them, and stops them on SIGTERM or SIGINT.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await prepareDatabase(db, config, logger);
  } finally {
    await db.close();
  }
  // The workers read from the connections: the primary never does.
  const listener = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(config.port, config.host, () => resolve());
  });
  const url = listeningUrl(listener);

  const ready: Worker[] = [];
  const waiting: Socket[] = []; // accepted while no worker was ready
  let next = 0;
  const handOver = (socket: Socket) => {
    if (ready.length === 0) {
      waiting.push(socket);
      return;
    }
    const worker = ready[next++ % ready.length]!;
    worker.send(handedConnectionMessage, socket, (error) => {
      if (error) socket.destroy();
    });
  };
  listener.on('connection', handOver);

  let stopping = false;
  cluster.on('message', (worker, message) => {
    if (!isMessage(message, readyMessage)) return;
    ready.push(worker);
    for (const socket of waiting.splice(0)) handOver(socket);
    if (stopping) worker.send(drainMessage);
  });
  cluster.on('exit', (worker, code, signal) => {
    const index = ready.indexOf(worker);
    if (index >= 0) ready.splice(index, 1);
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    cluster.fork({ [urlVariable]: url });
  });
  for (let i = 0; i < config.workers; i++) cluster.fork({ [urlVariable]: url });
  logger.info({ workers: config.workers, url }, 'cluster started');

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    // Each worker drains for up to SHUTDOWN_TIMEOUT_SECONDS and gives up itself a margin later.
    const force = setTimeout(() => {
      logger.error('workers did not stop in time: exiting');
      process.exit(1);
    }, (config.shutdownTimeoutSeconds + 2 * shutdownMarginSeconds) * 1000);
    force.unref();
    listener.close(); // new connections are refused from here on
    const done = () => {
      logger.info('stopped');
      process.exit(0);
    };
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    let left = workers.length;
    if (left === 0) done();
    for (const worker of workers) {
      worker.once('exit', () => {
        if (--left === 0) done();
      });
      // A worker still starting is asked once it is ready (above).
      if (ready.includes(worker)) worker.send(drainMessage);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Whether this process is a worker forked by `runPrimary`. */
export const isWorker = () => cluster.isWorker;

/** This worker's number (1, 2, …), for its log lines. */
export const workerId = () => cluster.worker?.id;

/** In a worker: the URL the primary listens at. */
export const primaryUrl = () => process.env[urlVariable] ?? '';

/** In a worker: tells the primary to hand it connections from now on. */
export function announceReady(): void {
  process.send?.(readyMessage);
}

/** In a worker: calls `drain` when the primary asks the worker to drain and exit. */
export function onDrainRequest(drain: () => void): void {
  process.on('message', (message: unknown) => {
    if (isMessage(message, drainMessage)) drain();
  });
}
