// Fields beyond GitLab's GraphQL that its REST entities show: a package's creator and last download
// on every package type, whether its status has details, and the pipelines of a package file.
import type { PackageFile } from '../generated/prisma/client.ts';
import { detailedStatuses } from '../domain/packages.ts';
import { canReadPipelines } from '../domain/policy.ts';
import { builder } from './builder.ts';
import { PackageFileRef } from './package-file.ts';
import { PackageBaseRef, PackageDetailsRef, PackageRef } from './package.ts';
import { PipelineRef } from './pipeline.ts';
import { readableProject } from './project.ts';
import { TimeScalar } from './scalars.ts';
import { UserCoreRef } from './user.ts';

for (const ref of [PackageRef, PackageBaseRef, PackageDetailsRef]) {
  builder.objectField(ref, 'creator', (t) =>
    t.field({
      type: UserCoreRef,
      nullable: true,
      description: 'The user who published the package (beyond GitLab).',
      resolve: (pkg, _args, ctx) => {
        if (pkg.creator !== undefined) return pkg.creator;
        return pkg.creatorId === null ? null : ctx.loaders.user.load(pkg.creatorId);
      },
    }),
  );
}

for (const ref of [PackageRef, PackageBaseRef]) {
  builder.objectField(ref, 'lastDownloadedAt', (t) =>
    t.expose('lastDownloadedAt', { type: TimeScalar, nullable: true, description: 'Last time the package was downloaded (beyond GitLab on this type).' }),
  );
}

builder.objectField(PackageDetailsRef, 'detailedInfo', (t) =>
  t.boolean({
    description: 'Whether the package\'s status has a detail page (DEFAULT or DEPRECATED; beyond GitLab).',
    resolve: (pkg) => detailedStatuses.includes(pkg.status),
  }),
);

builder.objectField(PackageFileRef, 'pipelines', (t) =>
  t.field({
    type: [PipelineRef],
    nullable: true,
    description: 'The pipelines that built the file, newest first; null when the viewer may not read the project\'s pipelines (beyond GitLab).',
    resolve: async (file: PackageFile, _args, ctx) => {
      const pkg = await ctx.loaders.package.load(file.packageId);
      const project = pkg && (await readableProject(ctx, pkg.projectId));
      if (!project || !canReadPipelines(ctx.viewer, project)) return null;
      return (await ctx.loaders.pipelinesByPackageFile.load(file.id)).map((row) => row.pipeline);
    },
  }),
);
