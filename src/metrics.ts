// Prometheus metrics at /-/metrics (GitLab's path), for loopback callers and METRICS_ALLOW's CIDRs:
// HTTP requests by route template, GraphQL operations by (sanitized) name, SQL statements and the
// PostgreSQL pool. Each app has its own registry; Node's process metrics live in one registry per
// process (they describe the process, and collecting them per app would start a GC observer and an
// event-loop monitor per app), merged in at scrape time.
import { BlockList, isIP } from 'node:net';
import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database, PoolStats } from './db/client.ts';
import { docsAssetsPath, docsPath, openApiJsonPath } from './rest/docs.ts';
import { matchedRoutePath } from './rest/router.ts';

export const metricsPath = '/-/metrics';

export interface MetricsOptions {
  /** CIDRs besides loopback whose callers may scrape (Config.metricsAllow: `10.0.0.0/8`, `fd00::/8`). */
  allow: readonly string[];
  /** Where SQL statements and pool counts come from; both optional (a bare Prisma client has neither). */
  db: Partial<Pick<Database, 'observeQueries' | 'poolStats'>>;
}

export interface Metrics {
  /** Yoga plugin counting GraphQL operations, their duration and their errors. */
  graphqlPlugin: Plugin;
  /** Records one answered request: its method, raw URL path (labelled by route template), status and duration in seconds. */
  observeRequest(method: string, pathname: string, status: number, seconds: number): void;
  /** Whether the TCP peer at `address` may scrape; an unknown address (undefined) may not. */
  allows(address: string | undefined): boolean;
  /** The exposition (this app's metrics and the process's), Prometheus text format. */
  scrape(): Promise<Response>;
}

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const fixedPaths = new Set(['/-/health', '/-/readiness', metricsPath, openApiJsonPath, docsPath]);

/** The `route` label: a route template or fixed path, never the raw path; `unmatched` otherwise. */
function routeLabel(method: string, pathname: string): string {
  if (fixedPaths.has(pathname)) return pathname;
  if (pathname === '/api/graphql' || pathname.startsWith('/api/graphql/')) return '/api/graphql';
  if (pathname.startsWith(`${docsAssetsPath}/`)) return `${docsAssetsPath}/:file`;
  return matchedRoutePath(method, pathname) ?? 'unmatched';
}

/** Operation names come from clients: only [A-Za-z0-9_], at most 64 characters, at most this many distinct. */
const maxOperationNames = 500;

function operationLabels(seen: Set<string>) {
  const name = (raw: string | undefined) => {
    const clean = (raw ?? '').replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64) || 'Anonymous';
    if (seen.has(clean)) return clean;
    if (seen.size >= maxOperationNames) return 'other';
    seen.add(clean);
    return clean;
  };
  return (params: FillLabelsFnParams) => ({
    operationName: name(params.operationName),
    operationType: params.operationType ?? 'unknown',
  });
}

let processRegistry: Registry | undefined;
/** Node's default metrics (CPU, memory, event loop, GC, handles), collected once per process. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

function allowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(address, prefix === '' ? (type === 'ipv4' ? 32 : 128) : Number(prefix), type);
  }
  return list;
}

/** One app's metrics: a fresh registry (never prom-client's global one), subscribed to `db`'s statements. */
export function createMetrics({ allow, db }: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const processRegistry = processMetrics();
  const allowed = allowList(allow);

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request (until the response headers), by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  const statementDuration = new Histogram({
    name: 'db_statement_duration_seconds',
    help: 'SQL statements the Prisma client sent, by duration (_count is the number of statements).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  db.observeQueries?.((ms) => statementDuration.observe(ms / 1000));

  // PostgreSQL only; PGlite is one in-process connection without a pool, so these are left out.
  const { poolStats } = db;
  if (poolStats) {
    const gauge = (name: string, help: string, read: (s: PoolStats) => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read(poolStats())); } });
    gauge('db_pool_connections', 'Open connections in the PostgreSQL pool, idle or in use.', (s) => s.total);
    gauge('db_pool_idle_connections', 'Idle connections in the PostgreSQL pool.', (s) => s.idle);
    gauge('db_pool_waiting_requests', 'Callers waiting for a connection from the PostgreSQL pool.', (s) => s.waiting);
  }

  const labels = operationLabels(new Set());
  const graphqlPlugin = usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: 'graphql_operations_total', help: 'GraphQL operations executed, by operation name and type.', labelNames: ['operationName', 'operationType'] },
        fillLabelsFn: labels,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_operation_duration_seconds',
          help: 'Time to execute a GraphQL operation, by operation name and type.',
          labelNames: ['operationName', 'operationType'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
        fillLabelsFn: labels,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_operation_errors_total',
          help: 'GraphQL errors, by operation name and type and the phase that raised them (parse, validate, context, execute).',
          labelNames: ['operationName', 'operationType', 'phase'],
        },
        fillLabelsFn: (params) => ({ ...labels(params), phase: params.errorPhase ?? 'unknown' }),
      }),
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
      graphql_yoga_http_duration: false, // labelled by raw URL
    },
  });

  return {
    graphqlPlugin,
    observeRequest(method, pathname, status, seconds) {
      const methodLabel = methods.has(method) ? method : 'other';
      const route = routeLabel(method, pathname);
      requests.inc({ method: methodLabel, route, status: String(status) });
      requestDuration.observe({ method: methodLabel, route }, seconds);
    },
    allows(address) {
      if (!address) return false;
      const family = isIP(address);
      if (family === 4) return allowed.check(address, 'ipv4');
      if (family !== 6) return false;
      if (allowed.check(address, 'ipv6')) return true;
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
      return mapped !== undefined && allowed.check(mapped, 'ipv4');
    },
    async scrape() {
      const merged = Registry.merge([processRegistry, registry]);
      return new Response(await merged.metrics(), { status: 200, headers: { 'content-type': merged.contentType } });
    },
  };
}
