// Keyset (cursor) pagination: a cursor holds the sort key and id of a row, so pages never repeat or
// skip rows when rows are inserted or removed between requests.
import { sqlText } from './text.ts';

export class CursorError extends Error {
  override name = 'CursorError';
}

export type Direction = 'asc' | 'desc';
export type KeyValue = string | number | null;

/** One column of an ordering (the last one is always the id). */
export interface OrderColumn<Row> {
  /** Reads the column off a row (for cursors). */
  value(row: Row): KeyValue;
  direction: Direction;
  /** PostgreSQL defaults: NULLs sort last ascending, first descending. */
  nullable: boolean;
  /** Prisma `where` fragment comparing this column with a value (`op` never sees null). */
  compare(op: 'gt' | 'lt' | 'equals', value: Exclude<KeyValue, null>): object;
  isNull(isNull: boolean): object;
  /** Prisma `orderBy` entry for a direction. */
  orderBy(direction: Direction): object;
  /** Turns a cursor value back into the column's type (dates). */
  decode?(value: Exclude<KeyValue, null>): unknown;
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

const flip = (d: Direction): Direction => (d === 'asc' ? 'desc' : 'asc');

/** NULLs come after values in `direction` (PostgreSQL: last when ascending). */
const nullsAfter = (direction: Direction) => direction === 'asc';

/**
 * Prisma `where` selecting the rows strictly after `values` in the ordering (`reverse` walks the
 * ordering backwards, for `before`).
 */
export function afterWhere<Row>(columns: OrderColumn<Row>[], values: KeyValue[], reverse: boolean): object {
  const ors: object[] = [];
  const equalsSoFar: object[] = [];
  columns.forEach((column, i) => {
    const direction = reverse ? flip(column.direction) : column.direction;
    const raw = values[i] ?? null;
    const value = raw === null || column.decode === undefined ? raw : (column.decode(raw) as Exclude<KeyValue, null>);
    if (value === null) {
      // Rows after a NULL: only non-NULLs when NULLs sort first in this direction.
      if (column.nullable && !nullsAfter(direction)) ors.push({ AND: [...equalsSoFar, column.isNull(false)] });
      equalsSoFar.push(column.isNull(true));
    } else {
      const beyond = column.compare(direction === 'asc' ? 'gt' : 'lt', value);
      ors.push({ AND: [...equalsSoFar, beyond] });
      if (column.nullable && nullsAfter(direction)) ors.push({ AND: [...equalsSoFar, column.isNull(true)] });
      equalsSoFar.push(column.compare('equals', value));
    }
  });
  return { OR: ors };
}

export function orderByOf<Row>(columns: OrderColumn<Row>[], reverse: boolean): object[] {
  return columns.map((c) => c.orderBy(reverse ? flip(c.direction) : c.direction));
}

export function cursorOf<Row>(columns: OrderColumn<Row>[], row: Row): string {
  return encodeCursor(columns.map((c) => c.value(row)));
}

export interface Page<Row> {
  rows: Row[];
  cursors: string[];
  hasNextPage: () => Promise<boolean>;
  hasPreviousPage: () => Promise<boolean>;
}

/**
 * Fetches one page. `find` runs the query (where, orderBy, take); `exists` answers whether any row
 * lies on the far side of a cursor, asked only when a client wants the page info that needs it.
 */
export async function paginate<Row>(options: {
  args: PageArgs;
  defaultSize: number;
  maxSize: number;
  columns: OrderColumn<Row>[];
  find: (q: { where: object | undefined; orderBy: object[]; take: number; skip?: number }) => Promise<Row[]>;
  exists: (where: object) => Promise<boolean>;
}): Promise<Page<Row>> {
  const { args, columns } = options;
  const clamp = (n: number | null | undefined, name: string) => {
    if (n === null || n === undefined) return undefined;
    if (n < 0) throw new CursorError(`Argument '${name}' must be a non-negative integer`);
    return Math.min(n, options.maxSize);
  };
  const first = clamp(args.first, 'first');
  const last = clamp(args.last, 'last');
  if (args.offset !== null && args.offset !== undefined) return offsetPage(options, first, args.offset);
  const after = args.after ? decodeCursor(args.after, columns.length, 'after') : undefined;
  const before = args.before ? decodeCursor(args.before, columns.length, 'before') : undefined;
  const bounds = [after && afterWhere(columns, after, false), before && afterWhere(columns, before, true)].filter(
    (w): w is object => Boolean(w),
  );
  const where = bounds.length ? { AND: bounds } : undefined;
  const backwards = last !== undefined && first === undefined;
  const size = backwards ? last! : (first ?? options.defaultSize);
  let rows = await options.find({ where, orderBy: orderByOf(columns, backwards), take: size + 1 });
  const more = rows.length > size;
  rows = rows.slice(0, size);
  if (backwards) rows.reverse();
  if (!backwards && last !== undefined && rows.length > last) rows = rows.slice(rows.length - last);
  const cursors = rows.map((r) => cursorOf(columns, r));
  // Rows on the side of the page we did not walk: the cursor's row or anything beyond it.
  const atOrBeyond = (cursor: KeyValue[] | undefined, reverse: boolean) => () =>
    cursor ? options.exists({ NOT: afterWhere(columns, cursor, reverse) }) : Promise.resolve(false);
  return {
    rows,
    cursors,
    hasNextPage: backwards ? atOrBeyond(before, true) : async () => more,
    hasPreviousPage: backwards ? async () => more : atOrBeyond(after, false),
  };
}

/**
 * An offset page: `first` rows (default size) after skipping `offset` rows of the ordering. Cannot be
 * combined with cursors or `last`.
 */
async function offsetPage<Row>(
  options: Parameters<typeof paginate<Row>>[0],
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
    cursors: rows.map((r) => cursorOf(columns, r)),
    hasNextPage: async () => fetched.length > size,
    // Rows were skipped if there are any rows at all.
    hasPreviousPage: async () => offset > 0 && (rows.length > 0 || (await options.exists({}))),
  };
}
