// CPU and memory accounting (Linux /proc): who spends the CPU of a request: the service (its process
// and any worker processes it forked), the bench database's PostgreSQL backends, the load generator,
// and how much other work shares the machine; and the service's resident memory under load.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';


const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process, ms; undefined when /proc cannot tell. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // fields 14 and 15 of stat(5)
  } catch {
    return undefined;
  }
}

/** `pid` and its descendants (a gateway with WORKERS > 1 serves from forked worker processes). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // field 4 of stat(5)
      const list = children.get(parent) ?? [];
      list.push(Number(entry));
      children.set(parent, list);
    } catch {
      // ended meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** CPU ms of `pid` and its descendants; undefined when /proc cannot tell. */
export function treeCpuMs(pid: number): number | undefined {
  const own = processCpuMs(pid);
  if (own === undefined) return undefined;
  return processTree(pid)
    .slice(1)
    .reduce((sum, child) => sum + (processCpuMs(child) ?? 0), own);
}

/** Resident memory of `pid` and its descendants, bytes (VmRSS); 0 when /proc cannot tell. */
export function treeRssBytes(pid: number): number {
  return processRssBytes(pid).reduce((sum, bytes) => sum + bytes, 0);
}

/** The resident memory of each process of a tree, bytes. */
function processRssBytes(pid: number): number[] {
  const sizes: number[] = [];
  for (const p of processTree(pid)) {
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1];
      sizes.push(Number(kb ?? 0) * 1024);
    } catch {
      // ended meanwhile
    }
  }
  return sizes;
}

/**
 * Samples a process tree's resident memory every `everyMs` until stopped; `stop()` returns the peaks,
 * bytes: of the whole tree, and of its largest process (a gateway worker, with WORKERS > 1).
 */
export function sampleRss(pid: number, everyMs = 250): { stop(): { tree: number; process: number } } {
  const peak = { tree: 0, process: 0 };
  const sample = () => {
    const sizes = processRssBytes(pid);
    peak.tree = Math.max(peak.tree, sizes.reduce((sum, bytes) => sum + bytes, 0));
    peak.process = Math.max(peak.process, ...sizes);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/**
 * Machine-wide CPU ms from /proc/stat: time in processes (user, nice, system), in interrupts (irq,
 * softirq: the loopback network stack mostly, which no process is charged for), and all of it.
 */
export function machineCpuMs(): { tasks: number; all: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const at = (i: number) => f[i] ?? 0;
    return { tasks: (at(0) + at(1) + at(2)) * TICK_MS, all: f.slice(0, 8).reduce((a, b) => a + b, 0) * TICK_MS };
  } catch {
    return undefined;
  }
}

/**
 * Reads the CPU of the bench database's backends (pg_stat_activity, through an admin connection to
 * another database), so other work on the same PostgreSQL server is not charged to the targets.
 */
export class CpuMonitor {
  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  static async open(adminUrl: string, database: string): Promise<CpuMonitor> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    return new CpuMonitor(client, database);
  }

  /** A sample with the CPU of the service process `pid`. */
  async sample(pid: number): Promise<CpuSample> {
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.database]);
    const postgres = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) postgres.set(pid, ms);
    }
    const usage = process.cpuUsage();
    return {
      service: treeCpuMs(pid),
      postgres,
      bench: (usage.user + usage.system) / 1000,
      machine: machineCpuMs(),
    };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

export interface CpuSample {
  service: number | undefined;
  /** CPU ms of the bench database's backends, by pid. */
  postgres: Map<number, number>;
  bench: number;
  machine: { tasks: number; all: number } | undefined;
}

/** CPU ms spent between two samples, per process group (a backend that ended meanwhile is not counted). */
export function cpuBetween(before: CpuSample, after: CpuSample): CpuUse | undefined {
  if (before.service === undefined || after.service === undefined || after.postgres.size === 0) return undefined;
  let postgres = 0;
  for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0); // a new backend started in the round
  const service = after.service - before.service;
  const loadGenerator = after.bench - before.bench;
  const machine =
    before.machine && after.machine
      ? { tasks: after.machine.tasks - before.machine.tasks, all: after.machine.all - before.machine.all }
      : undefined;
  return {
    service,
    postgres,
    loadGenerator,
    others: machine ? Math.max(0, machine.tasks - service - postgres - loadGenerator) : undefined,
  };
}

export interface CpuUse {
  /** The service's node process, with its worker processes. */
  service: number;
  /** The bench database's backends. */
  postgres: number;
  /** This process: autocannon (the proxy is not running during the load). */
  loadGenerator: number;
  /** Every other process on the machine (other work, PostgreSQL's background workers), ms. */
  others?: number | undefined;
}

/** A round is noisy when other processes used more than this share of one core. */
export const noisyOthersShare = 0.25;

