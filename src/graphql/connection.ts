import { type FieldNode, GraphQLError, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { CursorError, cursorOf, fieldColumn, type Page, type PageArgs } from '../domain/pagination.ts';

/** What a connection resolver returns: edges, lazy page info, and (where the type has it) a count. */
export interface ConnectionResult<T> {
  edges: { cursor: string; node: T }[];
  // Typed as Pothos expects; the flags are really promises, read (and so computed) only when asked.
  pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
  count?: (limit: number | null | undefined) => Promise<number>;
}

/** An edge whose cursor is made when read. */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly page: Page<T>,
    private readonly index: number,
  ) {}
  get cursor(): string {
    return this.page.cursor(this.index);
  }
}

/** Page info and cursors are computed only when asked (page info may need one more query). */
export function toConnection<T>(page: Page<T>, count?: ConnectionResult<T>['count']): ConnectionResult<T> {
  const last = page.rows.length - 1;
  return {
    edges: page.rows.map((node, i) => new Edge(node, page, i)),
    pageInfo: {
      get hasNextPage() {
        return page.hasNextPage() as unknown as boolean;
      },
      get hasPreviousPage() {
        return page.hasPreviousPage() as unknown as boolean;
      },
      get startCursor() {
        return last >= 0 ? page.cursor(0) : null;
      },
      get endCursor() {
        return last >= 0 ? page.cursor(last) : null;
      },
    },
    count,
  };
}

/** Runs a page query, turning a bad cursor or page size into a GraphQL error naming the argument. */
export async function pageOrError<P extends Page<unknown>>(run: () => Promise<P>): Promise<P> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CursorError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
}

/**
 * A connection's `count(limit:)`: the count, stopping at `limit + 1` rows; a negative limit is a
 * GraphQL error naming the argument (not a statement PostgreSQL refuses).
 */
export function countOf(connection: unknown, limit: number | null | undefined): Promise<number> {
  if (limit !== null && limit !== undefined && limit < 0) {
    throw new GraphQLError("Argument 'limit' must be a non-negative integer", { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return (connection as { count: (limit?: number | null) => Promise<number> }).count(limit);
}

/** Description of the gateway's `offset` argument on the connections offset-paged clients read. */
export const offsetDescription =
  'Skip this many rows of the ordering before the page (beyond GitLab: offset paging, as GitLab\'s REST API pages). Only with `first`.';

export const pageArgs = (args: PageArgs): PageArgs => ({
  first: args.first,
  last: args.last,
  after: args.after,
  before: args.before,
  offset: args.offset,
});

/** The arguments of a field read off a selection (literals and variables; other values as their AST kind). */
function fieldArguments(selection: FieldNode, info: GraphQLResolveInfo): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const arg of selection.arguments ?? []) {
    if (arg.value.kind === Kind.INT) args[arg.name.value] = Number(arg.value.value);
    else if (arg.value.kind === Kind.VARIABLE) args[arg.name.value] = info.variableValues[arg.value.name.value];
    else args[arg.name.value] = arg.value.kind;
  }
  return args;
}

/**
 * The arguments of the first `name` field selected on the connection itself (fragments included), or
 * undefined when the query does not select it: `count`, to count with the page.
 */
export function selectedConnectionField(info: GraphQLResolveInfo, name: string): Record<string, unknown> | undefined {
  const find = (set: SelectionSetNode | undefined): Record<string, unknown> | undefined => {
    for (const selection of set?.selections ?? []) {
      const found =
        selection.kind === Kind.FIELD
          ? selection.name.value === name
            ? fieldArguments(selection, info)
            : undefined
          : find(selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet);
      if (found) return found;
    }
    return undefined;
  };
  for (const node of info.fieldNodes) {
    const found = find(node.selectionSet);
    if (found) return found;
  }
  return undefined;
}

/**
 * The fields (with their arguments) selected on the nodes of a connection field, through `nodes`
 * and `edges { node }`, fragments included: used to fetch relations with the page itself.
 */
export function selectedNodeFields(info: GraphQLResolveInfo): Map<string, Record<string, unknown>> {
  const result = new Map<string, Record<string, unknown>>();
  const visit = (set: SelectionSetNode | undefined, depth: 'connection' | 'edge' | 'node') => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (depth === 'connection' && name === 'nodes') visit(selection.selectionSet, 'node');
        else if (depth === 'connection' && name === 'edges') visit(selection.selectionSet, 'edge');
        else if (depth === 'edge' && name === 'node') visit(selection.selectionSet, 'node');
        else if (depth === 'node') result.set(name, fieldArguments(selection, info));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth);
      } else {
        visit(info.fragments[selection.name.value]?.selectionSet, depth);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 'connection');
  return result;
}

// ---------------------------------------------------------------------------------------------
// Pages of short lists already in memory (a package's tags, pipelines, dependency links)

const byIdColumns = { asc: [fieldColumn<{ id: number }>('id', 'asc')], desc: [fieldColumn<{ id: number }>('id', 'desc')] };

/** The first rows of an in-memory list, in id order. */
class FirstRows<T extends { id: number }> implements Page<T> {
  constructor(
    readonly rows: T[],
    private readonly direction: 'asc' | 'desc',
    private readonly more: boolean,
  ) {}
  cursor(index: number): string {
    return cursorOf(byIdColumns[this.direction], this.rows[index]!);
  }
  async hasNextPage(): Promise<boolean> {
    return this.more;
  }
  async hasPreviousPage(): Promise<boolean> {
    return false;
  }
}

/**
 * Pages over rows already in memory, ordered by id in `direction` (the tags or pipelines of one
 * package). `complete` says whether `rows` holds every row or only a prefix.
 */
export function pageInMemory<T extends { id: number }>(
  rows: T[],
  args: PageArgs,
  options: { maxSize: number; direction: 'asc' | 'desc'; complete: boolean },
): Page<T> {
  const { first, last } = args;
  if (!args.after && !args.before && (last === undefined || last === null)) {
    // The usual case (a list's nested connection, first rows): no cursor to read, no closure to make.
    const size = Math.min(first ?? options.maxSize, options.maxSize);
    const more = rows.length > size || (!options.complete && rows.length >= size);
    return new FirstRows(rows.length > size ? rows.slice(0, size) : rows, options.direction, more);
  }
  const cursorId = (cursor: string | null | undefined) =>
    cursor ? Number(JSON.parse(Buffer.from(cursor, 'base64url').toString())[0]) : undefined;
  const after = cursorId(args.after);
  const before = cursorId(args.before);
  // "Comes after" in the ordering.
  const beyond = (a: number, b: number) => (options.direction === 'asc' ? a > b : a < b);
  let window = rows.filter((r) => (after === undefined || beyond(r.id, after)) && (before === undefined || beyond(before, r.id)));
  const size = Math.min(first ?? last ?? options.maxSize, options.maxSize);
  const backwards = last !== undefined && last !== null && (first === undefined || first === null);
  const more = window.length > size || (!options.complete && !backwards && window.length >= size);
  window = backwards ? window.slice(Math.max(0, window.length - size)) : window.slice(0, size);
  const columns = byIdColumns[options.direction];
  return {
    rows: window,
    cursor: (index) => cursorOf(columns, window[index]!),
    hasNextPage: async () => (backwards ? rows.some((r) => before !== undefined && !beyond(before, r.id)) : more),
    hasPreviousPage: async () => (backwards ? more : rows.some((r) => after !== undefined && !beyond(r.id, after))),
  };
}

/**
 * Checks that `after`/`before` are cursors `pageInMemory` made (an id) and that `first`/`last` are not
 * negative; a GraphQL error naming the argument otherwise.
 */
export function validCursorArgs(args: PageArgs): PageArgs {
  for (const name of ['first', 'last'] as const) {
    const size = args[name];
    if (size !== null && size !== undefined && size < 0) {
      throw new GraphQLError(`Argument '${name}' must be a non-negative integer`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  }
  for (const name of ['after', 'before'] as const) {
    const cursor = args[name];
    if (!cursor) continue;
    let ok = false;
    try {
      const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      ok = Array.isArray(value) && value.length === 1 && Number.isInteger(value[0]);
    } catch {
      ok = false;
    }
    if (!ok) throw new GraphQLError(`Argument '${name}' has an invalid cursor`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return args;
}

/**
 * Whether a connection field selects nothing but `count` (and `__typename`), fragments included, and
 * takes no page argument: then no page needs reading (the home page's package counts).
 */
export function selectsOnlyCount(info: GraphQLResolveInfo, args: PageArgs): boolean {
  if (args.after || args.before || args.offset || (args.last !== null && args.last !== undefined)) return false;
  if (args.first !== null && args.first !== undefined && args.first < 0) return false;
  let onlyCount = true;
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== 'count' && selection.name.value !== '__typename') onlyCount = false;
      } else {
        visit(selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return onlyCount;
}

/** A connection answered by its count alone (see `selectsOnlyCount`): no edges, no page read. */
export function countOnlyConnection<T>(count: NonNullable<ConnectionResult<T>['count']>): ConnectionResult<T> {
  return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, count };
}
