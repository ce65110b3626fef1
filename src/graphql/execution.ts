// Execution of GraphQL documents: each distinct document is compiled once by graphql-jit (into
// functions that call the same resolvers graphql-js would) and kept in a bounded LRU cache, so a
// frontend's repeated queries skip graphql-js's per-request walk of the document. Variables are
// coerced by graphql-js first: its messages (with our scalars' own, e.g. GitLab's "does not represent
// an instance of") are what clients get for bad variables, as without the compiler.
import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type SourceLocation,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/** Distinct documents kept compiled (GitLab's frontend sends a few dozen). */
const COMPILED_DOCUMENTS = 500;

/**
 * graphql-js's variable coercion of `document`'s operation: the errors graphql-js's `execute` would
 * answer with (no data), or null when the variables are fine.
 */
export function variableErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): ExecutionResult | null {
  const operation = getOperationAST(document, operationName);
  if (!operation?.variableDefinitions?.length) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions, variables ?? {}, { maxErrors: 50 });
  return 'errors' in coerced && coerced.errors ? { errors: coerced.errors } : null;
}

/**
 * graphql-js's answer to an operation whose root type the schema lacks: `Schema is not configured to execute subscription operation.`, no data. graphql-jit
 * would throw compiling it (a 500); GitLab refuses an operation its schema cannot run with an error too.
 * Null when the schema has the root type (or the operation is not found: execution reports that).
 */
export function missingRootType(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): ExecutionResult | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || schema.getRootType(operation.operation)) return null;
  return { errors: [new GraphQLError(`Schema is not configured to execute ${operation.operation} operation.`, { nodes: operation })] };
}

/** Character offsets in `body` of 1-based line/column locations. */
function positionsOf(body: string, locations: readonly SourceLocation[]): number[] {
  const lineStarts = [0];
  for (let i = 0; i < body.length; i++) if (body[i] === '\n') lineStarts.push(i + 1);
  return locations.map(({ line, column }) => (lineStarts[line - 1] ?? 0) + column - 1);
}

/**
 * graphql-jit's errors as graphql-js makes them: jit gives an error its `locations` only, which
 * anything that rebuilds errors from nodes or source positions (yoga's masking and serialisation)
 * drops. Rebuilt with the document's source and positions, they keep their locations.
 */
export function withSourcePositions(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  const source = document.loc?.source;
  if (!result.errors?.length || !source) return result;
  const errors = result.errors.map((error) =>
    error.locations && !error.nodes && !error.positions
      ? new GraphQLError(error.message, {
          source,
          positions: positionsOf(source.body, error.locations),
          path: error.path,
          originalError: error.originalError,
          extensions: error.extensions,
        })
      : error,
  );
  return { ...result, errors };
}

/**
 * The yoga plugins: operations the schema has no root type for refused, graphql-js's variable
 * coercion, then graphql-jit with an LRU of compiled documents (queries and mutations).
 */
export function compiledExecution(): Plugin[] {
  type Cache = NonNullable<NonNullable<Parameters<typeof useGraphQlJit>[1]>['cache']>;
  type Entry = NonNullable<ReturnType<Cache['get']>>;
  const cache = new LRUCache<string, Entry>({ max: COMPILED_DOCUMENTS });
  const coerceVariables: Plugin = {
    // yoga subscribes (rather than executes) for a subscription operation: checked here before jit compiles it.
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal =
        missingRootType(args.schema, args.document, args.operationName) ??
        variableErrors(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown>);
      if (refusal) setResultAndStopExecution(refusal);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const errors =
        missingRootType(args.schema, args.document, args.operationName) ??
        variableErrors(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown>);
      if (errors) {
        setResultAndStopExecution(errors);
        return undefined;
      }
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) setResult(withSourcePositions(result, args.document));
        },
      };
    },
  };
  // Subscriptions run on graphql-js: graphql-jit's compiled `subscribe` passes no arguments to the
  // field's subscribe function.
  const enableIf = (args: { document: DocumentNode; operationName?: string | null }) =>
    getOperationAST(args.document, args.operationName)?.operation !== 'subscription';
  return [coerceVariables, useGraphQlJit({}, { cache, enableIf }) as Plugin];
}
