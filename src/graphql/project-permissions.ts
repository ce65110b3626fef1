// Project.userPermissions: GitLab's ProjectPermissions, with the abilities of the package domain.
import type { Project } from '../generated/prisma/client.ts';
import { canDestroyPackages, canReadPackages, canReadPipelines, canReadProject } from '../domain/policy.ts';
import { builder } from './builder.ts';
import { ProjectRef } from './project.ts';

export const ProjectPermissionsRef = builder.objectRef<Project>('ProjectPermissions');

ProjectPermissionsRef.implement({
  description: 'Permissions of the current user on a project (the abilities of the package registry).',
  fields: (t) => ({
    readProject: t.boolean({
      description: 'If `true`, the user can perform `read_project` on this resource.',
      resolve: (project, _args, ctx) => canReadProject(ctx.viewer, project),
    }),
    readPackage: t.boolean({
      description:
        'If `true`, the user can perform `read_package` on this resource: read the packages (beyond GitLab; false when the package registry is off).',
      resolve: (project, _args, ctx) => canReadPackages(ctx.viewer, project),
    }),
    destroyPackage: t.boolean({
      description: 'If `true`, the user can perform `destroy_package` on this resource (beyond GitLab).',
      resolve: (project, _args, ctx) => canDestroyPackages(ctx.viewer, project),
    }),
    readPipeline: t.boolean({
      description: 'If `true`, the user can perform `read_pipeline` on this resource (beyond GitLab).',
      resolve: (project, _args, ctx) => canReadPipelines(ctx.viewer, project),
    }),
  }),
});

builder.objectField(ProjectRef, 'userPermissions', (t) =>
  t.field({
    type: ProjectPermissionsRef,
    description: 'Permissions of the current user on the project.',
    resolve: (project) => project,
  }),
);
