// Shape of the seed fixture (format: docs/fixture-format.md), validated one record at a time so a
// streamed load never needs the whole document. Errors name the JSON path of the offending value.
import { z } from 'zod';
import { accessLevelNames } from '../domain/access.ts';
import {
  PackageFileStatus,
  PackageStatus,
  PackageType,
  PipelineStatus,
  UserState,
  Visibility,
} from '../generated/prisma/enums.ts';

/** An invalid fixture (or one that clashes with the database); the message starts with the JSON path. */
export class FixtureError extends Error {
  constructor(
    message: string,
    /** JSON path of the offending value, e.g. `projects[2].packages[0].package_type`; empty for the document. */
    readonly path = '',
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'FixtureError';
  }
}

/** `["projects", 2, "name"]` under `base` -> `base.projects[2].name`. */
function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

const MAX_INT4 = 2_147_483_647;
const quote = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}` : JSON.stringify(v) ?? String(v));

function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, { error: (iss) => `unknown ${what} ${quote(iss.input)} (expected ${values.join(', ')})` });
}
const enumValues = <T extends Record<string, string>>(e: T) => Object.values(e) as [T[keyof T], ...T[keyof T][]];

const id = z.number().int().min(1).max(MAX_INT4);
// GitLab path segments: letters, digits, `_`, `.`, `-`, not starting with `-`, not `.` or `..`.
const segmentPattern = /^(?!\.+$)[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;
const segment = z.string().regex(segmentPattern, 'must be letters, digits, "_", "." or "-" (not starting with "-")');
const fullPath = z
  .string()
  .refine((p) => p.split('/').every((s) => segmentPattern.test(s)), 'must be "/"-separated segments of letters, digits, "_", "." or "-"');
const text = z.string().min(1, 'must not be empty');

const isoPattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/** ISO 8601 date or date-time; a date-time without a zone is UTC. Normalized to `toISOString()`. */
const timestamp = z.string().transform((value, ctx) => {
  const m = isoPattern.exec(value);
  const withZone = m && value.length > 10 && !m[1] ? `${value}Z` : value;
  const time = m ? Date.parse(withZone) : Number.NaN;
  if (Number.isNaN(time)) {
    ctx.issues.push({ code: 'custom', message: `expected an ISO 8601 timestamp, got ${quote(value)}`, input: value });
    return z.NEVER;
  }
  return new Date(time).toISOString();
});
const optionalTimestamp = timestamp.nullish();

function levelFrom(allowed: Record<string, number>) {
  const names = Object.keys(allowed);
  const numbers = Object.values(allowed);
  return z.unknown().transform((value, ctx) => {
    if (typeof value === 'string' && Object.hasOwn(allowed, value)) return allowed[value]!;
    if (typeof value === 'number' && numbers.includes(value)) return value;
    ctx.issues.push({
      code: 'custom',
      message: `bad access level ${quote(value)} (expected ${names.join(', ')} or ${numbers.join(', ')})`,
      input: value,
    });
    return z.NEVER;
  });
}
const memberAccessLevel = levelFrom(accessLevelNames);
const deleteLevel = levelFrom({ owner: 50, admin: 60 });
const pushLevel = levelFrom({ maintainer: 40, owner: 50, admin: 60 });

/** Bytes as a JSON number, or a digit string / BigInt when beyond 2^53; kept exact as a decimal string. */
const size = z.unknown().transform((value, ctx) => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'bigint' && value >= 0n && value < 2n ** 63n) return String(value);
  if (typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) < 2n ** 63n) return value;
  ctx.issues.push({ code: 'custom', message: `expected a size in bytes (a non-negative integer), got ${quote(value)}`, input: value });
  return z.NEVER;
});

const packageType = oneOf(enumValues(PackageType), 'type');
const visibility = oneOf(enumValues(Visibility), 'visibility').default('private');
const pipelineKeys = z.array(text).default([]);

export const tokenSchema = z.object({
  name: text.default('token'),
  token: text,
  scopes: z.array(oneOf(['api', 'read_api'], 'scope')).min(1, 'needs at least one scope (api, read_api)'),
  expires_at: optionalTimestamp,
  revoked: z.boolean().default(false),
  last_used_at: optionalTimestamp,
  created_at: optionalTimestamp,
});

export const userSchema = z.object({
  id: id.optional(),
  username: segment,
  name: text.optional(),
  state: oneOf(enumValues(UserState), 'state').default('active'),
  admin: z.boolean().default(false),
  public_email: z.string().nullish(),
  avatar_url: z.string().nullish(),
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  tokens: z.array(tokenSchema).default([]),
});

export const memberSchema = z.object({ user: text, access_level: memberAccessLevel });

export const groupSchema = z.object({
  id: id.optional(),
  path: fullPath,
  name: text.optional(),
  visibility,
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  members: z.array(memberSchema).default([]),
});

export const pipelineSchema = z.object({
  id: id.optional(),
  key: text.optional(),
  iid: id.optional(),
  sha: text,
  ref: z.string().nullish(),
  status: oneOf(enumValues(PipelineStatus), 'status').default('success'),
  source: z.string().nullish(),
  user: text.nullish(),
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
});

export const protectionRuleSchema = z
  .object({
    package_name_pattern: text.max(255, 'must be at most 255 characters'),
    package_type: packageType,
    minimum_access_level_for_delete: deleteLevel.nullish(),
    minimum_access_level_for_push: pushLevel.nullish(),
  })
  .refine((r) => r.minimum_access_level_for_delete != null || r.minimum_access_level_for_push != null, {
    message: 'needs minimum_access_level_for_delete or minimum_access_level_for_push',
  });

/** A project's own fields; its `packages` are validated one by one with `packageSchema`. */
export const projectSchema = z.object({
  id: id.optional(),
  path: fullPath.refine((p) => p.includes('/'), 'must be "<namespace path>/<project>"'),
  name: text.optional(),
  visibility,
  packages_enabled: z.boolean().default(true),
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  members: z.array(memberSchema).default([]),
  pipelines: z.array(pipelineSchema).default([]),
  protection_rules: z.array(protectionRuleSchema).default([]),
});

export const packageFileSchema = z.object({
  id: id.optional(),
  file_name: text,
  size,
  file_md5: z.string().nullish(),
  file_sha1: z.string().nullish(),
  file_sha256: z.string().nullish(),
  status: oneOf(enumValues(PackageFileStatus), 'status').default('default'),
  created_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  pipelines: pipelineKeys,
});

export const packageSchema = z
  .object({
    id: id.optional(),
    name: text,
    version: text.nullish(),
    package_type: packageType,
    status: oneOf(enumValues(PackageStatus), 'status').default('default'),
    status_message: z.string().nullish(),
    creator: text.nullish(),
    conan: z.object({ username: text, channel: text }).nullish(),
    created_at: optionalTimestamp,
    updated_at: optionalTimestamp,
    last_downloaded_at: optionalTimestamp,
    tags: z.array(text).default([]),
    pipelines: pipelineKeys,
    files: z.array(packageFileSchema).default([]),
  })
  .refine((p) => p.conan == null || p.package_type === 'conan', {
    message: '"conan" is only for conan packages',
    path: ['conan'],
  });

export type ProjectInput = z.output<typeof projectSchema>;
export type PipelineInput = z.output<typeof pipelineSchema>;
export type PackageInput = z.output<typeof packageSchema>;

/** Keys each record kind knows, to warn about (likely misspelt) keys that would otherwise be ignored. */
export const knownKeys = {
  document: new Set(['users', 'groups', 'projects']),
  user: new Set(Object.keys(userSchema.shape)),
  token: new Set(Object.keys(tokenSchema.shape)),
  group: new Set(Object.keys(groupSchema.shape)),
  member: new Set(Object.keys(memberSchema.shape)),
  project: new Set([...Object.keys(projectSchema.shape), 'packages']),
  pipeline: new Set(Object.keys(pipelineSchema.shape)),
  protectionRule: new Set(Object.keys(protectionRuleSchema.shape)),
  package: new Set(Object.keys(packageSchema.shape)),
  file: new Set(Object.keys(packageFileSchema.shape)),
};

/** Parses `value` or throws a FixtureError naming the path of the first problem. */
export function parseAt<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let message = issue.message.replace(/^Invalid input: /, '');
  if (/received undefined$/.test(message)) message = 'is required';
  throw new FixtureError(message, joinPath(path, issue.path));
}
