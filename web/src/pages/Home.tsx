// `/`: the groups and projects the viewer can see, each with its package count (GitLab's Query.groups
// and Query.projects, a page of 20 each with keyset pages in the URL), and a search over package names
// in the first 20 top-level groups the viewer can see (their subgroups included; the first 10 matches
// of each).
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { request } from '../api';
import { graphql } from '../gql';
import type { HomeQuery, PackageSearchQuery } from '../gql/graphql';
import { groupPackagesPath, projectPackagesPath } from '../paths';
import { TypeIcon } from '../TypeIcon';

const HomeDocument = graphql(`
  query Home($groupsAfter: String, $projectsAfter: String) {
    groups(first: 20, after: $groupsAfter, sort: "name_asc") {
      nodes { id name fullPath visibility packages { count } }
      pageInfo { hasNextPage endCursor }
    }
    projects(first: 20, after: $projectsAfter, sort: "name_asc") {
      nodes { id name fullPath visibility packages { count } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const PackageSearchDocument = graphql(`
  query PackageSearch($name: String!) {
    groups(first: 20, topLevelOnly: true) {
      nodes {
        id fullPath
        packages(first: 10, packageName: $name, sort: NAME_ASC) {
          count
          nodes { id name version packageType project { fullPath } _links { webPath } }
        }
      }
    }
  }
`);

type Listing = NonNullable<HomeQuery['groups']>;
type Found = NonNullable<NonNullable<PackageSearchQuery['groups']>['nodes'][number]['packages']>['nodes'][number];

function Places({ title, listing, pathOf, pageParam }: { title: string; listing: Listing | null | undefined; pathOf: (fullPath: string) => string; pageParam: string }) {
  const [params] = useSearchParams();
  const next = new URLSearchParams(params);
  if (listing?.pageInfo.endCursor) next.set(pageParam, listing.pageInfo.endCursor);
  return (
    <section aria-labelledby={`${pageParam}-title`}>
      <h2 id={`${pageParam}-title`}>{title}</h2>
      {!listing?.nodes.length ? (
        <p>None to show.</p>
      ) : (
        <table className="places">
          <thead><tr><th scope="col">Name</th><th scope="col">Path</th><th scope="col">Visibility</th><th scope="col">Packages</th></tr></thead>
          <tbody>
            {listing.nodes.map((node) => (
              <tr key={node.id}>
                <td><Link to={pathOf(node.fullPath)}>{node.name}</Link></td>
                <td>{node.fullPath}</td>
                <td>{node.visibility}</td>
                <td>{node.packages?.count ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(params.has(pageParam) || listing?.pageInfo.hasNextPage) && (
        <nav className="pager" aria-label={`${title} pages`}>
          {params.has(pageParam) && <Link to={`?${new URLSearchParams([...params].filter(([k]) => k !== pageParam)).toString()}`}>First page</Link>}
          {listing?.pageInfo.hasNextPage && <Link to={`?${next.toString()}`}>Next {title.toLowerCase()}</Link>}
        </nav>
      )}
    </section>
  );
}

export function Home() {
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const [draft, setDraft] = useState(search);
  const [home, setHome] = useState<HomeQuery | null>(null);
  const [found, setFound] = useState<Found[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const groupsAfter = params.get('groups_after');
  const projectsAfter = params.get('projects_after');

  useEffect(() => {
    void request(HomeDocument, { groupsAfter, projectsAfter }).then((answer) => setHome(answer.data ?? null));
  }, [groupsAfter, projectsAfter]);
  useEffect(() => {
    setDraft(search);
    if (!search) return setFound(null);
    void request(PackageSearchDocument, { name: search }).then((answer) => {
      setSearchError(answer.errors?.[0]?.message ?? null);
      setFound((answer.data?.groups?.nodes ?? []).flatMap((group) => group.packages?.nodes ?? []));
    });
  }, [search]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams(params);
    if (draft.trim()) next.set('search', draft.trim());
    else next.delete('search');
    setParams(next);
  };
  return (
    <>
      <h1>Package Registry</h1>
      <form onSubmit={submit} className="search" role="search">
        <label>
          Search packages by name
          <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {found && (
        <section aria-labelledby="results">
          <h2 id="results">Packages matching “{search}”</h2>
          {searchError && <p role="alert" className="notice">{searchError}</p>}
          {found.length === 0 ? (
            <p>No package matches.</p>
          ) : (
            <ul className="results">
              {found.map((pkg) => (
                <li key={pkg.id}>
                  <TypeIcon type={pkg.packageType} />{' '}
                  {pkg._links.webPath ? <Link to={pkg._links.webPath}>{pkg.name}</Link> : pkg.name} {pkg.version} · {pkg.packageType.toLowerCase()} ·{' '}
                  <Link to={projectPackagesPath(pkg.project.fullPath)}>{pkg.project.fullPath}</Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {home === null ? <p>Loading…</p> : (
        <>
          <Places title="Groups" listing={home.groups} pathOf={groupPackagesPath} pageParam="groups_after" />
          <Places title="Projects" listing={home.projects} pathOf={projectPackagesPath} pageParam="projects_after" />
        </>
      )}
    </>
  );
}
