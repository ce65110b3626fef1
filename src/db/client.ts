import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient };

export interface DatabaseOptions {
  /** PostgreSQL connection string; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for a throwaway in-memory database. */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

/** An open database: the Prisma client plus what migrations need. Nothing else knows the mode. */
export interface Database {
  prisma: PrismaClient;
  /** The driver adapter factory, for the in-process schema engine (migrations). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Human-readable location for logs (no credentials). */
  describe: string;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const adapterFactory = new PrismaPg({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    });
    const prisma = new PrismaClient({ adapter: adapterFactory });
    const url = new URL(options.databaseUrl);
    return {
      prisma,
      adapterFactory,
      describe: `postgresql://${url.host}${url.pathname}`,
      close: () => prisma.$disconnect(),
    };
  }
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir);
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    adapterFactory,
    describe: `pglite:${options.dataDir}`,
    close: async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    },
  };
}
