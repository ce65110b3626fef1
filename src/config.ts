import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Typed, validated configuration read from the environment. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; absent means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  /** PostgreSQL's statement_timeout for the gateway's statements, in seconds (DATABASE_URL only); 0: none. */
  databaseStatementTimeoutSeconds: number;
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
  /** Where package files are stored: a directory, or an S3-compatible bucket. */
  packageStorage: PackageStorageConfig;
  /** The largest package file accepted, in bytes (larger uploads: 413). */
  maxPackageFileBytes: number;
  /** How long a deleted (pending_destruction) file or package is kept before the cleanup removes it, in seconds. */
  packageCleanupDelaySeconds: number;
  /** How often the cleanup runs, in seconds; 0 turns it off. */
  packageCleanupIntervalSeconds: number;
  /** Limits on each HTTP request (HTTP_*): how long its parts may take to arrive, and its head's size. */
  http: HttpSettings;
  /** After SIGTERM/SIGINT, how long open connections may finish before they are destroyed, in seconds. */
  shutdownTimeoutSeconds: number;
  /** GitLab's user and IP rate limits (RATE_LIMIT_*; src/rate-limit.ts). */
  rateLimit: RateLimitSettings;
  /** How long a browser session lasts after sign-in, in seconds (never past its token's expiry). */
  sessionTtlSeconds: number;
}

/** Request budgets per token and per client IP (GitLab's throttle_authenticated_api / throttle_unauthenticated_api). */
export interface RateLimitSettings {
  /** RATE_LIMIT_ENABLED; off by default in every mode, as GitLab's throttles. */
  enabled: boolean;
  /** Requests per period for each personal access token; 0: unlimited. */
  authenticated: { requests: number; periodSeconds: number };
  /** Requests per period for each client IP (anonymous callers, and tokens that do not authenticate); 0: unlimited. */
  unauthenticated: { requests: number; periodSeconds: number };
  /** RateLimit-* headers on answers that are not throttled too (GitLab's `rate_limiting_headers_for_unthrottled_requests`). */
  headersOnAllResponses: boolean;
}

/** Limits on each HTTP request: how long its parts may take to arrive (0: no limit), and its head's size. */
export interface HttpSettings {
  /** From a request's first byte to the end of its headers, in seconds (408 after). */
  headersTimeoutSeconds: number;
  /** From a request's first byte to the end of its body, in seconds (408 after); at least headersTimeoutSeconds. */
  requestTimeoutSeconds: number;
  /** The longest pause while a request's body arrives, in seconds (the connection is closed after). */
  bodyIdleTimeoutSeconds: number;
  /** How long a keep-alive connection is kept open between requests, in seconds (at least 1). */
  keepAliveTimeoutSeconds: number;
  /** The largest request head (request line and headers), in bytes (431 beyond). */
  maxHeaderBytes: number;
}

/**
 * The HTTP_* defaults: headers in 30 s; a whole request in an hour (a 5 GiB upload at 1.5 MB/s); a
 * body may pause 60 s (nginx's client_body_timeout); keep-alive 5 s and 16 KiB of headers (Node's).
 */
export const defaultHttpSettings: HttpSettings = {
  headersTimeoutSeconds: 30,
  requestTimeoutSeconds: 3600,
  bodyIdleTimeoutSeconds: 60,
  keepAliveTimeoutSeconds: 5,
  maxHeaderBytes: 16 * 1024,
};

/** SHUTDOWN_TIMEOUT_SECONDS's default. */
export const defaultShutdownTimeoutSeconds = 10;

/** An S3 bucket (or S3-compatible service) and the key prefix package files go under. */
export interface S3Location {
  bucket: string;
  /** Key prefix (`packages/`), empty for the bucket's root. */
  prefix: string;
  /** The service's URL (`http://127.0.0.1:9000`); absent: AWS's endpoint for the region. */
  endpoint?: string;
  region: string;
  /** Path-style requests (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Absent: the AWS SDK's default credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export type PackageStorageConfig = { kind: 'directory'; path: string } | { kind: 's3'; location: S3Location };

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

/**
 * `s3://[key:secret@]bucket[/prefix]?endpoint=http://host:9000&region=us-east-1&force_path_style=true`
 * as an S3Location; region defaults to us-east-1, path-style requests to on when an endpoint is given.
 */
function parseS3Url(value: string): S3Location | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an s3://bucket URL';
  }
  if (url.protocol !== 's3:' || url.hostname === '') return 'must be an s3://bucket URL';
  const known = new Set(['endpoint', 'region', 'force_path_style']);
  const unknown = [...url.searchParams.keys()].find((k) => !known.has(k));
  if (unknown !== undefined) return `has an unknown parameter "${unknown}" (known: endpoint, region, force_path_style)`;
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) return 'has an endpoint that is not an http(s) URL';
  const pathStyle = url.searchParams.get('force_path_style');
  if (pathStyle !== null && !['true', 'false'].includes(pathStyle)) return 'has force_path_style that is not true or false';
  if ((url.username === '') !== (url.password === '')) return 'must give both the access key and the secret (s3://key:secret@bucket), or neither';
  const prefix = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  return {
    bucket: url.hostname,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    ...(endpoint !== undefined ? { endpoint } : {}),
    region: url.searchParams.get('region') ?? 'us-east-1',
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    ...(url.username ? { credentials: { accessKeyId: decodeURIComponent(url.username), secretAccessKey: decodeURIComponent(url.password) } } : {}),
  };
}

const s3Url = z.string().transform((v, ctx) => {
  const parsed = parseS3Url(v);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

/** A non-negative integer variable with a default. */
const count = (max: number, fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d+$/, `must be an integer from 0 to ${max}`)
      .transform(Number)
      .refine((n) => n <= max, `must be an integer from 0 to ${max}`)
      .default(fallback),
  );

/** A period in whole seconds, from 1 to `max`, with a default. */
const seconds = (max: number, fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[1-9]\d*$/, `must be an integer from 1 to ${max}`)
      .transform(Number)
      .refine((n) => n <= max, `must be an integer from 1 to ${max}`)
      .default(fallback),
  );

/** GitLab's default plan limit for a generic package file (`generic_packages_max_file_size`, 5 GiB). */
export const defaultMaxPackageFileBytes = 5 * 1024 ** 3;

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
  PACKAGE_STORAGE_PATH: z.preprocess(emptyAsUndefined, z.string().optional()),
  PACKAGE_STORAGE_URL: z.preprocess(emptyAsUndefined, s3Url.optional()),
  MAX_PACKAGE_FILE_BYTES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[1-9]\d{0,15}$/, 'must be a positive integer (bytes)')
      .transform(Number)
      .default(defaultMaxPackageFileBytes),
  ),
  // GitLab's default `db_statement_timeout` (Omnibus: 60000 ms).
  DATABASE_STATEMENT_TIMEOUT_SECONDS: count(86400, 60),
  PACKAGE_CLEANUP_DELAY_SECONDS: count(10 * 365 * 86400, 86400),
  PACKAGE_CLEANUP_INTERVAL_SECONDS: count(86400, 300),
  HTTP_HEADERS_TIMEOUT_SECONDS: count(86400, defaultHttpSettings.headersTimeoutSeconds),
  HTTP_REQUEST_TIMEOUT_SECONDS: count(7 * 86400, defaultHttpSettings.requestTimeoutSeconds),
  HTTP_BODY_IDLE_TIMEOUT_SECONDS: count(86400, defaultHttpSettings.bodyIdleTimeoutSeconds),
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[1-9]\d{0,3}$/, 'must be an integer from 1 to 3600')
      .transform(Number)
      .refine((n) => n <= 3600, 'must be an integer from 1 to 3600')
      .default(defaultHttpSettings.keepAliveTimeoutSeconds),
  ),
  HTTP_MAX_HEADER_BYTES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d{4,7}$/, 'must be an integer from 1024 to 1048576 (bytes)')
      .transform(Number)
      .refine((n) => n >= 1024 && n <= 1024 * 1024, 'must be an integer from 1024 to 1048576 (bytes)')
      .default(defaultHttpSettings.maxHeaderBytes),
  ),
  SHUTDOWN_TIMEOUT_SECONDS: count(3600, defaultShutdownTimeoutSeconds),
  SESSION_TTL_SECONDS: count(365 * 86400, 7 * 86400),
  // GitLab's defaults for its authenticated and unauthenticated API throttles.
  RATE_LIMIT_ENABLED: z.preprocess(emptyAsUndefined, booleanFlag.optional()),
  RATE_LIMIT_AUTHENTICATED_REQUESTS: count(1_000_000_000, 7200),
  RATE_LIMIT_AUTHENTICATED_PERIOD_SECONDS: seconds(86400, 3600),
  RATE_LIMIT_UNAUTHENTICATED_REQUESTS: count(1_000_000_000, 3600),
  RATE_LIMIT_UNAUTHENTICATED_PERIOD_SECONDS: seconds(86400, 3600),
  RATE_LIMIT_HEADERS_ON_ALL_RESPONSES: z.preprocess(emptyAsUndefined, booleanFlag.optional()),
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
  if (e.PACKAGE_STORAGE_PATH && e.PACKAGE_STORAGE_URL) {
    throw new ConfigError('invalid configuration: PACKAGE_STORAGE_PATH and PACKAGE_STORAGE_URL are both set (set one: a directory, or an s3:// bucket)');
  }
  if (e.HTTP_REQUEST_TIMEOUT_SECONDS > 0 && e.HTTP_HEADERS_TIMEOUT_SECONDS > e.HTTP_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `invalid configuration: HTTP_HEADERS_TIMEOUT_SECONDS=${e.HTTP_HEADERS_TIMEOUT_SECONDS} is longer than HTTP_REQUEST_TIMEOUT_SECONDS=${e.HTTP_REQUEST_TIMEOUT_SECONDS} (the headers are part of the request)`,
    );
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseStatementTimeoutSeconds: e.DATABASE_STATEMENT_TIMEOUT_SECONDS,
    dataDir,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL ?? !production,
    exposeErrors: e.EXPOSE_ERRORS ?? false,
    seedDemo: e.SEED_DEMO ?? true,
    metricsAllow: e.METRICS_ALLOW ?? [],
    workers: e.WORKERS,
    packageStorage: e.PACKAGE_STORAGE_URL
      ? { kind: 's3', location: e.PACKAGE_STORAGE_URL }
      : { kind: 'directory', path: path.resolve(e.PACKAGE_STORAGE_PATH ?? path.join(dataDir, 'packages')) },
    maxPackageFileBytes: e.MAX_PACKAGE_FILE_BYTES,
    packageCleanupDelaySeconds: e.PACKAGE_CLEANUP_DELAY_SECONDS,
    packageCleanupIntervalSeconds: e.PACKAGE_CLEANUP_INTERVAL_SECONDS,
    http: {
      headersTimeoutSeconds: e.HTTP_HEADERS_TIMEOUT_SECONDS,
      requestTimeoutSeconds: e.HTTP_REQUEST_TIMEOUT_SECONDS,
      bodyIdleTimeoutSeconds: e.HTTP_BODY_IDLE_TIMEOUT_SECONDS,
      keepAliveTimeoutSeconds: e.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS,
      maxHeaderBytes: e.HTTP_MAX_HEADER_BYTES,
    },
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED ?? false,
      authenticated: { requests: e.RATE_LIMIT_AUTHENTICATED_REQUESTS, periodSeconds: e.RATE_LIMIT_AUTHENTICATED_PERIOD_SECONDS },
      unauthenticated: { requests: e.RATE_LIMIT_UNAUTHENTICATED_REQUESTS, periodSeconds: e.RATE_LIMIT_UNAUTHENTICATED_PERIOD_SECONDS },
      headersOnAllResponses: e.RATE_LIMIT_HEADERS_ON_ALL_RESPONSES ?? false,
    },
  };
}
