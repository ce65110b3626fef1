import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Typed, validated configuration read from the environment. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; absent means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Base for absolute URLs in responses; absent means the request's scheme and Host. */
  publicUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** GraphiQL on GET /api/graphql. */
  graphiql: boolean;
  /**
   * Answer unexpected errors with their cause and stack (EXPOSE_ERRORS=true, for local debugging).
   * Off by default in every mode; the log has the details either way.
   */
  exposeErrors: boolean;
  /** Load the bundled demo fixture into an empty database at startup. */
  seedDemo: boolean;
  /** CIDRs (`10.0.0.0/8`, `fd00::/8`) besides loopback whose callers may read /-/metrics. */
  metricsAllow: string[];
  /** Gateway processes serving one port (node:cluster); more than 1 needs DATABASE_URL. */
  workers: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'must be true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** `a.b.c.d/n` or `v6::/n`, or a bare address (one host); returns `address/prefix`, or null when invalid. */
function parseCidr(entry: string): string | null {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return null;
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return `${address}/${max}`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return null;
  return `${address}/${Number(prefix)}`;
}

const cidrList = z
  .string()
  .transform((v, ctx) => {
    const entries = v.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.find((e) => parseCidr(e) === null);
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must be comma-separated CIDRs such as 10.0.0.0/8,fd00::/8 ("${bad}" is not one)` });
      return z.NEVER;
    }
    return entries.map((e) => parseCidr(e)!);
  });

const schema = z.object({
  PORT: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d+$/, 'must be an integer from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65535, 'must be an integer from 0 to 65535')
      .default(4000),
  ),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => {
        try {
          const url = new URL(v);
          return (url.protocol === 'postgresql:' || url.protocol === 'postgres:') && url.hostname !== '';
        } catch {
          return false;
        }
      }, 'must be a postgresql:// URL with a host (leave it unset for the embedded database)')
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./.data')),
  PUBLIC_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => {
        try {
          return ['http:', 'https:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, 'must be an http(s) URL such as https://packages.example.com')
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('development')),
  GRAPHIQL: z.preprocess(emptyAsUndefined, booleanFlag.optional()),
  SEED_DEMO: z.preprocess(emptyAsUndefined, booleanFlag.optional()),
  EXPOSE_ERRORS: z.preprocess(emptyAsUndefined, booleanFlag.optional()),
  METRICS_ALLOW: z.preprocess(emptyAsUndefined, cidrList.optional()),
  WORKERS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[1-9]\d{0,2}$/, 'must be an integer from 1 to 999')
      .transform(Number)
      .default(1),
  ),
});

/** Reads the configuration; throws a ConfigError whose one-line message names the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const raw = env[name];
      return `${name}=${JSON.stringify(raw)} ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(`invalid configuration: WORKERS=${e.WORKERS} needs DATABASE_URL (the embedded database is opened by one process only)`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL ?? !production,
    exposeErrors: e.EXPOSE_ERRORS ?? false,
    seedDemo: e.SEED_DEMO ?? true,
    metricsAllow: e.METRICS_ALLOW ?? [],
    workers: e.WORKERS,
  };
}
