// `npm run bench`: the packages list of the GraphQL gateway against a one-statement reference.
//
//  1. generates the fixture (bench/generate.ts) unless bench/.data already holds it;
//  2. creates a fresh PostgreSQL database, loads the fixture with `npm run seed` (timed), ANALYZEs;
//  3. counts SQL statements per request of every target through a counting proxy (bench/pg-proxy.ts),
//     after checking that the gateway and the reference return the same page;
//  4. load-tests every target with autocannon (alternating rounds), directly on the database;
//  5. profiles the gateway under load when the issue's target is missed (or BENCH_PROFILE=1);
//  6. prints the report and writes bench/out/report.json; stops the children, drops the database.
//
// Beside it: targets.ts (what is loaded, and the REST hook), processes.ts (children, cleanup), cpu.ts
// (/proc accounting), pg-proxy.ts, reference.ts, generate.ts, profile.ts. See bench/README.md.
//
// Environment (all optional):
//   BENCH_PACKAGES=100000 BENCH_PROJECTS=10 BENCH_SEED=1   dataset size
//   BENCH_DURATION=10 BENCH_ROUNDS=3 BENCH_WARMUP=3         seconds per target per round, rounds, warm-up seconds
//   BENCH_CONNECTIONS=10 BENCH_PAGE_SIZES=20,100            load shape
//   BENCH_COUNT_REQUESTS=20                                 sequential requests of the SQL-count phase
//   BENCH_PROFILE=auto|1|0                                  CPU-profile the gateway (auto: when the target is missed)
//   BENCH_PROJECT=0                                         index of the project listed
//   BENCH_KEEP_DB=1                                         keep the database (its URL is printed)
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres   admin connection
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuBetween, CpuMonitor, noisyOthersShare, type CpuUse } from './cpu.ts';
import { benchDir, ensureFixture, intFromEnv, type FixtureMeta } from './generate.ts';
import { diffCounts, startCountingProxy, type StatementCounts } from './pg-proxy.ts';
import {
  BenchError,
  cleanup,
  installSignalCleanup,
  log,
  onCleanup,
  root,
  startChild,
  startGateway,
  startReferenceProcess,
  type Service,
} from './processes.ts';
import { formatProfile, summariseProfile, type ProfileSummary } from './profile.ts';
import {
  graphqlTarget,
  optionalTargets,
  referenceTarget,
  request,
  serviceOf,
  verifyPages,
  type Target,
  type World,
} from './targets.ts';

const outDir = path.join(benchDir, 'out');

const config = {
  packages: intFromEnv('BENCH_PACKAGES', 100_000),
  projects: intFromEnv('BENCH_PROJECTS', 10),
  seed: intFromEnv('BENCH_SEED', 1),
  duration: intFromEnv('BENCH_DURATION', 10),
  rounds: Math.max(1, intFromEnv('BENCH_ROUNDS', 3)),
  warmup: intFromEnv('BENCH_WARMUP', 3),
  connections: Math.max(1, intFromEnv('BENCH_CONNECTIONS', 10)),
  countRequests: Math.max(1, intFromEnv('BENCH_COUNT_REQUESTS', 20)),
  pageSizes: (process.env.BENCH_PAGE_SIZES || '20,100').split(',').map((s) => Number(s.trim())),
  projectIndex: intFromEnv('BENCH_PROJECT', 0),
  profile: (process.env.BENCH_PROFILE || 'auto').toLowerCase(),
  keepDb: ['1', 'true', 'yes'].includes((process.env.BENCH_KEEP_DB ?? '').toLowerCase()),
  adminUrl: process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
};
/** The issue's targets for the GraphQL list at page 20, relative to the reference. */
const goals = { pageSize: 20, minThroughputRatio: 0.8, maxP99Ratio: 1.5 };


// ---------------------------------------------------------------------------------------------------
// SQL statements per request

interface StatementResult {
  perRequest: number;
  requests: number;
  statements: number;
  /** Statements per request by SQL text, most frequent first. */
  byText: { sql: string; perRequest: number }[];
}

async function countStatements(
  services: Service[],
  targets: Target[],
  snapshot: () => StatementCounts,
): Promise<Map<string, StatementResult>> {
  const results = new Map<string, StatementResult>();
  for (const target of targets) {
    const base = serviceOf(services, target).url;
    const once = async () => {
      const { status, body, headers } = await request(base, target);
      if (status !== 200) throw new BenchError(`${target.label}: HTTP ${status} in the SQL-count phase`);
      target.normalise(body, headers); // throws on GraphQL errors
    };
    for (let i = 0; i < 3; i++) await once(); // warm: connections, last_used_at bookkeeping, caches
    await sleep(100); // let fire-and-forget statements of the warm-up land before the snapshot
    const before = snapshot();
    for (let i = 0; i < config.countRequests; i++) await once();
    await sleep(100);
    const diff = diffCounts(before, snapshot());
    const n = config.countRequests;
    results.set(target.id, {
      perRequest: diff.statements / n,
      requests: n,
      statements: diff.statements,
      byText: [...diff.byText].map(([sql, count]) => ({ sql, perRequest: count / n })),
    });
  }
  return results;
}

/** Set during the load phase (Linux). */
let cpuMonitor: CpuMonitor | undefined;

// ---------------------------------------------------------------------------------------------------
// Load

interface RoundResult {
  round: number;
  seconds: number;
  requests: number;
  /** autocannon's mean of per-second request counts. */
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU ms spent in the round (Linux only). */
  cpu?: CpuUse;
}

async function load(service: Service, target: Target, seconds: number, latencies?: number[]): Promise<RoundResult & { round: 0 }> {
  const base = service.url;
  const cpuBefore = await cpuMonitor?.sample(service.child.proc.pid!);
  const instance = autocannon({
    url: `${base}${target.path}`,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: config.connections,
    duration: seconds,
    timeout: 30,
  });
  let responses = 0;
  instance.on('response', (_client, _status, _bytes, ms) => {
    responses++;
    latencies?.push(ms);
  });
  const result = await instance;
  const cpuAfter = await cpuMonitor?.sample(service.child.proc.pid!);
  const cpu = cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined;
  return {
    cpu,
    round: 0,
    seconds: result.duration,
    requests: responses,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const percentile = (sorted: number[], p: number) => {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

interface TargetResult {
  id: string;
  label: string;
  service: string;
  pageSize: number;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  sqlPerRequest: number | null;
  /** CPU ms per request by process group, over all rounds (Linux only). */
  cpuPerRequest: CpuUse | null;
  throughputRatio: number | null;
  p99Ratio: number | null;
  rounds: RoundResult[];
  statements?: StatementResult;
}

// ---------------------------------------------------------------------------------------------------
// Dataset

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function datasetStats(url: string, projectPath: string) {
  return withClient(url, async (client) => {
    const tables = [
      'users', 'personal_access_tokens', 'namespaces', 'projects', 'group_members', 'ci_pipelines', 'packages_packages',
      'packages_package_files', 'packages_tags', 'packages_build_infos', 'packages_package_file_build_infos', 'packages_protection_rules',
    ];
    const rows: Record<string, number> = {};
    for (const table of tables) {
      const { rows: [row] } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
      rows[table] = Number(row!.n);
    }
    const { rows: [project] } = await client.query<{ id: number; listed: string; total: string }>(
      `SELECT pr.id,
              (SELECT count(*) FROM packages_packages p WHERE p.project_id = pr.id) AS total,
              (SELECT count(*) FROM packages_packages p WHERE p.project_id = pr.id AND p.status IN ('default', 'error', 'deprecated')
                 AND p.package_type <> 'terraform_module' AND p.version IS NOT NULL) AS listed
       FROM projects pr WHERE pr.full_path = $1`,
      [projectPath],
    );
    if (!project) throw new BenchError(`project ${projectPath} is not in the database after the seed`);
    const { rows: [size] } = await client.query<{ bytes: string; version: string }>(
      'SELECT pg_database_size(current_database()) AS bytes, current_setting($1) AS version',
      ['server_version'],
    );
    return {
      rows,
      project: { path: projectPath, id: project.id, packages: Number(project.total), listed: Number(project.listed) },
      databaseBytes: Number(size!.bytes),
      serverVersion: size!.version,
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Report

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
const thousands = (n: number) => n.toLocaleString('en-US');
/** CPU ms over a duration in seconds, as a share of one core. */
const pct = (ms: number, seconds: number) => `${Math.round(ms / (seconds * 10))}%`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r, n) => {
      const line = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ');
      return n === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const startedAt = new Date();
  mkdirSync(outDir, { recursive: true });
  for (const size of config.pageSizes) {
    if (!Number.isInteger(size) || size < 1 || size > 100) throw new BenchError(`BENCH_PAGE_SIZES: ${size} is not a page size (1..100)`);
  }

  // 1. Fixture
  const meta: FixtureMeta = await ensureFixture({ packages: config.packages, projects: config.projects, seed: config.seed }, log);
  const projectPath = meta.projects[config.projectIndex];
  if (!projectPath) throw new BenchError(`BENCH_PROJECT=${config.projectIndex}: the fixture has ${meta.projects.length} projects`);

  // 2. Database
  const dbName = `pgw_bench_${Date.now()}`;
  const databaseUrl = (() => {
    const url = new URL(config.adminUrl);
    url.pathname = `/${dbName}`;
    return url.toString();
  })();
  await withClient(config.adminUrl, (c) => c.query(`CREATE DATABASE "${dbName}"`)).catch((error: Error) => {
    throw new BenchError(`cannot create database ${dbName} via ${config.adminUrl.replace(/\/\/[^@]*@/, '//…@')}: ${error.message}`);
  });
  log(`database ${dbName} created`);
  if (config.keepDb) log(`BENCH_KEEP_DB: the database stays: ${databaseUrl}`);
  else {
    onCleanup('drop database', async () => {
      await withClient(config.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
      log(`database ${dbName} dropped`);
    });
  }

  log(`seeding: npm run seed -- --fixture ${path.relative(root, meta.file)}`);
  const seedStarted = performance.now();
  const seed = startChild('seed', 'npm', ['run', '--silent', 'seed', '--', '--fixture', meta.file], { ...process.env, DATABASE_URL: databaseUrl }, 50);
  const seedCode = await seed.exit;
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  if (seedCode !== 0) throw new BenchError(`npm run seed failed (exit ${seedCode}):\n${seed.tail.join('\n')}`);
  const summaryLine = seed.tail.filter((l) => l.startsWith('loaded ')).pop() ?? '';
  const loaderSeconds = Number(/ in ([\d.]+)s\s*$/.exec(summaryLine)?.[1] ?? Number.NaN);
  log(`seed: ${seedSeconds.toFixed(1)} s wall (${summaryLine || 'no summary line'})`);

  const analyzeStarted = performance.now();
  await withClient(databaseUrl, (c) => c.query('VACUUM ANALYZE'));
  const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
  const dataset = await datasetStats(databaseUrl, projectPath);
  const mismatches = (
    [
      ['packages_packages', meta.counts.packages],
      ['packages_package_files', meta.counts.files],
      ['packages_tags', meta.counts.tags],
      ['packages_build_infos', meta.counts.buildInfos],
      ['ci_pipelines', meta.counts.pipelines],
      ['users', meta.users],
    ] as const
  ).filter(([table, expected]) => dataset.rows[table] !== expected);
  if (mismatches.length > 0) {
    throw new BenchError(
      `the database does not hold what the fixture says: ${mismatches.map(([t, e]) => `${t} ${dataset.rows[t]} (fixture: ${e})`).join(', ')}`,
    );
  }
  const world: World = { token: meta.token, projectPath, projectId: dataset.project.id };

  // Targets: GraphQL and the reference at every page size, plus the optional ones that answer.
  const targets: Target[] = config.pageSizes.flatMap((size) => [graphqlTarget(world, size), referenceTarget(world, size)]);

  // 3. Page check and SQL statements per request, through the counting proxy.
  const proxy = await startCountingProxy(databaseUrl);
  const closeProxy = onCleanup('close proxy', () => proxy.close());
  let services: Service[] = [await startGateway(proxy.url), await startReferenceProcess(proxy.url)];
  const gatewayUrl = () => services[0]!.url;
  const optionalNotes: string[] = [];
  for (const optional of optionalTargets) {
    const probe = optional.probePath(world);
    const status = await fetch(`${gatewayUrl()}${probe}`, { headers: { 'private-token': world.token } }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) {
      for (const size of config.pageSizes) targets.push(optional.targets(world, size));
      optionalNotes.push(`${optional.name}: included (GET ${probe} -> 200)`);
    } else {
      optionalNotes.push(`${optional.name}: not included (GET ${probe} -> ${status || 'no answer'})`);
    }
    log(optionalNotes.at(-1)!);
  }
  targets.sort((a, b) => a.pageSize - b.pageSize || order(a) - order(b));
  const { notes: verification, excluded } = await verifyPages(services, targets);
  for (const note of verification) log(`same page: ${note}`);
  for (const [id, why] of excluded) {
    log(`LEFT OUT: ${why}`);
    optionalNotes.push(`${id} left out: ${why}`);
    targets.splice(targets.findIndex((t) => t.id === id), 1);
  }
  const statements = await countStatements(services, targets, proxy.snapshot);
  for (const t of targets) log(`SQL statements per request, ${t.label}: ${fmt(statements.get(t.id)!.perRequest, 2)}`);
  for (const service of services) await service.stop();
  await closeProxy();

  // 4. Load, straight on the database.
  services = [await startGateway(databaseUrl), await startReferenceProcess(databaseUrl)];
  if (process.platform === 'linux') {
    const monitor = await CpuMonitor.open(config.adminUrl, dbName);
    cpuMonitor = monitor;
    onCleanup('close CPU monitor', () => monitor.close());
  }
  // How busy the rest of the machine is before we load it (other work shares these cores).
  let backgroundShare: number | undefined;
  if (cpuMonitor) {
    const gatewayPid = services[0]!.child.proc.pid!;
    const before = await cpuMonitor.sample(gatewayPid);
    await sleep(3000);
    const others = cpuBetween(before, await cpuMonitor.sample(gatewayPid))?.others;
    backgroundShare = others === undefined ? undefined : others / 3000;
    log(`other processes before the load: ${fmt((backgroundShare ?? Number.NaN) * 100, 0)}% of a core`);
  }
  const recheck = await verifyPages(services, targets);
  if (recheck.excluded.size > 0) throw new BenchError(`pages changed between phases:\n${[...recheck.excluded.values()].join('\n')}`);
  const rounds = new Map<string, RoundResult[]>(targets.map((t) => [t.id, []]));
  const latencies = new Map<string, number[]>(targets.map((t) => [t.id, []]));
  if (config.warmup > 0) {
    log(`warm-up: ${config.warmup} s per target`);
    for (const target of targets) await load(serviceOf(services, target), target, config.warmup);
  }
  for (let round = 1; round <= config.rounds; round++) {
    const sequence = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of sequence) {
      const result = { ...(await load(serviceOf(services, target), target, config.duration, latencies.get(target.id))), round };
      rounds.get(target.id)!.push(result);
      log(
        `round ${round}/${config.rounds} ${target.label.padEnd(24)} ${fmt(result.rps, 0).padStart(6)} req/s  p50 ${fmt(result.p50, 1)} ms  p99 ${fmt(result.p99, 1)} ms` +
          (result.cpu
            ? `  CPU: ${target.service} ${pct(result.cpu.service, result.seconds)}, postgres ${pct(result.cpu.postgres, result.seconds)}, ` +
              `autocannon ${pct(result.cpu.loadGenerator, result.seconds)}, others ${pct(result.cpu.others ?? Number.NaN, result.seconds)} of a core` +
              ((result.cpu.others ?? 0) > noisyOthersShare * result.seconds * 1000 ? '  NOISY (the machine is shared)' : '')
            : '') +
          (result.non2xx || result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : ''),
      );
      await sleep(500);
    }
  }
  const gatewayStderr = services[0]!.child.tail.slice();
  for (const service of services) await service.stop();

  const results: TargetResult[] = targets.map((target) => {
    const runs = rounds.get(target.id)!;
    const sorted = latencies.get(target.id)!.sort((a, b) => a - b);
    const seconds = runs.reduce((s, r) => s + r.seconds, 0);
    const requests = runs.reduce((s, r) => s + r.requests, 0);
    return {
      id: target.id,
      label: target.label,
      service: target.service,
      pageSize: target.pageSize,
      path: target.path,
      rps: requests / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      requests,
      non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
      errors: runs.reduce((s, r) => s + r.errors + r.timeouts, 0),
      sqlPerRequest: statements.get(target.id)?.perRequest ?? null,
      cpuPerRequest: runs.every((r) => r.cpu)
        ? {
            service: runs.reduce((sum, r) => sum + r.cpu!.service, 0) / requests,
            postgres: runs.reduce((sum, r) => sum + r.cpu!.postgres, 0) / requests,
            loadGenerator: runs.reduce((sum, r) => sum + r.cpu!.loadGenerator, 0) / requests,
            // Here: the other processes' share of one core over the rounds.
            others: runs.reduce((sum, r) => sum + (r.cpu!.others ?? Number.NaN), 0) / (seconds * 1000),
          }
        : null,
      throughputRatio: null,
      p99Ratio: null,
      rounds: runs,
      statements: statements.get(target.id),
    };
  });
  for (const r of results) {
    const reference = results.find((x) => x.service === 'reference' && x.pageSize === r.pageSize);
    if (!reference) continue;
    r.throughputRatio = r.rps / reference.rps;
    r.p99Ratio = r.p99 / reference.p99;
  }
  const graphqlAtGoal = results.find((r) => r.id === `graphql-${goals.pageSize}`);
  const goal = graphqlAtGoal
    ? {
        throughputRatio: graphqlAtGoal.throughputRatio,
        p99Ratio: graphqlAtGoal.p99Ratio,
        throughputMet: (graphqlAtGoal.throughputRatio ?? 0) >= goals.minThroughputRatio,
        p99Met: (graphqlAtGoal.p99Ratio ?? Infinity) <= goals.maxP99Ratio,
      }
    : undefined;

  // 5. Profile the gateway under load.
  let profile: ProfileSummary | undefined;
  const wantProfile = config.profile === '1' || config.profile === 'true' || (config.profile === 'auto' && goal && !(goal.throughputMet && goal.p99Met));
  const profileTarget = targets.find((t) => t.id === `graphql-${goals.pageSize}`) ?? targets.find((t) => t.service === 'gateway');
  if (wantProfile && profileTarget) {
    const dir = path.join(outDir, `profile-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    const seconds = Math.max(5, config.duration);
    log(`profiling the gateway: ${profileTarget.label} for ${seconds} s under node --cpu-prof`);
    const gateway = await startGateway(databaseUrl, dir);
    await load(gateway, profileTarget, Math.min(3, seconds)); // warm up, outside the window summarised
    // The profile starts with the process: summarise only the samples of the measured load.
    const from = performance.now() - gateway.child.startedAt;
    await load(gateway, profileTarget, seconds);
    const to = performance.now() - gateway.child.startedAt;
    await gateway.stop();
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (others: tsx's loader worker).
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    const main = profiles.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? profiles.sort((a, b) => statSync(path.join(dir, b)).size - statSync(path.join(dir, a)).size)[0];
    const file = main && path.join(dir, main);
    if (file) {
      profile = summariseProfile(file, { window: [from, to] });
      log(`profile: ${path.relative(root, file)} (open it in Chrome DevTools or speedscope)`);
    } else log(`no .cpuprofile written in ${dir}`);
  }

  // 6. Report
  const gatewayResults = results.filter((r) => r.service === 'gateway');
  const failures = results.filter((r) => r.non2xx > 0 || r.errors > 0);
  const header = [
    `packages-gateway bench — ${startedAt.toISOString()} — node ${process.version}, PostgreSQL ${dataset.serverVersion}, ${os.cpus().length} CPUs`,
    `dataset: ${thousands(dataset.rows.packages_packages!)} packages in ${meta.projects.length} projects, ${thousands(dataset.rows.packages_package_files!)} files, ` +
      `${thousands(dataset.rows.packages_tags!)} tags, ${thousands(dataset.rows.packages_build_infos!)} build infos, ${thousands(dataset.rows.ci_pipelines!)} pipelines, ` +
      `${thousands(dataset.rows.users!)} users; fixture ${(meta.bytes / 1e6).toFixed(0)} MB; database ${(dataset.databaseBytes / 1e6).toFixed(0)} MB`,
    `listed project: ${projectPath} (${thousands(dataset.project.packages)} packages, ${thousands(dataset.project.listed)} in the default listing), as user ${meta.benchUser} (maintainer via the group)`,
    `seed: ${fmt(seedSeconds)} s wall for \`npm run seed\` (loader's own figure: ${fmt(loaderSeconds)} s; target < 30 s for 100k: ${seedSeconds < 30 ? 'met' : 'MISSED'}); then VACUUM ANALYZE ${fmt(analyzeSeconds)} s`,
    `load: autocannon, ${config.connections} connections, ${config.rounds} alternating round(s) x ${config.duration} s per target after ${config.warmup} s warm-up; ` +
      `SQL counted over ${config.countRequests} sequential requests per target (wire-protocol proxy)` +
      (backgroundShare === undefined ? '' : `; other processes used ${fmt(backgroundShare * 100, 0)}% of a core just before the load`),
  ];
  const rows = [
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'req/s vs ref', 'p99 vs ref'],
    ...results.map((r) => [
      r.label,
      fmt(r.rps, 0),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.sqlPerRequest, r.sqlPerRequest !== null && Number.isInteger(r.sqlPerRequest) ? 0 : 2),
      r.service === 'reference' ? '1.00x' : `${fmt(r.throughputRatio, 2)}x`,
      r.service === 'reference' ? '1.00x' : `${fmt(r.p99Ratio, 2)}x`,
    ]),
  ];
  const lines = [...header, '', table(rows), ''];
  if (results.every((r) => r.cpuPerRequest)) {
    lines.push(
      'CPU per request (ms, /proc utime+stime over the rounds; the machine has ' + `${os.cpus().length} cores):`,
      table([
        ['target', 'service process', 'postgres backends', 'load generator', 'total', 'other processes'],
        ...results.map((r) => {
          const c = r.cpuPerRequest!;
          const total = c.service + c.postgres + c.loadGenerator;
          return [r.label, fmt(c.service, 2), fmt(c.postgres, 2), fmt(c.loadGenerator, 2), fmt(total, 2), `${fmt((c.others ?? Number.NaN) * 100, 0)}% of a core`];
        }),
      ]),
      '',
    );
  }
  const noisy = results.flatMap((r) => r.rounds.filter((x) => (x.cpu?.others ?? 0) > noisyOthersShare * x.seconds * 1000).map(() => r.label));
  if (noisy.length > 0) {
    lines.push(
      `NOTE: ${noisy.length} of ${results.reduce((n, r) => n + r.rounds.length, 0)} rounds ran while other processes used more than ` +
        `${noisyOthersShare * 100}% of a core (the machine is shared): those figures are noisy; see report.json rounds[].cpu.others.`,
    );
  }
  if (goal) {
    lines.push(
      `issue targets (GraphQL list, page ${goals.pageSize}): throughput >= ${goals.minThroughputRatio}x reference: ${fmt(goal.throughputRatio, 2)}x ${goal.throughputMet ? 'met' : 'MISSED'}; ` +
        `p99 <= ${goals.maxP99Ratio}x reference: ${fmt(goal.p99Ratio, 2)}x ${goal.p99Met ? 'met' : 'MISSED'}`,
    );
  }
  lines.push(...optionalNotes.map((n) => `more targets: ${n}`));
  for (const r of gatewayResults) {
    const s = r.statements;
    if (!s) continue;
    lines.push(`SQL per request, ${r.label}:`);
    for (const { sql, perRequest } of s.byText) lines.push(`  ${fmt(perRequest, 2).padStart(5)} x ${sql}`);
  }
  if (failures.length > 0) {
    lines.push(`FAILED REQUESTS: ${failures.map((r) => `${r.label}: ${r.non2xx} non-2xx, ${r.errors} errors/timeouts`).join('; ')}`);
    if (gatewayStderr.length) lines.push(`gateway output (last lines):\n  ${gatewayStderr.slice(-10).join('\n  ')}`);
  }
  if (profile) lines.push('', formatProfile(profile));
  const text = lines.join('\n');
  console.log(`\n${text}\n`);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: { node: process.version, postgres: dataset.serverVersion, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}` },
    config: { ...config, adminUrl: undefined },
    dataset: {
      fixture: { file: path.relative(root, meta.file), bytes: meta.bytes, generatorSeconds: meta.seconds, counts: meta.counts },
      rows: dataset.rows,
      databaseBytes: dataset.databaseBytes,
      project: dataset.project,
    },
    backgroundShareOfACore: backgroundShare,
    seed: { wallSeconds: seedSeconds, loaderSeconds, summary: summaryLine, targetSeconds: 30, analyzeSeconds },
    verification,
    optionalTargets: optionalNotes,
    goals: { ...goals, ...goal },
    targets: results,
    profile,
    failures: failures.map((r) => r.id),
    text,
  };
  const reportFile = path.join(outDir, 'report.json');
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`report written to ${path.relative(root, reportFile)}`);
  return failures.length > 0 ? 1 : 0;
}

/** Gateway targets before the reference, GraphQL before REST, at each page size. */
function order(target: Target): number {
  return target.id.startsWith('graphql') ? 0 : target.service === 'reference' ? 1 : 2;
}

installSignalCleanup();
main()
  .then(
    async (code) => {
      await cleanup();
      process.exit(code);
    },
    async (error: unknown) => {
      console.error(error instanceof BenchError ? `bench failed: ${error.message}` : error);
      await cleanup();
      process.exit(1);
    },
  );
