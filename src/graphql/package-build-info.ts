// Build infos (beyond GitLab's GraphQL): what links a package to the pipelines that built it. GitLab's
// REST API shows a package's `pipeline` from its most recent build info and pages its pipelines by
// build info; these fields give the same data.
import { findBuildInfosPage } from '../domain/build-infos.ts';
import type { BuildInfoWithPipeline } from '../domain/package-json.ts';
import { canReadPipelines } from '../domain/policy.ts';
import { builder } from './builder.ts';
import { pageArgs, pageOrError, toConnection } from './connection.ts';
import { PackageBaseRef, PackageDetailsRef, PackageRef } from './package.ts';
import { PipelineRef } from './pipeline.ts';
import { readableProject } from './project.ts';

export const PackageBuildInfoRef = builder.objectRef<BuildInfoWithPipeline>('PackageBuildInfo');

PackageBuildInfoRef.implement({
  description: 'A link between a package and a pipeline that built it (beyond GitLab).',
  fields: (t) => ({
    id: t.globalID({ resolve: (info) => ({ type: 'PackageBuildInfo', id: info.id }) }),
    pipeline: t.field({
      type: PipelineRef,
      nullable: true,
      description: 'The pipeline; null when it was deleted or the viewer may not read the project\'s pipelines.',
      resolve: async (info, _args, ctx) => {
        if (!info.pipeline) return null;
        const project = await readableProject(ctx, info.pipeline.projectId);
        return project && canReadPipelines(ctx.viewer, project) ? info.pipeline : null;
      },
    }),
  }),
});

export const PackageBuildInfoConnectionRef = builder.connectionObject({
  type: PackageBuildInfoRef,
  name: 'PackageBuildInfoConnection',
});

for (const ref of [PackageRef, PackageBaseRef, PackageDetailsRef]) {
  builder.objectFields(ref, (t) => ({
    lastBuildInfo: t.field({
      type: PackageBuildInfoRef,
      nullable: true,
      description:
        'The most recent build info (highest id), whose pipeline GitLab\'s REST API shows as the package\'s `pipeline`; null when the package has none (beyond GitLab).',
      resolve: (pkg, _args, ctx) => (pkg.lastBuildInfo !== undefined ? pkg.lastBuildInfo : ctx.loaders.lastBuildInfoByPackage.load(pkg.id)),
    }),
    hasPipelines: t.boolean({
      description: 'Whether some existing pipeline built the package (beyond GitLab).',
      resolve: (pkg, _args, ctx) => pkg.hasPipelines ?? ctx.loaders.hasPipelinesByPackage.load(pkg.id),
    }),
  }));
}

builder.objectField(PackageDetailsRef, 'buildInfos', (t) =>
  t.connection(
    {
      type: PackageBuildInfoRef,
      description:
        'The build infos that link the package to an existing pipeline, newest (highest id) first, at most 20 per page (beyond GitLab).',
      args: {
        idBelow: t.arg.int({ required: false, description: 'Only build infos whose id is below this.' }),
        idAbove: t.arg.int({ required: false, description: 'Only build infos whose id is above this.' }),
      },
      resolve: async (pkg, args, ctx) => {
        const page = await pageOrError(() =>
          findBuildInfosPage(ctx.prisma, pkg.id, pageArgs(args), { idBelow: args.idBelow, idAbove: args.idAbove }),
        );
        return toConnection(page);
      },
    },
    PackageBuildInfoConnectionRef,
  ),
);
