// Loads a seed fixture (format: docs/fixture-format.md) in one transaction, all or nothing. Files
// and streams are parsed token by token (stream-json): users and groups are assembled whole, each
// project's own fields too, and its packages are validated one at a time and written in batches of
// multi-row INSERTs, so a fixture larger than a JavaScript string loads in bounded memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import StreamJsonParser from 'stream-json/Parser.js';
import { AccessLevel } from '../domain/access.ts';
import { tokenDigest } from '../domain/tokens.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import {
  FixtureError,
  knownKeys,
  groupSchema,
  packageSchema,
  parseAt,
  projectSchema,
  userSchema,
  type PackageInput,
  type PipelineInput,
  type ProjectInput,
} from './fixture-schema.ts';

export { FixtureError } from './fixture-schema.ts';

export interface FixtureSummary {
  users: number;
  tokens: number;
  groups: number;
  projects: number;
  memberships: number;
  pipelines: number;
  packages: number;
  packageFiles: number;
  tags: number;
  protectionRules: number;
}

export interface LoadFixtureOptions {
  /** Empty every table first (in the same transaction). */
  reset?: boolean;
  /** Receives a progress line every ~10,000 packages, and warnings about ignored keys. */
  onProgress?: (line: string) => void;
}

/** What the loader needs of a client; a transaction client fits too. */
type Sql = Pick<PrismaClient, '$executeRawUnsafe' | '$queryRawUnsafe'>;

const PACKAGE_BATCH = 5_000;
const FILE_BATCH = 10_000;
const INSERT_CHUNK = 5_000;
const PROGRESS_EVERY = 10_000;
const READ_CHUNK = 1 << 20; // fewer, larger reads than the 64 KiB default
// A million packages take minutes on a slow disk; the load is one transaction, so no interactive timeout.
const TRANSACTION_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * Loads a fixture: a file path, a stream of its JSON text, or the parsed document. Throws FixtureError
 * (naming the JSON path) for an invalid document or one that clashes with the database's data; the
 * database is then unchanged.
 */
export async function loadFixture(
  prisma: PrismaClient,
  source: string | NodeJS.ReadableStream | object,
  options: LoadFixtureOptions = {},
): Promise<FixtureSummary> {
  const now = new Date().toISOString();
  // Explicit ids anywhere in the document are kept away from generated ids (a stream cannot be read twice).
  const reserved =
    typeof source === 'string'
      ? (await stat(source)).isFile()
        ? await scanExplicitIds(source)
        : emptyReserved() // a pipe cannot be read twice
      : isStream(source)
        ? emptyReserved()
        : collectExplicitIds(source);
  return prisma.$transaction(
    async (tx) => {
      if (options.reset) await resetDatabase(tx);
      const loader = new Loader(tx, options, reserved, now);
      try {
        await loader.start();
        if (typeof source === 'string') await streamDocument(createReadStream(source, { highWaterMark: READ_CHUNK }), loader);
        else if (isStream(source)) await streamDocument(source, loader);
        else await loadDocument(source, loader);
        return await loader.finish();
      } catch (error) {
        // Let a batch still being written finish before the transaction rolls back under it.
        await loader.idle();
        throw error;
      }
    },
    { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 60_000 },
  );
}

export function formatSummary(summary: FixtureSummary): string {
  const parts: [number, string][] = [
    [summary.users, 'user'],
    [summary.tokens, 'token'],
    [summary.groups, 'group'],
    [summary.projects, 'project'],
    [summary.memberships, 'membership'],
    [summary.pipelines, 'pipeline'],
    [summary.packages, 'package'],
    [summary.packageFiles, 'package file'],
    [summary.tags, 'tag'],
    [summary.protectionRules, 'protection rule'],
  ];
  return `loaded ${parts.map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`).join(', ')}`;
}

/** True when there are no users, namespaces, projects or packages (what `npm start` seeds into). */
export async function isDatabaseEmpty(prisma: Sql): Promise<boolean> {
  const rows = await prisma.$queryRawUnsafe<{ empty: boolean }[]>(
    `SELECT NOT EXISTS (SELECT 1 FROM "users") AND NOT EXISTS (SELECT 1 FROM "namespaces")
        AND NOT EXISTS (SELECT 1 FROM "projects") AND NOT EXISTS (SELECT 1 FROM "packages_packages") AS empty`,
  );
  return rows[0]!.empty;
}

/** Empties every application table (not Prisma's migration bookkeeping) and restarts the id sequences. */
export async function resetDatabase(prisma: Sql): Promise<void> {
  const tables = await appTables(prisma);
  if (tables.length > 0) {
    await prisma.$executeRawUnsafe(`TRUNCATE ${tables.map(ident).join(', ')} RESTART IDENTITY CASCADE`);
  }
}

async function appTables(sql: Sql): Promise<string[]> {
  const rows = await sql.$queryRawUnsafe<{ name: string }[]>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

function isStream(source: unknown): source is NodeJS.ReadableStream {
  return typeof (source as NodeJS.ReadableStream | null)?.pipe === 'function';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------
// Explicit ids

type IdKind = 'user' | 'group' | 'project' | 'pipeline' | 'package' | 'file';
type ReservedIds = Record<IdKind, Set<number>>;

const idTables: Record<IdKind, string> = {
  user: 'users',
  group: 'namespaces',
  project: 'projects',
  pipeline: 'ci_pipelines',
  package: 'packages_packages',
  file: 'packages_package_files',
};

function emptyReserved(): ReservedIds {
  return { user: new Set(), group: new Set(), project: new Set(), pipeline: new Set(), package: new Set(), file: new Set() };
}

function collectExplicitIds(doc: unknown): ReservedIds {
  const ids = emptyReserved();
  const each = (list: unknown, kind: IdKind, inner?: (item: Record<string, unknown>) => void) => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      if (!isObject(item)) continue;
      if (Number.isSafeInteger(item.id)) ids[kind].add(item.id as number);
      inner?.(item);
    }
  };
  if (!isObject(doc)) return ids;
  each(doc.users, 'user');
  each(doc.groups, 'group');
  each(doc.projects, 'project', (project) => {
    each(project.pipelines, 'pipeline');
    each(project.packages, 'package', (pkg) => each(pkg.files, 'file'));
  });
  return ids;
}

// Byte-level structure scan (strings, containers, keys) of the file for `"id": <n>` of each record
// kind: several times faster than a second full JSON parse.
const SCAN_OTHER = 0;
const SCAN_ROOT = 1;
const scanKinds: (IdKind | undefined)[] = [undefined, undefined, 'user', 'group', 'project', 'pipeline', 'package', 'file'];
const scanChildren: Record<number, Record<string, number>> = {
  [SCAN_ROOT]: { users: 2, groups: 3, projects: 4 },
  4: { pipelines: 5, packages: 6 },
  6: { files: 7 },
};

async function scanExplicitIds(file: string): Promise<ReservedIds> {
  const ids = emptyReserved();
  const kinds: number[] = []; // per open container: the object's kind, or an array's element kind
  const objects: boolean[] = [];
  const keys: string[] = [];
  let inString = false;
  let escaped = false;
  let collectingKey = false;
  let key = '';
  let expectKey = false;
  let digits = '';
  const finishNumber = () => {
    const kind = scanKinds[kinds[kinds.length - 1]!];
    const n = Number(digits);
    if (kind && Number.isSafeInteger(n)) ids[kind].add(n);
    digits = '';
  };
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) {
          escaped = true;
          collectingKey = false; // keys spelt with escapes are not the ones we look for
        } else if (c === 0x22) {
          inString = false;
          if (objects[objects.length - 1] && expectKey) keys[keys.length - 1] = collectingKey ? key : '';
        } else if (collectingKey) {
          if (key.length < 16) key += String.fromCharCode(c);
          else collectingKey = false;
        }
        continue;
      }
      if (digits) {
        if (c >= 0x30 && c <= 0x39) {
          digits += String.fromCharCode(c);
          continue;
        }
        finishNumber();
      }
      const top = kinds.length - 1;
      switch (c) {
        case 0x22: // "
          inString = true;
          collectingKey = objects[top] === true && expectKey;
          key = '';
          break;
        case 0x7b: // {
          kinds.push(top < 0 ? SCAN_ROOT : objects[top] ? SCAN_OTHER : kinds[top]!);
          objects.push(true);
          keys.push('');
          expectKey = true;
          break;
        case 0x5b: // [
          kinds.push(top >= 0 && objects[top] ? (scanChildren[kinds[top]!]?.[keys[top]!] ?? SCAN_OTHER) : SCAN_OTHER);
          objects.push(false);
          keys.push('');
          break;
        case 0x7d: // }
        case 0x5d: // ]
          kinds.pop();
          objects.pop();
          keys.pop();
          expectKey = false;
          break;
        case 0x2c: // ,
          expectKey = objects[top] === true;
          break;
        case 0x3a: // :
          expectKey = false;
          break;
        default:
          if (c >= 0x30 && c <= 0x39 && objects[top] && keys[top] === 'id') digits = String.fromCharCode(c);
      }
    }
  }
  if (digits) finishNumber();
  return ids;
}

// ---------------------------------------------------------------------------------------------------
// Writing

/**
 * Each table's columns as `name type`, or `name type = sql` for the value taken when a row leaves it
 * null (`$2` is the load time). Columns with such a fallback come last, so rows can leave them out.
 */
const columns = {
  users: [
    'id int', 'username text', 'name text', 'state "UserState"', 'admin boolean', 'public_email text', 'avatar_url text',
    'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  personal_access_tokens: [
    'user_id int', 'name text', 'token_digest text', 'scopes text[]', 'expires_at timestamptz', 'revoked boolean',
    'last_used_at timestamptz', 'created_at timestamptz = $2',
  ],
  namespaces: [
    'id int', 'kind "NamespaceKind"', 'name text', 'path text', 'full_path text', 'parent_id int', 'owner_id int',
    'visibility "Visibility"', 'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  group_members: ['namespace_id int', 'user_id int', 'access_level int', 'created_at timestamptz = $2'],
  projects: [
    'id int', 'namespace_id int', 'name text', 'path text', 'full_path text', 'visibility "Visibility"', 'packages_enabled boolean',
    'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  project_members: ['project_id int', 'user_id int', 'access_level int', 'created_at timestamptz = $2'],
  ci_pipelines: [
    'id int', 'project_id int', 'iid int', 'sha text', 'ref text', 'status "PipelineStatus"', 'source text', 'user_id int',
    'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  packages_protection_rules: [
    'project_id int', 'package_name_pattern text', 'package_type "PackageType"', 'minimum_access_level_for_delete int',
    'minimum_access_level_for_push int', 'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  packages_packages: [
    'id int', 'project_id int', 'name text', 'version text', 'package_type "PackageType"', 'status "PackageStatus"',
    'creator_id int', 'status_message text', 'conan_username text', 'conan_channel text', 'last_downloaded_at timestamptz',
    'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  packages_tags: ['package_id int', 'project_id int', 'name text', 'created_at timestamptz = $2', 'updated_at timestamptz = $2'],
  packages_build_infos: ['package_id int', 'pipeline_id int'],
  packages_package_files: [
    'id int', 'package_id int', 'file_name text', 'size bigint', 'file_md5 text', 'file_sha1 text', 'file_sha256 text',
    'status "PackageFileStatus"', 'created_at timestamptz = $2', 'updated_at timestamptz = $2',
  ],
  packages_package_file_build_infos: ['package_file_id int', 'pipeline_id int'],
} as const;
type Table = keyof typeof columns;
type Row = Record<string, string | number | boolean | string[] | null | undefined>;

interface Insert {
  names: string[];
  statement: string;
  usesLoadTime: boolean;
}
const inserts = new Map<Table, Insert>();

/**
 * Rows travel as one jsonb array of positional arrays per chunk: a few thousand rows per round trip,
 * no bind-parameter limit, and (measured on PGlite) about half the bytes and two thirds of the time
 * of json_to_recordset over objects. Rows go in in list order, so ids the database assigns follow it.
 */
function insertFor(table: Table): Insert {
  let insert = inserts.get(table);
  if (!insert) {
    const specs = columns[table].map((spec) => {
      const [, name, type, fallback] = /^(\w+) ([^=]+?)(?: = (.+))?$/.exec(spec)!;
      return { name: name!, type: type!, fallback };
    });
    const values = specs.map(({ type, fallback }, k) => {
      const value = type === 'text[]' ? `ARRAY(SELECT jsonb_array_elements_text(e->${k}))` : type === 'text' ? `e->>${k}` : `(e->>${k})::${type}`;
      return fallback ? `COALESCE(${value}, ${fallback}::${type})` : value;
    });
    const names = specs.map((c) => c.name);
    insert = {
      names,
      statement:
        `INSERT INTO ${ident(table)} (${names.join(', ')}) SELECT ${values.join(', ')} ` +
        'FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord) ORDER BY ord',
      usesLoadTime: specs.some((c) => c.fallback === '$2'),
    };
    inserts.set(table, insert);
  }
  return insert;
}

async function insertRows(sql: Sql, table: Table, rows: Row[], loadTime: string): Promise<void> {
  const { names, statement, usesLoadTime } = insertFor(table);
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((row) => {
      const values = names.map((name) => row[name] ?? null);
      while (values.length > 0 && values[values.length - 1] === null) values.pop();
      return values;
    });
    const payload = JSON.stringify(chunk);
    await (usesLoadTime ? sql.$executeRawUnsafe(statement, payload, loadTime) : sql.$executeRawUnsafe(statement, payload));
  }
}

/** Hands out ids from a table's sequence, skipping the document's explicit ids. */
class IdAllocator {
  private sequence: string | undefined;
  constructor(
    private readonly sql: Sql,
    private readonly table: string,
    readonly reserved: Set<number>,
  ) {}

  async take(count: number): Promise<number[]> {
    const out: number[] = [];
    if (count === 0) return out;
    this.sequence ??= (
      await this.sql.$queryRawUnsafe<{ s: string }[]>(`SELECT pg_get_serial_sequence($1, 'id') AS s`, ident(this.table))
    )[0]!.s;
    while (out.length < count) {
      const rows = await this.sql.$queryRawUnsafe<{ id: number }[]>(
        'SELECT nextval($1::regclass)::int AS id FROM generate_series(1, $2::int)',
        this.sequence,
        count - out.length,
      );
      let last = 0;
      for (const { id } of rows) {
        if (!this.reserved.has(id)) out.push(id);
        last = Math.max(last, id);
      }
      // Jump over a run of reserved ids in one step rather than one nextval each.
      let skipTo = last;
      while (this.reserved.has(skipTo + 1)) skipTo++;
      if (skipTo > last) await this.sql.$queryRawUnsafe('SELECT setval($1::regclass, $2::bigint)', this.sequence, skipTo);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------
// The loader: validates records, resolves references and writes rows. Sections arrive in document
// order; a streamed document feeds packages one at a time.

interface UserEntry {
  id: number;
  username: string;
  name: string;
  path: string;
  namespaceId?: number;
}

interface ProjectState {
  path: string;
  id: number;
  fullPath: string;
  /** The project's pipelines by key; undefined while a streamed project's `pipelines` may still come. */
  pipelines: Map<string, number> | undefined;
  /** Keys of the project's own fields that were applied when it was created. */
  given: Set<string>;
  /** Build infos whose pipelines were not known yet (pipelines listed after packages). */
  deferred: { table: 'packages_build_infos' | 'packages_package_file_build_infos'; ownerId: number; keys: string[]; path: string }[];
  personalOwner?: UserEntry;
}

interface PendingPackage {
  project: ProjectState;
  pkg: PackageInput;
  path: string;
  creatorId: number | undefined;
}

const projectScalars = ['id', 'name', 'visibility', 'packages_enabled', 'created_at', 'updated_at'] as const;

class Loader {
  readonly summary: FixtureSummary = {
    users: 0,
    tokens: 0,
    groups: 0,
    projects: 0,
    memberships: 0,
    pipelines: 0,
    packages: 0,
    packageFiles: 0,
    tags: 0,
    protectionRules: 0,
  };
  /** Sections loaded so far: a streamed document waits for users, and hints when groups come late. */
  readonly seen = { users: false, groups: false };
  streamed = false;
  private readonly users = new Map<string, UserEntry>(); // by lower-case username
  private readonly groups = new Map<string, { id: number; path: string }>(); // by lower-case full path
  private readonly projectPaths = new Map<string, string>(); // lower-case full path -> JSON path
  private readonly digests = new Map<string, string>(); // token digest -> JSON path
  private readonly ids: Record<IdKind, IdAllocator>;
  private readonly warned = new Set<string>();
  private pending: PendingPackage[] = [];
  private pendingFiles = 0;
  /** The batch being written while the next one is parsed; every other statement waits for it. */
  private writing: Promise<void> = Promise.resolve();
  /** Whether the database held data before the load (then usernames, paths and tokens must not clash). */
  private checkClashes = false;
  private readonly explicitKinds = new Set<IdKind>();
  private nextProgress = PROGRESS_EVERY;

  constructor(
    private readonly sql: Sql,
    private readonly options: LoadFixtureOptions,
    reserved: ReservedIds,
    private readonly now: string,
  ) {
    const alloc = (kind: IdKind) => new IdAllocator(sql, idTables[kind], reserved[kind]);
    this.ids = {
      user: alloc('user'),
      group: alloc('group'),
      project: alloc('project'),
      pipeline: alloc('pipeline'),
      package: alloc('package'),
      file: alloc('file'),
    };
  }

  private insert(table: Table, rows: Row[]): Promise<void> {
    return insertRows(this.sql, table, rows, this.now);
  }

  async start(): Promise<void> {
    this.checkClashes = !this.options.reset && !(await isDatabaseEmpty(this.sql));
  }

  warnUnknownKeys(kind: keyof typeof knownKeys, value: unknown, path: string): void {
    if (!isObject(value)) return;
    const known = knownKeys[kind];
    for (const key of Object.keys(value)) {
      if (known.has(key) || this.warned.has(`${kind}.${key}`)) continue;
      this.warned.add(`${kind}.${key}`);
      this.options.onProgress?.(`warning: ${path ? `${path}.` : ''}${key}: unknown key, ignored`);
    }
  }

  private list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) throw new FixtureError('expected an array', path);
    return value;
  }

  private user(username: string, path: string): UserEntry {
    const user = this.users.get(username.toLowerCase());
    if (user) return user;
    throw new FixtureError(`unknown user ${JSON.stringify(username)}`, path);
  }

  /** Ids for records in order: explicit ones checked against the batch and the database, the rest generated. */
  private async assignIds(kind: IdKind, records: { id?: number | undefined; path: string }[]): Promise<number[]> {
    const explicit = new Map<number, string>();
    for (const r of records) {
      if (r.id === undefined) continue;
      const other = explicit.get(r.id);
      if (other) throw new FixtureError(`id ${r.id} is also used by ${other}`, `${r.path}.id`);
      explicit.set(r.id, r.path);
      this.ids[kind].reserved.add(r.id);
    }
    if (explicit.size > 0) {
      this.explicitKinds.add(kind);
      const taken = await this.sql.$queryRawUnsafe<{ id: number }[]>(
        `SELECT id FROM ${ident(idTables[kind])} WHERE id IN (SELECT value::int FROM json_array_elements_text($1::json)) ORDER BY id LIMIT 1`,
        JSON.stringify([...explicit.keys()]),
      );
      if (taken[0]) {
        throw new FixtureError(
          `id ${taken[0].id} is already taken (by an earlier record or a row in the database)`,
          `${explicit.get(taken[0].id)}.id`,
        );
      }
    }
    const generated = await this.ids[kind].take(records.length - explicit.size);
    let next = 0;
    return records.map((r) => r.id ?? generated[next++]!);
  }

  /** Throws when the database already holds one of `values` (lower-cased) in the query's column. */
  private async assertAbsent(query: string, values: Map<string, string>, what: string, field: string): Promise<void> {
    if (!this.checkClashes || values.size === 0) return;
    const rows = await this.sql.$queryRawUnsafe<{ v: string }[]>(query, JSON.stringify([...values.keys()]));
    const hit = rows[0];
    if (hit) {
      throw new FixtureError(
        `${what} ${JSON.stringify(hit.v)} already exists in the database (load with reset to replace its data)`,
        `${values.get(hit.v.toLowerCase())}.${field}`,
      );
    }
  }

  async addUsers(value: unknown): Promise<void> {
    await this.writing;
    const list = this.list(value, 'users');
    const users = list.map((raw, i) => {
      const path = `users[${i}]`;
      this.warnUnknownKeys('user', raw, path);
      if (isObject(raw) && Array.isArray(raw.tokens)) raw.tokens.forEach((t, j) => this.warnUnknownKeys('token', t, `${path}.tokens[${j}]`));
      return { path, input: parseAt(userSchema, raw, path) };
    });
    const names = new Map<string, string>();
    const newDigests = new Map<string, string>();
    for (const { path, input } of users) {
      const lower = input.username.toLowerCase();
      const clash = this.users.get(lower)?.path ?? names.get(lower);
      if (clash) throw new FixtureError(`username ${JSON.stringify(input.username)} is also used by ${clash}`, `${path}.username`);
      if (this.groups.has(lower)) throw new FixtureError(`${JSON.stringify(input.username)} is already a group's path`, `${path}.username`);
      names.set(lower, path);
      input.tokens.forEach((t, j) => {
        const tokenPath = `${path}.tokens[${j}].token`;
        const digest = tokenDigest(t.token);
        const other = this.digests.get(digest) ?? newDigests.get(digest);
        if (other) throw new FixtureError(`the same token is also given at ${other}`, tokenPath);
        newDigests.set(digest, tokenPath);
      });
    }
    await this.assertAbsent(
      `SELECT username AS v FROM "users" WHERE lower(username) IN (SELECT json_array_elements_text($1::json))
       UNION ALL SELECT full_path FROM "namespaces" WHERE lower(full_path) IN (SELECT json_array_elements_text($1::json)) LIMIT 1`,
      names,
      'username',
      'username',
    );
    if (this.checkClashes && newDigests.size > 0) {
      const rows = await this.sql.$queryRawUnsafe<{ v: string }[]>(
        `SELECT token_digest AS v FROM "personal_access_tokens" WHERE token_digest IN (SELECT json_array_elements_text($1::json)) LIMIT 1`,
        JSON.stringify([...newDigests.keys()]),
      );
      if (rows[0]) throw new FixtureError('this token already exists in the database', newDigests.get(rows[0].v));
    }

    const ids = await this.assignIds('user', users.map(({ path, input }) => ({ id: input.id, path })));
    const userRows: Row[] = [];
    const tokenRows: Row[] = [];
    users.forEach(({ path, input }, i) => {
      const id = ids[i]!;
      const name = input.name ?? input.username;
      userRows.push({
        id,
        username: input.username,
        name,
        state: input.state,
        admin: input.admin,
        public_email: input.public_email,
        avatar_url: input.avatar_url,
        created_at: input.created_at,
        updated_at: input.updated_at,
      });
      for (const t of input.tokens) {
        tokenRows.push({
          user_id: id,
          name: t.name,
          token_digest: tokenDigest(t.token),
          scopes: t.scopes,
          expires_at: t.expires_at,
          revoked: t.revoked,
          last_used_at: t.last_used_at,
          created_at: t.created_at,
        });
      }
      this.users.set(input.username.toLowerCase(), { id, username: input.username, name, path });
    });
    for (const [digest, path] of newDigests) this.digests.set(digest, path);
    await this.insert('users', userRows);
    await this.insert('personal_access_tokens', tokenRows);
    this.summary.users += userRows.length;
    this.summary.tokens += tokenRows.length;
    this.seen.users = true;
  }

  async addGroups(value: unknown): Promise<void> {
    await this.writing;
    const list = this.list(value, 'groups');
    const added = new Map<string, string>(); // lower-case path -> JSON path, for this section
    const groups = list.map((raw, i) => {
      const path = `groups[${i}]`;
      this.warnUnknownKeys('group', raw, path);
      const input = parseAt(groupSchema, raw, path);
      const lower = input.path.toLowerCase();
      const clash = added.get(lower) ?? this.groups.get(lower)?.path;
      if (clash) throw new FixtureError(`group path ${JSON.stringify(input.path)} is also used by ${clash}`, `${path}.path`);
      const slash = input.path.lastIndexOf('/');
      const parent = slash < 0 ? undefined : input.path.slice(0, slash);
      if (parent === undefined && this.users.has(lower)) {
        throw new FixtureError(`${JSON.stringify(input.path)} is already a username`, `${path}.path`);
      }
      if (parent !== undefined && !added.has(parent.toLowerCase()) && !this.groups.has(parent.toLowerCase())) {
        throw new FixtureError(`parent group ${JSON.stringify(parent)} not found (list a group before its subgroups)`, `${path}.path`);
      }
      const project = this.projectPaths.get(lower);
      if (project) throw new FixtureError(`${JSON.stringify(input.path)} is already the path of ${project}`, `${path}.path`);
      added.set(lower, path);
      return { path, input, parent };
    });
    await this.assertAbsent(
      `SELECT full_path AS v FROM "namespaces" WHERE lower(full_path) IN (SELECT json_array_elements_text($1::json))
       UNION ALL SELECT username FROM "users" WHERE lower(username) IN (SELECT json_array_elements_text($1::json))
       UNION ALL SELECT full_path FROM "projects" WHERE lower(full_path) IN (SELECT json_array_elements_text($1::json)) LIMIT 1`,
      added,
      'path',
      'path',
    );

    const ids = await this.assignIds('group', groups.map(({ path, input }) => ({ id: input.id, path })));
    const groupRows: Row[] = [];
    const memberRows: Row[] = [];
    groups.forEach(({ path, input, parent }, i) => {
      const id = ids[i]!;
      const segment = input.path.slice(input.path.lastIndexOf('/') + 1);
      this.groups.set(input.path.toLowerCase(), { id, path });
      groupRows.push({
        id,
        kind: 'group',
        name: input.name ?? segment,
        path: segment,
        full_path: input.path,
        parent_id: parent === undefined ? undefined : this.groups.get(parent.toLowerCase())!.id,
        visibility: input.visibility,
        created_at: input.created_at,
        updated_at: input.updated_at,
      });
      for (const [userId, level] of this.members(input.members, path)) {
        memberRows.push({ namespace_id: id, user_id: userId, access_level: level });
      }
    });
    await this.insert('namespaces', groupRows);
    await this.insert('group_members', memberRows);
    this.summary.groups += groupRows.length;
    this.summary.memberships += memberRows.length;
    this.seen.groups = true;
  }

  /** user id -> access level; a user listed twice is an error. */
  private members(members: ProjectInput['members'], path: string): Map<number, number> {
    const out = new Map<number, number>();
    members.forEach((m, j) => {
      const userPath = `${path}.members[${j}].user`;
      const user = this.user(m.user, userPath);
      if (out.has(user.id)) throw new FixtureError(`${JSON.stringify(m.user)} is listed twice`, userPath);
      out.set(user.id, m.access_level);
    });
    return out;
  }

  /** A whole project (document given as an object, or a streamed project buffered until its end). */
  async addProject(raw: unknown, index: number): Promise<void> {
    const path = `projects[${index}]`;
    if (!isObject(raw)) throw new FixtureError('expected an object', path);
    const { packages, ...own } = raw;
    const project = await this.beginProject(own, index, true);
    if (packages !== undefined) {
      const list = this.list(packages, `${path}.packages`);
      for (let i = 0; i < list.length; i++) await this.addPackage(project, list[i], i);
    }
    await this.endProject(project, own);
  }

  /**
   * Creates a project from the own fields known so far. `complete` says none can follow; otherwise
   * (a streamed project whose packages start before its end) later fields are applied by endProject.
   */
  async beginProject(own: Record<string, unknown>, index: number, complete: boolean): Promise<ProjectState> {
    await this.writing;
    const path = `projects[${index}]`;
    this.warnUnknownKeys('project', own, path);
    const input = parseAt(projectSchema, own, path);
    const lower = input.path.toLowerCase();
    const clash = this.projectPaths.get(lower);
    if (clash) throw new FixtureError(`project path ${JSON.stringify(input.path)} is also used by ${clash}`, `${path}.path`);
    if (this.groups.has(lower)) throw new FixtureError(`${JSON.stringify(input.path)} is already a group's path`, `${path}.path`);
    const slash = input.path.lastIndexOf('/');
    const namespacePath = input.path.slice(0, slash);
    const segment = input.path.slice(slash + 1);
    const group = this.groups.get(namespacePath.toLowerCase());
    const owner = (group || namespacePath.includes('/')) ? undefined : this.users.get(namespacePath.toLowerCase());
    if (!group && !owner) {
      const order = this.streamed && !this.seen.groups ? ' ("groups" must come before "projects")' : '';
      throw new FixtureError(
        `namespace ${JSON.stringify(namespacePath)} not found: expected a group listed before, or a user's username${order}`,
        `${path}.path`,
      );
    }
    await this.assertAbsent(
      `SELECT full_path AS v FROM "projects" WHERE lower(full_path) IN (SELECT json_array_elements_text($1::json))
       UNION ALL SELECT full_path FROM "namespaces" WHERE lower(full_path) IN (SELECT json_array_elements_text($1::json)) LIMIT 1`,
      new Map([[lower, path]]),
      'path',
      'path',
    );
    this.projectPaths.set(lower, path);

    const namespaceId = group?.id ?? (await this.personalNamespace(owner!));
    const [id] = await this.assignIds('project', [{ id: input.id, path }]);
    await this.insert('projects', [
      {
        id: id!,
        namespace_id: namespaceId,
        name: input.name ?? segment,
        path: segment,
        full_path: input.path,
        visibility: input.visibility,
        packages_enabled: input.packages_enabled,
        created_at: input.created_at,
        updated_at: input.updated_at,
      },
    ]);
    this.summary.projects++;
    const project: ProjectState = {
      path,
      id: id!,
      fullPath: input.path,
      pipelines: complete || 'pipelines' in own ? new Map() : undefined,
      given: new Set(Object.keys(own)),
      deferred: [],
      ...(owner ? { personalOwner: owner } : {}),
    };
    await this.addProjectParts(project, input, project.given);
    return project;
  }

  /** The namespace of a personal project: created for its user on first use. */
  private async personalNamespace(user: UserEntry): Promise<number> {
    if (user.namespaceId !== undefined) return user.namespaceId;
    const [id] = await this.ids.group.take(1);
    await this.insert('namespaces', [
      {
        id: id!,
        kind: 'user',
        name: user.name,
        path: user.username,
        full_path: user.username,
        owner_id: user.id,
        // A user's namespace never limits what its projects show.
        visibility: 'public',
      },
    ]);
    user.namespaceId = id!;
    return id!;
  }

  /** Members, pipelines and protection rules of a project, for those of `keys` present. */
  private async addProjectParts(project: ProjectState, input: ProjectInput, keys: Set<string>): Promise<void> {
    const { path } = project;
    const owner = project.personalOwner;
    const creating = keys === project.given;
    if (keys.has('members') || (owner && creating)) {
      const levels = this.members(keys.has('members') ? input.members : [], path);
      // The owner of a personal project holds it as a member (the highest level), so access rules need
      // no special case; members listed after the packages of a streamed project find it there already.
      if (owner && creating) levels.set(owner.id, AccessLevel.OWNER);
      else if (owner) levels.delete(owner.id);
      await this.insert(
        'project_members',
        [...levels].map(([userId, level]) => ({ project_id: project.id, user_id: userId, access_level: level })),
      );
      this.summary.memberships += levels.size;
    }
    if (keys.has('pipelines')) await this.addPipelines(project, input.pipelines);
    if (keys.has('protection_rules')) {
      const seen = new Set<string>();
      const rows = input.protection_rules.map((r, j): Row => {
        const key = `${r.package_type}\u0000${r.package_name_pattern}`;
        if (seen.has(key)) {
          throw new FixtureError(
            `a rule for ${r.package_type} ${JSON.stringify(r.package_name_pattern)} is listed twice`,
            `${path}.protection_rules[${j}]`,
          );
        }
        seen.add(key);
        return {
          project_id: project.id,
          package_name_pattern: r.package_name_pattern,
          package_type: r.package_type,
          minimum_access_level_for_delete: r.minimum_access_level_for_delete,
          minimum_access_level_for_push: r.minimum_access_level_for_push,
        };
      });
      await this.insert('packages_protection_rules', rows);
      this.summary.protectionRules += rows.length;
    }
  }

  private async addPipelines(project: ProjectState, pipelines: PipelineInput[]): Promise<void> {
    const base = `${project.path}.pipelines`;
    const byKey = new Map<string, number>();
    const iids = new Map<number, number>(); // explicit iid -> index
    pipelines.forEach((p, j) => {
      if (p.iid === undefined) return;
      if (iids.has(p.iid)) throw new FixtureError(`iid ${p.iid} is also used by ${base}[${iids.get(p.iid)}]`, `${base}[${j}].iid`);
      iids.set(p.iid, j);
    });
    const ids = await this.assignIds('pipeline', pipelines.map((p, j) => ({ id: p.id, path: `${base}[${j}]` })));
    let nextIid = 1;
    const rows = pipelines.map((p, j): Row => {
      const path = `${base}[${j}]`;
      if (p.key !== undefined) {
        if (byKey.has(p.key)) throw new FixtureError(`pipeline key ${JSON.stringify(p.key)} is listed twice`, `${path}.key`);
        byKey.set(p.key, ids[j]!);
      }
      let iid = p.iid;
      if (iid === undefined) {
        while (iids.has(nextIid)) nextIid++;
        iid = nextIid++;
      }
      return {
        id: ids[j]!,
        project_id: project.id,
        iid,
        sha: p.sha,
        ref: p.ref,
        status: p.status,
        source: p.source,
        user_id: p.user == null ? undefined : this.user(p.user, `${path}.user`).id,
        created_at: p.created_at,
        updated_at: p.updated_at,
      };
    });
    await this.insert('ci_pipelines', rows);
    this.summary.pipelines += rows.length;
    project.pipelines = byKey;
  }

  /** Validates a package and queues it; returns a promise when that filled a batch (the caller awaits it). */
  addPackage(project: ProjectState, raw: unknown, index: number): Promise<void> | undefined {
    const path = `${project.path}.packages[${index}]`;
    this.warnUnknownKeys('package', raw, path);
    if (isObject(raw) && Array.isArray(raw.files)) raw.files.forEach((f, j) => this.warnUnknownKeys('file', f, `${path}.files[${j}]`));
    const pkg = parseAt(packageSchema, raw, path);
    const creatorId = pkg.creator == null ? undefined : this.user(pkg.creator, `${path}.creator`).id;
    if (project.pipelines) {
      this.checkPipelineKeys(project, pkg.pipelines, path);
      pkg.files.forEach((f, j) => this.checkPipelineKeys(project, f.pipelines, `${path}.files[${j}]`));
    }
    this.pending.push({ project, pkg, path, creatorId });
    this.pendingFiles += pkg.files.length;
    return this.pending.length >= PACKAGE_BATCH || this.pendingFiles >= FILE_BATCH ? this.queueBatch() : undefined;
  }

  /**
   * Starts writing the queued packages after the batch before; returns that previous write, so the
   * caller parses the next batch while this one is written (at most one batch in flight).
   */
  private queueBatch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingFiles = 0;
    const previous = this.writing;
    this.writing = previous.then(() => this.write(batch));
    // A failure is rethrown where `writing` is awaited next; this only keeps it from counting as unhandled meanwhile.
    this.writing.catch(() => {});
    return previous;
  }

  /** Writes everything queued. */
  async flush(): Promise<void> {
    if (this.pending.length > 0) this.queueBatch();
    await this.writing;
  }

  private checkPipelineKeys(project: ProjectState, keys: string[], path: string): void {
    keys.forEach((key, k) => {
      if (!project.pipelines!.has(key)) {
        throw new FixtureError(`unknown pipeline ${JSON.stringify(key)} (not a pipeline key of ${project.fullPath})`, `${path}.pipelines[${k}]`);
      }
    });
  }

  /** Build-info rows for a package or file, or a note to write them once the project's pipelines are known. */
  private buildInfos(
    project: ProjectState,
    table: 'packages_build_infos' | 'packages_package_file_build_infos',
    ownerId: number,
    keys: string[],
    path: string,
    into: Row[],
  ): void {
    if (keys.length === 0) return;
    if (!project.pipelines) {
      project.deferred.push({ table, ownerId, keys, path });
      return;
    }
    const owner = table === 'packages_build_infos' ? 'package_id' : 'package_file_id';
    for (const key of keys) into.push({ [owner]: ownerId, pipeline_id: project.pipelines.get(key)! });
  }

  /** Writes a batch of packages with their files, tags and build infos. */
  private async write(batch: PendingPackage[]): Promise<void> {
    const packageIds = await this.assignIds('package', batch.map(({ pkg, path }) => ({ id: pkg.id, path })));
    const fileRefs = batch.flatMap(({ pkg, path }) => pkg.files.map((f, j) => ({ id: f.id, path: `${path}.files[${j}]` })));
    const fileIds = await this.assignIds('file', fileRefs);

    const packages: Row[] = [];
    const tags: Row[] = [];
    const buildInfos: Row[] = [];
    const files: Row[] = [];
    const fileBuildInfos: Row[] = [];
    let f = 0;
    batch.forEach(({ project, pkg, path, creatorId }, i) => {
      const id = packageIds[i]!;
      packages.push({
        id,
        project_id: project.id,
        creator_id: creatorId,
        name: pkg.name,
        version: pkg.version,
        package_type: pkg.package_type,
        status: pkg.status,
        status_message: pkg.status_message,
        conan_username: pkg.conan?.username,
        conan_channel: pkg.conan?.channel,
        last_downloaded_at: pkg.last_downloaded_at,
        created_at: pkg.created_at,
        updated_at: pkg.updated_at,
      });
      for (const name of pkg.tags) {
        tags.push({ package_id: id, project_id: project.id, name });
      }
      this.buildInfos(project, 'packages_build_infos', id, pkg.pipelines, path, buildInfos);
      pkg.files.forEach((file, j) => {
        const fileId = fileIds[f++]!;
        files.push({
          id: fileId,
          package_id: id,
          file_name: file.file_name,
          size: file.size,
          file_md5: file.file_md5,
          file_sha1: file.file_sha1,
          file_sha256: file.file_sha256,
          status: file.status,
          created_at: file.created_at,
          updated_at: file.updated_at,
        });
        this.buildInfos(project, 'packages_package_file_build_infos', fileId, file.pipelines, `${path}.files[${j}]`, fileBuildInfos);
      });
    });
    await this.insert('packages_packages', packages);
    await this.insert('packages_tags', tags);
    await this.insert('packages_build_infos', buildInfos);
    await this.insert('packages_package_files', files);
    await this.insert('packages_package_file_build_infos', fileBuildInfos);
    this.summary.packages += packages.length;
    this.summary.packageFiles += files.length;
    this.summary.tags += tags.length;
    if (this.summary.packages >= this.nextProgress) {
      this.nextProgress = (Math.floor(this.summary.packages / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
      this.options.onProgress?.(`… ${this.summary.packages} packages, ${this.summary.packageFiles} package files`);
    }
  }

  /** Applies a streamed project's fields that came after its packages began. */
  async endProject(project: ProjectState, own: Record<string, unknown>): Promise<void> {
    const late = new Set(Object.keys(own).filter((k) => !project.given.has(k)));
    if (late.size > 0) {
      this.warnUnknownKeys('project', own, project.path);
      const input = parseAt(projectSchema, own, project.path);
      // Queued packages must be written under the project's current id and pipelines state first.
      await this.flush();
      if (projectScalars.some((k) => late.has(k))) {
        const newId = input.id !== undefined && input.id !== project.id ? input.id : undefined;
        if (newId !== undefined) await this.assignIds('project', [{ id: newId, path: project.path }]);
        // Foreign keys to projects cascade on update (a trigger), so a late `id` moves the rows written so far.
        await this.sql.$executeRawUnsafe(
          `UPDATE "projects" SET id = $2, name = $3, visibility = $4::"Visibility", packages_enabled = $5,
             created_at = $6::timestamptz, updated_at = $7::timestamptz WHERE id = $1`,
          project.id,
          newId ?? project.id,
          input.name ?? project.fullPath.slice(project.fullPath.lastIndexOf('/') + 1),
          input.visibility,
          input.packages_enabled,
          input.created_at ?? this.now,
          input.updated_at ?? this.now,
        );
        if (newId !== undefined) project.id = newId;
      }
      await this.addProjectParts(project, input, late);
    }
    // Packages still queued while the pipelines were unknown must be written (and noted) first.
    if (project.pipelines === undefined) await this.flush();
    project.pipelines ??= new Map();
    const rows: Record<'packages_build_infos' | 'packages_package_file_build_infos', Row[]> = {
      packages_build_infos: [],
      packages_package_file_build_infos: [],
    };
    for (const d of project.deferred) {
      this.checkPipelineKeys(project, d.keys, d.path);
      this.buildInfos(project, d.table, d.ownerId, d.keys, d.path, rows[d.table]);
    }
    project.deferred = [];
    await this.insert('packages_build_infos', rows.packages_build_infos);
    await this.insert('packages_package_file_build_infos', rows.packages_package_file_build_infos);
  }

  /** Writes what is queued and moves every id sequence past the largest id (explicit ids included). */
  async finish(): Promise<FixtureSummary> {
    await this.flush();
    // Generated ids come from the sequences, so only tables given explicit ids can be ahead of theirs.
    const tables = [...this.explicitKinds].map((kind) => idTables[kind]);
    if (tables.length > 0) {
      await this.sql.$queryRawUnsafe(
        `SELECT setval(s, m) FROM (${tables
          .map((t) => `SELECT pg_get_serial_sequence('${ident(t)}', 'id')::regclass AS s, (SELECT max(id) FROM ${ident(t)}) AS m`)
          .join(' UNION ALL ')}) x WHERE m > COALESCE(pg_sequence_last_value(s), 0)`,
      );
    }
    return this.summary;
  }

  /** Resolves once no batch is being written (whether or not that write failed). */
  idle(): Promise<void> {
    return this.writing.catch(() => {});
  }
}

/** A parsed document: the same steps as a stream, in section order. */
async function loadDocument(doc: unknown, loader: Loader): Promise<void> {
  if (!isObject(doc)) throw new FixtureError('the fixture must be a JSON object');
  loader.warnUnknownKeys('document', doc, '');
  if (doc.users !== undefined) await loader.addUsers(doc.users);
  if (doc.groups !== undefined) await loader.addGroups(doc.groups);
  if (doc.projects !== undefined) {
    if (!Array.isArray(doc.projects)) throw new FixtureError('expected an array', 'projects');
    for (let i = 0; i < doc.projects.length; i++) await loader.addProject(doc.projects[i], i);
  }
}

// ---------------------------------------------------------------------------------------------------
// Streaming

interface Token {
  name: string;
  value?: string;
}

function numberFrom(text: string): number | bigint {
  const n = Number(text);
  // Keeps sizes beyond 2^53 exact.
  return !Number.isSafeInteger(n) && /^-?\d+$/.test(text) ? BigInt(text) : n;
}

function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  // A "__proto__" key is data, as in JSON.parse, not the object's prototype.
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Builds one JSON value from stream-json's packed tokens. */
class ValueBuilder {
  value: unknown;
  private readonly stack: (unknown[] | Record<string, unknown>)[] = [];
  private readonly keys: string[] = [];

  /** Returns true when the value is complete. */
  push(token: Token): boolean {
    switch (token.name) {
      case 'startObject':
        this.stack.push({});
        this.keys.push('');
        return false;
      case 'startArray':
        this.stack.push([]);
        this.keys.push('');
        return false;
      case 'keyValue':
        this.keys[this.keys.length - 1] = token.value!;
        return false;
      case 'endObject':
      case 'endArray':
        this.keys.pop();
        return this.add(this.stack.pop());
      case 'stringValue':
        return this.add(token.value);
      case 'numberValue':
        return this.add(numberFrom(token.value!));
      case 'nullValue':
        return this.add(null);
      case 'trueValue':
        return this.add(true);
      case 'falseValue':
        return this.add(false);
      default:
        return false;
    }
  }

  private add(value: unknown): boolean {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.value = value;
      return true;
    }
    if (Array.isArray(parent)) parent.push(value);
    else setKey(parent, this.keys[this.keys.length - 1]!, value);
    return false;
  }
}

type Step = Promise<void> | undefined;

/**
 * Follows the document's structure token by token. Projects stream once users are loaded (else they
 * are kept whole until then); a project's packages stream once its path is known (else they are kept
 * until the project's end); groups that come before users wait for them.
 */
class DocumentStream {
  private state: 'start' | 'root' | 'rootValue' | 'projectsValue' | 'projects' | 'project' | 'packagesValue' | 'packages' | 'done' =
    'start';
  private builder: ValueBuilder | undefined;
  private then: ((value: unknown) => Step | void) | undefined;
  private rootKey = '';
  private projectIndex = -1;
  private own: Record<string, unknown> = {};
  private project: ProjectState | undefined;
  private packageIndex = 0;
  private heldGroups: unknown;
  private heldProjects: unknown;

  constructor(private readonly loader: Loader) {}

  /** Consumes one token; a returned promise must settle before the next token. */
  push(token: Token): Step {
    if (this.builder) {
      if (!this.builder.push(token)) return undefined;
      const { value } = this.builder;
      const then = this.then!;
      this.builder = undefined;
      return then(value) ?? undefined;
    }
    switch (this.state) {
      case 'start':
        if (token.name !== 'startObject') throw new FixtureError('the fixture must be a JSON object');
        this.state = 'root';
        return undefined;
      case 'root':
        if (token.name === 'endObject') {
          this.state = 'done';
          return undefined;
        }
        this.rootKey = token.value!;
        this.state = this.rootKey === 'projects' && this.loader.seen.users ? 'projectsValue' : 'rootValue';
        return undefined;
      case 'rootValue':
        this.state = 'root';
        return this.value(token, (value) => this.rootValue(this.rootKey, value));
      case 'projectsValue':
        if (token.name !== 'startArray') {
          this.state = 'root';
          return this.value(token, (value) => this.addProjects(value));
        }
        this.state = 'projects';
        return undefined;
      case 'projects':
        if (token.name === 'endArray') {
          this.state = 'root';
          return undefined;
        }
        this.projectIndex++;
        if (token.name !== 'startObject') return this.value(token, (value) => this.loader.addProject(value, this.projectIndex));
        this.own = {};
        this.project = undefined;
        this.state = 'project';
        return undefined;
      case 'project':
        if (token.name === 'endObject') {
          this.state = 'projects';
          const { project, own } = this;
          return project ? this.loader.endProject(project, own) : this.loader.addProject(own, this.projectIndex);
        }
        if (token.value === 'packages' && !this.project) {
          this.state = 'packagesValue';
          return undefined;
        }
        return this.value(undefined, (value) => {
          setKey(this.own, token.value!, value);
        });
      case 'packagesValue':
        if (token.name === 'startArray' && typeof this.own.path === 'string') {
          this.state = 'packages';
          this.packageIndex = 0;
          return this.loader.beginProject(this.own, this.projectIndex, false).then((project) => {
            this.project = project;
          });
        }
        this.state = 'project';
        return this.value(token, (value) => {
          this.own.packages = value;
        });
      case 'packages':
        if (token.name === 'endArray') {
          this.state = 'project';
          return undefined;
        }
        return this.value(token, (value) => this.loader.addPackage(this.project!, value, this.packageIndex++));
      case 'done':
        return undefined;
    }
  }

  /** Assembles the value that starts with `first` (or with the next token) and hands it to `then`. */
  private value(first: Token | undefined, then: (value: unknown) => Step | void): Step {
    const builder = new ValueBuilder();
    if (first && builder.push(first)) return then(builder.value) ?? undefined;
    this.builder = builder;
    this.then = then;
    return undefined;
  }

  private async rootValue(key: string, value: unknown): Promise<void> {
    switch (key) {
      case 'users':
        await this.loader.addUsers(value);
        if (this.heldGroups !== undefined) await this.loader.addGroups(this.heldGroups);
        if (this.heldProjects !== undefined) await this.addProjects(this.heldProjects);
        this.heldGroups = this.heldProjects = undefined;
        return;
      case 'groups':
        if (this.loader.seen.users) await this.loader.addGroups(value);
        else this.heldGroups = value;
        return;
      case 'projects':
        this.heldProjects = value;
        return;
      default:
        this.loader.warnUnknownKeys('document', { [key]: value }, '');
    }
  }

  private async addProjects(value: unknown): Promise<void> {
    if (!Array.isArray(value)) throw new FixtureError('expected an array', 'projects');
    for (let i = 0; i < value.length; i++) await this.loader.addProject(value[i], i);
  }

  /** End of input: loads what waited for a `users` section that never came. */
  async end(): Promise<void> {
    if (this.state !== 'done') throw new FixtureError('the document ended early');
    if (this.heldGroups !== undefined) await this.loader.addGroups(this.heldGroups);
    if (this.heldProjects !== undefined) await this.addProjects(this.heldProjects);
  }
}

/** Feeds the parsed token stream to the document, pausing the input while batches are written. */
function streamDocument(input: NodeJS.ReadableStream, loader: Loader): Promise<void> {
  loader.streamed = true;
  const document = new DocumentStream(loader);
  const tokens = new StreamJsonParser({ packValues: true, streamValues: false });
  return new Promise<void>((resolve, reject) => {
    let queue: Token[] = [];
    let head = 0;
    let busy = false;
    let ended = false;
    let failed = false;
    let finishing = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      tokens.destroy();
      (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(error);
    };
    const pump = () => {
      while (!failed && !busy && head < queue.length) {
        let step: Step;
        try {
          step = document.push(queue[head++]!);
        } catch (error) {
          return fail(error);
        }
        if (step) {
          busy = true;
          tokens.pause();
          step.then(() => {
            busy = false;
            tokens.resume();
            pump();
          }, fail);
        }
      }
      if (busy || failed) return;
      queue = [];
      head = 0;
      if (ended && !finishing) {
        finishing = true;
        document.end().then(resolve, fail);
      }
    };
    tokens.on('data', (token: Token) => {
      queue.push(token);
      if (!busy) pump();
    });
    tokens.on('end', () => {
      ended = true;
      if (!busy) pump();
    });
    tokens.on('error', (error: Error) => fail(new FixtureError(`invalid JSON: ${error.message}`)));
    input.on('error', fail);
    input.pipe(tokens);
  });
}
