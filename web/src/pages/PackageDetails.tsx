// `/:project/-/packages/:id`: a package as GitLab shows it: the install command for its type, its
// files with size, SHA-256 and a download link, its pipelines and other versions, and the delete
// buttons when the viewer may delete (each confirmed; a protected package shows GitLab's refusal).
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { request } from '../api';
import { graphql } from '../gql';
import type { PackageDetailsQuery } from '../gql/graphql';
import { packageGid, projectPackagesPath } from '../paths';

const PackageDetailsDocument = graphql(`
  query PackageDetails($id: PackagesPackageID!) {
    package(id: $id) {
      id name version packageType status createdAt protectionRuleExists
      npmUrl mavenUrl pypiUrl nugetUrl conanUrl composerUrl
      project { fullPath }
      userPermissions { destroyPackage }
      tags { nodes { name } }
      packageFiles(first: 100) { nodes { id fileName size fileSha256 downloadPath createdAt } }
      pipelines(first: 5) { nodes { id ref sha status createdAt } }
      versions(first: 20) { nodes { id version _links { webPath } } }
    }
  }
`);
const DestroyPackageDocument = graphql(`mutation DestroyPackage($id: PackagesPackageID!) { destroyPackage(input: { id: $id }) { errors } }`);
const DestroyFileDocument = graphql(`mutation DestroyPackageFile($id: PackagesPackageFileID!) { destroyPackageFile(input: { id: $id }) { errors } }`);

type Details = NonNullable<PackageDetailsQuery['package']>;

/** The install command GitLab shows for the type. */
function installCommand(pkg: Details): string {
  const origin = window.location.origin;
  switch (pkg.packageType) {
    case 'NPM': return `npm i ${pkg.name}@${pkg.version ?? ''} --registry=${pkg.npmUrl ?? `${origin}/api/v4/packages/npm/`}`;
    case 'MAVEN': return `mvn dependency:get -Dartifact=${pkg.name.replace('/', ':')}:${pkg.version ?? ''} -DremoteRepositories=${pkg.mavenUrl ?? ''}`;
    case 'PYPI': return `pip install ${pkg.name}==${pkg.version ?? ''} --index-url ${pkg.pypiUrl ?? ''}`;
    case 'NUGET': return `dotnet add package ${pkg.name} -v ${pkg.version ?? ''} # source: ${pkg.nugetUrl ?? ''}`;
    case 'CONAN': return `conan install ${pkg.name} --remote=gitlab # remote: ${pkg.conanUrl ?? ''}`;
    case 'COMPOSER': return `composer req ${pkg.name}:${pkg.version ?? ''} # repository: ${pkg.composerUrl ?? ''}`;
    default: return pkg.packageFiles?.nodes[0] ? `curl --header "PRIVATE-TOKEN: <your_access_token>" -O ${origin}${pkg.packageFiles.nodes[0].downloadPath}` : '';
  }
}

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

  const command = installCommand(pkg);
  return (
    <>
      <p><Link to={projectPackagesPath(fullPath)}>Packages of {fullPath}</Link></p>
      <h1>{pkg.name} {pkg.version}</h1>
      <p>
        <span className="type">{pkg.packageType.toLowerCase()}</span> · created <time dateTime={pkg.createdAt}>{pkg.createdAt.slice(0, 10)}</time>
        {pkg.protectionRuleExists && <span className="badge">protected</span>}
        {pkg.tags?.nodes.map((t) => <span key={t.name} className="tag">{t.name}</span>)}
      </p>
      {message && <p role="alert" className="notice">{message}</p>}
      {command && (<section aria-labelledby="install"><h2 id="install">Installation</h2><pre><code>{command}</code></pre></section>)}
      <section aria-labelledby="files">
        <h2 id="files">Files</h2>
        <table className="files">
          <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">SHA-256</th>{pkg.userPermissions.destroyPackage && <th scope="col"><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {pkg.packageFiles?.nodes.map((file) => (
              <tr key={file.id}>
                <td><a href={file.downloadPath} download>{file.fileName}</a></td>
                <td>{file.size} bytes</td>
                <td><code className="sha">{file.fileSha256}</code></td>
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
