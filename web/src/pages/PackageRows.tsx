// The rows of a package list: name (a link to the details), version, type, tags, the latest pipeline,
// the protected badge, the date, and (in "Recently deleted") Restore.
import { Link } from 'react-router';
import type { PackagePageFragment } from '../gql/graphql';
import { TypeIcon } from '../TypeIcon';

type Node = PackagePageFragment['nodes'][number];

export function PackageRows({ nodes, restore, idOf }: { nodes: Node[]; restore?: ((node: Node) => void) | undefined; idOf: (gid: string) => number }) {
  if (nodes.length === 0) return <p>There are no packages yet.</p>;
  return (
    <table className="packages">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Version</th>
          <th scope="col">Type</th>
          <th scope="col">Tags</th>
          <th scope="col">Pipeline</th>
          <th scope="col">Created</th>
          {restore && <th scope="col"><span className="sr-only">Actions</span></th>}
        </tr>
      </thead>
      <tbody>
        {nodes.map((node) => {
          const pipeline = node.pipelines?.nodes[0];
          const href = node._links.webPath ?? `/${node.project.fullPath}/-/packages/${idOf(node.id)}`;
          return (
            <tr key={node.id}>
              <td>
                {restore ? node.name : <Link to={href}>{node.name}</Link>}
                {node.protectionRuleExists && <span className="badge" title="A protection rule applies to this package">protected</span>}
                {node.status === 'ERROR' && <span className="badge error">error</span>}
              </td>
              <td>{node.version ?? '—'}</td>
              <td><TypeIcon type={node.packageType} /> {node.packageType.toLowerCase()}</td>
              <td>{node.tags?.nodes.map((t) => <span key={t.name} className="tag">{t.name}</span>)}</td>
              <td>{pipeline ? `${pipeline.ref ?? ''} ${pipeline.sha.slice(0, 8)} ${pipeline.status.toLowerCase()}` : '—'}</td>
              <td><time dateTime={node.createdAt}>{node.createdAt.slice(0, 10)}</time></td>
              {restore && (
                <td><button type="button" onClick={() => restore(node)}>Restore {node.name}</button></td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
