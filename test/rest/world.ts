// The shared REST test world (test/fixtures/rest-world.json) in a fresh database, with the few facts a
// fixture cannot state set afterwards: fixed tag timestamps, and a deleted pipeline.
import { loadFixture } from '../../src/fixture/load.ts';
import type { App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { restApp } from './support.ts';

export const tokens = {
  root: 'glpat-rest-root-000000001',
  owner: 'glpat-rest-owner-00000002',
  maint: 'glpat-rest-maint-00000003',
  dev: 'glpat-rest-dev-0000000004',
  rep: 'glpat-rest-rep-0000000005',
  guest: 'glpat-rest-guest-00000006',
  outsider: 'glpat-rest-outsider-00007',
  subrep: 'glpat-rest-subrep-0000008',
  reader: 'glpat-rest-reader-0000009',
  expired: 'glpat-rest-expired-000010',
  revoked: 'glpat-rest-revoked-000011',
  blocked: 'glpat-rest-blocked-000012',
  unknown: 'glpat-nobody-knows-this-1',
} as const;

/** When the tags of package 1001 were created (the loader stamps tags with the load time). */
export const tagTime = '2024-01-10T10:00:00.500Z';

export interface World {
  db: TestDatabase;
  app: App;
}

export async function openWorld(): Promise<World> {
  const db = await createTestDatabase();
  await loadFixture(db.prisma, 'test/fixtures/rest-world.json');
  await db.prisma.packageTag.updateMany({ data: { createdAt: new Date(tagTime), updatedAt: new Date(tagTime) } });
  // Package 1013's most recent build info loses its pipeline.
  await db.prisma.pipeline.delete({ where: { id: 402 } });
  return { db, app: restApp(db.prisma) };
}

// Entities of the world, as GitLab shows them (base http://gw.test).

export const ciBot = {
  id: 13,
  username: 'ci-bot',
  public_email: 'ci@acme.test',
  name: 'CI Bot',
  state: 'active',
  locked: false,
  avatar_url: 'http://gw.test/uploads/-/system/user/avatar/13/bot.png',
  web_url: 'http://gw.test/ci-bot',
};

export const pipeline400 = {
  id: 400,
  iid: 7,
  project_id: 40,
  sha: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  ref: 'main',
  status: 'success',
  source: 'push',
  created_at: '2024-01-01T08:00:00.001Z',
  updated_at: '2024-01-01T08:30:00.002Z',
  web_url: 'http://gw.test/acme/platform/api/-/pipelines/400',
  user: ciBot,
};

export const pipeline401 = {
  id: 401,
  iid: 8,
  project_id: 40,
  sha: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  ref: 'release',
  status: 'failed',
  source: 'web',
  created_at: '2024-01-02T08:00:00.003Z',
  updated_at: '2024-01-02T08:30:00.004Z',
  web_url: 'http://gw.test/acme/platform/api/-/pipelines/401',
  user: null,
};

export const tags1001 = [
  { id: 1, package_id: 1001, name: 'latest', created_at: tagTime, updated_at: tagTime, project_id: 40 },
  { id: 2, package_id: 1001, name: 'stable', created_at: tagTime, updated_at: tagTime, project_id: 40 },
];

/** Package 1001 in a list, for a viewer who may (or may not) delete it. */
export const package1001 = (canDelete: boolean) => ({
  id: 1001,
  name: '@acme/ui',
  version: '1.0.0',
  package_type: 'npm',
  status: 'default',
  _links: {
    web_path: '/acme/platform/api/-/packages/1001',
    ...(canDelete ? { delete_api_path: 'http://gw.test/api/v4/projects/40/packages/1001' } : {}),
  },
  created_at: '2024-01-10T10:00:00.123Z',
  last_downloaded_at: '2024-02-10T12:34:56.789Z',
  creator_id: 3,
  tags: tags1001,
  pipeline: pipeline401,
  pipelines: [],
});
