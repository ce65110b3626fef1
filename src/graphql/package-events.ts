// Live package events (beyond GitLab): the `packageEvents` subscription, served over server-sent
// events by yoga (a request with `Accept: text/event-stream`). Events come from PostgreSQL: a trigger
// on packages_packages (prisma/migrations/*_package_events) notifies pgw_package_events at commit,
// whoever made the change (any gateway process, the CLI, the seed, plain SQL), and every process
// listens. Each event is checked for each subscriber when it is delivered: the subscriber's credential
// is authenticated again (a revoked token ends the subscription) and the package must be one the
// subscriber may read now, in the project or group the subscription names.
import { GraphQLError } from 'graphql';
import { Repeater, SlidingBuffer } from 'graphql-yoga';
import type { Listen } from '../db/change-feed.ts';
import { canReadGroup, canReadProject } from '../domain/policy.ts';
import { findGroupByFullPath, findProjectByFullPath } from '../domain/projects.ts';
import type { Viewer } from '../domain/viewer.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { createLoaders } from './loaders.ts';
import { PackageRef, readablePackage, type PackageRow } from './package.ts';

/** The channel the trigger notifies. */
export const packageEventsChannel = 'pgw_package_events';

export const packageEventActions = ['CREATED', 'UPDATED', 'DESTROYED', 'RESTORED'] as const;
export type PackageEventAction = (typeof packageEventActions)[number];

/** One notification: what happened to which package (ids as stored). */
export interface PackageEventNotice {
  action: PackageEventAction;
  packageId: number;
  projectId: number;
}

/** Events kept per subscriber while it is slow to read them; past that the oldest are dropped. */
const bufferedEvents = 1000;

/** A notification's payload, or null when it is not one the trigger sends. */
export function parsePackageEventNotice(payload: string): PackageEventNotice | null {
  try {
    const value = JSON.parse(payload) as { action?: unknown; id?: unknown; project_id?: unknown };
    const action = packageEventActions.find((a) => a === value.action);
    if (!action || !Number.isSafeInteger(value.id) || !Number.isSafeInteger(value.project_id)) return null;
    return { action, packageId: value.id as number, projectId: value.project_id as number };
  } catch {
    return null;
  }
}

/**
 * The process's one listener on pgw_package_events, fanned out to its subscribers. `close` ends every
 * subscription (their streams end) and stops listening; a subscription after `close` ends at once.
 */
export class PackageEventHub {
  private readonly subscribers = new Set<(notice: PackageEventNotice) => void>();
  private readonly stops = new Set<() => void>();
  private stopListening: (() => Promise<void>) | undefined;
  private closed = false;

  /** Starts listening (resolves once the first attempt has succeeded or failed: it retries). */
  async start(listen: Listen): Promise<void> {
    this.stopListening = await listen({
      notify: (payload) => {
        const notice = parsePackageEventNotice(payload);
        if (notice) for (const deliver of this.subscribers) deliver(notice);
      },
      // While the connection is down events are missed; subscribers stay and get the later ones.
      state: () => {},
    });
  }

  /** The notices from now on, until the consumer returns or the hub closes. */
  subscribe(): AsyncIterableIterator<PackageEventNotice> {
    return new Repeater<PackageEventNotice>(async (push, stop) => {
      if (this.closed) {
        stop();
        return;
      }
      const deliver = (notice: PackageEventNotice) => void push(notice);
      const end = () => stop();
      this.subscribers.add(deliver);
      this.stops.add(end);
      await stop;
      this.subscribers.delete(deliver);
      this.stops.delete(end);
    }, new SlidingBuffer(bufferedEvents));
  }

  /** How many subscriptions are open (metrics, tests). */
  get size(): number {
    return this.subscribers.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const stop of this.stops) stop();
    await this.stopListening?.();
  }
}

interface PackageEvent {
  action: PackageEventAction;
  package: PackageRow;
}

const PackageEventActionEnum = builder.enumType('PackageEventAction', {
  description: 'What happened to a package.',
  values: {
    CREATED: { description: 'The package was created (published).' },
    UPDATED: { description: 'The package changed (its status, name, version, ...).' },
    DESTROYED: { description: 'The package was deleted (marked pending destruction).' },
    RESTORED: { description: 'The package was restored after a delete.' },
  } as const,
});

const PackageEventRef = builder.objectRef<PackageEvent>('PackageEvent');
PackageEventRef.implement({
  description: 'A change of a package, delivered live by `packageEvents`.',
  fields: (t) => ({
    action: t.field({ type: PackageEventActionEnum, resolve: (event) => event.action }),
    package: t.field({ type: PackageRef, description: 'The package as it is when the event is delivered.', resolve: (event) => event.package }),
  }),
});

/** The scope a subscription names: a project (by id), a group and its subgroups (by full path), or all. */
type Scope = { projectId: number } | { groupPath: string } | null;

async function scopeOf(ctx: GraphQLContext, args: { projectPath?: string | null; groupPath?: string | null }): Promise<Scope> {
  const missing = () => new GraphQLError("The resource that you are attempting to access does not exist or you don't have permission to perform this action");
  if (args.projectPath != null && args.groupPath != null) throw new GraphQLError('Give projectPath or groupPath, not both');
  if (args.projectPath != null) {
    const project = await findProjectByFullPath(ctx.prisma, String(args.projectPath), ctx.caches);
    if (!project || !canReadProject(ctx.viewer, project)) throw missing();
    return { projectId: project.id };
  }
  if (args.groupPath != null) {
    const group = await findGroupByFullPath(ctx.prisma, String(args.groupPath));
    if (!group || !canReadGroup(ctx.viewer, group)) throw missing();
    return { groupPath: group.fullPath };
  }
  return null;
}

/** Whether a package of `projectId` is in the scope. */
async function inScope(ctx: GraphQLContext, scope: Scope, projectId: number): Promise<boolean> {
  if (scope === null) return true;
  if ('projectId' in scope) return scope.projectId === projectId;
  const project = await ctx.loaders.project.load(projectId);
  return project !== null && project.fullPath.startsWith(`${scope.groupPath}/`);
}

/**
 * The events for one subscriber: each notice in the scope is checked with a fresh viewer (the
 * credential authenticated again) and fresh loaders, so what it may read is decided at delivery time;
 * a credential no longer valid ends the stream. Ending the stream (the client went away) ends the
 * notices at once, not at the next event.
 */
function deliveries(ctx: GraphQLContext, scope: Scope, notices: AsyncIterableIterator<PackageEventNotice>): AsyncIterableIterator<PackageEvent> {
  return new Repeater<PackageEvent>(async (push, stop) => {
    void stop.then(() => notices.return?.());
    for await (const notice of notices) {
      const viewer: Viewer | null = await ctx.reauthenticate();
      if (!viewer) break;
      ctx.viewer = viewer;
      ctx.actor = { ...ctx.actor, viewer };
      ctx.loaders = createLoaders(ctx.prisma, ctx.caches);
      if (!(await inScope(ctx, scope, notice.projectId))) continue;
      const pkg = await readablePackage(ctx, notice.packageId);
      if (pkg) await push({ action: notice.action, package: pkg });
    }
    stop();
  });
}

builder.subscriptionType({});

builder.subscriptionField('packageEvents', (t) =>
  t.field({
    type: PackageEventRef,
    description:
      'Live changes of the packages the viewer may read (beyond GitLab), over server-sent events: in the project `projectPath`, in the group `groupPath` and its subgroups, or everywhere. What the viewer may read is checked when each event is delivered; a revoked token ends the subscription.',
    args: {
      projectPath: t.arg.id({ required: false, description: 'Full path of a project.' }),
      groupPath: t.arg.id({ required: false, description: 'Full path of a group (its subgroups included).' }),
    },
    subscribe: async (_root, args, ctx) => {
      if (!ctx.packageEvents) throw new GraphQLError('Package events are not available on this server');
      const scope = await scopeOf(ctx, args);
      return deliveries(ctx, scope, ctx.packageEvents.subscribe());
    },
    resolve: (event) => event,
  }),
);
