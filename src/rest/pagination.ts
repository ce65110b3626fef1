// GitLab's two REST paginations (spec rest.md 1.9, 3.5): offset pages with X-* headers and a Link
// header, and keyset pages with a `cursor` and a Link rel="next".
import { errors } from './errors.ts';
import type { ParamValue } from './params.ts';

/** Kaminari's `max_per_page`. */
export const maxPerPage = 100;
/** GitLab's default page size. */
export const defaultPerPage = 20;
/** Over this many matching rows, totals are not counted (Kaminari's MAX_COUNT_LIMIT). */
export const maxCountLimit = 10_000;

/** Ruby's CGI.escape: everything but `a-zA-Z0-9_.-~` percent-encoded (upper case), spaces as `+`. */
export function cgiEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[a-zA-Z0-9_.\-~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Rails' Hash#to_query: `key=value` pairs (arrays as `key[]=…`), sorted, joined with `&`. */
export function toQuery(params: Record<string, ParamValue | undefined>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const prefix = cgiEscape(`${key}[]`);
      pairs.push(value.length ? value.map((v) => `${prefix}=${cgiEscape(v)}`).join('&') : `${prefix}=`);
    } else {
      pairs.push(`${cgiEscape(key)}=${cgiEscape(value === null ? '' : String(value))}`);
    }
  }
  return pairs.sort().join('&');
}

/** Where a page link points: the request's path on the public base, with a query of all parameters. */
export interface LinkBase {
  /** `https://host` (PUBLIC_URL or the request's origin). */
  baseUrl: string;
  /** The request path exactly as sent (e.g. with `%2F`). */
  path: string;
  /** Grape's `params`: path and query parameters, coerced, with defaults. */
  params: Record<string, ParamValue>;
}

const href = (link: LinkBase, overrides: Record<string, ParamValue>) =>
  `${link.baseUrl}${link.path}?${toQuery({ ...link.params, ...overrides })}`;

const maxGraphQLInt = 2 ** 31 - 1;

/** The page a request asks for, as Kaminari reads `page` and `per_page`. */
export interface OffsetRequest {
  page: number;
  perPage: number;
  /** For the GraphQL `first`/`offset` arguments. */
  first: number;
  offset: number;
}

export function offsetRequest(params: Record<string, ParamValue>): OffsetRequest {
  const rawPage = typeof params.page === 'number' ? params.page : 1;
  const rawPerPage = typeof params.per_page === 'number' ? params.per_page : defaultPerPage;
  const page = rawPage <= 0 ? 1 : rawPage;
  // A negative per_page is ignored; more than the maximum is capped.
  const perPage = rawPerPage < 0 ? defaultPerPage : Math.min(rawPerPage, maxPerPage);
  // An offset beyond GraphQL's Int is past the end of any listing (there are fewer rows than that).
  const offset = Math.min((page - 1) * perPage, maxGraphQLInt);
  return { page, perPage, first: perPage, offset };
}

export interface OffsetResult {
  rowsOnPage: number;
  hasNextPage: boolean;
  /** The count capped at maxCountLimit + 1. */
  limitedCount: number;
}

/** X-Per-Page, X-Page, X-Next-Page, X-Prev-Page, Link, and (when counted) X-Total and X-Total-Pages. */
export function offsetHeaders(link: LinkBase, request: OffsetRequest, result: OffsetResult): Record<string, string> {
  const { page, perPage } = request;
  const counted = result.limitedCount <= maxCountLimit;
  // Kaminari: a page past the end has neither a next nor a previous page.
  const outOfRange = result.rowsOnPage === 0;
  const next = result.hasNextPage && !outOfRange ? page + 1 : null;
  const prev = page > 1 && !outOfRange ? page - 1 : null;
  const totalPages = Math.max(Math.ceil(result.limitedCount / perPage), 1);
  const pageLink = (n: number, rel: string) => `<${href(link, { page: n, per_page: perPage })}>; rel="${rel}"`;
  const links = [
    ...(prev !== null ? [pageLink(prev, 'prev')] : []),
    ...(next !== null ? [pageLink(next, 'next')] : []),
    pageLink(1, 'first'),
    ...(counted ? [pageLink(totalPages, 'last')] : []),
  ];
  return {
    'X-Per-Page': String(perPage),
    'X-Page': String(page),
    'X-Next-Page': next === null ? '' : String(next),
    'X-Prev-Page': prev === null ? '' : String(prev),
    Link: links.join(', '),
    ...(counted ? { 'X-Total': String(result.limitedCount), 'X-Total-Pages': String(totalPages) } : {}),
  };
}

/** A decoded keyset cursor: the build info id to page from and the direction (`n` next, `p` previous). */
export interface KeysetCursor {
  id: number | null;
  direction: string | null;
}

/**
 * Decodes GitLab's keyset cursor: URL-safe Base64 (padding optional) of a JSON object such as
 * `{"id":"42","_kd":"n"}`. Anything else is a 400 `cursor is invalid`.
 */
export function decodeCursor(cursor: string): KeysetCursor {
  const fail = () => errors.validation('cursor is invalid');
  let text = cursor.replace(/-/g, '+').replace(/_/g, '/');
  if (!text.endsWith('=') && text.length % 4 !== 0) text = text.padEnd(text.length + ((4 - (text.length % 4)) % 4), '=');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw fail();
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw fail();
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fail();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail();
  const { _kd: direction, id, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw fail();
  if (direction !== undefined && direction !== null && typeof direction !== 'string') throw fail();
  let parsed: number | null = null;
  if (id !== undefined && id !== null) {
    const digits = typeof id === 'number' ? String(id) : typeof id === 'string' ? id : '';
    if (!/^-?\d+$/.test(digits) || Math.abs(Number(digits)) > maxGraphQLInt) throw fail();
    parsed = Number(digits);
  }
  return { id: parsed, direction: direction ?? null };
}

/** GitLab's cursor for the page after the row with this id. */
export function encodeNextCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id: String(id), _kd: 'n' })).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** What a keyset request fetches, as GitLab's Paginator reads the cursor. */
export interface KeysetRequest {
  perPage: number;
  backward: boolean;
  id: number | null;
  /** GitLab answers with a next link only when the direction is known and not at the last page. */
  mayLinkNext: boolean;
}

export function keysetRequest(params: Record<string, ParamValue>): KeysetRequest {
  const perPage = typeof params.per_page === 'number' ? params.per_page : defaultPerPage;
  const cursor = typeof params.cursor === 'string' && params.cursor.trim() !== '' ? decodeCursor(params.cursor) : { id: null, direction: null };
  const { id, direction } = cursor;
  if (id === null) {
    // No position: the first page (forward), or the last page (`p`, or an unknown direction).
    if (direction === null || direction === 'n') return { perPage, backward: false, id: null, mayLinkNext: true };
    return { perPage, backward: direction === 'p', id: null, mayLinkNext: false };
  }
  if (direction === 'p') return { perPage, backward: true, id, mayLinkNext: true };
  return { perPage, backward: false, id, mayLinkNext: direction === 'n' };
}

/** The Link header of a keyset page: rel="next" only, when there is a next page. */
export function keysetHeaders(
  link: LinkBase,
  request: KeysetRequest,
  page: { lastId: number | null; hasMore: boolean },
): Record<string, string> {
  const hasNext = request.mayLinkNext && page.lastId !== null && (request.backward || page.hasMore);
  if (!hasNext) return {};
  return { Link: `<${href(link, { cursor: encodeNextCursor(page.lastId!) })}>; rel="next"` };
}
