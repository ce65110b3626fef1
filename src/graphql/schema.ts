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
import './project-permissions.ts';
import './project-package.ts';
import './package-build-info.ts';
import './package-metadata.ts';
import './package-dependency-links.ts';
import './package-install-urls.ts';
import './package-settings.ts';
import './package-extras.ts';
import './destroy-project-package.ts';

export const schema = builder.toSchema({ sortSchema: false });
