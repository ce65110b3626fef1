// Keyset (cursor) pagination: a cursor holds the sort key and id of a row, so pages never repeat or
// skip rows when rows are inserted or removed between requests.
import { sqlText } from './text.ts';

export class CursorError extends Error {
  override name = 'CursorError';
}

export type Direction = 'asc' | 'desc';
export type KeyValue = string | number | null;

/**
 * How the conditions of a query language combine: Prisma `where` objects (`prismaConditions`) or SQL
 * fragments (see packages.ts). An empty `and` is true, an empty `or` false.
 */
export interface Conditions<C> {
  and(parts: C[]): C;
  or(parts: C[]): C;
  not(part: C): C;
}

/** Prisma `where` objects. */
export const prismaConditions: Conditions<object> = {
  and: (parts) => ({ AND: parts }),
  or: (parts) => ({ OR: parts }),
  not: (part) => ({ NOT: part }),
};

/**
 * One column of an ordering (the last one is always the id), for a query language whose conditions
 * are `C` and whose ordering terms are `O` (Prisma `where` and `orderBy` objects by default).
 */
export interface OrderColumn<Row, C = object, O = object> {
  /** Reads the column off a row (for cursors). */
  value(row: Row): KeyValue;
  direction: Direction;
  /** PostgreSQL defaults: NULLs sort last ascending, first descending. */
  nullable: boolean;
  /** A condition comparing this column with a value (`op` never sees null). */
  compare(op: 'gt' | 'lt' | 'equals', value: Exclude<KeyValue, null>): C;
  isNull(isNull: boolean): C;
  /** The ordering term for a direction. */
  orderBy(direction: Direction): O;
  /** Turns a cursor value back into the column's type (dates). */
  decode?(value: Exclude<KeyValue, null>): unknown;
  /** Whether a cursor may hold this value for the column (a cursor holding another is invalid). */
  accepts?(value: Exclude<KeyValue, null>): boolean;
}

/**
 * An ordering column on a field of the row itself (`createdAt`, `name`, `id`...). Nullable columns sort
 * NULLs as PostgreSQL does by default; dates travel in cursors as ISO strings.
 */
export function fieldColumn<Row>(
  field: keyof Row & string,
  direction: Direction,
  options: { nullable?: boolean; date?: boolean } = {},
): OrderColumn<Row> {
  return {
    direction,
    nullable: options.nullable ?? false,
    value: (row) => {
      const v = row[field] as unknown;
      return v instanceof Date ? v.toISOString() : (v as KeyValue);
    },
    compare: (op, value) => ({ [field]: op === 'equals' ? value : { [op]: value } }),
    isNull: (isNull) => ({ [field]: isNull ? null : { not: null } }),
    orderBy: (d) => ({ [field]: options.nullable ? { sort: d, nulls: d === 'asc' ? 'last' : 'first' } : d }),
    decode: options.date ? (value) => new Date(String(value)) : undefined,
  };
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  /** Rows of the ordering to skip before the page (offset paging, as GitLab's REST API pages); only with `first`. */
  offset?: number | null;
}

export function encodeCursor(values: KeyValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The key values of a cursor made by `encodeCursor` for an ordering of `length` columns. Anything else
 * throws `CursorError` ("Argument 'after' has an invalid cursor"): not Base64url JSON, not an array of
 * that length, a value that is not null, a string or a number, or a string no stored text can hold
 * (`sqlText`: U+0000), which no cursor of ours carries and which the database could not compare.
 */
export function decodeCursor(cursor: string, length: number, argument: string): KeyValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError(`Argument '${argument}' has an invalid cursor`);
  }
  if (
    !Array.isArray(values) ||
    values.length !== length ||
    !values.every((v) => v === null || (typeof v === 'string' && sqlText(v) !== null) || typeof v === 'number')
  ) {
    throw new CursorError(`Argument '${argument}' has an invalid cursor`);
  }
  return values as KeyValue[];
}

/** The key values of `cursor` for an ordering, each one its column accepts; `CursorError` otherwise. */
function cursorFor<Row, C, O>(columns: OrderColumn<Row, C, O>[], cursor: string, argument: string): KeyValue[] {
  const values = decodeCursor(cursor, columns.length, argument);
  columns.forEach((column, i) => {
    const value = values[i] ?? null;
    if (value !== null && column.accepts && !column.accepts(value)) throw new CursorError(`Argument '${argument}' has an invalid cursor`);
  });
  return values;
}

const flip = (d: Direction): Direction => (d === 'asc' ? 'desc' : 'asc');

/** NULLs come after values in `direction` (PostgreSQL: last when ascending). */
const nullsAfter = (direction: Direction) => direction === 'asc';

/**
 * The condition selecting the rows strictly after `values` in the ordering (`reverse` walks the
 * ordering backwards, for `before`).
 */
export function afterWhere<Row, C, O>(
  columns: OrderColumn<Row, C, O>[],
  values: KeyValue[],
  reverse: boolean,
  conditions: Conditions<C>,
): C {
  const { and, or } = conditions;
  const ors: C[] = [];
  const equalsSoFar: C[] = [];
  columns.forEach((column, i) => {
    const direction = reverse ? flip(column.direction) : column.direction;
    const raw = values[i] ?? null;
    const value = raw === null || column.decode === undefined ? raw : (column.decode(raw) as Exclude<KeyValue, null>);
    if (value === null) {
      // Rows after a NULL: only non-NULLs when NULLs sort first in this direction.
      if (column.nullable && !nullsAfter(direction)) ors.push(and([...equalsSoFar, column.isNull(false)]));
      equalsSoFar.push(column.isNull(true));
    } else {
      const beyond = column.compare(direction === 'asc' ? 'gt' : 'lt', value);
      ors.push(and([...equalsSoFar, beyond]));
      if (column.nullable && nullsAfter(direction)) ors.push(and([...equalsSoFar, column.isNull(true)]));
      equalsSoFar.push(column.compare('equals', value));
    }
  });
  return or(ors);
}

export function orderByOf<Row, C, O>(columns: OrderColumn<Row, C, O>[], reverse: boolean): O[] {
  return columns.map((c) => c.orderBy(reverse ? flip(c.direction) : c.direction));
}

export function cursorOf<Row, C, O>(columns: OrderColumn<Row, C, O>[], row: Row): string {
  return encodeCursor(columns.map((c) => c.value(row)));
}

export interface Page<Row> {
  rows: Row[];
  /** The cursor of `rows[index]` (made when asked: most queries select few cursors or none). */
  cursor(index: number): string;
  hasNextPage: () => Promise<boolean>;
  hasPreviousPage: () => Promise<boolean>;
}

/** What `paginate` needs: the arguments, the ordering and how to query (conditions `C`, ordering terms `O`). */
export interface PaginateOptions<Row, C, O> {
  args: PageArgs;
  defaultSize: number;
  maxSize: number;
  columns: OrderColumn<Row, C, O>[];
  conditions: Conditions<C>;
  find: (q: { where: C | undefined; orderBy: O[]; take: number; skip?: number }) => Promise<Row[]>;
  exists: (where: C) => Promise<boolean>;
}

/**
 * Fetches one page. `find` runs the query (where, orderBy, take); `exists` answers whether any row
 * lies on the far side of a cursor, asked only when a client wants the page info that needs it.
 */
export async function paginate<Row, C, O>(options: PaginateOptions<Row, C, O>): Promise<Page<Row>> {
  const { args, columns, conditions } = options;
  const clamp = (n: number | null | undefined, name: string) => {
    if (n === null || n === undefined) return undefined;
    if (n < 0) throw new CursorError(`Argument '${name}' must be a non-negative integer`);
    return Math.min(n, options.maxSize);
  };
  const first = clamp(args.first, 'first');
  const last = clamp(args.last, 'last');
  if (args.offset !== null && args.offset !== undefined) return offsetPage(options, first, args.offset);
  const after = args.after ? cursorFor(columns, args.after, 'after') : undefined;
  const before = args.before ? cursorFor(columns, args.before, 'before') : undefined;
  const bounds: C[] = [];
  if (after) bounds.push(afterWhere(columns, after, false, conditions));
  if (before) bounds.push(afterWhere(columns, before, true, conditions));
  const where = bounds.length ? conditions.and(bounds) : undefined;
  const backwards = last !== undefined && first === undefined;
  const size = backwards ? last! : (first ?? options.defaultSize);
  let rows = await options.find({ where, orderBy: orderByOf(columns, backwards), take: size + 1 });
  const more = rows.length > size;
  rows = rows.slice(0, size);
  if (backwards) rows.reverse();
  if (!backwards && last !== undefined && rows.length > last) rows = rows.slice(rows.length - last);
  // Rows on the side of the page we did not walk: the cursor's row or anything beyond it.
  const atOrBeyond = (cursor: KeyValue[] | undefined, reverse: boolean) => () =>
    cursor ? options.exists(conditions.not(afterWhere(columns, cursor, reverse, conditions))) : Promise.resolve(false);
  return {
    rows,
    cursor: (index) => cursorOf(columns, rows[index]!),
    hasNextPage: backwards ? atOrBeyond(before, true) : async () => more,
    hasPreviousPage: backwards ? async () => more : atOrBeyond(after, false),
  };
}

/**
 * An offset page: `first` rows (default size) after skipping `offset` rows of the ordering. Cannot be
 * combined with cursors or `last`.
 */
async function offsetPage<Row, C, O>(
  options: PaginateOptions<Row, C, O>,
  first: number | undefined,
  offset: number,
): Promise<Page<Row>> {
  const { args, columns } = options;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new CursorError("Argument 'offset' must be a non-negative integer");
  if (args.after || args.before || (args.last !== null && args.last !== undefined)) {
    throw new CursorError("Argument 'offset' cannot be combined with 'after', 'before' or 'last'");
  }
  const size = first ?? options.defaultSize;
  const fetched = await options.find({ where: undefined, orderBy: orderByOf(columns, false), take: size + 1, skip: offset });
  const rows = fetched.slice(0, size);
  return {
    rows,
    cursor: (index) => cursorOf(columns, rows[index]!),
    hasNextPage: async () => fetched.length > size,
    // Rows were skipped if there are any rows at all.
    hasPreviousPage: async () => offset > 0 && (rows.length > 0 || (await options.exists(options.conditions.and([])))),
  };
}
