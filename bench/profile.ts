// Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by package, so a bench
// report can say where the time goes.
//
//   tsx bench/profile.ts FILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time, in percent. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time the profile covers, ms. */
  totalMs: number;
  idleMs: number;
  busyMs: number;
  /** Window of the profile summarised (ms since it started), when not all of it. */
  window?: [number, number] | undefined;
  topFunctions: ProfileEntry[];
  /** Self time by where the code lives. */
  byPackage: ProfileEntry[];
  /** Self time with V8 / node built-ins (GC aside) charged to the package or source file that called them. */
  byCaller: ProfileEntry[];
}

/** Where a script belongs: an npm package, a node built-in, our source, or V8 itself. */
export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node:internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.includes('/src/generated/') ? 'src/generated (prisma client)' : `src/${url.slice(src + 5).split('/')[0]}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

export interface SummariseOptions {
  top?: number;
  /** Only samples taken in this window, in ms since the profile started (the process started). */
  window?: [number, number];
}

/** Packages and our own source own their time; V8 and node built-ins are charged to who called them. */
const isOwner = (category: string) => !category.startsWith('(') && category !== 'node:internals';

export function summariseProfile(file: string, options: SummariseOptions = {}): ProfileSummary {
  const top = options.top ?? 25;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const self = new Map<number, number>(); // node id -> µs
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const [from, to] = options.window ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    const ms = (at - profile.startTime) / 1000;
    if (ms < from || ms > to) continue;
    // timeDeltas[i] is the time before sample i; the interval after sample i belongs to it.
    const us = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + us);
  }
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const charged = new Map<string, number>();
  const ownerOf = new Map<number, string>();
  const owner = (id: number): string => {
    const known = ownerOf.get(id);
    if (known !== undefined) return known;
    const category = categoryOf(byId.get(id)!.callFrame);
    const up = parent.get(id);
    const result = isOwner(category) || up === undefined ? category : (() => {
      const above = owner(up);
      return isOwner(above) ? above : category;
    })();
    ownerOf.set(id, result);
    return result;
  };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let idle = 0;
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    total += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = shortUrl(frame.url);
    add(functions, `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`, us);
    add(packages, categoryOf(frame), us);
    add(charged, owner(id), us);
  }
  const busy = total - idle;
  const entries = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((us / busy) * 1000) / 10 }));
  return {
    file,
    window: options.window,
    totalMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    busyMs: Math.round(busy / 1000),
    topFunctions: entries(functions, top),
    byPackage: entries(packages, 15),
    byCaller: entries(charged, 15),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const row = (e: ProfileEntry) => `    ${e.percent.toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}`;
  const window = summary.window ? `, samples from ${(summary.window[0] / 1000).toFixed(1)} s to ${(summary.window[1] / 1000).toFixed(1)} s` : '';
  const lines = [
    `CPU profile (${path.basename(summary.file)}${window}): ${summary.busyMs} ms busy of ${summary.totalMs} ms on the main thread; % of busy time`,
    '  self time by package / area:',
    ...summary.byPackage.map(row),
    '  self time, with node/V8 built-ins charged to the package that called them:',
    ...summary.byCaller.map(row),
    '  top functions by self time:',
    ...summary.topFunctions.map(row),
  ];
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
  if (!positionals[0]) {
    console.error('usage: tsx bench/profile.ts FILE.cpuprofile [--top N]');
    process.exit(1);
  }
  console.log(formatProfile(summariseProfile(positionals[0], { top: Number(values.top) })));
}
