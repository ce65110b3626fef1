import type { CodegenConfig } from '@graphql-codegen/cli';

// The web interface's typed documents (`npm run build:web`), from the committed schema.graphql: the
// `graphql()` calls in web/src become typed document strings in web/src/gql/ (generated, not in git).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['web/src/**/*.tsx', 'web/src/**/*.ts', '!web/src/gql/**'],
  generates: {
    'web/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Time: 'string', PackagesPackageID: 'string', PackagesPackageFileID: 'string', UntrustedRegexp: 'string' },
      },
    },
  },
  silent: true,
};

export default config;
