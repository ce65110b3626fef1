// GitLab's four package delete mutations have exactly GitLab's input and payload fields and types.
import { getNamedType, GraphQLInputObjectType, GraphQLObjectType, isInputObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';

/**
 * GitLab's SDL for the mutations, written out from gitlab-org/gitlab (GitHub mirror gitlabhq/gitlabhq)
 * doc/api/graphql/reference/_index.md, sections `Mutation.destroyPackage`, `Mutation.destroyPackageFile`,
 * `Mutation.destroyPackageFiles` and `Mutation.destroyPackages` ("Arguments" = input fields, "Fields" =
 * payload fields; read at commit 0016ea0586afbe89b5823f3fc254045ce7115af2), which agree with the
 * arguments declared in app/graphql/mutations/packages/destroy.rb, destroy_file.rb, destroy_files.rb and
 * bulk_destroy.rb, and with the `errors` field of app/graphql/mutations/base_mutation.rb.
 */
const gitlab = {
  destroyPackage: {
    input: 'DestroyPackageInput',
    inputFields: { clientMutationId: 'String', id: 'PackagesPackageID!' },
    payloadFields: { clientMutationId: 'String', errors: '[String!]!' },
  },
  destroyPackageFile: {
    input: 'DestroyPackageFileInput',
    inputFields: { clientMutationId: 'String', id: 'PackagesPackageFileID!' },
    payloadFields: { clientMutationId: 'String', errors: '[String!]!' },
  },
  destroyPackageFiles: {
    input: 'DestroyPackageFilesInput',
    inputFields: { clientMutationId: 'String', ids: '[PackagesPackageFileID!]!', projectPath: 'ID!' },
    payloadFields: { clientMutationId: 'String', errors: '[String!]!' },
  },
  destroyPackages: {
    input: 'DestroyPackagesInput',
    inputFields: { clientMutationId: 'String', ids: '[PackagesPackageID!]!' },
    payloadFields: { clientMutationId: 'String', errors: '[String!]!' },
  },
} as const;

const fieldTypes = (type: GraphQLInputObjectType | GraphQLObjectType) =>
  Object.fromEntries(Object.values(type.getFields()).map((field) => [field.name, String(field.type)]));

const mutationField = (name: string) => {
  const field = schema.getMutationType()?.getFields()[name];
  if (!field) throw new Error(`no mutation ${name}`);
  return field;
};

describe.each(Object.entries(gitlab))("%s has GitLab's types", (name, expected) => {
  it('takes one argument `input` of the input type GitLab names, required', () => {
    const field = mutationField(name);
    expect(field.args.map((arg) => `${arg.name}: ${String(arg.type)}`)).toEqual([`input: ${expected.input}!`]);
  });

  it('has every input field of GitLab, with the same type, and no other', () => {
    const input = schema.getType(expected.input);
    expect(isInputObjectType(input)).toBe(true);
    expect(fieldTypes(input as GraphQLInputObjectType)).toEqual(expected.inputFields);
  });

  it('has every payload field of GitLab, with the same type, and no other', () => {
    const payload = getNamedType(mutationField(name).type);
    expect(isObjectType(payload)).toBe(true);
    expect(fieldTypes(payload as GraphQLObjectType)).toEqual(expected.payloadFields);
  });
});

describe('the gateway-only delete mutations', () => {
  it.each(['destroyProjectPackage', 'destroyProjectPackageFile'])('%s has clientMutationId: String and errors: [String!]! as GitLab mutations do', (name) => {
    const field = mutationField(name);
    const input = getNamedType(field.args[0]!.type) as GraphQLInputObjectType;
    expect(fieldTypes(input).clientMutationId).toBe('String');
    expect(fieldTypes(getNamedType(field.type) as GraphQLObjectType)).toEqual({ clientMutationId: 'String', errors: '[String!]!' });
  });
});

describe('every mutation', () => {
  it('types clientMutationId as String, never ID, in its input and its payload', () => {
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const input = getNamedType(field.args.find((arg) => arg.name === 'input')!.type) as GraphQLInputObjectType;
      const payload = getNamedType(field.type) as GraphQLObjectType;
      expect([field.name, String(input.getFields().clientMutationId?.type)]).toEqual([field.name, 'String']);
      expect([field.name, String(payload.getFields().clientMutationId?.type)]).toEqual([field.name, 'String']);
    }
  });
});
