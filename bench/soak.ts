// The soak: does the gateway hold up under steady mixed traffic? `npm run bench:soak` runs it alone,
// `npm run bench -- --soak` after the bench. Targets: 0 errors, and resident memory at the end at most
// 10% above the start.
//
//  1. creates a fresh PostgreSQL database pgw_soak_<timestamp> (SOAK_DB=postgres, the default; dropped at
//     the end) or a temporary embedded-database directory (SOAK_DB=pglite), and a temporary package storage
//     directory (removed at the end);
//  2. starts the gateway as the bench does (npm run build, then package.json's start command: node
//     --max-old-space-size=1024 dist/cli.mjs serve, NODE_ENV=production, WORKERS=1) with SEED_DEMO=true,
//     so it loads the demo data into the empty database, and the cleanup of deleted packages sped up
//     (SOAK_CLEANUP_DELAY s after a delete, every SOAK_CLEANUP_INTERVAL s) so that it runs during the soak;
//  3. sends SOAK_RATE requests/s, open loop (bench/soak-load.ts: the mix, the scheduler, the checks),
//     SOAK_WARMUP s of warm-up and then SOAK_SECONDS s measured, with the demo tokens;
//  4. samples the gateway's VmRSS (/proc/<pid>/status) and its V8 heap in use (/-/metrics) every
//     SOAK_RSS_EVERY s. "RSS at start" is the median of the samples in the first minute after the warm-up
//     (a fifth of the measured time if shorter), "at end" the median of the last minute: single samples
//     swing with the garbage collector;
//  5. prints the report and writes bench/out/soak.json (with every error sample and the timeline); with
//     `npm run bench -- --soak` its figures are also added to bench/out/report.json as `soak`.
//
// Environment (all optional): SOAK_SECONDS=600 SOAK_WARMUP=60 SOAK_RATE=50 SOAK_DB=postgres|pglite
//   SOAK_RSS_EVERY=5 SOAK_VERIFY_EVERY=5 SOAK_KEEP=20 SOAK_TIMEOUT_MS=30000 SOAK_UPLOAD_BYTES=1024-8192
//   SOAK_CLEANUP_DELAY=60 SOAK_CLEANUP_INTERVAL=20 SOAK_SEED=1 SOAK_KEEP_DB=1
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres (admin connection).
// Exit status 1 when a request failed (or setup did); the memory target is reported, not enforced.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { cpuBetween, CpuMonitor, processTree, treeRssBytes, type CpuSample } from './cpu.ts';
import { benchDir, intFromEnv } from './generate.ts';
import { BenchError, cleanup, installSignalCleanup, log, onCleanup, startGateway } from './processes.ts';
import { fmt, table } from './report.ts';
import { mix, percentile, runLoad, tokens, type Kind, type LoadResult } from './soak-load.ts';

const outDir = path.join(benchDir, 'out');
const rssGoal = 0.1;

function readConfig() {
  const bytes = (process.env.SOAK_UPLOAD_BYTES || '1024-8192').split('-').map(Number);
  const rate = Number(process.env.SOAK_RATE || 50);
  if (!(rate > 0)) throw new BenchError(`SOAK_RATE must be a positive number, got ${JSON.stringify(process.env.SOAK_RATE)}`);
  const db = (process.env.SOAK_DB || 'postgres').toLowerCase();
  if (db !== 'postgres' && db !== 'pglite') throw new BenchError(`SOAK_DB must be postgres or pglite, got ${JSON.stringify(db)}`);
  return {
    seconds: Math.max(1, intFromEnv('SOAK_SECONDS', 600)),
    warmup: intFromEnv('SOAK_WARMUP', 60),
    rate,
    db: db as 'postgres' | 'pglite',
    rssEvery: Math.max(1, intFromEnv('SOAK_RSS_EVERY', 5)),
    verifyEvery: Math.max(1, intFromEnv('SOAK_VERIFY_EVERY', 5)),
    keep: intFromEnv('SOAK_KEEP', 20),
    timeoutMs: Math.max(100, intFromEnv('SOAK_TIMEOUT_MS', 30_000)),
    uploadBytes: [bytes[0] ?? 1024, bytes[1] ?? bytes[0] ?? 8192] as [number, number],
    cleanupDelay: intFromEnv('SOAK_CLEANUP_DELAY', 60),
    cleanupInterval: intFromEnv('SOAK_CLEANUP_INTERVAL', 20),
    seed: intFromEnv('SOAK_SEED', 1),
    keepDb: ['1', 'true', 'yes'].includes((process.env.SOAK_KEEP_DB ?? '').toLowerCase()),
    adminUrl: process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
  };
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

interface MemorySample {
  /** Seconds since the load began (warm-up included). */
  at: number;
  rss: number;
  heapUsed: number | null;
}

/** The gateway's `nodejs_heap_size_used_bytes`, or null. */
async function heapUsed(base: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${base}/-/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)/m.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

interface LogGroup {
  level: number;
  count: number;
  /** The first such line's message, and the `caused by` part of its stack (or its first frames). */
  first: string;
}

/** Counts the gateway's warn-or-worse JSON log lines (stdout, LOG_LEVEL=warn) by level and message. */
function watchLog(stream: NodeJS.ReadableStream | null): Map<string, LogGroup> {
  const groups = new Map<string, LogGroup>();
  let partial = '';
  stream?.on('data', (chunk: Buffer | string) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      let entry: { level?: number; msg?: string; err?: { message?: string; stack?: string } };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if ((entry.level ?? 0) < 40) continue;
      const key = `${entry.level} ${entry.msg ?? ''}: ${entry.err?.message ?? ''}`;
      const group = groups.get(key);
      if (group) group.count++;
      else {
        const stack = entry.err?.stack ?? '';
        const cause = stack.indexOf('caused by');
        const excerpt = (cause >= 0 ? stack.slice(cause) : stack).split('\n').slice(0, 5).join(' | ');
        groups.set(key, { level: entry.level!, count: 1, first: excerpt });
      }
    }
  });
  return groups;
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const mib = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '-' : fmt(bytes / 2 ** 20, 1));

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1;
  return n;
}

/** Runs the soak; returns the exit status. `mergeInto`: a report JSON file to add the figures to (`soak`). */
export async function runSoak(options: { mergeInto?: string } = {}): Promise<number> {
  const config = readConfig();
  const startedAt = new Date();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pgw-soak-'));
  onCleanup('remove soak scratch directory', async () => rmSync(scratch, { recursive: true, force: true }));
  const storage = path.join(scratch, 'packages');

  // 1. Database
  let databaseUrl = '';
  let dbName: string | undefined;
  let serverVersion = 'PGlite (embedded)';
  if (config.db === 'postgres') {
    const name = `pgw_soak_${Date.now()}`;
    dbName = name;
    const url = new URL(config.adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    await withClient(config.adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`)).catch((error: Error) => {
      throw new BenchError(`cannot create database ${name} via ${config.adminUrl.replace(/\/\/[^@]*@/, '//…@')}: ${error.message}`);
    });
    log(`soak: database ${name} created`);
    if (config.keepDb) log(`SOAK_KEEP_DB: the database stays: ${databaseUrl}`);
    else onCleanup('drop soak database', async () => {
      await withClient(config.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      log(`soak: database ${name} dropped`);
    });
    serverVersion = `PostgreSQL ${await withClient(config.adminUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version)}`;
  }

  // 2. The gateway, seeding the demo data.
  const gateway = await startGateway(databaseUrl, undefined, 1, {
    DATABASE_URL: databaseUrl,
    DATA_DIR: path.join(scratch, 'data'),
    PACKAGE_STORAGE_PATH: storage,
    SEED_DEMO: 'true',
    RATE_LIMIT_ENABLED: 'false',
    PACKAGE_CLEANUP_DELAY_SECONDS: String(config.cleanupDelay),
    PACKAGE_CLEANUP_INTERVAL_SECONDS: String(config.cleanupInterval),
  });
  const pid = gateway.child.proc.pid!;
  const logGroups = watchLog(gateway.child.proc.stdout);
  log(`soak: gateway pid ${pid} on ${gateway.url} (${config.db}), ${config.rate} req/s, ${config.warmup} s warm-up + ${config.seconds} s measured`);
  const demoPackages: { project: string; id: number; status: string }[] = [];
  for (const project of ['1', 'acme%2Fplatform%2Fapi']) {
    const response = await fetch(`${gateway.url}/api/v4/projects/${project}/packages?per_page=100`, { headers: { 'private-token': tokens.root } });
    if (response.status !== 200) throw new BenchError(`soak: listing project ${project} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    for (const p of (await response.json()) as { id: number; status: string }[]) demoPackages.push({ project, id: p.id, status: p.status });
  }
  if (demoPackages.length === 0) throw new BenchError('soak: the demo data has no listed packages in acme/website or acme/platform/api');
  const rssBefore = treeRssBytes(pid);

  // 3-4. Load, with memory samples and CPU accounting of the measured part.
  const monitor = config.db === 'postgres' && process.platform === 'linux' ? await CpuMonitor.open(config.adminUrl, dbName!) : undefined;
  if (monitor) onCleanup('close soak CPU monitor', () => monitor.close());
  const memory: MemorySample[] = [];
  const loadStarted = performance.now();
  const sampleMemory = async () => {
    const at = (performance.now() - loadStarted) / 1000;
    const rss = treeRssBytes(pid);
    memory.push({ at, rss, heapUsed: await heapUsed(gateway.url) });
  };
  const sampler = setInterval(() => void sampleMemory(), config.rssEvery * 1000);
  let cpuBefore: Promise<CpuSample> | undefined;
  let loadBefore = os.loadavg();
  const warmupTimer = setTimeout(() => {
    cpuBefore = monitor?.sample(pid);
    loadBefore = os.loadavg();
  }, config.warmup * 1000);
  let load: LoadResult;
  try {
    load = await runLoad({
      base: gateway.url,
      rate: config.rate,
      warmupSeconds: config.warmup,
      seconds: config.seconds,
      verifyEvery: config.verifyEvery,
      timeoutMs: config.timeoutMs,
      keep: config.keep,
      uploadBytes: config.uploadBytes,
      demoPackages,
      seed: config.seed,
    });
  } finally {
    clearInterval(sampler);
    clearTimeout(warmupTimer);
  }
  await sampleMemory();
  const cpuStart = await cpuBefore;
  const cpu = cpuStart && monitor ? cpuBetween(cpuStart, await monitor.sample(pid)) : undefined;
  const loadAfter = os.loadavg();
  const gatewayProcesses = processTree(pid).length;
  const gatewayAlive = gateway.child.proc.exitCode === null && gateway.child.proc.signalCode === null;

  // The database and the storage after the soak: bounded, with the cleanup running?
  let packagesByStatus: Record<string, number> | undefined;
  if (config.db === 'postgres') {
    packagesByStatus = await withClient(databaseUrl, async (c) => {
      const { rows } = await c.query<{ status: string; n: string }>(`SELECT status::text AS status, count(*) AS n FROM packages_packages WHERE name = 'soak' GROUP BY 1 ORDER BY 1`);
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    });
  }
  const storedFiles = countFiles(storage);
  const gatewayTail = gateway.child.tail.slice();
  await gateway.stop();

  // 5. Figures
  const kinds = mix.map(([k]) => k);
  const rows = [...kinds, 'all' as const].map((kind) => {
    const pickLat = (m: Map<Kind, number[]>) => (kind === 'all' ? [...m.values()].flat() : (m.get(kind) ?? []));
    const pickErr = (m: Map<Kind, number>) => (kind === 'all' ? [...m.values()].reduce((a, b) => a + b, 0) : (m.get(kind) ?? 0));
    const lat = pickLat(load.measured.latencies).sort((a, b) => a - b);
    return {
      kind,
      requests: lat.length,
      errors: pickErr(load.measured.errors),
      warmupErrors: pickErr(load.warmup.errors),
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat.at(-1) ?? Number.NaN,
    };
  });
  const all = rows.at(-1)!;
  const late = load.measured.late.sort((a, b) => a - b);
  const window = Math.min(60, Math.max(config.rssEvery, config.seconds / 5));
  const measureEnd = config.warmup + config.seconds;
  const inWindow = (from: number, to: number) => memory.filter((s) => s.at >= from && s.at <= to + config.rssEvery / 2);
  const startWindow = inWindow(config.warmup, config.warmup + window);
  const endWindow = inWindow(measureEnd - window, measureEnd);
  const rssStart = median(startWindow.map((s) => s.rss));
  const rssEnd = median(endWindow.map((s) => s.rss));
  const heapOf = (samples: MemorySample[]) => median(samples.map((s) => s.heapUsed).filter((h): h is number => h !== null));
  const heapStart = heapOf(startWindow);
  const heapEnd = heapOf(endWindow);
  const growth = rssEnd / rssStart - 1;
  const measured = memory.filter((s) => s.at >= config.warmup);
  const rssMin = Math.min(...measured.map((s) => s.rss));
  const rssMax = Math.max(...measured.map((s) => s.rss));
  const totalErrors = all.errors + all.warmupErrors;
  const seconds = config.seconds;
  const cpuShare = (ms: number | undefined) => (ms === undefined ? '-' : `${fmt((ms / (seconds * 1000)) * 100, 0)}%`);

  const lines = [
    `packages-gateway soak — ${startedAt.toISOString()} — node ${process.version}, ${serverVersion}, ${os.cpus().length} CPUs`,
    `traffic: ${config.rate} req/s open loop (latency from each request's due time), ${config.warmup} s warm-up + ${seconds} s measured, ` +
      `mix ${mix.map(([k, w]) => `${k} ${w}%`).join(', ')}; demo data (SEED_DEMO), gateway WORKERS=1 pid ${pid}, ${gatewayProcesses} process(es)`,
    `load context: load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} at the start of the measured part, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} at the end` +
      (cpu
        ? `; CPU over the measured part: gateway ${cpuShare(cpu.service)} of a core, its PostgreSQL backends ${cpuShare(cpu.postgres)}, ` +
          `this load generator ${cpuShare(cpu.loadGenerator)}, all other processes ${cpuShare(cpu.others)}`
        : ''),
    '',
    table([
      ['kind', 'requests', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'warm-up errors'],
      ...rows.map((r) => [r.kind, String(r.requests), String(r.errors), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 1), String(r.warmupErrors)]),
    ]),
    '',
    `achieved: ${fmt(all.requests / seconds, 1)} req/s measured; scheduler lateness p99 ${fmt(percentile(late, 99), 1)} ms, max ${fmt(late.at(-1), 1)} ms; ` +
      `at most ${load.maxInFlight} requests in flight; ${load.substituted} delete/download slots became uploads (nothing to act on)`,
    `uploads: ${load.uploads.done} (${fmt(load.uploads.bytes / 1e6, 1)} MB), ${load.uploads.liveAtEnd} live at the end; ${load.downloadsVerified} downloads compared byte for byte (all: checksum header and size)`,
    `after the soak: soak packages by status ${packagesByStatus ? JSON.stringify(packagesByStatus) : '(not read on PGlite)'}, ${storedFiles} files in the package storage ` +
      `(cleanup ${config.cleanupDelay} s after a delete, every ${config.cleanupInterval} s)`,
    `memory (VmRSS of the gateway, sampled every ${config.rssEvery} s; start = median of the first ${fmt(window, 0)} s after the warm-up, end = median of the last ${fmt(window, 0)} s): ` +
      `before the load ${mib(rssBefore)} MiB, start ${mib(rssStart)} MiB, end ${mib(rssEnd)} MiB, growth ${fmt(growth * 100, 1)}% ` +
      `(target <= ${rssGoal * 100}%: ${growth <= rssGoal ? 'met' : 'MISSED'}); min ${mib(rssMin)}, max ${mib(rssMax)} MiB while measured; ` +
      `V8 heap in use ${mib(heapStart)} -> ${mib(heapEnd)} MiB`,
    `errors: ${all.errors} while measured, ${all.warmupErrors} in the warm-up (target 0: ${totalErrors === 0 ? 'met' : 'MISSED'})` + (gatewayAlive ? '' : '; THE GATEWAY EXITED'),
  ];
  for (const [key, g] of load.errorGroups) {
    const e = g.first;
    lines.push(`  ${g.count} x ${key}: first at ${fmt(e.at, 1)} s: ${e.request} -> ${e.status}${e.body ? ` ${e.body.slice(0, 300)}` : ''}`);
  }
  // The gateway's log (JSON, LOG_LEVEL=warn), warnings and errors by message; its last lines are in bench/out/soak.json.
  lines.push(`gateway log: ${logGroups.size === 0 ? 'no warnings or errors' : 'warnings (level 40) and errors (50+) by message:'}`);
  for (const [key, g] of logGroups) lines.push(`  ${g.count} x level ${key.slice(0, 300)}${g.first ? `\n      ${g.first.slice(0, 600)}` : ''}`);
  lines.push(
    'timeline (10 s steps, warm-up included): ' +
      load.timeline.filter((_, n) => n % 6 === 0 || load.timeline[n]!.errors > 0).map((t) => `${t.at}s p99 ${fmt(t.p99, 0)}${t.errors ? ` ${t.errors} err` : ''}`).join(', '),
    'RSS (MiB, each minute and the last sample): ' +
      memory.filter((s, n) => Math.round(s.at) % 60 < config.rssEvery || n === memory.length - 1).map((s) => `${fmt(s.at, 0)}s ${mib(s.rss)}`).join(', '),
  );
  const text = lines.join('\n');
  console.log(`\n${text}\n`);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: { node: process.version, database: serverVersion, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadavgStart: loadBefore, loadavgEnd: loadAfter },
    config: { ...config, adminUrl: undefined },
    cpuMs: cpu,
    kinds: rows,
    schedulerLateness: { p99: percentile(late, 99), max: late.at(-1) ?? null },
    maxInFlight: load.maxInFlight,
    substituted: load.substituted,
    uploads: load.uploads,
    downloadsVerified: load.downloadsVerified,
    packagesByStatus,
    storedFiles,
    memory: { rssBefore, rssStart, rssEnd, growth, goal: rssGoal, met: growth <= rssGoal, heapStart, heapEnd, rssMin, rssMax, windowSeconds: window, samples: memory },
    errors: {
      measured: all.errors,
      warmup: all.warmupErrors,
      groups: [...load.errorGroups].map(([key, g]) => ({ key, count: g.count, first: g.first })),
      samples: load.errorSamples,
      gatewayLog: [...logGroups].map(([key, g]) => ({ key, ...g })),
      gatewayOutput: totalErrors > 0 || logGroups.size > 0 ? gatewayTail : [],
    },
    gatewayExited: !gatewayAlive,
    timeline: load.timeline,
    text,
  };
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'soak.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`soak report written to ${path.relative(path.dirname(benchDir), file)}`);
  if (options.mergeInto && existsSync(options.mergeInto)) {
    const main = JSON.parse(readFileSync(options.mergeInto, 'utf8')) as Record<string, unknown>;
    writeFileSync(options.mergeInto, `${JSON.stringify({ ...main, soak: report }, null, 2)}\n`);
    log(`soak figures added to ${path.relative(path.dirname(benchDir), options.mergeInto)}`);
  }
  return totalErrors > 0 || !gatewayAlive ? 1 : 0;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  installSignalCleanup();
  runSoak().then(
    async (code) => {
      await cleanup();
      process.exit(code);
    },
    async (error: unknown) => {
      console.error(error instanceof BenchError ? `soak failed: ${error.message}` : error);
      await cleanup();
      process.exit(1);
    },
  );
}
