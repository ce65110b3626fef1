// Finding the project or group a REST path names (spec rest.md 1.3-1.5), before parameters are
// validated: a numeric id, or a full path sent URL-encoded (`acme%2Fplatform%2Fapi`).
import { errors } from './errors.ts';
import { restGid } from './params.ts';

/** The GraphQL operations that find a project or group and tell whether the viewer may read it. */
export const scopeOperations = {
  projectById: `query RestProjectById($id: ID!) { node(id: $id) { ... on Project { id userPermissions { readPackage } } } }`,
  projectByPath: `query RestProjectByPath($fullPath: ID!) { project(fullPath: $fullPath) { id userPermissions { readPackage } } }`,
  groupById: `query RestGroupById($id: ID!) { node(id: $id) { ... on Group { id } } }`,
  groupByPath: `query RestGroupByPath($fullPath: ID!) { group(fullPath: $fullPath) { id } }`,
} as const;

export type ScopeOperation = keyof typeof scopeOperations;
type Run = <T>(operation: ScopeOperation, variables: Record<string, unknown>) => Promise<T>;

// GitLab's INTEGER_ID_REGEX.
const numeric = /^-?\d+$/;

interface ProjectData {
  id: string;
  userPermissions: { readPackage: boolean };
}

/**
 * The gid of the project `id` names: 404 when it is missing or invisible to the viewer (a slash-less
 * name is never a project), 403 when the viewer may not read its packages.
 */
export async function findProject(id: string, run: Run): Promise<string> {
  let project: ProjectData | null = null;
  if (numeric.test(id)) {
    project = (await run<{ node: ProjectData | null }>('projectById', { id: restGid('Project', id) })).node;
  } else if (id.includes('/')) {
    project = (await run<{ project: ProjectData | null }>('projectByPath', { fullPath: id })).project;
  }
  // `node` answers an empty object for a visible node of another type; there is none here, but be exact.
  if (!project?.id) throw errors.projectNotFound();
  if (!project.userPermissions.readPackage) throw errors.forbidden();
  return project.id;
}

/** The gid of the group `id` names (numeric, or a full path; top-level paths need no slash); else 404. */
export async function findGroup(id: string, run: Run): Promise<string> {
  const group = numeric.test(id)
    ? (await run<{ node: { id?: string } | null }>('groupById', { id: restGid('Group', id) })).node
    : (await run<{ group: { id: string } | null }>('groupByPath', { fullPath: id })).group;
  if (!group?.id) throw errors.groupNotFound();
  return group.id;
}
