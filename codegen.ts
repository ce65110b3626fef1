import type { CodegenConfig } from '@graphql-codegen/cli';

// `npm run codegen`: the schema SDL (committed; a test fails when it is stale) and typed documents
// for the tests. The schema is loaded from the Pothos code (run under tsx).
const schemaOutput = { plugins: ['schema-ast'], config: { includeDirectives: false } };

export const documentsOutput = {
  preset: 'client' as const,
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    emitLegacyCommonJSImports: false,
    scalars: { Time: 'string', PackagesPackageID: 'string', PackagesPackageFileID: 'string', UntrustedRegexp: 'string' },
  },
};

export const documents = ['test/graphql/documents/*.graphql'];

const config: CodegenConfig = {
  schema: './src/graphql/schema.ts',
  documents,
  generates: {
    'schema.graphql': schemaOutput,
    'test/graphql/generated/': documentsOutput,
  },
};

export default config;
