// GitLab's instance audit events API (ee/lib/api/audit_events.rb): administrators list what was
// published and deleted, and by whom. The rows are written by src/domain/audit.ts.
import { auditEventEntity, findAuditEvents, type AuditEventFilter } from '../domain/audit.ts';
import { isStoredId } from '../domain/ids.ts';
import { json } from '../http.ts';
import { errors } from './errors.ts';
import { maxCountLimit, offsetHeaders, offsetRequest } from './pagination.ts';
import { paginationParams, param, parseQuery, validateParams } from './params.ts';
import type { ProtocolContext, ProtocolRoute } from './protocols.ts';

// GitLab's `entity_type` values (AuditEvent's TYPES) and its `created_after`/`created_before` DateTimes.
const listParams = [
  param.string('created_after'),
  param.string('created_before'),
  param.string('entity_type', { values: ['User', 'Group', 'Project', 'Gitlab::Audit::InstanceScope'] }),
  param.integer('entity_id'),
  ...paginationParams,
];

/** `authenticated_as_admin!`: 401 without a user, 403 for a user who is not an administrator. */
function requireAdmin(context: ProtocolContext): void {
  const { viewer } = context.env;
  if (viewer.kind === 'anonymous') throw errors.unauthorized();
  if (!viewer.admin) throw errors.forbidden();
}

/** Grape's DateTime coercion of an ISO 8601 text; `<name> is invalid` otherwise. */
function dateParam(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw errors.validation(`${name} is invalid`);
  return date;
}

async function list(context: ProtocolContext): Promise<Response> {
  requireAdmin(context);
  const { params } = validateParams(listParams, parseQuery(context.url.search));
  const createdAfter = dateParam('created_after', params.created_after);
  const createdBefore = dateParam('created_before', params.created_before);
  const filter: AuditEventFilter = {
    ...(createdAfter ? { createdAfter } : {}),
    ...(createdBefore ? { createdBefore } : {}),
    ...(typeof params.entity_type === 'string' ? { entityType: params.entity_type } : {}),
    ...(typeof params.entity_id === 'number' ? { entityId: params.entity_id } : {}),
  };
  const page = offsetRequest(params);
  const { events, limitedCount } = await findAuditEvents(context.env.prisma, filter, { offset: page.offset, limit: page.perPage, countLimit: maxCountLimit });
  const headers = offsetHeaders(
    { baseUrl: context.env.baseUrl, path: context.url.pathname, params },
    page,
    { rowsOnPage: events.length, hasNextPage: page.offset + events.length < limitedCount, limitedCount },
  );
  return json(200, events.map(auditEventEntity), headers);
}

async function show(context: ProtocolContext, groups: string[]): Promise<Response> {
  requireAdmin(context);
  const id = Number(groups[1]);
  const event = isStoredId(id) ? await context.env.prisma.auditEvent.findUnique({ where: { id } }) : null;
  if (!event) throw errors.apiError(404, '404 Audit Event Not Found');
  return json(200, auditEventEntity(event));
}

export const auditEventRoutes: ProtocolRoute[] = [
  { name: 'listAuditEvents', method: 'GET', pattern: /^\/audit_events$/, template: '/audit_events', handle: list },
  { name: 'getAuditEvent', method: 'GET', pattern: /^\/audit_events\/(\d{1,12})$/, template: '/audit_events/:id', handle: show },
];
