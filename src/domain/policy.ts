// Who may read or delete what: GitLab's rules (spec rest.md 1.6 and 5a), in one place for GraphQL and
// REST alike. Pure functions over the viewer (with its memberships) and the object's own columns.
import type { Prisma } from '../generated/prisma/client.ts';
import type { Visibility } from '../generated/prisma/enums.ts';
import { AccessLevel } from './access.ts';
import { likeLiteral } from './like.ts';
import type { Viewer } from './viewer.ts';

/** The columns of a project that decide access. */
export interface ProjectFacts {
  id: number;
  /** Full path of the project itself (`acme/platform/api`). */
  fullPath: string;
  visibility: Visibility;
  packagesEnabled: boolean;
}

/** The columns of a group that decide access. */
export interface GroupFacts {
  fullPath: string;
  visibility: Visibility;
}

function isAncestorOrSelf(ancestorPath: string, path: string): boolean {
  return path === ancestorPath || path.startsWith(`${ancestorPath}/`);
}

function signedIn(viewer: Viewer): viewer is Extract<Viewer, { kind: 'user' }> {
  return viewer.kind === 'user';
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.kind === 'user' && viewer.admin;
}

/**
 * The viewer's access level on a project: the highest of its direct membership and its memberships
 * of the groups along the project's path (admins count as ADMIN).
 */
export function projectAccessLevel(viewer: Viewer, project: Pick<ProjectFacts, 'id' | 'fullPath'>): number {
  if (!signedIn(viewer)) return AccessLevel.NONE;
  if (viewer.admin) return AccessLevel.ADMIN;
  let level: number = AccessLevel.NONE;
  for (const member of viewer.memberships.projects) {
    if (member.projectId === project.id && member.accessLevel > level) level = member.accessLevel;
  }
  for (const group of viewer.memberships.groups) {
    if (group.accessLevel > level && project.fullPath.startsWith(`${group.fullPath}/`)) level = group.accessLevel;
  }
  return level;
}

/** The viewer's access level on a group: the highest membership along its path. */
export function groupAccessLevel(viewer: Viewer, group: Pick<GroupFacts, 'fullPath'>): number {
  if (!signedIn(viewer)) return AccessLevel.NONE;
  if (viewer.admin) return AccessLevel.ADMIN;
  let level: number = AccessLevel.NONE;
  for (const m of viewer.memberships.groups) {
    if (m.accessLevel > level && isAncestorOrSelf(m.fullPath, group.fullPath)) level = m.accessLevel;
  }
  return level;
}

function visibleByVisibility(viewer: Viewer, visibility: Visibility): boolean {
  return visibility === 'public' || (visibility === 'internal' && signedIn(viewer));
}

/** `read_project`: public to anyone, internal to signed-in users, private to members (guest+) and admins. */
export function canReadProject(viewer: Viewer, project: ProjectFacts): boolean {
  return visibleByVisibility(viewer, project.visibility) || projectAccessLevel(viewer, project) >= AccessLevel.GUEST;
}

/**
 * `read_package`: the project is readable, its registry is on, and the viewer is reporter+ or an admin,
 * or the project is public (anyone) or internal (signed-in users). Guests of private projects may not
 * (GitLab's `allow_guest_plus_roles_to_pull_packages` is off by default).
 */
export function canReadPackages(viewer: Viewer, project: ProjectFacts): boolean {
  if (!project.packagesEnabled || !canReadProject(viewer, project)) return false;
  return visibleByVisibility(viewer, project.visibility) || projectAccessLevel(viewer, project) >= AccessLevel.REPORTER;
}

/** `destroy_package`: maintainer+ or admin, on a project whose packages the viewer reads. */
export function canDestroyPackages(viewer: Viewer, project: ProjectFacts): boolean {
  return canReadPackages(viewer, project) && projectAccessLevel(viewer, project) >= AccessLevel.MAINTAINER;
}

/**
 * `create_package`: developer+ or admin on a project whose packages the viewer reads (GitLab's
 * ProjectPolicy: `rule { developer }.enable :create_package`, prevented when the registry is off).
 */
export function canCreatePackages(viewer: Viewer, project: ProjectFacts): boolean {
  return canReadPackages(viewer, project) && projectAccessLevel(viewer, project) >= AccessLevel.DEVELOPER;
}

/** `read_pipeline` under GitLab's default "public pipelines": like read_project on public/internal, reporter+ on private. */
export function canReadPipelines(viewer: Viewer, project: ProjectFacts): boolean {
  if (!canReadProject(viewer, project)) return false;
  return visibleByVisibility(viewer, project.visibility) || projectAccessLevel(viewer, project) >= AccessLevel.REPORTER;
}

/**
 * `read_group`: public to anyone, internal to signed-in users, else members of the group, of an
 * ancestor or of a descendant group, users with access to a project inside it, and admins.
 */
export function canReadGroup(viewer: Viewer, group: GroupFacts): boolean {
  if (visibleByVisibility(viewer, group.visibility)) return true;
  if (!signedIn(viewer)) return false;
  if (viewer.admin || groupAccessLevel(viewer, group) >= AccessLevel.GUEST) return true;
  const inside = (path: string) => path.startsWith(`${group.fullPath}/`);
  return viewer.memberships.groups.some((m) => inside(m.fullPath)) || viewer.memberships.projects.some((m) => inside(m.fullPath));
}

/**
 * Whether a project's packages appear in a group listing (GitLab's Packages::ProjectsFinder): the
 * registry is on and the project is public, internal (signed in), or the viewer is reporter+ on it.
 */
export function listsPackagesInGroup(viewer: Viewer, project: ProjectFacts): boolean {
  if (!project.packagesEnabled) return false;
  return visibleByVisibility(viewer, project.visibility) || projectAccessLevel(viewer, project) >= AccessLevel.REPORTER;
}

/**
 * `admin_package` on a group, which GitLab's `PackageSettings` type requires
 * (app/graphql/types/namespace/package_settings_type.rb `authorize :admin_package`, delegated to the
 * group by app/policies/namespace/package_setting_policy.rb): GroupPolicy enables it for owners
 * (`rule { owner }`), memberships of ancestor groups included; administrators count as owners
 * (GitLab's `Group#max_member_access_for_user`).
 */
export function canAdminGroupPackages(viewer: Viewer, group: GroupFacts): boolean {
  return groupAccessLevel(viewer, group) >= AccessLevel.OWNER;
}

/** The proper ancestors of a full path (`a/b/c` → `a`, `a/b`). */
function ancestorPaths(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * The projects a viewer is a member of, directly or through a group along the project's path (GitLab's
 * authorized projects, `ProjectsFinder` with `non_public`), as a Prisma `where` on `projects`; null
 * for an anonymous viewer (nothing).
 */
export function memberProjectsWhere(viewer: Viewer): Prisma.ProjectWhereInput | null {
  if (!signedIn(viewer)) return null;
  return {
    OR: [
      { id: { in: viewer.memberships.projects.map((m) => m.projectId) } },
      ...viewer.memberships.groups.map((m) => ({ fullPath: { startsWith: `${likeLiteral(m.fullPath)}/` } })),
    ],
  };
}

/** `canReadProject` as a Prisma `where` on `projects`, for listings (GitLab's `ProjectsFinder`). */
export function readableProjectsWhere(viewer: Viewer): Prisma.ProjectWhereInput {
  if (!signedIn(viewer)) return { visibility: 'public' };
  if (viewer.admin) return {};
  return { OR: [{ visibility: { in: ['public', 'internal'] } }, memberProjectsWhere(viewer)!] };
}

/**
 * The groups a viewer is a member of, or whose ancestor it is a member of (GitLab's authorized groups,
 * `GroupsFinder` with `all_available: false`), as a Prisma `where` on `namespaces`; null when anonymous.
 */
export function memberGroupsWhere(viewer: Viewer): Prisma.NamespaceWhereInput | null {
  if (!signedIn(viewer)) return null;
  const paths = viewer.memberships.groups.map((m) => m.fullPath);
  return { OR: [{ fullPath: { in: paths } }, ...paths.map((path) => ({ fullPath: { startsWith: `${likeLiteral(path)}/` } }))] };
}

/**
 * `canReadGroup` as a Prisma `where` on `namespaces` (groups only), for listings: public or internal
 * groups, the groups along and below the viewer's group memberships, the ancestors of its groups and
 * projects, or every group for an admin.
 */
export function readableGroupsWhere(viewer: Viewer): Prisma.NamespaceWhereInput {
  if (!signedIn(viewer)) return { kind: 'group', visibility: 'public' };
  if (viewer.admin) return { kind: 'group' };
  const inside = [...viewer.memberships.groups, ...viewer.memberships.projects].flatMap((m) => ancestorPaths(m.fullPath));
  return {
    kind: 'group',
    OR: [{ visibility: { in: ['public', 'internal'] } }, memberGroupsWhere(viewer)!, { fullPath: { in: [...new Set(inside)] } }],
  };
}
