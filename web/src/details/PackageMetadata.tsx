// A package's metadata as GitLab's details page lists it (components/details/metadata/*.vue), and its
// dependencies (dependency_row.vue: name, version pattern, and the target framework of NuGet ones).

type Metadata =
  | { __typename: 'MavenMetadata'; appGroup: string; appName: string; appVersion?: string | null; path: string }
  | { __typename: 'ConanMetadata'; recipe: string; packageUsername: string; packageChannel: string }
  | { __typename: 'NugetMetadata'; projectUrl?: string | null; licenseUrl?: string | null; iconUrl?: string | null }
  | { __typename: 'PypiMetadata'; requiredPython?: string | null; authorEmail?: string | null; summary?: string | null; keywords?: string | null }
  | { __typename: 'ComposerMetadata'; targetSha: string; composerJson: { license?: string | null; version?: string | null; type?: string | null } };

export interface DependencyLink {
  id: string;
  dependencyType: string;
  dependency?: { name: string; versionPattern: string } | null;
  metadata?: { __typename?: string; targetFramework?: string } | null;
}

/** The rows GitLab shows for a metadata type: label and value (values that are not set are left out). */
function metadataRows(metadata: Metadata): [string, string | null | undefined][] {
  switch (metadata.__typename) {
    case 'MavenMetadata':
      return [['App group', metadata.appGroup], ['App name', metadata.appName], ['App version', metadata.appVersion], ['Path', metadata.path]];
    case 'ConanMetadata':
      return [['Recipe', metadata.recipe], ['Package username', metadata.packageUsername], ['Package channel', metadata.packageChannel]];
    case 'NugetMetadata':
      return [['Project URL', metadata.projectUrl], ['License URL', metadata.licenseUrl], ['Icon URL', metadata.iconUrl]];
    case 'PypiMetadata':
      return [['Required Python', metadata.requiredPython], ['Author email', metadata.authorEmail], ['Summary', metadata.summary], ['Keywords', metadata.keywords]];
    case 'ComposerMetadata':
      return [['Target SHA', metadata.targetSha], ['Composer.json license', metadata.composerJson.license], ['Composer.json version', metadata.composerJson.version], ['Composer.json type', metadata.composerJson.type]];
  }
}

const isUrl = (value: string) => /^https?:\/\//.test(value);

export function PackageMetadata({ metadata }: { metadata: Metadata | null | undefined }) {
  if (!metadata) return null;
  const rows = metadataRows(metadata).filter((row): row is [string, string] => Boolean(row[1]));
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="metadata">
      <h2 id="metadata">Additional metadata</h2>
      <dl className="metadata">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{isUrl(value) ? <a href={value} rel="noreferrer noopener">{value}</a> : value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function PackageDependencies({ links }: { links: readonly DependencyLink[] }) {
  return (
    <section aria-labelledby="dependencies">
      <h2 id="dependencies">Dependencies ({links.length})</h2>
      {links.length === 0 ? (
        <p>This package has no dependencies.</p>
      ) : (
        <table className="dependencies">
          <thead><tr><th scope="col">Name</th><th scope="col">Version pattern</th><th scope="col">Type</th><th scope="col">Target framework</th></tr></thead>
          <tbody>
            {links.map((link) => (
              <tr key={link.id}>
                <td>{link.dependency?.name}</td>
                <td><code>{link.dependency?.versionPattern}</code></td>
                <td>{link.dependencyType.toLowerCase()}</td>
                <td>{link.metadata?.targetFramework ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
