import SchemaBuilder from '@pothos/core';
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
  };
}

export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypesInput>;

export const builder = new SchemaBuilder<BuilderTypesInput>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'optional',
    cursorType: 'String',
    encodeGlobalID: (typename, id) => encodeGid(typename, id),
    decodeGlobalID: (gid) => decodeGidForNode(gid),
    nodesOnConnection: true,
  },
});

builder.queryType({});
builder.mutationType({});
