// What every answer of the gateway must be, whatever was asked: below 500, a JSON body of GitLab's
// shape on every error status, nothing of a stack trace, a file path or SQL in any body, no masked
// GraphQL "Unexpected error." (a 500 in disguise), and no error logged. `refused` tells the runner
// whether the database and the storage must be left exactly as they were.
import type { Answer, FuzzRequest } from './harness.ts';

/** What must never reach a client: stack frames, source paths, the ORM's and the database's words. */
const leakPatterns: RegExp[] = [
  /\bat \//,
  /\n\s+at \S/,
  /node_modules/,
  /\/src\/[\w/.-]+\.ts/,
  /prisma/i,
  // SQL as Prisma and PostgreSQL write it (upper case: GitLab's own messages say "select" in lower case).
  /\bSELECT\s/,
  /\bINSERT INTO\b/,
  /\bDELETE FROM\b/,
  /\bUPDATE\s+"?\w+"?\s+SET\b/,
  /syntax error at or near/i,
  /violates \w+ constraint/i,
  /duplicate key value/i,
  /relation "\w+"/,
  /PGlite|pg_advisory|invalid byte sequence|invalid input syntax/i,
  // JavaScript's own errors (GraphQL says "Field \"a\" is not defined by type", which is no leak).
  /TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|is not defined(?! by type)/,
  /ECONNRESET|ENOENT|EACCES/,
];
/** All of them at once (ignoring case: a superset), for the common case of a body with none. */
const anyLeak = new RegExp(leakPatterns.map((p) => p.source).join('|'), 'i');
const cwd = process.cwd();

/** The JSON results of an answer: one object, a batch (array), or the `data:` events of a stream. */
function jsonResults(answer: Answer): unknown[] | 'not json' {
  const type = answer.headers.get('content-type') ?? '';
  try {
    if (type.includes('text/event-stream')) {
      return answer.text
        .split('\n')
        .filter((line) => line.startsWith('data:') && line.slice(5).trim() !== '')
        .map((line) => JSON.parse(line.slice(5)) as unknown);
    }
    if (!type.includes('json')) return 'not json';
    const parsed = JSON.parse(answer.text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return 'not json';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a request goes to the GraphQL endpoint (whose errors are `{"errors":[...]}`). */
export const isGraphqlPath = (request: FuzzRequest) => /^\/api\/graphql(?:\/|$)/.test(new URL(`http://gw.test${request.path}`).pathname);

function graphqlProblems(results: unknown[]): string[] {
  const problems: string[] = [];
  for (const result of results) {
    if (!isObject(result)) {
      problems.push(`a GraphQL result that is not an object: ${JSON.stringify(result)}`);
      continue;
    }
    if (result.errors !== undefined) {
      if (!Array.isArray(result.errors) || !result.errors.every((e) => isObject(e) && typeof e.message === 'string')) {
        problems.push(`GraphQL errors not of the shape [{"message":...}]: ${JSON.stringify(result.errors)}`);
        continue;
      }
      for (const error of result.errors as { message: string; extensions?: { code?: unknown } }[]) {
        if (error.message === 'Unexpected error.' || error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
          problems.push(`a masked internal GraphQL error: ${JSON.stringify(error)}`);
        }
      }
    } else if (!('data' in result) && !('incremental' in result) && !('hasNext' in result)) {
      problems.push(`a GraphQL result with neither data nor errors: ${JSON.stringify(result)}`);
    }
  }
  return problems;
}

/**
 * What is wrong with `answer` to `request` (empty when nothing is), given the error lines logged while
 * it was answered.
 */
export function answerProblems(request: FuzzRequest, answer: Answer, errorLogs: string[]): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  for (const line of errorLogs) problems.push(`logged an error: ${line.slice(0, 2000)}`);
  // Prometheus' text for loopback callers names what it measures (SQL statements sent by Prisma): operators' own view.
  // Static pages (GraphiQL, the API reference) carry bundled scripts whose words are no leak.
  const type = answer.headers.get('content-type') ?? '';
  const staticPage = answer.status < 400 && /text\/html|javascript|text\/css/.test(type);
  const exempt = staticPage || (answer.status === 200 && new URL(`http://gw.test${request.path}`).pathname === '/-/metrics');
  const asked = `${request.path}\n${JSON.stringify(request.headers)}\n${JSON.stringify(request.body ?? '')}`;
  if (!exempt && anyLeak.test(answer.text)) {
    for (const pattern of leakPatterns) {
      if (pattern.test(answer.text) && !pattern.test(asked)) problems.push(`the body leaks ${pattern}`);
    }
  }
  if (answer.text.includes(cwd) && !asked.includes(cwd)) problems.push('the body names the source directory');

  const graphql = isGraphqlPath(request);
  const head = request.method === 'HEAD';
  if (answer.status >= 400 && !(head && answer.text === '')) {
    const results = jsonResults(answer);
    if (results === 'not json' || results.length !== 1 || !isObject(results[0])) {
      problems.push(`error ${answer.status} without a JSON object body (${answer.headers.get('content-type')}): ${answer.text.slice(0, 300)}`);
    } else if (graphql) {
      const body = results[0];
      if (!Array.isArray(body.errors) || body.errors.length === 0) problems.push(`GraphQL error ${answer.status} without "errors": ${answer.text.slice(0, 300)}`);
      else problems.push(...graphqlProblems(results));
    } else {
      const body = results[0];
      if (typeof body.message !== 'string' && typeof body.error !== 'string') {
        problems.push(`REST error ${answer.status} with neither "message" nor "error": ${answer.text.slice(0, 300)}`);
      }
    }
  } else if (answer.status < 400 && answer.text !== '') {
    if (type.includes('json') || type.includes('event-stream')) {
      const results = jsonResults(answer);
      if (results === 'not json') problems.push(`a ${type} answer that does not parse: ${answer.text.slice(0, 300)}`);
      else if (graphql) problems.push(...graphqlProblems(results));
    }
  }
  return problems;
}

/**
 * Whether the request was refused, so that it must have written nothing: an error status, or a
 * GraphQL answer whose every result is errors without data (every root field null).
 */
export function refused(request: FuzzRequest, answer: Answer): boolean {
  if (answer.status >= 400) return true;
  if (!isGraphqlPath(request)) return false;
  const results = jsonResults(answer);
  if (results === 'not json' || results.length === 0) return false;
  return results.every(
    (result) =>
      isObject(result) &&
      Array.isArray(result.errors) &&
      result.errors.length > 0 &&
      (!isObject(result.data) || Object.values(result.data).every((value) => value === null)),
  );
}
