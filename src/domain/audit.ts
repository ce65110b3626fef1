// The audit log: one row in audit_events per package published and per package or package file
// deleted, written in the transaction of the change itself (so a change that did not happen leaves no
// row, and one that did always has its row), and one structured log line per row once committed.
// The rows follow GitLab's Packages::CreateAuditEventService (ee/app/services/packages/
// create_audit_event_service.rb): event names package_registry_package_published and
// package_registry_package_deleted, the package as target, `<project>/<name>-<version>` as target
// details, "Npm package deleted" as message. GitLab records no event for a file deleted alone; the
// gateway does (package_registry_package_file_deleted), since the issue asks for every delete; and
// GitLab cannot restore a package, the gateway can (package_registry_package_restored).
import type { AuditEvent, PackageType, Prisma } from '../generated/prisma/client.ts';
import type { Viewer } from './viewer.ts';

export type AuditEventName =
  | 'package_registry_package_published'
  | 'package_registry_package_deleted'
  | 'package_registry_package_restored'
  | 'package_registry_package_file_deleted';

/** Who acted, from where, and where the log lines go: one per request. */
export interface AuditActor {
  viewer: Viewer;
  /** The caller's address (the TCP peer), for details.ip_address; null when unknown. */
  ipAddress: string | null;
  /** Called once per committed row (the structured log line); not called for a change rolled back. */
  logged(event: AuditEvent): void;
}

/** The package a row is about, with its project. */
export interface AuditedPackage {
  id: number;
  name: string;
  version: string | null;
  packageType: PackageType;
  project: { id: number; fullPath: string };
}

/** What one audited change was: a package published or deleted, or one of its files deleted. */
export type AuditChange =
  | {
      eventName: 'package_registry_package_published' | 'package_registry_package_deleted' | 'package_registry_package_restored';
      package: AuditedPackage;
    }
  | { eventName: 'package_registry_package_file_deleted'; package: AuditedPackage; file: { id: number; fileName: string } };

/** GitLab's `package_type.humanize`: `npm` -> `Npm`, `terraform_module` -> `Terraform module`. */
function humanize(type: string): string {
  const words = type.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function message(change: AuditChange): string {
  const kind = humanize(change.package.packageType);
  if (change.eventName === 'package_registry_package_file_deleted') return `${kind} package file deleted`;
  const verb = { package_registry_package_published: 'published', package_registry_package_deleted: 'deleted', package_registry_package_restored: 'restored' };
  return `${kind} package ${verb[change.eventName]}`;
}

function row(actor: AuditActor, change: AuditChange): Prisma.AuditEventCreateManyInput {
  const { viewer } = actor;
  const pkg = change.package;
  const packageDetails = `${pkg.project.fullPath}/${pkg.name}-${pkg.version ?? ''}`;
  const file = change.eventName === 'package_registry_package_file_deleted' ? change.file : null;
  return {
    authorId: viewer.kind === 'user' ? viewer.id : null,
    tokenId: viewer.kind === 'user' ? viewer.tokenId : null,
    entityType: 'Project',
    entityId: pkg.project.id,
    eventName: change.eventName,
    details: {
      custom_message: message(change),
      author_name: viewer.kind === 'user' ? viewer.username : 'An unauthenticated user',
      author_class: viewer.kind === 'user' ? 'User' : 'Gitlab::Audit::UnauthenticatedAuthor',
      target_id: file ? file.id : pkg.id,
      target_type: file ? 'Packages::PackageFile' : 'Packages::Package',
      target_details: file ? `${packageDetails}/${file.fileName}` : packageDetails,
      entity_path: pkg.project.fullPath,
      ip_address: actor.ipAddress,
      auth_token_type: viewer.kind === 'user' ? 'PersonalAccessToken' : null,
      token_id: viewer.kind === 'user' ? viewer.tokenId : null,
      package_id: pkg.id,
    },
  };
}

/**
 * Writes one audit_events row per change inside `tx` (the transaction of the changes themselves) and
 * returns a function that emits their log lines; call it after the transaction committed. Rows are
 * written with one statement whatever their number (none for no change).
 */
export async function recordAuditEvents(
  tx: Pick<Prisma.TransactionClient, 'auditEvent'>,
  actor: AuditActor,
  changes: readonly AuditChange[],
): Promise<() => void> {
  if (changes.length === 0) return () => {};
  const rows = await tx.auditEvent.createManyAndReturn({ data: changes.map((change) => row(actor, change)) });
  return () => {
    for (const event of rows) actor.logged(event);
  };
}

/** The API entity of a row (GitLab's API::Entities::AuditEvent: id, author_id, entity_id, entity_type, event_name, details, created_at). */
export function auditEventEntity(event: AuditEvent): Record<string, unknown> {
  return {
    id: event.id,
    author_id: event.authorId ?? -1,
    entity_id: event.entityId,
    entity_type: event.entityType,
    event_name: event.eventName,
    details: event.details,
    created_at: event.createdAt.toISOString(),
  };
}

export interface AuditEventFilter {
  createdAfter?: Date;
  createdBefore?: Date;
  entityType?: string;
  entityId?: number;
}

/**
 * A page of audit events, newest first (GitLab's AuditEventFinder: `created_at` then `id`,
 * descending), and their number capped at `countLimit` + 1. `offset`/`limit` in rows.
 */
export async function findAuditEvents(
  prisma: Pick<Prisma.TransactionClient, 'auditEvent'>,
  filter: AuditEventFilter,
  page: { offset: number; limit: number; countLimit: number },
): Promise<{ events: AuditEvent[]; limitedCount: number }> {
  const where: Prisma.AuditEventWhereInput = {
    ...(filter.createdAfter || filter.createdBefore
      ? { createdAt: { ...(filter.createdAfter ? { gte: filter.createdAfter } : {}), ...(filter.createdBefore ? { lte: filter.createdBefore } : {}) } }
      : {}),
    ...(filter.entityType ? { entityType: filter.entityType } : {}),
    ...(filter.entityId !== undefined ? { entityId: filter.entityId } : {}),
  };
  const [events, counted] = await Promise.all([
    prisma.auditEvent.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: page.offset, take: page.limit }),
    prisma.auditEvent.count({ where, take: page.countLimit + 1 }),
  ]);
  return { events, limitedCount: counted };
}
