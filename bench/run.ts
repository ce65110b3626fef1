// `npm run bench`: the packages list of the gateway (GraphQL and REST E1) against PostGraphile 5 (the
// peer, bench/postgraphile.ts) and a one-statement hand-written reference (bench/reference.ts).
//
//  1. generates the fixture (bench/generate.ts) unless bench/.data already holds it;
//  2. creates a fresh PostgreSQL database, loads the fixture with `npm run seed` (timed), ANALYZEs;
//  3. counts SQL statements per request of every target through a counting proxy (bench/pg-proxy.ts),
//     after checking that the gateway and the reference return the same page;
//  4. load-tests every target with autocannon (alternating rounds), directly on the database;
//  5. profiles the gateway under load when the issue's target is missed (or BENCH_PROFILE=1);
//  6. prints the report and writes bench/out/report.json; stops the children, drops the database.
//  With `--soak` (npm run bench -- --soak), then the soak (bench/soak.ts; alone: npm run bench:soak).
//
// Beside it: targets.ts (what is loaded, and the REST hook), processes.ts (children, cleanup), cpu.ts
// (/proc accounting), pg-proxy.ts, reference.ts, generate.ts, profile.ts. See bench/README.md.
//
// Environment (all optional):
//   BENCH_PACKAGES=100000 BENCH_PROJECTS=10 BENCH_SEED=1   dataset size
//   BENCH_DURATION=10 BENCH_ROUNDS=5 BENCH_WARMUP=3         seconds per target per round, rounds, warm-up seconds
//   BENCH_CONNECTIONS=10 BENCH_PAGE_SIZES=20,100            load shape
//   BENCH_COUNT_REQUESTS=20                                 sequential requests of the SQL-count phase
//   BENCH_PROFILE=auto|1|0                                  CPU-profile the gateway (auto: when the target is missed)
//   BENCH_WORKERS=1,2                                       gateway process counts (WORKERS) measured
//   BENCH_PROJECT=0                                         index of the project listed
//   BENCH_KEEP_DB=1                                         keep the database (its URL is printed)
//   BENCH_SCALE_REQUESTS=100 BENCH_SCALE_ONLY=1             sequential requests per scale query; only those
//                                                           (no PostGraphile, no load: for a 1M-package run)
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres   admin connection
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuBetween, CpuMonitor, noisyOthersShare, sampleRss } from './cpu.ts';
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
  startPostGraphileProcess,
  startReferenceProcess,
  type Service,
} from './processes.ts';
import { formatProfile, summariseProfile, type ProfileSummary } from './profile.ts';
import { addRatios, checkGoals, fmt, formatResults, summarise, thousands, type RoundResult, type StatementResult, type TargetResult } from './report.ts';
import { formatScale, measureScale, scaleQueries } from './scale.ts';
import { runSoak } from './soak.ts';
import {
  graphqlTarget,
  optionalTargets,
  postgraphileTarget,
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
  rounds: Math.max(1, intFromEnv('BENCH_ROUNDS', 5)),
  warmup: intFromEnv('BENCH_WARMUP', 3),
  connections: Math.max(1, intFromEnv('BENCH_CONNECTIONS', 10)),
  countRequests: Math.max(1, intFromEnv('BENCH_COUNT_REQUESTS', 20)),
  pageSizes: (process.env.BENCH_PAGE_SIZES || '20,100').split(',').map((s) => Number(s.trim())),
  projectIndex: intFromEnv('BENCH_PROJECT', 0),
  profile: (process.env.BENCH_PROFILE || 'auto').toLowerCase(),
  /** Gateway process counts measured (WORKERS); the first is the one profiled and compared in the SQL count. */
  workers: (process.env.BENCH_WORKERS || '1,2').split(',').map((s) => Number(s.trim())),
  keepDb: ['1', 'true', 'yes'].includes((process.env.BENCH_KEEP_DB ?? '').toLowerCase()),
  scaleRequests: Math.max(1, intFromEnv('BENCH_SCALE_REQUESTS', 100)),
  scaleOnly: ['1', 'true', 'yes'].includes((process.env.BENCH_SCALE_ONLY ?? '').toLowerCase()),
  adminUrl: process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
};


// ---------------------------------------------------------------------------------------------------
// SQL statements per request

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

async function load(service: Service, target: Target, seconds: number, latencies?: number[]): Promise<RoundResult & { round: 0 }> {
  const base = service.url;
  const cpuBefore = await cpuMonitor?.sample(service.child.proc.pid!);
  const rss = process.platform === 'linux' ? sampleRss(service.child.proc.pid!) : undefined;
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
  const rssPeaks = rss?.stop();
  const cpuAfter = await cpuMonitor?.sample(service.child.proc.pid!);
  const cpu = cpuBefore && cpuAfter ? cpuBetween(cpuBefore, cpuAfter) : undefined;
  return {
    cpu,
    rssPeak: rssPeaks?.tree,
    rssProcessPeak: rssPeaks?.process,
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

/** CPU ms over a duration in seconds, as a share of one core. */
const pct = (ms: number, seconds: number) => `${Math.round(ms / (seconds * 10))}%`;

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
  const scaleWorld = { projectId: dataset.project.id, groupPath: projectPath.split('/')[0]!, searchTerm: 'audit-bill' };
  const seedLine = `seed: ${fmt(seedSeconds)} s wall for \`npm run seed\` (loader's own figure: ${fmt(loaderSeconds)} s)`;
  if (config.scaleOnly) {
    const gateway = await startGateway(databaseUrl);
    const scale = await measureScale(gateway.url, world.token, scaleQueries(scaleWorld), config.scaleRequests);
    await gateway.stop();
    const text = [seedLine, ...formatScale(scale, dataset.rows.packages_packages!)].join('\n');
    console.log(`\n${text}\n`);
    writeFileSync(path.join(outDir, `scale-${dataset.rows.packages_packages}.json`), `${JSON.stringify({ seedSeconds, loaderSeconds, scale, text }, null, 2)}\n`);
    return 0;
  }

  // Targets: GraphQL, the reference and PostGraphile at every page size, plus the optional ones that answer.
  const targets: Target[] = config.pageSizes.flatMap((size) => [graphqlTarget(world, size), referenceTarget(world, size), postgraphileTarget(world, size)]);

  // 3. Page check and SQL statements per request, through the counting proxy.
  const proxy = await startCountingProxy(databaseUrl);
  const closeProxy = onCleanup('close proxy', () => proxy.close());
  let services: Service[] = [await startGateway(proxy.url), await startReferenceProcess(proxy.url), await startPostGraphileProcess(proxy.url)];
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
  // The gateway's targets again for each further process count (WORKERS=n), on a gateway started so.
  const extraWorkers = config.workers.filter((n) => n > 1);
  for (const n of extraWorkers) {
    for (const t of targets.filter((x) => x.service === 'gateway')) {
      targets.push({ ...t, id: `${t.id}-w${n}`, label: `${t.label} ×${n}`, service: `gateway×${n}` });
    }
  }
  for (const n of extraWorkers) services.push(await startGateway(proxy.url, undefined, n));
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
  services = [await startGateway(databaseUrl), await startReferenceProcess(databaseUrl), await startPostGraphileProcess(databaseUrl)];
  for (const n of extraWorkers) services.push(await startGateway(databaseUrl, undefined, n));
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
  log(`scale: ${config.scaleRequests} sequential requests per query`);
  const scale = await measureScale(services[0]!.url, world.token, scaleQueries(scaleWorld), config.scaleRequests);
  for (const service of services) await service.stop();

  const results: TargetResult[] = targets.map((target) => summarise(target, rounds.get(target.id)!, statements.get(target.id)));
  addRatios(results);
  const goalChecks = checkGoals(results);
  const goalsMet = goalChecks.every((c) => c.met);

  // 5. Profile the gateway under load.
  let profile: ProfileSummary | undefined;
  const wantProfile = config.profile === '1' || config.profile === 'true' || (config.profile === 'auto' && !goalsMet);
  const profileTarget = targets.find((t) => t.id === 'graphql-20') ?? targets.find((t) => t.service === 'gateway');
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
  const gatewayResults = results.filter((r) => r.service.startsWith('gateway'));
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
  const lines = [...header, '', ...formatResults(results, os.cpus().length, noisyOthersShare)];
  lines.push(...optionalNotes.map((n) => `more targets: ${n}`));
  lines.push(...formatScale(scale, dataset.rows.packages_packages!));
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
    goals: goalChecks,
    targets: results,
    scale,
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
      // `npm run bench -- --soak`: the soak (bench/soak.ts) after the bench, its figures added to report.json.
      if (process.argv.includes('--soak')) code = Math.max(code, await runSoak({ mergeInto: path.join(outDir, 'report.json') }));
      await cleanup();
      process.exit(code);
    },
    async (error: unknown) => {
      console.error(error instanceof BenchError ? `bench failed: ${error.message}` : error);
      await cleanup();
      process.exit(1);
    },
  );
