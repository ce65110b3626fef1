// Operator entry point: `tsx src/cli.ts <command>` (npm scripts wrap the common ones).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { StorageError } from './domain/storage/storage.ts';
import { DataDirInUse } from './db/data-dir-lock.ts';
import { openDatabase, type Database } from './db/client.ts';
import { FixtureError, formatSummary, loadFixture } from './fixture/load.ts';
import { applyMigrations, createMigration, diffMigrationsToSchema, pendingMigrationNames } from './db/migrate.ts';
import { tokenDigest } from './domain/tokens.ts';
import { announceReady, isWorker, onDrainRequest, primaryUrl, runPrimary, shutdownMarginSeconds, workerId } from './cluster.ts';
import { createLogger, type Logger } from './logger.ts';
import { startServer, type RunningServer } from './server.ts';

const usage = `usage: tsx src/cli.ts <command> [options]

  serve                                 start the HTTP server (migrates; loads demo data into an empty database)
  migrate                               apply pending migrations
  migration:create --name <name>        write a new migration from the schema diff
  migration:status                      list pending migrations and check the folder against the schema
  seed --fixture <file> [--reset]       load a fixture (see the README)
  token:create --user <username> --name <name> [--scopes api,read_api] [--expires-at <ISO date>]
                                        create a personal access token and print it once
  token:revoke --user <username> --name <name>
                                        revoke a user's tokens of that name`;

class UsageError extends Error {}

async function withDatabase<T>(config: Config, run: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

async function migrate(db: Database): Promise<void> {
  const applied = await applyMigrations(db.adapterFactory);
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'no pending migrations');
}

async function serve(config: Config): Promise<void> {
  const base = createLogger(config.logLevel);
  if (config.workers > 1 && !isWorker()) return runPrimary(config, base);
  // A worker of the cluster: the primary prepared the database; its lines name the worker.
  const worker = isWorker();
  const logger = worker ? base.child({ worker: workerId() }) : base;
  let running: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopping: string | undefined;
  const stop = (reason: string) => {
    if (stopping !== undefined) return;
    stopping = reason;
    if (running) shutDown(config, logger, reason, running);
  };
  if (worker) {
    // The primary stops listening first, then asks each worker to drain (src/cluster.ts); a signal
    // to the whole process group reaches the workers too, and is left to the primary.
    onDrainRequest(() => stop('asked by the primary'));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => logger.debug({ signal }, 'signal left to the primary'));
  } else {
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  }
  running = await startServer(config, logger, worker ? { prepare: false, primaryUrl: primaryUrl() } : {});
  if (stopping !== undefined) shutDown(config, logger, stopping, running);
  else if (worker) announceReady();
}

/** Drains and closes the server, then exits: 0 when all closed in time, 1 otherwise. */
function shutDown(config: Config, logger: Logger, reason: string, running: RunningServer): void {
  logger.info({ reason }, 'shutting down');
  // The drain destroys what is still open after SHUTDOWN_TIMEOUT_SECONDS; closing the rest (the
  // cleanup loop, the database) gets a margin more before the process gives up with code 1.
  const force = setTimeout(() => {
    logger.error('shutdown did not finish in time: exiting');
    process.exit(1);
  }, (config.shutdownTimeoutSeconds + shutdownMarginSeconds) * 1000);
  force.unref();
  // Exit once the server and the database are closed (a connection the schema engine left idle
  // would otherwise hold the process for the pool's idle timeout).
  running.close().then(
    () => {
      logger.info('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      fixture: { type: 'string' },
      reset: { type: 'boolean', default: false },
      user: { type: 'string' },
      scopes: { type: 'string', default: 'api' },
      'expires-at': { type: 'string' },
    },
    strict: true,
  });
  const need = (key: 'name' | 'fixture' | 'user') => {
    const value = values[key];
    if (!value) throw new UsageError(`${command} needs --${key}`);
    return value;
  };
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate':
      return withDatabase(config, migrate);
    case 'migration:create': {
      const folder = await createMigration(need('name'));
      console.log(folder ? `created ${folder}` : 'schema.prisma matches the migrations: nothing to create');
      return;
    }
    case 'migration:status':
      return withDatabase(config, async (db) => {
        const pending = await pendingMigrationNames(db.prisma);
        console.log(pending.length ? `pending: ${pending.join(', ')}` : 'database is up to date');
        const drift = await diffMigrationsToSchema();
        console.log(drift ? `schema.prisma differs from the migrations:\n${drift}` : 'migrations match schema.prisma');
        if (pending.length || drift) process.exitCode = 1;
      });
    case 'seed': {
      const file = need('fixture');
      return withDatabase(config, async (db) => {
        await applyMigrations(db.adapterFactory);
        const started = performance.now();
        const summary = await loadFixture(db.prisma, file, {
          reset: values.reset,
          onProgress: (line: string) => console.error(line),
        });
        console.log(`${formatSummary(summary)} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
      });
    }
    case 'token:create': {
      const scopes = (values.scopes ?? 'api').split(',').map((s) => s.trim());
      if (!scopes.every((s) => s === 'api' || s === 'read_api')) throw new UsageError('--scopes takes api and/or read_api');
      const expiresAt = values['expires-at'] ? new Date(values['expires-at']) : null;
      if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new UsageError('--expires-at must be an ISO 8601 date');
      return withDatabase(config, async (db) => {
        const user = await db.prisma.user.findUnique({ where: { username: need('user') } });
        if (!user) throw new UsageError(`no user "${values.user}"`);
        const token = `glpat-${randomBytes(15).toString('base64url')}`;
        await db.prisma.personalAccessToken.create({
          data: { userId: user.id, name: need('name'), tokenDigest: tokenDigest(token), scopes, expiresAt },
        });
        console.log(token);
      });
    }
    case 'token:revoke':
      return withDatabase(config, async (db) => {
        const { count } = await db.prisma.personalAccessToken.updateMany({
          where: { name: need('name'), user: { username: need('user') }, revoked: false },
          data: { revoked: true },
        });
        console.log(`revoked ${count} token(s)`);
      });
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

main(process.argv.slice(2)).then(
  () => {
    // One-shot commands exit when done: the schema engine can leave an idle PostgreSQL connection
    // behind that would otherwise keep the process alive for the pool's idle timeout (10 s).
    if (process.argv[2] !== 'serve') process.exit();
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof FixtureError || error instanceof DataDirInUse || error instanceof StorageError) {
      console.error(error.message);
    } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${usage}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
