// The "failed to publish" alert of GitLab's package list (components/list/package_errors_count.vue),
// on GitLab's own getPackageErrorsCount document: one errored package is named with its status message
// (and may be deleted from here), several are counted with a link to the list of packages with errors.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { request } from '../api';
import { graphql } from '../gql';
import type { GetPackageErrorsCountQuery } from '../gql/graphql';

const GetPackageErrorsCountDocument = graphql(`
  query getPackageErrorsCount($fullPath: ID!, $isGroupPage: Boolean!) {
    project(fullPath: $fullPath) @skip(if: $isGroupPage) {
      id
      packages(status: ERROR, sort: CREATED_DESC, last: 1) {
        count
        nodes {
          id
          name
          statusMessage
          version
        }
      }
    }
    group(fullPath: $fullPath) @include(if: $isGroupPage) {
      id
      packages(status: ERROR, sort: CREATED_DESC, last: 1) {
        count
        nodes {
          id
          name
          statusMessage
          version
        }
      }
    }
  }
`);

const DestroyErroredPackageDocument = graphql(`mutation DestroyErroredPackage($id: PackagesPackageID!) { destroyPackage(input: { id: $id }) { errors } }`);

/** GitLab's text for an errored package without a status message. */
const erroredPackageText = 'Invalid Package: failed metadata extraction';

type Errored = NonNullable<NonNullable<GetPackageErrorsCountQuery['project']>['packages']>;

export function PackageErrorsCount({ fullPath, isGroupPage, canDestroy, refresh, onChange }: {
  fullPath: string;
  isGroupPage: boolean;
  canDestroy: boolean;
  /** Changes when the list reloads (a live event, a restore): the count is asked again. */
  refresh: number;
  onChange: () => void;
}) {
  const [errored, setErrored] = useState<Errored | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    void request(GetPackageErrorsCountDocument, { fullPath, isGroupPage }).then((answer) =>
      setErrored((isGroupPage ? answer.data?.group : answer.data?.project)?.packages ?? null),
    );
  }, [fullPath, isGroupPage, refresh]);

  if (!errored || errored.count === 0) return message ? <p role="status" className="notice">{message}</p> : null;
  const single = errored.count === 1 ? errored.nodes[0] : undefined;
  const remove = async () => {
    if (!single || !window.confirm(`You are about to delete ${single.name}. Are you sure? Deleting a package cannot be undone.`)) return;
    const answer = await request(DestroyErroredPackageDocument, { id: single.id });
    setMessage(answer.errors?.[0]?.message ?? answer.data?.destroyPackage?.errors[0] ?? 'Package deleted successfully');
    onChange();
  };
  return (
    <div className="alert danger" role="alert">
      <h2>{single ? `There was an error publishing ${single.name}` : `There was an error publishing ${errored.count} packages`}</h2>
      <p>{single ? `${single.statusMessage || erroredPackageText}. Delete this package and try again.` : `Failed to publish ${errored.count} packages. Delete these packages and try again.`}</p>
      {single ? (
        canDestroy && <button type="button" onClick={() => void remove()}>Delete this package</button>
      ) : (
        <Link to="?status=ERROR">Show packages with errors</Link>
      )}
      {message && <p role="status">{message}</p>}
    </div>
  );
}
