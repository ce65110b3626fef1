// The soak's traffic (bench/soak.ts runs it): an open-loop, fixed-rate request schedule over the demo
// data, mixing the package lists (REST E1 and the group list), package details (E3), the GraphQL list,
// generic uploads, downloads of what was uploaded, deletes of uploaded packages, and downloads of deleted
// packages (which must answer 404).
//
// Open loop: request i is due at start + i / rate, whatever the server does; the scheduler sends every
// due request on each tick, never waiting for earlier answers. A request's latency runs from the time it
// was DUE (not when it was sent) to the end of its body, so a server that falls behind shows in the
// figures (no coordinated omission); `late` says how far behind the scheduler itself was.
//
// An error is a transport failure (refused, reset, timeout), an answer with another status than the
// kind's expected one, or an expected status whose body is wrong (a list that is not a list, GraphQL
// errors, a download whose bytes or checksum differ from what was uploaded).
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { packagesQuery } from './targets.ts';

/** The demo data's tokens (README, "Demo tokens"). */
export const tokens = { root: 'glpat-root-demo-0000000001', dev: 'glpat-dev-demo-00000000002', mia: 'glpat-mia-demo-00000000003' };

export type Kind = 'project-list' | 'group-list' | 'detail' | 'upload-detail' | 'graphql' | 'upload' | 'download' | 'delete' | 'gone';

/** Share of the schedule per kind (out of 100). A delete or download with nothing to act on becomes an upload. */
export const mix: readonly (readonly [Kind, number])[] = [
  ['project-list', 20],
  ['group-list', 10],
  ['detail', 8],
  ['upload-detail', 6],
  ['graphql', 14],
  ['upload', 12],
  ['download', 15],
  ['delete', 13],
  ['gone', 2],
];

export interface LoadOptions {
  base: string;
  rate: number;
  /** Seconds of warm-up (same traffic, figures kept apart), then seconds measured. */
  warmupSeconds: number;
  seconds: number;
  /** Compare a download's bytes with the upload's on every n-th download (the checksum header always). */
  verifyEvery: number;
  timeoutMs: number;
  /** Uploaded packages kept alive at least (deletes wait above this). */
  keep: number;
  uploadBytes: [number, number];
  /**
   * Packages of the demo data whose details are asked: project (id or encoded path), package id, and
   * status (E3 answers a package with status `error` 404 `Package not found`, as GitLab's does:
   * docs/rest-api.md).
   */
  demoPackages: { project: string; id: number; status: string }[];
  seed: number;
}

export interface ErrorRecord {
  kind: Kind;
  /** Seconds since the load began (warm-up included). */
  at: number;
  request: string;
  status: number | string;
  reason: string;
  body: string;
}

export interface PhaseFigures {
  /** Latency (due -> end of body), ms, per kind. */
  latencies: Map<Kind, number[]>;
  errors: Map<Kind, number>;
  /** How late the scheduler sent requests, ms. */
  late: number[];
}

export interface LoadResult {
  warmup: PhaseFigures;
  measured: PhaseFigures;
  /** Per 10-second step of the whole load: requests, errors and p99 (ms). */
  timeline: { at: number; requests: number; errors: number; p99: number }[];
  /** The first 200 errors. */
  errorSamples: ErrorRecord[];
  /** Every error, by kind, status and reason, with the first of each. */
  errorGroups: Map<string, { count: number; first: ErrorRecord }>;
  /** Delete or download slots that became uploads (nothing to act on). */
  substituted: number;
  maxInFlight: number;
  uploads: { done: number; liveAtEnd: number; bytes: number };
  downloadsVerified: number;
  startedAt: number;
}

interface Upload {
  version: string;
  bytes: Buffer;
  sha256: string;
  packageId?: number;
  state: 'uploading' | 'live' | 'deleting' | 'deleted';
  inflight: number;
}

interface Plan {
  kind: Kind;
  method: 'GET' | 'PUT' | 'DELETE' | 'POST';
  path: string;
  token: string;
  body?: Buffer | string;
  contentType?: string;
  expect: number;
  /** A reason the answer is wrong, or undefined. */
  check?(headers: Headers, body: Buffer): string | undefined;
  done?(ok: boolean, body: Buffer): void;
}

/** mulberry32. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const json = (body: Buffer): unknown => JSON.parse(body.toString('utf8'));
const isListOf = (body: Buffer) => {
  const v = json(body);
  return Array.isArray(v) ? undefined : `not a JSON array: ${body.toString('utf8').slice(0, 120)}`;
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sameId = (id: number) => (_h: Headers, b: Buffer) => ((json(b) as { id?: unknown }).id === id ? undefined : `another package: ${b.toString('utf8').slice(0, 120)}`);

const uploadPath = (version: string) => `/api/v4/projects/1/packages/generic/soak/${version}/file.bin`;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const random = rng(o.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const totalWeight = mix.reduce((s, [, w]) => s + w, 0);
  const uploads: Upload[] = []; // oldest first; deleted ones leave (a few stay in `deleted`)
  const deleted: string[] = [];
  let uploadCount = 0;
  let downloadCount = 0;
  const result: LoadResult = {
    warmup: { latencies: new Map(), errors: new Map(), late: [] },
    measured: { latencies: new Map(), errors: new Map(), late: [] },
    timeline: [],
    errorSamples: [],
    errorGroups: new Map(),
    substituted: 0,
    maxInFlight: 0,
    uploads: { done: 0, liveAtEnd: 0, bytes: 0 },
    downloadsVerified: 0,
    startedAt: Date.now(),
  };
  const live = () => uploads.filter((u) => u.state === 'live');

  const planUpload = (): Plan => {
    const [min, max] = o.uploadBytes;
    const bytes = randomBytes(min + Math.floor(random() * (max - min + 1)));
    const upload: Upload = { version: `1.0.${++uploadCount}`, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), state: 'uploading', inflight: 0 };
    uploads.push(upload);
    return {
      kind: 'upload',
      method: 'PUT',
      path: `${uploadPath(upload.version)}?select=package_file`,
      token: tokens.dev,
      body: bytes,
      contentType: 'application/octet-stream',
      expect: 200,
      check(_headers, body) {
        const record = json(body) as { package_id?: unknown; size?: unknown; file_sha256?: unknown };
        if (typeof record.package_id !== 'number') return `no package_id: ${body.toString('utf8').slice(0, 200)}`;
        if (record.size !== bytes.length || record.file_sha256 !== upload.sha256) return `size/sha256 ${String(record.size)}/${String(record.file_sha256)}, sent ${bytes.length}/${upload.sha256}`;
        return undefined;
      },
      done(ok, body) {
        if (!ok) {
          uploads.splice(uploads.indexOf(upload), 1);
          return;
        }
        upload.packageId = (json(body) as { package_id: number }).package_id;
        upload.state = 'live';
        result.uploads.done++;
        result.uploads.bytes += bytes.length;
      },
    };
  };

  /** A plan that holds an upload while in flight (a delete waits for it). */
  const holding = (upload: Upload, plan: Plan): Plan => {
    upload.inflight++;
    return { ...plan, done: (ok, body) => (upload.inflight--, plan.done?.(ok, body)) };
  };

  const plan = (kind: Kind): Plan => {
    switch (kind) {
      case 'project-list': {
        const [path, token] = pick([
          ['/api/v4/projects/1/packages?per_page=20', tokens.dev],
          ['/api/v4/projects/acme%2Fplatform%2Fapi/packages?order_by=created_at&sort=desc&per_page=20', tokens.dev],
          ['/api/v4/projects/1/packages?order_by=name&package_type=generic&per_page=50', tokens.mia],
          ['/api/v4/projects/acme%2Fwebsite/packages?package_name=soak&per_page=20&page=2', tokens.root],
        ] as const);
        return { kind, method: 'GET', path, token, expect: 200, check: (_h, b) => isListOf(b) };
      }
      case 'group-list': {
        const [path, token] = pick([
          ['/api/v4/groups/acme/packages?per_page=20', tokens.dev],
          ['/api/v4/groups/acme/packages?exclude_subgroups=true&order_by=created_at&sort=desc', tokens.mia],
          ['/api/v4/groups/acme/packages?package_type=npm&order_by=project_path', tokens.root],
        ] as const);
        return { kind, method: 'GET', path, token, expect: 200, check: (_h, b) => isListOf(b) };
      }
      case 'upload-detail': {
        const candidates = live();
        if (candidates.length === 0) return plan('detail');
        const upload = pick(candidates);
        const id = upload.packageId!;
        return holding(upload, { kind, method: 'GET', path: `/api/v4/projects/1/packages/${id}`, token: tokens.dev, expect: 200, check: sameId(id) });
      }
      case 'detail': {
        const demo = pick(o.demoPackages);
        const path = `/api/v4/projects/${demo.project}/packages/${demo.id}`;
        const token = pick([tokens.root, tokens.mia]);
        if (demo.status === 'error') {
          const notFound = (_h: Headers, b: Buffer) => ((json(b) as { message?: unknown }).message === 'Package not found' ? undefined : `another 404: ${b.toString('utf8').slice(0, 120)}`);
          return { kind, method: 'GET', path, token, expect: 404, check: notFound };
        }
        return { kind, method: 'GET', path, token, expect: 200, check: sameId(demo.id) };
      }
      case 'graphql': {
        const fullPath = pick(['acme/website', 'acme/platform/api']);
        return {
          kind,
          method: 'POST',
          path: '/api/graphql',
          token: fullPath === 'acme/website' ? tokens.dev : tokens.mia,
          body: JSON.stringify({ query: packagesQuery, variables: { fullPath, first: 20 } }),
          contentType: 'application/json',
          expect: 200,
          check(_h, b) {
            const r = json(b) as { data?: { project?: { packages?: { nodes?: unknown[] } } }; errors?: unknown[] };
            if (r.errors?.length) return `GraphQL errors: ${JSON.stringify(r.errors).slice(0, 200)}`;
            return Array.isArray(r.data?.project?.packages?.nodes) ? undefined : `no packages: ${b.toString('utf8').slice(0, 200)}`;
          },
        };
      }
      case 'upload':
        return planUpload();
      case 'download': {
        const candidates = live();
        if (candidates.length === 0) return (result.substituted++, planUpload());
        const upload = pick(candidates);
        const full = ++downloadCount % o.verifyEvery === 0;
        return holding(upload, {
          kind,
          method: 'GET',
          path: uploadPath(upload.version),
          token: tokens.dev,
          expect: 200,
          check(headers, body) {
            if (headers.get('x-checksum-sha256') !== upload.sha256) return `X-Checksum-SHA256 ${headers.get('x-checksum-sha256')}, uploaded ${upload.sha256}`;
            if (body.length !== upload.bytes.length) return `${body.length} bytes, uploaded ${upload.bytes.length}`;
            if (full) {
              if (!body.equals(upload.bytes)) return 'bytes differ from the upload';
              result.downloadsVerified++;
            }
            return undefined;
          },
        });
      }
      case 'delete': {
        const candidates = live();
        const upload = candidates.length > o.keep ? candidates.find((u) => u.inflight === 0) : undefined;
        if (!upload) return (result.substituted++, planUpload());
        upload.state = 'deleting';
        return {
          kind,
          method: 'DELETE',
          path: `/api/v4/projects/1/packages/${upload.packageId}`,
          token: tokens.mia,
          expect: 204,
          done(ok) {
            upload.state = ok ? 'deleted' : 'live';
            if (!ok) return;
            uploads.splice(uploads.indexOf(upload), 1);
            deleted.push(upload.version);
            if (deleted.length > 50) deleted.shift();
          },
        };
      }
      case 'gone': {
        if (deleted.length === 0) return plan('project-list');
        return { kind, method: 'GET', path: uploadPath(pick(deleted)), token: tokens.dev, expect: 404 };
      }
    }
  };

  const chooseKind = (): Kind => {
    let r = random() * totalWeight;
    for (const [kind, weight] of mix) if ((r -= weight) < 0) return kind;
    return mix[0]![0];
  };

  const started = performance.now();
  const warmupEnd = started + o.warmupSeconds * 1000;
  const end = warmupEnd + o.seconds * 1000;
  const step = 10_000;
  const buckets: { requests: number; errors: number; latencies: number[] }[] = [];
  let inFlight = 0;
  const pending = new Set<Promise<void>>();

  const send = async (p: Plan, due: number): Promise<void> => {
    const figures = due < warmupEnd ? result.warmup : result.measured;
    const sentAt = performance.now();
    figures.late.push(sentAt - due);
    let status: number | string = 'transport';
    let reason: string | undefined;
    let body = Buffer.alloc(0);
    try {
      const headers: Record<string, string> = { 'private-token': p.token };
      if (p.contentType) headers['content-type'] = p.contentType;
      const response = await fetch(`${o.base}${p.path}`, { method: p.method, headers, body: typeof p.body === 'string' ? p.body : p.body && new Uint8Array(p.body), signal: AbortSignal.timeout(o.timeoutMs) });
      body = Buffer.from(await response.arrayBuffer());
      status = response.status;
      if (status !== p.expect) reason = `expected ${p.expect}`;
      else {
        try {
          reason = p.check?.(response.headers, body);
        } catch (error) {
          reason = `unreadable body: ${(error as Error).message}`;
        }
      }
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      reason = e.name === 'TimeoutError' ? `no answer in ${o.timeoutMs} ms` : `${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`;
    }
    const latency = performance.now() - due;
    const ok = reason === undefined;
    const list = figures.latencies.get(p.kind) ?? [];
    list.push(latency);
    figures.latencies.set(p.kind, list);
    const bucket = (buckets[Math.floor((due - started) / step)] ??= { requests: 0, errors: 0, latencies: [] });
    bucket.requests++;
    bucket.latencies.push(latency);
    if (!ok) {
      bucket.errors++;
      figures.errors.set(p.kind, (figures.errors.get(p.kind) ?? 0) + 1);
      const record: ErrorRecord = { kind: p.kind, at: (due - started) / 1000, request: `${p.method} ${p.path}`, status, reason: reason!, body: body.toString('utf8').slice(0, 500) };
      if (result.errorSamples.length < 200) result.errorSamples.push(record);
      const key = `${p.kind} ${status} ${reason}`;
      const group = result.errorGroups.get(key);
      if (group) group.count++;
      else result.errorGroups.set(key, { count: 1, first: record });
    }
    p.done?.(ok, body);
  };

  let i = 0;
  for (;;) {
    const now = performance.now();
    let due = started + (i * 1000) / o.rate;
    if (due >= end) break;
    while (due <= now) {
      inFlight++;
      result.maxInFlight = Math.max(result.maxInFlight, inFlight);
      const promise: Promise<void> = send(plan(chooseKind()), due).finally(() => {
        inFlight--;
        pending.delete(promise);
      });
      pending.add(promise);
      due = started + (++i * 1000) / o.rate;
      if (due >= end) break;
    }
    await sleep(Math.max(1, Math.min(20, due - performance.now())));
  }
  await Promise.all(pending);
  result.timeline = buckets.map((b, n) => ({ at: (n * step) / 1000, requests: b.requests, errors: b.errors, p99: percentile(b.latencies.sort((x, y) => x - y), 99) }));
  result.uploads.liveAtEnd = live().length;
  return result;
}
