// Project.package(id:): one package of a project, found as GitLab's REST API finds it.
import { findListedPackage } from '../domain/packages.ts';
import { canReadPackages } from '../domain/policy.ts';
import { builder } from './builder.ts';
import { PackageDetailsRef, PackagesPackageID } from './package.ts';
import { ProjectRef } from './project.ts';

builder.objectField(ProjectRef, 'package', (t) =>
  t.field({
    type: PackageDetailsRef,
    nullable: true,
    description:
      'A package of this project whose status is listed by default (DEFAULT, ERROR or DEPRECATED), as GitLab\'s REST API finds it (beyond GitLab). Null when there is none or the viewer may not read the project\'s packages.',
    args: { id: t.arg({ type: PackagesPackageID, required: true }) },
    resolve: async (project, args, ctx) => {
      if (!canReadPackages(ctx.viewer, project)) return null;
      const pkg = await findListedPackage(ctx.prisma, project.id, args.id);
      if (pkg) ctx.loaders.package.prime(pkg.id, pkg);
      return pkg;
    },
  }),
);
