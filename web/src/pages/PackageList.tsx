// `/:project/-/packages` and `/groups/:group/-/packages`: GitLab's package list, with its filters and
// sorts in the URL, keyset pages, the count, the failed-to-publish notice and live updates; a
// project's "Recently deleted" tab lists packages pending destruction with Restore.
import { useCallback, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { request, subscribe } from '../api';
import { graphql } from '../gql';
import type { PackageSort, PackageStatus, PackageTypeEnum, PackageListQuery } from '../gql/graphql';
import { numericId } from '../paths';
import { PackageErrorsCount } from './PackageErrorsCount';
import { PackageRows } from './PackageRows';

const PackageListDocument = graphql(`
  query PackageList(
    $fullPath: ID!, $group: Boolean!, $first: Int, $last: Int, $after: String, $before: String, $sort: PackageSort, $groupSort: PackageGroupSort,
    $packageName: String, $packageType: PackageTypeEnum, $packageVersion: String, $status: PackageStatus, $includeVersionless: Boolean
  ) {
    project(fullPath: $fullPath) @skip(if: $group) {
      id
      userPermissions { destroyPackage }
      packages(first: $first, last: $last, after: $after, before: $before, sort: $sort, packageName: $packageName,
        packageType: $packageType, packageVersion: $packageVersion, status: $status, includeVersionless: $includeVersionless) {
        ...PackagePage
      }
    }
    group(fullPath: $fullPath) @include(if: $group) {
      id
      packages(first: $first, last: $last, after: $after, before: $before, sort: $groupSort, packageName: $packageName,
        packageType: $packageType, packageVersion: $packageVersion, status: $status, includeVersionless: $includeVersionless) {
        ...PackagePage
      }
    }
  }
  fragment PackagePage on PackageConnection {
    count
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes {
      id name version packageType status createdAt protectionRuleExists
      project { fullPath }
      tags { nodes { name } }
      pipelines(first: 1) { nodes { id ref sha status } }
      _links { webPath }
    }
  }
`);

const PackageEventsDocument = graphql(`
  subscription PackageListEvents($projectPath: ID, $groupPath: ID) {
    packageEvents(projectPath: $projectPath, groupPath: $groupPath) { action package { id } }
  }
`);

const RestorePackageDocument = graphql(`
  mutation RestorePackage($id: PackagesPackageID!) { restorePackage(input: { id: $id }) { errors } }
`);

const types: PackageTypeEnum[] = ['COMPOSER', 'CONAN', 'GENERIC', 'GOLANG', 'HELM', 'MAVEN', 'NPM', 'NUGET', 'PYPI', 'RUBYGEMS', 'DEBIAN', 'RPM', 'TERRAFORM_MODULE'];
const statuses: PackageStatus[] = ['DEFAULT', 'HIDDEN', 'PROCESSING', 'ERROR', 'DEPRECATED'];
const sorts: [PackageSort, string][] = [
  ['CREATED_DESC', 'Newest first'], ['CREATED_ASC', 'Oldest first'], ['NAME_ASC', 'Name, A to Z'], ['NAME_DESC', 'Name, Z to A'],
  ['VERSION_ASC', 'Version, ascending'], ['VERSION_DESC', 'Version, descending'], ['TYPE_ASC', 'Type, A to Z'], ['TYPE_DESC', 'Type, Z to A'],
];
const perPage = 20;

type Page = NonNullable<NonNullable<PackageListQuery['project']>['packages']>;

export function PackageList({ scope, fullPath }: { scope: 'project' | 'group'; fullPath: string }) {
  const [params, setParams] = useSearchParams();
  const deleted = scope === 'project' && params.get('tab') === 'deleted';
  const [page, setPage] = useState<Page | null>(null);
  const [missing, setMissing] = useState(false);
  const [canDestroy, setCanDestroy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const query = params.toString();

  const load = useCallback(async () => {
    const p = new URLSearchParams(query);
    const before = p.get('before');
    const answer = await request(PackageListDocument, {
      fullPath,
      group: scope === 'group',
      ...(before ? { last: perPage, before } : { first: perPage, after: p.get('after') }),
      sort: (p.get('sort') as PackageSort | null) ?? 'CREATED_DESC',
      groupSort: (p.get('sort') as PackageSort | null) ?? 'CREATED_DESC',
      packageName: p.get('name') || null,
      packageType: (p.get('type') as PackageTypeEnum | null) || null,
      packageVersion: p.get('version') || null,
      status: deleted ? 'PENDING_DESTRUCTION' : ((p.get('status') as PackageStatus | null) || null),
      includeVersionless: p.get('versionless') === 'true',
    });
    const owner = scope === 'group' ? answer.data?.group : answer.data?.project;
    setMissing(!owner);
    setPage(owner?.packages ?? null);
    setCanDestroy(Boolean(answer.data?.project?.userPermissions.destroyPackage));
  }, [fullPath, scope, query, deleted]);

  useEffect(() => {
    void load();
  }, [load, tick]);
  // Live: any change of a package in this project or group reloads the page.
  useEffect(
    () => subscribe(PackageEventsDocument, scope === 'group' ? { groupPath: fullPath } : { projectPath: fullPath }, () => setTick((t) => t + 1)),
    [scope, fullPath],
  );

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) value ? next.set(key, value) : next.delete(key);
    next.delete('after');
    next.delete('before');
    setParams(next);
  };
  const turn = (cursor: { after?: string | null; before?: string | null }) => {
    const next = new URLSearchParams(params);
    next.delete('after');
    next.delete('before');
    if (cursor.after) next.set('after', cursor.after);
    if (cursor.before) next.set('before', cursor.before);
    setParams(next);
  };
  const restore = async (id: string) => {
    const answer = await request(RestorePackageDocument, { id });
    setMessage(answer.errors?.[0]?.message ?? answer.data?.restorePackage?.errors[0] ?? 'Package restored.');
    setTick((t) => t + 1);
  };

  if (missing) return <h1>{scope === 'group' ? 'Group' : 'Project'} not found</h1>;
  return (
    <>
      <h1>Packages of {fullPath}</h1>
      {scope === 'project' && (
        <nav className="tabs" aria-label="Package lists">
          <Link to="?" aria-current={!deleted ? 'page' : undefined}>Packages</Link>
          <Link to="?tab=deleted" aria-current={deleted ? 'page' : undefined}>Recently deleted</Link>
        </nav>
      )}
      {!deleted && (
        <PackageErrorsCount fullPath={fullPath} isGroupPage={scope === 'group'} canDestroy={canDestroy} refresh={tick} onChange={() => setTick((t) => t + 1)} />
      )}
      {message && <p role="status" className="notice">{message}</p>}
      {!deleted && (
        <form className="filters" aria-label="Filter packages" onSubmit={(e) => e.preventDefault()}>
          <label>Name <input type="search" defaultValue={params.get('name') ?? ''} onChange={(e) => set({ name: e.target.value })} /></label>
          <label>Version <input defaultValue={params.get('version') ?? ''} onChange={(e) => set({ version: e.target.value })} /></label>
          <label>
            Type
            <select value={params.get('type') ?? ''} onChange={(e) => set({ type: e.target.value })}>
              <option value="">All types</option>
              {types.map((t) => <option key={t} value={t}>{t.toLowerCase().replace('_', ' ')}</option>)}
            </select>
          </label>
          <label>
            Status
            <select value={params.get('status') ?? ''} onChange={(e) => set({ status: e.target.value })}>
              <option value="">Default, error, deprecated</option>
              {statuses.map((s) => <option key={s} value={s}>{s.toLowerCase()}</option>)}
            </select>
          </label>
          <label>
            Sort
            <select value={params.get('sort') ?? 'CREATED_DESC'} onChange={(e) => set({ sort: e.target.value })}>
              {sorts.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={params.get('versionless') === 'true'} onChange={(e) => set({ versionless: e.target.checked ? 'true' : null })} />
            Include versionless
          </label>
        </form>
      )}
      {page && (
        <>
          <p className="count">{page.count === 1 ? '1 package' : `${page.count} packages`}</p>
          <PackageRows nodes={page.nodes} restore={deleted && canDestroy ? (node) => void restore(node.id) : undefined} idOf={numericId} />
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={!page.pageInfo.hasPreviousPage} onClick={() => turn({ before: page.pageInfo.startCursor })}>Previous</button>
            <button type="button" disabled={!page.pageInfo.hasNextPage} onClick={() => turn({ after: page.pageInfo.endCursor })}>Next</button>
          </nav>
        </>
      )}
    </>
  );
}
