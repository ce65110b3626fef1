// Streaming generator of the benchmark fixture (format: spec fixture.md). The document is written
// record by record through a file write stream (with back-pressure), never held in memory whole, so
// it scales to any size. Deterministic: the same parameters and seed give the same bytes.
//
//   tsx bench/generate.ts [--packages N] [--projects N] [--seed N] [--out FILE]
//   (or BENCH_PACKAGES / BENCH_PROJECTS / BENCH_SEED)
//
// The world: a public group `bench-org` with a public subgroup `bench-org/platform`; N projects split
// between them (a third public, the rest private); user `bench` is maintainer of the group (so of every
// project) and owns the bench token; 20 CI users run 50 pipelines per project; every package has 2
// files, 1-2 tags and 1-2 pipelines; types mostly npm / maven / pypi, terraform_module rare.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const GENERATOR_VERSION = 2;

export interface GenerateOptions {
  packages: number;
  projects: number;
  seed: number;
  /** Output file; default bench/.data/fixture-<packages>p-<projects>r-s<seed>.json. */
  out?: string;
  pipelinesPerProject?: number;
  ciUsers?: number;
}

/** What the bench needs to know about a generated fixture (written next to it as `<file>.meta.json`). */
export interface FixtureMeta {
  generatorVersion: number;
  file: string;
  bytes: number;
  seconds: number;
  packages: number;
  projects: string[];
  pipelinesPerProject: number;
  users: number;
  benchUser: string;
  token: string;
  counts: {
    packages: number;
    files: number;
    tags: number;
    buildInfos: number;
    pipelines: number;
    /** Packages the default listing shows per project (status default/error/deprecated, not terraform, versioned). */
    listedPerProject: number[];
  };
}

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const dataDir = path.join(benchDir, '.data');

export function defaultFixturePath(o: Pick<GenerateOptions, 'packages' | 'projects' | 'seed'>): string {
  return path.join(dataDir, `fixture-${o.packages}p-${o.projects}r-s${o.seed}.json`);
}

export const metaPathOf = (file: string) => `${file}.meta.json`;

/** The generated fixture's metadata if the file exists and was made by this generator version. */
export function readMeta(file: string): FixtureMeta | undefined {
  const metaFile = metaPathOf(file);
  if (!existsSync(file) || !existsSync(metaFile)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as FixtureMeta;
    return meta.generatorVersion === GENERATOR_VERSION ? meta : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const hexChars = '0123456789abcdef';
  const hex = (length: number) => {
    let s = '';
    while (s.length < length) {
      let v = (next() * 4294967296) >>> 0;
      for (let i = 0; i < 8 && s.length < length; i++, v >>>= 4) s += hexChars[v & 15];
    }
    return s;
  };
  /** Picks a key by weight. */
  const weighted = <K extends string>(table: readonly (readonly [K, number])[]) => {
    const total = table.reduce((sum, [, w]) => sum + w, 0);
    return () => {
      let r = next() * total;
      for (const [key, w] of table) if ((r -= w) < 0) return key;
      return table[table.length - 1]![0];
    };
  };
  return { next, int, pick, hex, weighted };
}

// ---------------------------------------------------------------------------------------------------
// Vocabulary

const words = [
  'api', 'auth', 'billing', 'cache', 'client', 'config', 'core', 'data', 'events', 'gateway', 'search', 'ingest',
  'logger', 'metrics', 'orders', 'payments', 'queue', 'registry', 'router', 'scheduler', 'sdk', 'storage',
  'stream', 'tracing', 'users', 'utils', 'web', 'worker', 'inventory', 'catalog', 'notify', 'profile', 'session',
  'shipping', 'pricing', 'ledger', 'audit', 'export', 'import', 'render', 'parser', 'compiler', 'vault', 'mailer',
];
const tagNames = ['latest', 'stable', 'next', 'beta', 'rc', 'lts', 'canary', 'nightly', 'edge', 'legacy'];
const people = [
  'Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Ken Thompson',
  'Dennis Ritchie', 'Margaret Hamilton', 'John McCarthy', 'Frances Allen', 'Leslie Lamport', 'Radia Perlman',
  'Tony Hoare', 'Niklaus Wirth', 'Anita Borg', 'Bjarne Stroustrup', 'Guido van Rossum', 'Hedy Lamarr', 'Katherine Johnson',
];

type PackageType =
  | 'maven' | 'npm' | 'conan' | 'nuget' | 'pypi' | 'composer' | 'generic' | 'golang' | 'debian' | 'rubygems'
  | 'helm' | 'terraform_module' | 'rpm' | 'ml_model' | 'cargo';

const typeWeights: (readonly [PackageType, number])[] = [
  ['npm', 30], ['maven', 24], ['pypi', 15], ['nuget', 7], ['generic', 6], ['conan', 3], ['composer', 3], ['golang', 3],
  ['helm', 3], ['rubygems', 2], ['debian', 1.2], ['rpm', 1.2], ['cargo', 1], ['ml_model', 0.3], ['terraform_module', 0.3],
];
const statusWeights = [
  ['default', 960], ['error', 10], ['deprecated', 10], ['hidden', 10], ['processing', 5], ['pending_destruction', 5],
] as const;
const listedStatuses = new Set(['default', 'error', 'deprecated']);

function packageName(type: PackageType, project: string, a: string, b: string): string {
  const short = project.split('/').pop()!;
  switch (type) {
    case 'npm': return `@${short}/${a}-${b}`;
    case 'maven': return `com/bench/${short}/${a}-${b}`;
    case 'pypi': return `${short}-${a}-${b}`;
    case 'nuget': return `Bench.${cap(a)}.${cap(b)}`;
    case 'conan': return `${a}${b}`;
    case 'composer': return `bench/${a}-${b}`;
    case 'golang': return `gitlab.example.com/${project}/${a}-${b}`;
    case 'helm': return `${a}-${b}-chart`;
    case 'rubygems': return `${a}_${b}`;
    case 'debian': return `lib${a}-${b}`;
    case 'rpm': return `${a}-${b}`;
    case 'cargo': return `${a}_${b}`;
    case 'ml_model': return `${a}-${b}-model`;
    case 'terraform_module': return `${a}-${b}/aws`;
    case 'generic': return `${a}-${b}-artifacts`;
  }
}
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function versionOf(type: PackageType, k: number, prerelease: boolean): string {
  const v = `${Math.floor(k / 100) + 1}.${Math.floor(k / 10) % 10}.${k % 10}`;
  switch (type) {
    case 'maven': return prerelease ? `${v}-SNAPSHOT` : v;
    case 'pypi': return prerelease ? `${v}rc1` : v;
    case 'golang': return `v${v}`;
    default: return prerelease ? `${v}-beta.1` : v;
  }
}

function fileNames(type: PackageType, name: string, version: string | null): [string, string] {
  const base = name.split('/').pop()!.replace(/^@/, '');
  const v = version ?? '0';
  switch (type) {
    case 'npm': return [`${base}-${v}.tgz`, `${base}-${v}.tgz.sig`];
    case 'maven': return version ? [`${base}-${v}.jar`, `${base}-${v}.pom`] : ['maven-metadata.xml', 'maven-metadata.xml.sha1'];
    case 'pypi': return [`${base.replace(/-/g, '_')}-${v}-py3-none-any.whl`, `${base}-${v}.tar.gz`];
    case 'nuget': return [`${name.toLowerCase()}.${v}.nupkg`, `${name.toLowerCase()}.${v}.snupkg`];
    case 'conan': return ['conanfile.py', 'conanmanifest.txt'];
    case 'helm': return [`${base}-${v}.tgz`, `${base}-${v}.tgz.prov`];
    case 'golang': return [`${v}.zip`, `${v}.mod`];
    case 'rubygems': return [`${base}-${v}.gem`, `${base}.gemspec`];
    case 'debian': return [`${base}_${v}_amd64.deb`, `${base}_${v}.dsc`];
    case 'rpm': return [`${base}-${v}-1.x86_64.rpm`, `${base}-${v}-1.src.rpm`];
    case 'cargo': return [`${base}-${v}.crate`, 'Cargo.toml'];
    default: return [`${base}-${v}.tar.gz`, `${base}-${v}.sha256`];
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing

/** A buffered, back-pressured writer over a file stream. */
class Out {
  private buffer: string[] = [];
  private size = 0;
  bytes = 0;
  private readonly stream;
  constructor(file: string) {
    this.stream = createWriteStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  }
  async write(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 256 * 1024) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    this.bytes += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

const DAY = 86_400_000;

/** Writes the fixture; returns its metadata (also written to `<file>.meta.json`). */
export async function generateFixture(options: GenerateOptions): Promise<FixtureMeta> {
  const started = performance.now();
  const { packages: total, projects: projectCount, seed } = options;
  if (!Number.isInteger(total) || total < 1) throw new Error(`packages must be a positive integer, got ${total}`);
  if (!Number.isInteger(projectCount) || projectCount < 1) throw new Error(`projects must be a positive integer, got ${projectCount}`);
  const pipelinesPerProject = options.pipelinesPerProject ?? 50;
  const ciUserCount = options.ciUsers ?? 20;
  const file = path.resolve(options.out ?? defaultFixturePath(options));
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const r = rng(seed * 7919 + 17);
  const token = `glpat-bench-${createHash('sha256').update(`bench-token-${seed}`).digest('hex').slice(0, 20)}`;
  const counts: FixtureMeta['counts'] = { packages: 0, files: 0, tags: 0, buildInfos: 0, pipelines: 0, listedPerProject: [] };

  const out = new Out(tmp);
  try {
    // Users: the bench user (with the token) and the CI users.
    const ciUsers = Array.from({ length: ciUserCount }, (_, i) => ({
      username: `dev-${String(i + 1).padStart(2, '0')}`,
      name: people[i % people.length]! + (i >= people.length ? ` ${Math.floor(i / people.length) + 1}` : ''),
    }));
    const users = [
      {
        username: 'bench',
        name: 'Bench User',
        public_email: 'bench@example.com',
        tokens: [{ name: 'bench', token, scopes: ['api'] }],
      },
      ...ciUsers.map((u) => ({ ...u, public_email: `${u.username}@example.com`, created_at: '2022-01-03T09:00:00Z' })),
    ];
    await out.write(`{"users":[\n${users.map((u) => JSON.stringify(u)).join(',\n')}\n],\n`);

    // Groups: the bench user is maintainer of the top group, and so of everything under it.
    const groups = [
      { path: 'bench-org', name: 'Bench Org', visibility: 'public', members: [{ user: 'bench', access_level: 'maintainer' }] },
      { path: 'bench-org/platform', name: 'Platform', visibility: 'public' },
    ];
    await out.write(`"groups":[\n${groups.map((g) => JSON.stringify(g)).join(',\n')}\n],\n"projects":[\n`);

    const start = Date.parse('2023-01-01T00:00:00Z');
    const span = 730 * DAY; // two years of history
    const nextType = r.weighted(typeWeights);
    const nextStatus = r.weighted(statusWeights);
    const projectPaths: string[] = [];

    for (let p = 0; p < projectCount; p++) {
      const namespace = p % 2 === 0 ? 'bench-org' : 'bench-org/platform';
      const short = `${words[p % words.length]}${p >= words.length ? `-${Math.floor(p / words.length) + 1}` : ''}-service`;
      const projectPath = `${namespace}/${short}`;
      projectPaths.push(projectPath);
      const visibility = p % 3 === 1 ? 'public' : 'private';
      const size = Math.floor(total / projectCount) + (p < total % projectCount ? 1 : 0);

      // Pipelines, oldest first, spread over the same two years.
      const pipelines = Array.from({ length: pipelinesPerProject }, (_, i) => {
        const created = start + Math.floor(((i + r.next()) / pipelinesPerProject) * span);
        const status = r.next() < 0.9 ? 'success' : r.pick(['failed', 'canceled', 'running']);
        return {
          key: `p${i + 1}`,
          ref: r.next() < 0.8 ? 'main' : `release/${1 + Math.floor(i / 10)}.x`,
          sha: r.hex(40),
          status,
          source: r.pick(['push', 'push', 'push', 'web', 'schedule', 'merge_request_event']),
          user: r.pick(ciUsers).username,
          created_at: new Date(created).toISOString(),
          updated_at: new Date(created + 5 * 60_000 + r.int(3_600_000)).toISOString(),
        };
      });
      counts.pipelines += pipelines.length;
      const protectionRules = [
        { package_name_pattern: `@${short}/*`, package_type: 'npm', minimum_access_level_for_delete: 'owner' },
        { package_name_pattern: `${short}-${words[(p + 3) % words.length]}-*`, package_type: 'pypi', minimum_access_level_for_delete: 'admin' },
      ];
      const head = {
        path: projectPath,
        name: cap(short.replace(/-/g, ' ')),
        visibility,
        created_at: new Date(start - 30 * DAY).toISOString(),
        pipelines,
        protection_rules: protectionRules,
      };
      const headJson = JSON.stringify(head);
      await out.write(`${p === 0 ? '' : ',\n'}${headJson.slice(0, -1)},"packages":[\n`);

      // Packages: a pool of names (each with its own type), ~20 versions per name; created_at grows
      // with the index, with jitter and the odd exact tie (to exercise the id tie-break of the ordering).
      const namePool = Math.max(1, Math.round(size / 20));
      const names = Array.from({ length: namePool }, (_, j) => {
        const type = nextType();
        const a = words[j % words.length]!;
        const b = words[(Math.floor(j / words.length) + j) % words.length]!;
        const round = Math.floor(j / (words.length * words.length));
        return { type, name: packageName(type, projectPath, a, round ? `${b}${round + 1}` : b), versions: 0 };
      });
      const step = span / size;
      let previous = start;
      let listed = 0;
      for (let i = 0; i < size; i++) {
        const entry = names[r.int(namePool)]!;
        const { type, name } = entry;
        const k = entry.versions++;
        const versionless = (type === 'maven' && r.next() < 0.02) || (type === 'generic' && r.next() < 0.01);
        const version = versionless ? null : versionOf(type, k, r.next() < 0.05);
        const status = nextStatus();
        const created = r.next() < 0.01 ? previous : start + Math.floor(i * step + r.next() * step * 3);
        previous = created;
        if (listedStatuses.has(status) && type !== 'terraform_module' && version !== null) listed++;
        const pipelineIndex = Math.min(pipelinesPerProject - 1, Math.floor((i / size) * pipelinesPerProject));
        const pkgPipelines = [`p${pipelineIndex + 1}`];
        if (r.next() < 0.4 && pipelineIndex > 0) pkgPipelines.unshift(`p${pipelineIndex - r.int(Math.min(pipelineIndex, 5))}`);
        const tags = [r.pick(tagNames)];
        if (r.next() < 0.5) {
          const second = r.pick(tagNames);
          if (second !== tags[0]) tags.push(second);
        }
        const [f1, f2] = fileNames(type, name, version);
        const fileCreated = new Date(created + 1000).toISOString();
        const files = [f1, f2].map((fileName, n) => ({
          file_name: fileName,
          size: n === 0 ? 1024 + r.int(50_000_000) : 200 + r.int(20_000),
          file_md5: r.hex(32),
          file_sha1: r.hex(40),
          file_sha256: r.hex(64),
          created_at: fileCreated,
          pipelines: [pkgPipelines[pkgPipelines.length - 1]!],
        }));
        const pkg: Record<string, unknown> = {
          name,
          version,
          package_type: type,
          status,
          created_at: new Date(created).toISOString(),
          updated_at: new Date(created + r.int(DAY)).toISOString(),
          last_downloaded_at: r.next() < 0.6 ? new Date(created + r.int(60 * DAY)).toISOString() : null,
          creator: r.next() < 0.7 ? r.pick(ciUsers).username : 'bench',
          tags,
          pipelines: pkgPipelines,
          files,
        };
        if (status === 'error') pkg.status_message = 'Unexpected error while processing the package';
        if (type === 'conan') pkg.conan = { username: 'bench', channel: r.pick(['stable', 'testing']) };
        await out.write(`${i === 0 ? '' : ',\n'}${JSON.stringify(pkg)}`);
        counts.packages++;
        counts.files += files.length;
        counts.tags += tags.length;
        counts.buildInfos += pkgPipelines.length;
      }
      counts.listedPerProject.push(listed);
      await out.write('\n]}');
    }
    await out.write('\n]}\n');
    await out.close();
    renameSync(tmp, file);
    const meta: FixtureMeta = {
      generatorVersion: GENERATOR_VERSION,
      file,
      bytes: out.bytes,
      seconds: (performance.now() - started) / 1000,
      packages: total,
      projects: projectPaths,
      pipelinesPerProject,
      users: users.length,
      benchUser: 'bench',
      token,
      counts,
    };
    writeFileSync(metaPathOf(file), `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  } catch (error) {
    await out.close().catch(() => {});
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Reuses a fixture generated earlier with the same parameters, else generates it. */
export async function ensureFixture(options: GenerateOptions, log: (line: string) => void = () => {}): Promise<FixtureMeta> {
  const file = path.resolve(options.out ?? defaultFixturePath(options));
  const existing = readMeta(file);
  if (existing) {
    log(`fixture: reusing ${path.relative(process.cwd(), file)} (${(existing.bytes / 1e6).toFixed(1)} MB)`);
    return existing;
  }
  log(`fixture: generating ${options.packages} packages over ${options.projects} projects...`);
  const meta = await generateFixture({ ...options, out: file });
  log(`fixture: wrote ${path.relative(process.cwd(), file)} (${(meta.bytes / 1e6).toFixed(1)} MB) in ${meta.seconds.toFixed(1)}s`);
  return meta;
}

export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      packages: { type: 'string' },
      projects: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const options: GenerateOptions = {
    packages: values.packages ? Number(values.packages) : intFromEnv('BENCH_PACKAGES', 100_000),
    projects: values.projects ? Number(values.projects) : intFromEnv('BENCH_PROJECTS', 10),
    seed: values.seed ? Number(values.seed) : intFromEnv('BENCH_SEED', 1),
    out: values.out,
  };
  generateFixture(options).then(
    (meta) => console.log(`wrote ${meta.file}: ${meta.bytes} bytes, ${meta.counts.packages} packages in ${meta.seconds.toFixed(1)}s`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
