// WORKERS=N: N gateway processes serving one port (node:cluster; the primary accepts connections and
// hands them to the workers in turn). The primary prepares the database once (migrations, demo data),
// then forks; it holds no state, and neither do the workers beyond their caches, which change
// notifications keep in step (src/db/cache.ts). A worker that dies is replaced. SIGTERM or SIGINT
// stops the workers (each closes its connections and database pool) and then the primary.
import cluster from 'node:cluster';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import type { Logger } from './logger.ts';
import { prepareDatabase } from './server.ts';

/** Runs the cluster primary: prepares the database, forks `config.workers` workers, and supervises them. */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await prepareDatabase(db, config, logger);
  } finally {
    await db.close();
  }
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    cluster.fork();
  });
  for (let i = 0; i < config.workers; i++) cluster.fork();
  logger.info({ workers: config.workers }, 'cluster started');

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
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
      // Workers ignore a signal once they are shutting down (a process-group signal reached them already).
      worker.process.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Whether this process is a worker forked by `runPrimary`. */
export const isWorker = () => cluster.isWorker;

/** This worker's number (1, 2, …), for its log lines. */
export const workerId = () => cluster.worker?.id;
