// Imports every type file, then builds the schema.
import { builder } from './builder.ts';
import './scalars.ts';
import './enums.ts';
import './user.ts';
import './project.ts';
import './group.ts';
import './package.ts';
import './package-file.ts';
import './pipeline.ts';

export const schema = builder.toSchema({ sortSchema: false });
