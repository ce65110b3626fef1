// Before the suite: the typed documents of test/graphql (gitignored), generated against the committed
// schema.graphql (which schema-artifact.test.ts holds equal to the live schema), so a document that
// no longer validates fails the run.
import { generate } from '@graphql-codegen/cli';
import { documents, documentsOutput } from '../../codegen.ts';

export default async function setup() {
  await generate({ schema: 'schema.graphql', documents, generates: { 'test/graphql/generated/': documentsOutput }, silent: true }, true);
}
