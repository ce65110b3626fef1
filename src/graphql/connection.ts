import { GraphQLError, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { CursorError, type Page, type PageArgs } from '../domain/pagination.ts';

/** What a connection resolver returns: edges, lazy page info, and (where the type has it) a count. */
export interface ConnectionResult<T> {
  edges: { cursor: string; node: T }[];
  // Typed as Pothos expects; the flags are really promises, read (and so computed) only when asked.
  pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  count?: (limit: number | null | undefined) => Promise<number>;
}

/** Page info is computed only when asked (it may need one more query). */
export function toConnection<T>(page: Page<T>, count?: ConnectionResult<T>['count']): ConnectionResult<T> {
  return {
    edges: page.rows.map((node, i) => ({ cursor: page.cursors[i]!, node })),
    pageInfo: {
      get hasNextPage() {
        return page.hasNextPage() as unknown as boolean;
      },
      get hasPreviousPage() {
        return page.hasPreviousPage() as unknown as boolean;
      },
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors.at(-1) ?? null,
    },
    count,
  };
}

/** Runs a page query, turning a bad cursor or page size into a GraphQL error naming the argument. */
export async function pageOrError<T>(run: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CursorError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
}

/** Description of the gateway's `offset` argument on the connections offset-paged clients read. */
export const offsetDescription =
  'Skip this many rows of the ordering before the page (beyond GitLab: offset paging, as GitLab\'s REST API pages). Only with `first`.';

export const pageArgs = (args: PageArgs): PageArgs => ({
  first: args.first,
  last: args.last,
  after: args.after,
  before: args.before,
  offset: args.offset,
});

/**
 * The fields (with their arguments) selected on the nodes of a connection field, through `nodes`
 * and `edges { node }`, fragments included: used to fetch relations with the page itself.
 */
export function selectedNodeFields(info: GraphQLResolveInfo): Map<string, Record<string, unknown>> {
  const result = new Map<string, Record<string, unknown>>();
  const visit = (set: SelectionSetNode | undefined, depth: 'connection' | 'edge' | 'node') => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (depth === 'connection' && name === 'nodes') visit(selection.selectionSet, 'node');
        else if (depth === 'connection' && name === 'edges') visit(selection.selectionSet, 'edge');
        else if (depth === 'edge' && name === 'node') visit(selection.selectionSet, 'node');
        else if (depth === 'node') {
          const args: Record<string, unknown> = {};
          for (const arg of selection.arguments ?? []) {
            if (arg.value.kind === Kind.INT) args[arg.name.value] = Number(arg.value.value);
            else if (arg.value.kind === Kind.VARIABLE) args[arg.name.value] = info.variableValues[arg.value.name.value];
            else args[arg.name.value] = arg.value.kind;
          }
          result.set(name, args);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth);
      } else {
        visit(info.fragments[selection.name.value]?.selectionSet, depth);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 'connection');
  return result;
}
