import { GraphQLError } from 'graphql';

// GitLab's global ids: `gid://gitlab/<Model class>/<id>`. GraphQL type names map to model classes.
const modelOfType: Record<string, string> = {
  Project: 'Project',
  Group: 'Group',
  Package: 'Packages::Package',
  PackageBase: 'Packages::Package',
  PackageDetailsType: 'Packages::Package',
  PackageFile: 'Packages::PackageFile',
  PackageTag: 'Packages::Tag',
  PackageBuildInfo: 'Packages::BuildInfo',
  Pipeline: 'Ci::Pipeline',
  UserCore: 'User',
};

/** The GraphQL type that `node(id:)` resolves for a model class. */
const typeOfModel: Record<string, string> = {
  Project: 'Project',
  Group: 'Group',
  'Packages::Package': 'Package',
  'Packages::PackageFile': 'PackageFile',
  'Packages::Tag': 'PackageTag',
  'Ci::Pipeline': 'Pipeline',
  User: 'UserCore',
};

/** A GraphQLError, so the message reaches the client wherever decoding fails (arguments, node(id:)). */
export class GlobalIdError extends GraphQLError {
  override name = 'GlobalIdError';
}

export function encodeGid(typename: string, id: string | number | bigint): string {
  return `gid://gitlab/${modelOfType[typename] ?? typename}/${id}`;
}

export interface DecodedGid {
  model: string;
  id: number;
}

const gidPattern = /^gid:\/\/gitlab\/([A-Za-z][A-Za-z0-9]*(?:::[A-Za-z][A-Za-z0-9]*)*)\/(\d{1,15})$/;

/** Parses a gid; throws GitLab's message for a malformed one. */
export function parseGid(value: unknown): DecodedGid {
  const match = typeof value === 'string' ? gidPattern.exec(value) : null;
  if (!match) throw new GlobalIdError(`${JSON.stringify(value)} is not a valid Global ID`);
  return { model: match[1]!, id: Number(match[2]) };
}

/** Whether a model class is `base` or one of its subclasses (`Packages::Npm::Package` is a `Packages::Package`). */
export function isModel(model: string, base: string): boolean {
  if (model === base) return true;
  const [namespace, ...rest] = base.split('::');
  const leaf = rest.at(-1);
  return leaf !== undefined && model.startsWith(`${namespace}::`) && model.endsWith(`::${leaf}`);
}

/** Parses a gid that must denote `base` (or a subclass); GitLab's messages otherwise. */
export function parseGidOf(value: unknown, base: string): number {
  const gid = parseGid(value);
  if (!isModel(gid.model, base)) {
    throw new GlobalIdError(`${JSON.stringify(value)} does not represent an instance of ${base}`);
  }
  return gid.id;
}

/** For the relay plugin's `node(id:)`: the GraphQL type name and id of any gid. */
export function decodeGidForNode(value: string): { typename: string; id: string } {
  const gid = parseGid(value);
  const match = Object.entries(typeOfModel).find(([model]) => isModel(gid.model, model));
  if (!match) throw new GlobalIdError(`${JSON.stringify(value)} does not represent a known object type`);
  return { typename: match[1], id: String(gid.id) };
}
