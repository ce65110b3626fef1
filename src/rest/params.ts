// Grape-like parameter declarations, coercion and validation (spec rest.md 1.7, 1.8): parameters are
// checked in declaration order, every failure is collected, and the messages are grouped by
// parameter and joined with ", " into GitLab's 400 body.
import { encodeGid } from '../graphql/global-id.ts';
import { errors } from './errors.ts';

export type ParamValue = string | number | boolean | null | string[];
/** Request parameters as Rack parses them: the last value of a repeated key; `key[]` keys as arrays. */
export type RawParams = Record<string, string | string[]>;

export interface ParamSpec {
  name: string;
  type: 'String' | 'Integer' | 'Boolean';
  required?: boolean;
  default?: string | number | boolean;
  /** Grape `values:` (a list, or an inclusive integer range). */
  values?: readonly (string | number)[] | { min: number; max: number };
  /** Grape `except_values:`. */
  exceptValues?: readonly (string | number)[];
  /** Grape `regexp:` (a String value that does not match: `is invalid`). */
  regexp?: RegExp;
  /** GitLab's `file_path: true` validator (lib/api/validations/validators/file_path.rb). */
  filePath?: boolean;
}

export const param = {
  string: (name: string, options: Omit<ParamSpec, 'name' | 'type'> = {}): ParamSpec => ({ name, type: 'String', ...options }),
  integer: (name: string, options: Omit<ParamSpec, 'name' | 'type'> = {}): ParamSpec => ({ name, type: 'Integer', ...options }),
  boolean: (name: string, options: Omit<ParamSpec, 'name' | 'type'> = {}): ParamSpec => ({ name, type: 'Boolean', ...options }),
};

/** GitLab's `use :pagination`. */
export const paginationParams: ParamSpec[] = [
  param.integer('page', { default: 1 }),
  param.integer('per_page', { default: 20, exceptValues: [0] }),
];

const invalid = Symbol('invalid');

// Ruby's Integer(str, 10): optional whitespace and sign, digits with single underscores between them.
const integerPattern = /^[\t\n\v\f\r ]*[+-]?\d+(?:_\d+)*[\t\n\v\f\r ]*$/;
const trueValues = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const falseValues = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

function coerce(spec: ParamSpec, value: ParamValue): ParamValue | typeof invalid {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    if (value === null) return null;
    if (spec.type === 'Integer') return typeof value === 'number' ? value : invalid;
    if (spec.type === 'Boolean') return typeof value === 'boolean' ? value : invalid;
    return invalid;
  }
  if (Array.isArray(value)) return invalid;
  // Grape treats an empty string as no value for every type but String.
  if (value === '' && spec.type !== 'String') return null;
  switch (spec.type) {
    case 'String':
      return value;
    case 'Integer':
      return integerPattern.test(value) ? Number(value.replace(/[_\s]/g, '')) : invalid;
    case 'Boolean': {
      const lower = value.toLowerCase();
      if (trueValues.has(lower)) return true;
      if (falseValues.has(lower)) return false;
      return invalid;
    }
  }
}

const allowed = (values: NonNullable<ParamSpec['values']>, value: ParamValue) =>
  Array.isArray(values)
    ? values.includes(value as string | number)
    : typeof value === 'number' && value >= (values as { min: number }).min && value <= (values as { max: number }).max;

export interface Validated {
  /** Every parameter as Grape's `params` holds it: the request's, coerced where declared, plus defaults. */
  params: Record<string, ParamValue>;
}

/**
 * Validates `raw` (query and path parameters) against the declarations; throws GitLab's 400 with
 * every failure, else returns the coerced parameters.
 *
 * As Grape 2.0 (GitLab's): each declaration runs presence, coercion, then `except_values` and
 * `values` on what coercion left. A value that fails coercion stays as sent, so a `values:` list
 * still rejects it: E5's `per_page=abc` (declared again with `values: 1..20`) answers
 * `per_page is invalid, per_page does not have a valid value`, as grape v2.0.0's
 * spec/grape/validations/validators/values_spec.rb has `value is invalid, value does not have a valid
 * value` for `'a'` against `0.0..10.0`. Messages are grouped per parameter in the order of its first
 * failure, duplicates dropped (Grape::Exceptions::ValidationErrors: `group_by(&:params)`, `uniq!`).
 */
export function validateParams(specs: readonly ParamSpec[], raw: RawParams): Validated {
  const params: Record<string, ParamValue> = { ...raw };
  const failures: { name: string; message: string }[] = [];
  const fail = (name: string, message: string) => failures.push({ name, message });
  for (const spec of specs) {
    const { name } = spec;
    const present = Object.hasOwn(params, name);
    if (spec.required && !present) {
      fail(name, 'is missing');
      continue;
    }
    if (present) {
      const coerced = coerce(spec, params[name]!);
      if (coerced === invalid) fail(name, 'is invalid');
      else params[name] = coerced;
    }
    if (spec.default !== undefined && (params[name] === undefined || params[name] === null)) params[name] = spec.default;
    const value = params[name];
    if (!Object.hasOwn(params, name)) continue;
    if (spec.exceptValues && spec.exceptValues.includes(value as string | number)) fail(name, 'has a value not allowed');
    if (spec.values && value !== null && value !== undefined && !allowed(spec.values, value)) fail(name, 'does not have a valid value');
    if (spec.regexp && typeof value === 'string' && !spec.regexp.test(value)) fail(name, 'is invalid');
    if (spec.filePath && typeof value === 'string' && !isSafeFilePath(value)) fail(name, 'should be a valid file path');
  }
  if (failures.length > 0) {
    const byName = new Map<string, string[]>();
    for (const { name, message } of failures) {
      const text = `${name} ${message}`;
      const list = byName.get(name) ?? [];
      if (!list.includes(text)) list.push(text);
      byName.set(name, list);
    }
    throw errors.validation([...byName.values()].flat().join(', '));
  }
  return { params };
}

// GitLab's Gitlab::PathTraversal::PATH_TRAVERSAL_REGEX, with a newline also refused.
const pathTraversal = /^\.{1,2}$|^\.\.[/\\]|[/\\]\.\.$|[/\\]\.\.[/\\]|\n/;

/** Ruby's CGI.unescape: `+` is a space, `%XX` a byte (invalid escapes stay as they are). */
function cgiUnescape(value: string): string {
  const bytes = Buffer.from(value.replace(/\+/g, ' '), 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x25 && i + 2 < bytes.length ? bytes.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(bytes[i]!);
    }
  }
  return Buffer.from(out).toString('utf8');
}

/**
 * GitLab's `file_path: true` check (Gitlab::PathTraversal.check_allowed_absolute_path_and_path_traversal!
 * with no allowlist): the value, decoded once (Gitlab::Utils.decode_path, which refuses a value that
 * decodes further: double encoding), must not be `.` or `..`, start with `../`, end with `/..`, hold
 * `/../` (or the same with backslashes) or a newline, or be an absolute path.
 */
export function isSafeFilePath(value: string): boolean {
  const decoded = cgiUnescape(value);
  if (decoded !== cgiUnescape(decoded)) return false;
  if (pathTraversal.test(decoded)) return false;
  return !decoded.startsWith('/');
}

/** Parses a query string as Rack does: `+` is a space, the last of repeated keys wins, `key[]` collects. */
export function parseQuery(search: string): RawParams {
  const result: RawParams = {};
  for (const [key, value] of new URLSearchParams(search)) {
    if (key.endsWith('[]') && key.length > 2) {
      const base = key.slice(0, -2);
      const list = result[base];
      result[base] = Array.isArray(list) ? [...list, value] : [value];
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** A gid for a numeric REST id; ids that cannot name a row get id 0, which names nothing. */
export function restGid(typename: 'Project' | 'Group' | 'Package' | 'PackageFile', id: ParamValue): string {
  const n = typeof id === 'number' ? id : Number(id);
  return encodeGid(typename, Number.isSafeInteger(n) && n > 0 && n < 1e15 ? n : 0);
}
