import SchemaBuilder, { type InputFieldMap, type InputShapeFromFields } from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLContext } from './context.ts';
import { decodeGidForNode, encodeGid } from './global-id.ts';

interface BuilderTypesInput {
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    Time: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
    /** GitLab's gid argument scalars parse to the numeric id. */
    PackagesPackageID: { Input: number; Output: string | number };
    PackagesPackageFileID: { Input: number; Output: string | number };
    /** GitLab's regex-as-text scalar (PackageSettings' duplicate exception regexes). */
    UntrustedRegexp: { Input: string; Output: string };
  };
}

export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypesInput>;

export const builder = new SchemaBuilder<BuilderTypesInput>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    // Pothos types clientMutationId as ID; GitLab's is String, so gitlabMutationField adds its own.
    clientMutationId: 'omit',
    cursorType: 'String',
    encodeGlobalID: (typename, id) => encodeGid(typename, id),
    decodeGlobalID: (gid) => decodeGidForNode(gid),
    nodesOnConnection: true,
  },
});

builder.queryType({});
builder.mutationType({});

/** What every mutation payload carries (GitLab's Mutations::BaseMutation). */
export interface MutationPayload {
  clientMutationId: string | null;
  errors: string[];
}

// GitLab's own descriptions of the two fields (doc/api/graphql/reference/_index.md).
const clientMutationIdDescription = 'A unique identifier for the client performing the mutation.';
const errorsDescription = 'Errors encountered during execution of the mutation.';

export interface GitlabMutationOptions<Fields extends InputFieldMap> {
  description?: string;
  /** The mutation's own input fields (`clientMutationId` is added). */
  inputFields: (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>) => Fields;
  /** Runs the mutation; returns the payload's `errors`. Throw a GraphQLError for a top-level error. */
  resolve: (input: InputShapeFromFields<Fields>, ctx: GraphQLContext) => Promise<string[]>;
}

/**
 * Declares a mutation shaped as GitLab declares its mutations (graphql-ruby's RelayClassicMutation
 * under Mutations::BaseMutation, app/graphql/mutations/base_mutation.rb, as listed in
 * doc/api/graphql/reference/_index.md): `name(input: <Name>Input!): <Name>Payload`, where the input
 * has the mutation's fields plus `clientMutationId: String`, and the nullable payload has
 * `clientMutationId: String` (the input's, echoed unchanged, also when `errors` is not empty) and
 * `errors: [String!]!`. A thrown error leaves the payload null, with a top-level error.
 */
export function gitlabMutationField<Fields extends InputFieldMap>(name: string, options: GitlabMutationOptions<Fields>): void {
  const typeName = name.charAt(0).toUpperCase() + name.slice(1);
  const input = builder.inputType(`${typeName}Input`, {
    fields: (t) => ({
      ...options.inputFields(t),
      clientMutationId: t.string({ required: false, description: clientMutationIdDescription }),
    }),
  });
  const payload = builder.objectRef<MutationPayload>(`${typeName}Payload`).implement({
    fields: (t) => ({
      clientMutationId: t.exposeString('clientMutationId', { nullable: true, description: clientMutationIdDescription }),
      errors: t.exposeStringList('errors', { description: errorsDescription }),
    }),
  });
  builder.mutationField(name, (t) =>
    t.field({
      type: payload,
      nullable: true,
      description: options.description,
      args: { input: t.arg({ type: input, required: true }) },
      resolve: async (_root, args, ctx) => {
        // Pothos cannot compute the argument's shape for a generic field map; it is this one.
        const given = (args as unknown as { input: InputShapeFromFields<Fields> & { clientMutationId?: string | null } }).input;
        const errors = await options.resolve(given, ctx);
        return { clientMutationId: given.clientMutationId ?? null, errors };
      },
    }),
  );
}
