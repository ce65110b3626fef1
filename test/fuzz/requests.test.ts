// Property-based fuzzing of the whole app in-process (fast-check): over 10,000 generated requests per
// run across the REST routes, GraphQL and the upload routes, each held to the oracle (oracle.ts):
// below 500, GitLab's JSON error shapes, no leak of stack traces or SQL, no error logged, no hang,
// and for every refused request the database and the package storage exactly as before.
//
// Each run draws a new seed and prints it. A failure prints fast-check's seed and path with the
// shrunk request; replay it with
//   FUZZ_SEED=<seed> npx vitest run test/fuzz/requests.test.ts --project pglite
// (the whole run again, in the same order, from a fresh database), or add FUZZ_PATH=<path> and
// `-t <property>` to go straight to the case. A case found this way becomes a named regression test
// next to the tests of its area.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbMode } from '../support/database.ts';
import { restRequest } from './arbitraries.ts';
import { graphqlRequest } from './graphql-arbitraries.ts';
import { openFuzzWorld, send, storageListing, type Answer, type FuzzRequest, type FuzzWorld } from './harness.ts';
import { answerProblems, refused } from './oracle.ts';
import { uploadRequests } from './upload-arbitraries.ts';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
const replayPath = process.env.FUZZ_PATH || undefined;
/** Runs of each property (FUZZ_SCALE multiplies them; the defaults make over 10,000 requests). */
const scale = Number(process.env.FUZZ_SCALE ?? 1);
const runs = { rest: Math.round(5400 * scale), graphql: Math.round(3300 * scale), uploads: Math.round(1100 * scale) };
/** Longer than any answer takes on a busy machine; an answer slower than this is a hang. */
const answerTimeoutMs = 15_000;
/** Statements that write rows (a CTE's too); rate-limit counters count refused requests as well. */
const writeSql = /\b(?:INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|TRUNCATE|MERGE\s+INTO)\b/i;

let world: FuzzWorld;
/** The database's fingerprint as of the last request that wrote (or the start). */
let known: Record<string, string>;
/** The storage's listing as of the last upload that succeeded (or the start). */
let files: string;
let sent = 0;
/** Answers by property and status, printed at the end: what the generators reach. */
const statuses: Record<string, Record<number, number>> = {};
let property = '';
/** The last request that may have stored bytes, named when storage changes under a later one. */
let previousUpload: unknown;

beforeAll(async () => {
  console.log(`fuzz seed ${seed} (replay: FUZZ_SEED=${seed} npx vitest run test/fuzz/requests.test.ts --project ${testDbMode})`);
  world = await openFuzzWorld();
  known = await world.fingerprint();
  files = storageListing(world.storageRoot);
});
afterAll(async () => {
  console.log(`fuzz (${testDbMode}): ${sent} requests; statuses by property: ${JSON.stringify(statuses)}`);
  await world?.close();
});

const changedTables = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);

const pickTables = (all: Record<string, string>, tables: readonly string[]) => Object.fromEntries(tables.map((t) => [t, all[t]!]));

function report(request: FuzzRequest, answer: Answer | undefined, problems: string[]): Error {
  const shown = answer ? `${answer.status} ${answer.headers.get('content-type') ?? ''} ${answer.text.slice(0, 500)}` : 'no answer';
  return new Error(`${problems.join('\n')}\nrequest: ${JSON.stringify(request).slice(0, 2000)}\nanswer: ${shown}`);
}

/** Sends one request and holds its answer, and what it left, to the oracle; throws what is wrong. */
async function exercise(request: FuzzRequest): Promise<Answer> {
  world.takeStatements();
  world.takeErrorLogs();
  let answer: Answer;
  try {
    answer = await send(world.app, request, answerTimeoutMs);
  } catch (error) {
    throw report(request, undefined, [`the request failed: ${(error as Error).message}`]);
  }
  sent++;
  const counts = (statuses[property] ??= {});
  counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  const problems = answerProblems(request, answer, world.takeErrorLogs());
  const writes = world.takeStatements().filter((sql) => writeSql.test(sql) && !sql.includes('rate_limit_counters'));
  // The tables the writes name (a statement without a write changes no row): only those can differ,
  // and those a DELETE's cascades reach, so after a success that deleted from a table other tables
  // point at, every table is hashed again.
  const written = world.tables.filter((table) => writes.some((sql) => sql.includes(table)));
  const wrote = writes.length > 0;
  // Only the package protocol routes under /api/v4 store bytes (GraphQL and the rest never do).
  const mayStore = !['GET', 'HEAD'].includes(request.method.toUpperCase()) && request.path.startsWith('/api/v4/');
  if (refused(request, answer)) {
    if (wrote) {
      const after = await world.fingerprint(written);
      const changed = changedTables(pickTables(known, written), after);
      if (changed.length) problems.push(`a refused request changed ${changed.join(', ')}`);
      known = { ...known, ...after };
    }
    if (mayStore) {
      const now = storageListing(world.storageRoot);
      if (now !== files) {
        // Whether what appeared stays (kept bytes) or goes (removed after the answer was sent).
        await new Promise((resolve) => setTimeout(resolve, 300));
        const uploads = (listing: string) => listing.split('\n').filter((line) => !/^[0-9a-f]{2}\//.test(line)).join(', ');
        problems.push(
          `a refused request changed the package storage: partial uploads before [${uploads(files)}], after [${uploads(now)}], ` +
            `300 ms later [${uploads(storageListing(world.storageRoot))}]; objects before ${files.split('\n').length}, after ${now.split('\n').length}; ` +
            `the upload before it: ${JSON.stringify(previousUpload).slice(0, 1000)}`,
        );
      }
      files = now;
    }
  } else {
    const cascades = writes.some((sql) => /\bDELETE\s+FROM\b/i.test(sql) && [...world.referenced].some((table) => sql.includes(table)));
    if (cascades) known = await world.fingerprint();
    else if (wrote) known = { ...known, ...(await world.fingerprint(written)) };
    if (mayStore) files = storageListing(world.storageRoot);
  }
  if (mayStore) previousUpload = { request, status: answer.status };
  if (problems.length) throw report(request, answer, problems);
  return answer;
}

/** fast-check's settings for one property: this run's seed, or with FUZZ_PATH the one case it names (and its shrinks). */
const settings = (numRuns: number): fc.Parameters<unknown> => (replayPath ? { numRuns: 1, seed, path: replayPath } : { numRuns, seed });

describe('fuzzing the whole app', () => {
  it('REST: every route, any id, path, parameter, token, method, header and body', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(restRequest, async (request) => {
        property = 'rest';
        await exercise(request);
      }),
      settings(runs.rest),
    );
  });

  it('GraphQL: random documents from the schema, variables, malformed JSON, batches, persisted-looking requests', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(graphqlRequest, async (request) => {
        property = 'graphql';
        await exercise(request);
      }),
      settings(runs.graphql),
    );
  });

  it('uploads: generic and npm, any name, size and length, bodies cut off, then read back', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(uploadRequests, async (requests) => {
        property = 'uploads';
        for (const request of requests) await exercise(request);
      }),
      settings(runs.uploads),
    );
  });

  // A replay (FUZZ_PATH) or a shorter run (FUZZ_SCALE < 1) sends fewer on purpose.
  it.skipIf(replayPath !== undefined || scale < 1)('sent at least 10,000 requests in this run', () => {
    expect(sent).toBeGreaterThanOrEqual(10_000);
  });
});
