import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../domain/viewer.ts';

export const limits = {
  anonymousDepth: 15,
  signedInDepth: 20,
  // Bounds fan-out (page sizes multiply); high enough that depth alone never reaches it within the depth limits.
  maxCost: 50_000,
  maxAliases: 30,
  maxTokens: 5_000,
  maxDirectives: 50,
  /** Bytes of a GraphQL document (GitLab's own frontend documents are under 2 KB). */
  maxDocumentBytes: 64 * 1024,
  /** Bytes of a request body at /api/graphql: the document and its variables. */
  maxRequestBytes: 256 * 1024,
};

const introspectionRoots = new Set(['__schema', '__type']);

/**
 * The depth of a document's deepest operation, counted as GitLab (graphql-ruby's max_depth) counts
 * it: every field is one level below its parent, the root field is level 1, an inline fragment or a
 * named fragment's spread adds no level of its own (its fields count where it is spread).
 * Introspection (`__schema`, `__type`) is not counted. A fragment spread inside its own definition
 * (invalid, refused by validation later) is not followed.
 */
export function documentDepth(document: DocumentNode): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  const fragmentDepths = new Map<string, number>();
  const depthOf = (selectionSet: SelectionSetNode | undefined, spreading: Set<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (!introspectionRoots.has(selection.name.value)) deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, spreading));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, spreading));
      } else {
        const name = selection.name.value;
        if (spreading.has(name)) continue;
        let depth = fragmentDepths.get(name);
        if (depth === undefined) {
          spreading.add(name);
          depth = depthOf(fragments.get(name), spreading);
          spreading.delete(name);
          fragmentDepths.set(name, depth);
        }
        deepest = Math.max(deepest, depth);
      }
    }
    return deepest;
  };
  let deepest = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) deepest = Math.max(deepest, depthOf(definition.selectionSet, new Set()));
  }
  return deepest;
}

/**
 * GitLab's depth limit: 15 for anonymous viewers, 20 for signed-in ones. The limit depends on the
 * viewer, so it is checked before execution rather than as a validation rule (yoga caches validation
 * per document, whoever sent it); the depth itself is computed once per parsed document. Over the
 * limit, the answer is GitLab's error alone: nothing is executed.
 */
function depthLimit(): Plugin<{ viewer?: Viewer }> {
  const depths = new WeakMap<DocumentNode, number>();
  const refusal = (document: DocumentNode, viewer: Viewer | undefined): GraphQLError | null => {
    const limit = viewer?.kind === 'user' ? limits.signedInDepth : limits.anonymousDepth;
    let depth = depths.get(document);
    if (depth === undefined) depths.set(document, (depth = documentDepth(document)));
    return depth > limit ? new GraphQLError(`Query has depth of ${depth}, which exceeds max depth of ${limit}`) : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args.document, args.contextValue.viewer);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args.document, args.contextValue.viewer);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/**
 * A document over `limits.maxDocumentBytes` is refused before it is parsed. The parameters are the
 * request's JSON as sent: a `query` that is not a string (null, a number, an object) is measured as
 * nothing here and refused by yoga's own check of the parameters (400, `errors`), as GitLab refuses a
 * request without a query string.
 */
const documentSize: Plugin = {
  onParams({ params, setResult }) {
    const query: unknown = params.query;
    const bytes = typeof query === 'string' ? Buffer.byteLength(query) : 0;
    if (bytes > limits.maxDocumentBytes) {
      setResult({ errors: [new GraphQLError(`Query too large: ${bytes} bytes, the limit is ${limits.maxDocumentBytes} bytes`)] });
    }
  },
};

/** Abuse limits, composed in one place. */
export function graphqlPlugins(): Plugin[] {
  return [
    documentSize,
    depthLimit() as Plugin,
    EnvelopArmorPlugin({
      maxDepth: { enabled: false },
      // Fragments add no depth, for the cost as for the depth limit.
      costLimit: { maxCost: limits.maxCost, flattenFragments: true },
      maxAliases: { n: limits.maxAliases },
      maxTokens: { n: limits.maxTokens },
      maxDirectives: { n: limits.maxDirectives },
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
  ];
}
