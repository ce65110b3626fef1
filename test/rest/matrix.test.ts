// The status matrix of rest.md 5a: for every kind of caller, all seven endpoints, with GitLab's bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids, rest, type RestResponse } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

const projectNotFound = { message: '404 Project Not Found' };
const groupNotFound = { message: '404 Group Not Found' };
const forbidden = { message: '403 Forbidden' };
const unauthorized = { message: '401 Unauthorized' };

/** The seven endpoints on one project (and its group), naming a package and a file of it. */
const endpoints = (project: string, group: string, pkg: number, file: number) => ({
  E1: { path: `/projects/${project}/packages` },
  E2: { path: `/groups/${group}/packages` },
  E3: { path: `/projects/${project}/packages/${pkg}` },
  E4: { path: `/projects/${project}/packages/${pkg}/package_files` },
  E5: { path: `/projects/${project}/packages/${pkg}/pipelines` },
  E6: { path: `/projects/${project}/packages/${pkg}`, method: 'DELETE' },
  E7: { path: `/projects/${project}/packages/${pkg}/package_files/${file}`, method: 'DELETE' },
});
type Endpoint = keyof ReturnType<typeof endpoints>;

const privateProject = endpoints('40', 'acme', 1001, 10011);
const publicProject = endpoints('pub%2Flib', 'pub', 3001, 30011);

async function callAll(targets: ReturnType<typeof endpoints>, token?: string, only?: Endpoint[]) {
  const results = {} as Record<Endpoint, RestResponse>;
  for (const [name, { path, method }] of Object.entries(targets) as [Endpoint, { path: string; method?: string }][]) {
    if (!only || only.includes(name)) results[name] = await rest(world.app, path, { token, method });
  }
  return results;
}
const readsOnly: Endpoint[] = ['E1', 'E2', 'E3', 'E4', 'E5'];

const statusAndBody = (r: RestResponse) => [r.status, r.body];

describe('rest.md 5a', () => {
  it.each(['expired', 'revoked', 'blocked', 'unknown'] as const)('a bad token (%s) is 401 everywhere, public or private', async (kind) => {
    for (const targets of [privateProject, publicProject]) {
      const results = await callAll(targets, tokens[kind]);
      for (const r of Object.values(results)) expect(statusAndBody(r)).toEqual([401, unauthorized]);
    }
  });

  it('anonymous, public project and group: reads 200 (public projects only in the group), deletes 403', async () => {
    const r = await callAll(publicProject);
    expect(r.E1.status).toBe(200);
    expect(ids(r.E1)).toEqual([3001, 3002]);
    expect(r.E2.status).toBe(200);
    expect(ids(r.E2)).toEqual([3001, 3002, 3101]);
    expect(r.E3.status).toBe(200);
    expect((r.E3.body as { id: number }).id).toBe(3001);
    expect(r.E4.status).toBe(200);
    expect(ids(r.E4)).toEqual([30011]);
    expect(r.E5.status).toBe(200);
    expect(ids(r.E5)).toEqual([300]);
    expect(statusAndBody(r.E6)).toEqual([403, forbidden]);
    expect(statusAndBody(r.E7)).toEqual([403, forbidden]);
  });

  it('anonymous, private: 404 Project (404 Group for the group)', async () => {
    const r = await callAll(privateProject);
    expect(statusAndBody(r.E2)).toEqual([404, groupNotFound]);
    for (const name of ['E1', 'E3', 'E4', 'E5', 'E6', 'E7'] as const) expect(statusAndBody(r[name])).toEqual([404, projectNotFound]);
  });

  it('a signed-in non-member, private: 404 Project and 404 Group', async () => {
    const r = await callAll(privateProject, tokens.outsider);
    expect(statusAndBody(r.E2)).toEqual([404, groupNotFound]);
    for (const name of ['E1', 'E3', 'E4', 'E5', 'E6', 'E7'] as const) expect(statusAndBody(r[name])).toEqual([404, projectNotFound]);
  });

  it('a non-member of a private group with Reporter on a project inside it reads the group (200)', async () => {
    const inGroup = await rest(world.app, '/groups/secret/packages', { token: tokens.subrep });
    expect(inGroup.status).toBe(200);
    expect(ids(inGroup)).toEqual([5001]);
    const nested = await rest(world.app, '/groups/secret%2Finner/packages', { token: tokens.subrep });
    expect(ids(nested)).toEqual([5001]);
  });

  it('a guest member, private: 403 on the project, 200 on the group with guest-only projects left out', async () => {
    const r = await callAll(privateProject, tokens.guest);
    expect(r.E2.status).toBe(200);
    expect(r.E2.body).toEqual([]);
    for (const name of ['E1', 'E3', 'E4', 'E5', 'E6', 'E7'] as const) expect(statusAndBody(r[name])).toEqual([403, forbidden]);
    // In the public group, the guest's private project is left out, the reporter's is listed.
    expect(ids(await rest(world.app, '/groups/pub/packages', { token: tokens.guest }))).toEqual([3001, 3002, 3101, 3201]);
    expect(ids(await rest(world.app, '/groups/pub/packages', { token: tokens.rep }))).toEqual([3001, 3002, 3101, 3201, 3301]);
  });

  it.each(['rep', 'dev'] as const)('a %s member: reads 200, deletes 403', async (who) => {
    const r = await callAll(privateProject, tokens[who]);
    for (const name of ['E1', 'E2', 'E3', 'E4', 'E5'] as const) expect(r[name].status).toBe(200);
    expect(ids(r.E1)).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
    expect(ids(r.E2)).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
    expect(ids(r.E4)).toEqual([10011, 10012]);
    expect(ids(r.E5)).toEqual([401, 400]);
    expect(statusAndBody(r.E6)).toEqual([403, forbidden]);
    expect(statusAndBody(r.E7)).toEqual([403, forbidden]);
  });

  it('a maintainer: reads 200; deletes 204, 404 when missing, 403 when protected', async () => {
    const reads = await callAll(privateProject, tokens.maint, readsOnly);
    for (const name of ['E1', 'E2', 'E3', 'E4', 'E5'] as const) expect(reads[name].status).toBe(200);
    const token = tokens.maint;
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1011', { token, method: 'DELETE' }))).toEqual([204, undefined]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1011', { token, method: 'DELETE' }))).toEqual([404, { message: '404 Not found' }]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1012', { token, method: 'DELETE' }))).toEqual([
      403,
      { message: 'Package is deletion protected.' },
    ]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1001/package_files/10012', { token, method: 'DELETE' }))).toEqual([204, undefined]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1001/package_files/10012', { token, method: 'DELETE' }))).toEqual([
      404,
      { message: '404 Not Found' },
    ]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1012/package_files/10121', { token, method: 'DELETE' }))).toEqual([
      403,
      { message: '403 Forbidden - Package is deletion protected.' },
    ]);
  });

  it('an owner: reads 200; deletes 204 (protection asks for owner), 404 when missing', async () => {
    const reads = await callAll(privateProject, tokens.owner, readsOnly);
    for (const name of ['E1', 'E2', 'E3', 'E4', 'E5'] as const) expect(reads[name].status).toBe(200);
    const token = tokens.owner;
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1012/package_files/10121', { token, method: 'DELETE' }))).toEqual([204, undefined]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1012', { token, method: 'DELETE' }))).toEqual([204, undefined]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/999999', { token, method: 'DELETE' }))).toEqual([404, { message: '404 Not found' }]);
    expect(statusAndBody(await rest(world.app, '/projects/40/packages/1001/package_files/999999', { token, method: 'DELETE' }))).toEqual([
      404,
      { message: '404 Not Found' },
    ]);
  });

  it('a member of a project whose package registry is off: 403, and the group leaves the project out', async () => {
    const r = await callAll(endpoints('acme%2Foff', 'acme', 4201, 42011), tokens.maint);
    for (const name of ['E1', 'E3', 'E4', 'E5', 'E6', 'E7'] as const) expect(statusAndBody(r[name])).toEqual([403, forbidden]);
    expect(r.E2.status).toBe(200);
    expect((r.E2.body as { project_id: number }[]).map((p) => p.project_id)).not.toContain(42);
    const asOwner = await rest(world.app, '/groups/acme/packages?per_page=100', { token: tokens.owner });
    expect(new Set((asOwner.body as { project_id: number }[]).map((p) => p.project_id))).toEqual(new Set([40, 41]));
  });
});
