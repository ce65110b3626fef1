// The bench's figures per target (medians of the rounds), the ratios to PostGraphile (the peer) and to
// the reference, the targets, and the printed report.
import type { CpuUse } from './cpu.ts';

export interface RoundResult {
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
  /** Peak resident memory of the service (with its workers) during the round, bytes (Linux only). */
  rssPeak?: number;
  /** Peak resident memory of its largest process (one worker, with WORKERS > 1), bytes (Linux only). */
  rssProcessPeak?: number;
}

export interface StatementResult {
  perRequest: number;
  requests: number;
  statements: number;
  /** Statements per request by SQL text, most frequent first. */
  byText: { sql: string; perRequest: number }[];
}

export interface TargetResult {
  id: string;
  label: string;
  service: string;
  pageSize: number;
  path: string;
  /** Median over the rounds of each round's responses per second. */
  rps: number;
  /** Medians over the rounds of each round's p50 and p99, ms. */
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  sqlPerRequest: number | null;
  /** CPU ms per request by process group, over all rounds (Linux only). */
  cpuPerRequest: CpuUse | null;
  /** Peak resident memory of the service under load (all its processes), bytes (Linux only). */
  rssPeak: number | null;
  /** Peak resident memory of the service's largest process under load, bytes (Linux only). */
  rssProcessPeak: number | null;
  /** req/s and p99 relative to PostGraphile's and to the reference's at the same page size. */
  vsPeer: { throughput: number; p99: number } | null;
  vsReference: { throughput: number; p99: number } | null;
  rounds: RoundResult[];
  statements?: StatementResult;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A target's figures from its rounds. */
export function summarise(
  target: { id: string; label: string; service: string; pageSize: number; path: string },
  rounds: RoundResult[],
  statements: StatementResult | undefined,
): TargetResult {
  const requests = rounds.reduce((s, r) => s + r.requests, 0);
  const withCpu = rounds.every((r) => r.cpu);
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  const peaks = rounds.map((r) => r.rssPeak).filter((b): b is number => b !== undefined);
  const processPeaks = rounds.map((r) => r.rssProcessPeak).filter((b): b is number => b !== undefined);
  return {
    ...target,
    rps: median(rounds.map((r) => r.requests / r.seconds)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    requests,
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
    errors: rounds.reduce((s, r) => s + r.errors + r.timeouts, 0),
    sqlPerRequest: statements?.perRequest ?? null,
    cpuPerRequest: withCpu
      ? {
          service: rounds.reduce((sum, r) => sum + r.cpu!.service, 0) / requests,
          postgres: rounds.reduce((sum, r) => sum + r.cpu!.postgres, 0) / requests,
          loadGenerator: rounds.reduce((sum, r) => sum + r.cpu!.loadGenerator, 0) / requests,
          // Here: the other processes' share of one core over the rounds.
          others: rounds.reduce((sum, r) => sum + (r.cpu!.others ?? Number.NaN), 0) / (seconds * 1000),
        }
      : null,
    rssPeak: peaks.length ? Math.max(...peaks) : null,
    rssProcessPeak: processPeaks.length ? Math.max(...processPeaks) : null,
    vsPeer: null,
    vsReference: null,
    rounds,
    statements,
  };
}

/** Fills in the ratios to PostGraphile and to the reference at the same page size. */
export function addRatios(results: TargetResult[]): void {
  for (const r of results) {
    const ratio = (service: string) => {
      const other = results.find((x) => x.service === service && x.pageSize === r.pageSize);
      return other ? { throughput: r.rps / other.rps, p99: r.p99 / other.p99 } : null;
    };
    r.vsPeer = ratio('postgraphile');
    r.vsReference = ratio('reference');
  }
}

/**
 * The targets: REST E1 and the GraphQL list at page 20 at least 0.7x PostGraphile's req/s
 * (stretch: 1.0x), at page 100 at least 0.6x; p99 at most 2x PostGraphile's; RSS under load at most
 * 300 MiB per process.
 */
export const goals = { throughput: { 20: 0.7, 100: 0.6 } as Record<number, number>, stretch: 1.0, maxP99: 2, maxRssBytes: 300 * 1024 * 1024 };

export interface GoalCheck {
  label: string;
  what: string;
  value: string;
  met: boolean;
}

/** Every goal the gateway's targets are held to, met or not. */
export function checkGoals(results: TargetResult[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const r of results.filter((x) => x.service.startsWith('gateway'))) {
    const minimum = goals.throughput[r.pageSize];
    if (r.vsPeer && minimum !== undefined) {
      checks.push({ label: r.label, what: `req/s >= ${minimum}x PostGraphile's`, value: `${fmt(r.vsPeer.throughput, 2)}x`, met: r.vsPeer.throughput >= minimum });
      checks.push({ label: r.label, what: `p99 <= ${goals.maxP99}x PostGraphile's`, value: `${fmt(r.vsPeer.p99, 2)}x`, met: r.vsPeer.p99 <= goals.maxP99 });
    }
    // Per process: with WORKERS=N the service is N+1 processes, each of which the target bounds.
    if (r.rssProcessPeak !== null) {
      checks.push({
        label: r.label,
        what: 'RSS under load <= 300 MiB per process',
        value: `${fmt(r.rssProcessPeak / 2 ** 20, 0)} MiB`,
        met: r.rssProcessPeak <= goals.maxRssBytes,
      });
    }
  }
  return checks;
}

export const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
export const thousands = (n: number) => n.toLocaleString('en-US');

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r, n) => {
      const line = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ');
      return n === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n');
}

/** The figures tables and the goals, as printed. */
export function formatResults(results: TargetResult[], cores: number, noisyOthers: number): string[] {
  const ratio = (x: { throughput: number; p99: number } | null, key: 'throughput' | 'p99') => (x ? `${fmt(x[key], 2)}x` : '-');
  const lines = [
    table([
      ['target', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'RSS MiB (all / largest process)', 'req/s vs PostGraphile', 'p99 vs PostGraphile', 'req/s vs ref'],
      ...results.map((r) => [
        r.label,
        fmt(r.rps, 0),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        fmt(r.sqlPerRequest, r.sqlPerRequest !== null && Number.isInteger(r.sqlPerRequest) ? 0 : 2),
        r.rssPeak === null ? '-' : `${fmt(r.rssPeak / 2 ** 20, 0)} / ${fmt((r.rssProcessPeak ?? Number.NaN) / 2 ** 20, 0)}`,
        ratio(r.vsPeer, 'throughput'),
        ratio(r.vsPeer, 'p99'),
        ratio(r.vsReference, 'throughput'),
      ]),
    ]),
    '',
  ];
  if (results.every((r) => r.cpuPerRequest)) {
    lines.push(
      `CPU per request (ms, /proc utime+stime over the rounds, service with its workers; the machine has ${cores} cores):`,
      table([
        ['target', 'service', 'postgres backends', 'load generator', 'total', 'other processes'],
        ...results.map((r) => {
          const c = r.cpuPerRequest!;
          return [r.label, fmt(c.service, 2), fmt(c.postgres, 2), fmt(c.loadGenerator, 2), fmt(c.service + c.postgres + c.loadGenerator, 2), `${fmt((c.others ?? Number.NaN) * 100, 0)}% of a core`];
        }),
      ]),
      '',
    );
  }
  const noisy = results.flatMap((r) => r.rounds.filter((x) => (x.cpu?.others ?? 0) > noisyOthers * x.seconds * 1000).map(() => r.label));
  if (noisy.length > 0) {
    lines.push(
      `NOTE: ${noisy.length} of ${results.reduce((n, r) => n + r.rounds.length, 0)} rounds ran while other processes used more than ` +
        `${noisyOthers * 100}% of a core (the machine is shared): those figures are noisy; see report.json rounds[].cpu.others.`,
    );
  }
  const checks = checkGoals(results);
  if (checks.length > 0) {
    lines.push('issue targets:');
    for (const c of checks) lines.push(`  ${c.label.padEnd(26)} ${c.what.padEnd(34)} ${c.value.padStart(8)}  ${c.met ? 'met' : 'MISSED'}`);
  }
  return lines;
}
