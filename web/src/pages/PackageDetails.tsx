// `/:project/-/packages/:id`: a package as GitLab shows it: the install commands for its type, its
// metadata and dependencies, its files with size, checksums and a download link, its pipelines and
// other versions, and the delete buttons when the viewer may delete (each confirmed; a protected
// package shows GitLab's refusal).
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { request } from '../api';
import { graphql } from '../gql';
import type { PackageDetailsQuery } from '../gql/graphql';
import { installSections } from '../details/install-commands';
import { PackageDependencies, PackageMetadata } from '../details/PackageMetadata';
import { packageGid, projectPackagesPath } from '../paths';
import { TypeIcon } from '../TypeIcon';

const PackageDetailsDocument = graphql(`
  query PackageDetails($id: PackagesPackageID!) {
    package(id: $id) {
      id name version packageType status createdAt protectionRuleExists
      npmUrl mavenUrl pypiUrl pypiSetupUrl nugetUrl conanUrl composerUrl composerConfigRepositoryUrl
      project { fullPath }
      metadata {
        __typename
        ... on MavenMetadata { appGroup appName appVersion path }
        ... on ConanMetadata { recipe packageUsername packageChannel }
        ... on NugetMetadata { projectUrl licenseUrl iconUrl }
        ... on PypiMetadata { requiredPython authorEmail summary keywords }
        ... on ComposerMetadata { targetSha composerJson { license version type } }
      }
      dependencyLinks(first: 100) {
        nodes {
          id dependencyType
          dependency { name versionPattern }
          metadata { __typename ... on NugetDependencyLinkMetadata { targetFramework } }
        }
      }
      userPermissions { destroyPackage }
      tags { nodes { name } }
      packageFiles(first: 100) { nodes { id fileName size fileMd5 fileSha1 fileSha256 downloadPath createdAt } }
      pipelines(first: 5) { nodes { id ref sha status createdAt } }
      versions(first: 20) { nodes { id version _links { webPath } } }
    }
  }
`);
const DestroyPackageDocument = graphql(`mutation DestroyPackage($id: PackagesPackageID!) { destroyPackage(input: { id: $id }) { errors } }`);
const DestroyFileDocument = graphql(`mutation DestroyPackageFile($id: PackagesPackageFileID!) { destroyPackageFile(input: { id: $id }) { errors } }`);

type Details = NonNullable<PackageDetailsQuery['package']>;

export function PackageDetails({ fullPath, id }: { fullPath: string; id: number }) {
  const navigate = useNavigate();
  const [pkg, setPkg] = useState<Details | null | undefined>(undefined);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => setPkg((await request(PackageDetailsDocument, { id: packageGid(id) })).data?.package ?? null), [id]);
  useEffect(() => void load(), [load]);

  if (pkg === undefined) return <p>Loading…</p>;
  if (pkg === null || pkg.project.fullPath !== fullPath) return <h1>Package not found</h1>;
  const refusal = (errors: readonly string[] | undefined, top: { message: string }[] | undefined) => top?.[0]?.message ?? errors?.[0] ?? null;

  const deletePackage = async () => {
    if (!window.confirm(`You are about to delete ${pkg.name}. Are you sure? Deleting a package cannot be undone.`)) return;
    const answer = await request(DestroyPackageDocument, { id: pkg.id });
    const error = refusal(answer.data?.destroyPackage?.errors, answer.errors);
    if (error) setMessage(error);
    else void navigate(`${projectPackagesPath(fullPath)}?tab=deleted`);
  };
  const deleteFile = async (file: { id: string; fileName: string }) => {
    if (!window.confirm(`You are about to delete ${file.fileName}. Are you sure?`)) return;
    const answer = await request(DestroyFileDocument, { id: file.id });
    setMessage(refusal(answer.data?.destroyPackageFile?.errors, answer.errors) ?? `${file.fileName} deleted.`);
    void load();
  };

  const sections = installSections(pkg, window.location.origin);
  return (
    <>
      <p><Link to={projectPackagesPath(fullPath)}>Packages of {fullPath}</Link></p>
      <h1>{pkg.name} {pkg.version}</h1>
      <p>
        <TypeIcon type={pkg.packageType} /> <span className="type">{pkg.packageType.toLowerCase()}</span> · created <time dateTime={pkg.createdAt}>{pkg.createdAt.slice(0, 10)}</time>
        {pkg.protectionRuleExists && <span className="badge">protected</span>}
        {pkg.tags?.nodes.map((t) => <span key={t.name} className="tag">{t.name}</span>)}
      </p>
      {message && <p role="alert" className="notice">{message}</p>}
      {sections.map((section) => (
        <section key={section.title} aria-label={section.title}>
          <h2>{section.title}</h2>
          {section.commands.map((c) => (
            <figure key={c.label} className="command">
              <figcaption>{c.label}</figcaption>
              <pre><code>{c.command}</code></pre>
            </figure>
          ))}
        </section>
      ))}
      <PackageMetadata metadata={pkg.metadata} />
      <PackageDependencies links={pkg.dependencyLinks?.nodes ?? []} />
      <section aria-labelledby="files">
        <h2 id="files">Files</h2>
        <table className="files">
          <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Checksums</th>{pkg.userPermissions.destroyPackage && <th scope="col"><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {pkg.packageFiles?.nodes.map((file) => (
              <tr key={file.id}>
                <td><a href={file.downloadPath} download>{file.fileName}</a></td>
                <td>{file.size} bytes</td>
                <td>
                  <dl className="checksums">
                    {file.fileSha256 && <div><dt>SHA-256</dt><dd><code className="sha">{file.fileSha256}</code></dd></div>}
                    {file.fileSha1 && <div><dt>SHA-1</dt><dd><code>{file.fileSha1}</code></dd></div>}
                    {file.fileMd5 && <div><dt>MD5</dt><dd><code>{file.fileMd5}</code></dd></div>}
                  </dl>
                </td>
                {pkg.userPermissions.destroyPackage && <td><button type="button" onClick={() => void deleteFile(file)}>Delete {file.fileName}</button></td>}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="pipelines">
        <h2 id="pipelines">Pipelines</h2>
        {pkg.pipelines?.nodes.length ? (
          <ul>{pkg.pipelines.nodes.map((p) => <li key={p.id}>{p.ref} {p.sha.slice(0, 8)} {p.status.toLowerCase()}</li>)}</ul>
        ) : <p>No pipelines.</p>}
      </section>
      <section aria-labelledby="versions">
        <h2 id="versions">Other versions</h2>
        {pkg.versions?.nodes.length ? (
          <ul>{pkg.versions.nodes.map((v) => <li key={v.id}>{v._links.webPath ? <Link to={v._links.webPath}>{v.version}</Link> : v.version}</li>)}</ul>
        ) : <p>None.</p>}
      </section>
      {pkg.userPermissions.destroyPackage && (
        <button type="button" className="danger" onClick={() => void deletePackage()}>Delete package</button>
      )}
    </>
  );
}
