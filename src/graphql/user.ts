import type { User } from '../generated/prisma/client.ts';
import { builder } from './builder.ts';

export const UserCoreRef = builder.objectRef<User>('UserCore');

builder.node(UserCoreRef, {
  description: 'Core representation of a GitLab user.',
  id: { resolve: (user) => user.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => ctx.loaders.user.load(Number(id)))),
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'username' in value,
  fields: (t) => ({
    username: t.exposeString('username'),
    name: t.exposeString('name'),
    state: t.string({ resolve: (user) => user.state }),
    publicEmail: t.exposeString('publicEmail', { nullable: true }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true }),
    webUrl: t.string({ resolve: (user, _args, ctx) => `${ctx.baseUrl}/${user.username}` }),
  }),
});

builder.queryField('currentUser', (t) =>
  t.field({
    type: UserCoreRef,
    nullable: true,
    description: 'The user the request is authenticated as; null when anonymous.',
    resolve: (_root, _args, ctx) => (ctx.viewer.kind === 'user' ? ctx.loaders.user.load(ctx.viewer.id) : null),
  }),
);
