import type { Pipeline } from '../generated/prisma/client.ts';
import { canReadPipelines } from '../domain/policy.ts';
import { builder } from './builder.ts';
import { PipelineStatusEnum } from './enums.ts';
import { ProjectRef, readableProject } from './project.ts';
import { TimeScalar } from './scalars.ts';
import { UserCoreRef } from './user.ts';
import { countOf } from './connection.ts';

export const PipelineRef = builder.objectRef<Pipeline>('Pipeline');

builder.node(PipelineRef, {
  id: { resolve: (pipeline) => pipeline.id },
  loadOne: async (id, ctx) => {
    const pipeline = await ctx.loaders.pipeline.load(Number(id));
    if (!pipeline) return null;
    const project = await readableProject(ctx, pipeline.projectId);
    return project && canReadPipelines(ctx.viewer, project) ? pipeline : null;
  },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'sha' in value && 'iid' in value,
  fields: (t) => ({
    iid: t.string({ resolve: (pipeline) => String(pipeline.iid) }),
    sha: t.exposeString('sha'),
    ref: t.exposeString('ref', { nullable: true }),
    status: t.field({ type: PipelineStatusEnum, resolve: (pipeline) => pipeline.status }),
    source: t.exposeString('source', { nullable: true }),
    createdAt: t.expose('createdAt', { type: TimeScalar }),
    updatedAt: t.expose('updatedAt', { type: TimeScalar }),
    path: t.string({
      nullable: true,
      resolve: async (pipeline, _args, ctx) => {
        const project = await ctx.loaders.project.load(pipeline.projectId);
        return project ? `/${project.fullPath}/-/pipelines/${pipeline.id}` : null;
      },
    }),
    commitPath: t.string({
      nullable: true,
      resolve: async (pipeline, _args, ctx) => {
        const project = await ctx.loaders.project.load(pipeline.projectId);
        return project ? `/${project.fullPath}/-/commit/${pipeline.sha}` : null;
      },
    }),
    user: t.field({
      type: UserCoreRef,
      nullable: true,
      resolve: (pipeline, _args, ctx) => {
        const preloaded = (pipeline as Pipeline & { user?: unknown }).user;
        if (preloaded !== undefined) return preloaded as never;
        return pipeline.userId === null ? null : ctx.loaders.user.load(pipeline.userId);
      },
    }),
    project: t.field({ type: ProjectRef, nullable: true, resolve: (pipeline, _args, ctx) => readableProject(ctx, pipeline.projectId) }),
  }),
});

export const PipelineConnectionRef = builder.connectionObject({
  type: PipelineRef,
  name: 'PipelineConnection',
  fields: (t) => ({
    count: t.int({
      args: { limit: t.arg.int({ required: false, description: 'Stop counting at limit + 1.' }) },
      resolve: (connection, args) => countOf(connection, args.limit),
    }),
  }),
});
