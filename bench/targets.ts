// What the bench loads: GraphQL, the reference, PostGraphile (the peer), and the optional targets (the
// REST shim), each with how to read its page, and the check that they all answer the reference's page.
import { BenchError, type Service } from './processes.ts';

/** One page of packages as every target answers it, normalised for comparison with the reference. */
export interface NormalisedPage {
  count: number | null;
  hasNextPage: boolean | null;
  ids: number[];
  /** Per package, the fields compared beyond the id (absent when the target is only checked on ids). */
  nodes?: Record<string, unknown>[];
}

export interface Target {
  id: string;
  /** An optional target (the "more targets" list) is left out, not fatal, when its page differs. */
  optional?: boolean;
  label: string;
  service: Service['name'];
  pageSize: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  normalise(body: unknown, headers: Headers): NormalisedPage;
}

export const packagesQuery = `query($fullPath: ID!, $first: Int) { project(fullPath: $fullPath) { packages(first: $first) { count nodes { id name version packageType createdAt project { fullPath } tags { nodes { name } } pipelines(first: 1) { nodes { id sha user { name } } } protectionRuleExists userPermissions { destroyPackage } _links { webPath } } pageInfo { hasNextPage endCursor } } } }`;

const gidNumber = (gid: unknown) => Number(/(\d+)$/.exec(String(gid))?.[1] ?? Number.NaN);

export interface World {
  token: string;
  projectPath: string;
  projectId: number;
}

export function graphqlTarget(world: World, pageSize: number): Target {
  return {
    id: `graphql-${pageSize}`,
    label: `GraphQL first:${pageSize}`,
    service: 'gateway',
    pageSize,
    method: 'POST',
    path: '/api/graphql',
    headers: { 'content-type': 'application/json', 'private-token': world.token },
    body: JSON.stringify({ query: packagesQuery, variables: { fullPath: world.projectPath, first: pageSize } }),
    normalise(body) {
      const response = body as { data?: { project?: { packages?: GraphqlConnection | null } | null }; errors?: unknown[] };
      if (response.errors?.length) throw new BenchError(`GraphQL errors: ${JSON.stringify(response.errors).slice(0, 500)}`);
      const connection = response.data?.project?.packages;
      if (!connection) throw new BenchError(`GraphQL answered no packages connection: ${JSON.stringify(body).slice(0, 300)}`);
      const nodes = connection.nodes.map((n) => {
        const pipeline = n.pipelines?.nodes[0];
        return {
          id: gidNumber(n.id),
          name: n.name,
          version: n.version,
          packageType: String(n.packageType).toLowerCase(),
          createdAt: new Date(n.createdAt).toISOString(),
          projectFullPath: n.project.fullPath,
          tags: (n.tags?.nodes ?? []).map((t) => t.name),
          pipeline: pipeline ? { id: gidNumber(pipeline.id), sha: pipeline.sha, user: pipeline.user?.name ?? null } : null,
          protectionRuleExists: n.protectionRuleExists,
          destroyPackage: n.userPermissions.destroyPackage,
          webPath: n._links.webPath,
        };
      });
      return { count: connection.count, hasNextPage: connection.pageInfo.hasNextPage, ids: nodes.map((n) => n.id), nodes };
    },
  };
}

/** PostGraphile's query for the same page: the listed packages of one project, newest first, with their tags, newest pipeline and its user, and the total. */
export const postgraphileQuery = `query($projectId: Int!, $first: Int!) { allPackagesPackages(condition: { projectId: $projectId, listed: true }, orderBy: [CREATED_AT_DESC, ROW_ID_DESC], first: $first) { totalCount pageInfo { hasNextPage endCursor } nodes { rowId name version packageType createdAt packagesTagsByPackageId(orderBy: ROW_ID_ASC) { nodes { name } } packagesBuildInfosByPackageId(orderBy: PIPELINE_ID_DESC, first: 1) { nodes { ciPipelineByPipelineId { rowId sha userByUserId { name } } } } } } }`;

export function postgraphileTarget(world: World, pageSize: number): Target {
  return {
    id: `postgraphile-${pageSize}`,
    label: `PostGraphile first:${pageSize}`,
    service: 'postgraphile',
    pageSize,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: postgraphileQuery, variables: { projectId: world.projectId, first: pageSize } }),
    normalise(body) {
      type Node = {
        rowId: number;
        name: string;
        version: string | null;
        packageType: string;
        createdAt: string;
        packagesTagsByPackageId: { nodes: { name: string }[] };
        packagesBuildInfosByPackageId: { nodes: { ciPipelineByPipelineId: { rowId: number; sha: string; userByUserId: { name: string } | null } | null }[] };
      };
      const response = body as { data?: { allPackagesPackages?: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: Node[] } }; errors?: unknown[] };
      if (response.errors?.length) throw new BenchError(`PostGraphile errors: ${JSON.stringify(response.errors).slice(0, 500)}`);
      const connection = response.data?.allPackagesPackages;
      if (!connection) throw new BenchError(`PostGraphile answered no connection: ${JSON.stringify(body).slice(0, 300)}`);
      const nodes = connection.nodes.map((n) => {
        const pipeline = n.packagesBuildInfosByPackageId.nodes[0]?.ciPipelineByPipelineId;
        return {
          id: n.rowId,
          name: n.name,
          version: n.version,
          packageType: String(n.packageType).toLowerCase(),
          createdAt: new Date(n.createdAt).toISOString(),
          tags: n.packagesTagsByPackageId.nodes.map((t) => t.name),
          pipeline: pipeline ? { id: pipeline.rowId, sha: pipeline.sha, user: pipeline.userByUserId?.name ?? null } : null,
        };
      });
      return { count: connection.totalCount, hasNextPage: connection.pageInfo.hasNextPage, ids: nodes.map((n) => n.id), nodes };
    },
  };
}

interface GraphqlConnection {
  count: number;
  pageInfo: { hasNextPage: boolean };
  nodes: {
    id: string;
    name: string;
    version: string | null;
    packageType: string;
    createdAt: string;
    project: { fullPath: string };
    tags: { nodes: { name: string }[] } | null;
    pipelines: { nodes: { id: string; sha: string; user: { name: string } | null }[] } | null;
    protectionRuleExists: boolean;
    userPermissions: { destroyPackage: boolean };
    _links: { webPath: string | null };
  }[];
}

export function referenceTarget(world: World, pageSize: number): Target {
  return {
    id: `reference-${pageSize}`,
    label: `reference first:${pageSize}`,
    service: 'reference',
    pageSize,
    method: 'GET',
    path: `/projects/${encodeURIComponent(world.projectPath)}/packages?first=${pageSize}`,
    headers: { 'private-token': world.token },
    normalise(body) {
      const page = body as {
        count: number;
        hasNextPage: boolean;
        nodes: {
          id: number;
          name: string;
          version: string | null;
          packageType: string;
          createdAt: string;
          projectFullPath: string;
          tags: string[];
          pipeline: { id: number; sha: string; user: { name: string } | null } | null;
          protectionRuleExists: boolean;
          destroyPackage: boolean;
          webPath: string | null;
        }[];
      };
      const nodes = page.nodes.map((n) => ({
        id: n.id,
        name: n.name,
        version: n.version,
        packageType: n.packageType,
        createdAt: new Date(n.createdAt).toISOString(),
        projectFullPath: n.projectFullPath,
        tags: n.tags,
        pipeline: n.pipeline ? { id: n.pipeline.id, sha: n.pipeline.sha, user: n.pipeline.user?.name ?? null } : null,
        protectionRuleExists: n.protectionRuleExists,
        destroyPackage: n.destroyPackage,
        webPath: n.webPath,
      }));
      return { count: page.count, hasNextPage: page.hasNextPage, ids: nodes.map((n) => n.id), nodes };
    },
  };
}

// ===================================================================================================
// MORE TARGETS: the REST shim (spec rest.md E1, `GET /api/v4/projects/:id/packages`).
// Each entry is probed against the running gateway; it joins the bench when the probe answers 200.
// Add further endpoints here (a probe path plus a Target per page size). The listing is asked newest
// first (`order_by=created_at&sort=desc`; E1's default is oldest first) so its page can be checked
// against the reference's, package by package.
// ===================================================================================================
export interface OptionalTargets {
  name: string;
  probePath(world: World): string;
  targets(world: World, pageSize: number): Target;
}

export const optionalTargets: OptionalTargets[] = [
  {
    name: 'REST E1 GET /api/v4/projects/:id/packages',
    probePath: (world) => `/api/v4/projects/${world.projectId}/packages?per_page=1`,
    targets: (world, pageSize) => ({
      id: `rest-e1-${pageSize}`,
      optional: true,
      label: `REST E1 per_page=${pageSize}`,
      service: 'gateway',
      pageSize,
      method: 'GET',
      path: `/api/v4/projects/${world.projectId}/packages?per_page=${pageSize}&order_by=created_at&sort=desc`,
      headers: { 'private-token': world.token },
      normalise(body, headers) {
        const rows = body as { id: number }[];
        if (!Array.isArray(rows)) throw new BenchError(`REST answered no array: ${JSON.stringify(body).slice(0, 300)}`);
        const total = headers.get('x-total');
        const nextPage = headers.get('x-next-page');
        return {
          count: total === null ? null : Number(total),
          hasNextPage: nextPage === null ? null : nextPage !== '',
          ids: rows.map((r) => r.id),
        };
      },
    }),
  },
];

// ---------------------------------------------------------------------------------------------------
// Requests

export function serviceOf(services: Service[], target: Target): Service {
  return services.find((s) => s.name === target.service)!;
}

export async function request(base: string, target: Target): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${base}${target.path}`, { method: target.method, headers: target.headers, body: target.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

export async function fetchPage(services: Service[], target: Target): Promise<NormalisedPage> {
  const { status, body, headers } = await request(serviceOf(services, target).url, target);
  if (status !== 200) throw new BenchError(`${target.label}: HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  return target.normalise(body, headers);
}

/**
 * Checks that every target answers the reference's page: same ids in the same order, same count and,
 * where the target has them, the same fields. Throws for a required target; returns the optional
 * targets that differ (with why), which the caller leaves out.
 */
export async function verifyPages(services: Service[], targets: Target[]): Promise<{ notes: string[]; excluded: Map<string, string> }> {
  const notes: string[] = [];
  const excluded = new Map<string, string>();
  for (const reference of targets.filter((t) => t.service === 'reference')) {
    const expected = await fetchPage(services, reference);
    if (expected.ids.length === 0) throw new BenchError(`${reference.label}: empty page; the bench needs a project with packages`);
    for (const target of targets.filter((t) => t.service !== 'reference' && t.pageSize === reference.pageSize)) {
      const problems: string[] = [];
      let actual: NormalisedPage | undefined;
      try {
        actual = await fetchPage(services, target);
      } catch (error) {
        if (!target.optional) throw error;
        problems.push((error as Error).message);
      }
      if (actual && JSON.stringify(actual.ids) !== JSON.stringify(expected.ids)) {
        const at = actual.ids.findIndex((id, i) => id !== expected.ids[i]);
        problems.push(
          `package ids differ (first at position ${at < 0 ? Math.min(actual.ids.length, expected.ids.length) : at}):\n` +
            `    ${target.label}: ${actual.ids.join(',')}\n    ${reference.label}: ${expected.ids.join(',')}`,
        );
      }
      if (actual && actual.count !== null && actual.count !== expected.count) problems.push(`count ${actual.count} vs ${expected.count}`);
      if (actual && actual.hasNextPage !== null && actual.hasNextPage !== expected.hasNextPage) {
        problems.push(`hasNextPage ${actual.hasNextPage} vs ${expected.hasNextPage}`);
      }
      if (actual && problems.length === 0 && actual.nodes && expected.nodes) {
        actual.nodes.forEach((node, i) => {
          const other = expected.nodes![i]!;
          // The fields the target answers (PostGraphile's page has no permissions or web paths).
          for (const key of Object.keys(node)) {
            if (JSON.stringify(node[key]) !== JSON.stringify(other[key])) {
              problems.push(`package ${String(node.id)} ${key}: ${JSON.stringify(node[key])} vs ${JSON.stringify(other[key])}`);
            }
          }
        });
      }
      if (problems.length > 0) {
        const message = `${target.label} does not return the reference's page:\n  ${problems.slice(0, 12).join('\n  ')}`;
        if (!target.optional) throw new BenchError(message);
        excluded.set(target.id, message);
        continue;
      }
      notes.push(
        `${target.label} = ${reference.label}: ${actual!.ids.length} packages, count ${expected.count}${actual!.nodes ? ', all fields' : ', ids and count'}`,
      );
    }
  }
  return { notes, excluded };
}

