// Imports every type file, then builds the schema.
import { isObjectType } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './enums.ts';
import './user.ts';
import './project.ts';
import './group.ts';
import './package.ts';
import './package-file.ts';
import './pipeline.ts';
import './project-permissions.ts';
import './project-package.ts';
import './package-build-info.ts';
import './package-metadata.ts';
import './package-dependency-links.ts';
import './package-install-urls.ts';
import './package-settings.ts';
import './package-extras.ts';
import './destroy-project-package.ts';
import './restore-package.ts';
import './package-events.ts';

export const schema = builder.toSchema({ sortSchema: false });

// PageInfo's flags are promises, computed only when asked (connection.ts). graphql-js awaits a promise
// read from a property, graphql-jit does not: explicit resolvers make both executors await them.
const pageInfo = schema.getType('PageInfo');
if (!isObjectType(pageInfo)) throw new Error('the schema has no PageInfo type');
for (const name of ['hasNextPage', 'hasPreviousPage'] as const) {
  pageInfo.getFields()[name]!.resolve = (parent: Record<typeof name, Promise<boolean> | boolean>) => parent[name];
}
