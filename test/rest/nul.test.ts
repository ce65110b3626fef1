// U+0000 in any string parameter or path segment of any REST route (walked from the route table):
// PostgreSQL's text cannot hold it, so it names nothing and matches nothing. The answer is the one an
// ordinary value that exists nowhere gets (404 with GitLab's body, an empty list, or the parameter's
// own 400), never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type Route } from '../../src/rest/routes.ts';
import { rest, type RestResponse } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

/** Values holding U+0000: alone, inside, and after a real project's and group's full path. */
const nulValues = ['\u0000', 'a\u0000b', 'acme/platform/api\u0000', 'acme\u0000', '\u0000acme'];
/** An ordinary value that names nothing and matches nothing in the REST world. */
const nowhere = 'zz-nowhere-zz';

/** Path parameters naming real rows the maintainer may read (project 40, group acme). */
const realPath = (route: Route<unknown>): Record<string, string> => ({
  id: route.scope === 'group' ? 'acme' : '40',
  package_id: '1001',
  package_file_id: '10011',
});

function call(route: Route<unknown>, values: Record<string, string>): Promise<RestResponse> {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(values[name] ?? realPath(route)[name]!));
  const query = new URLSearchParams(Object.entries(values).filter(([name]) => !route.path.includes(`:${name}`)));
  return rest(world.app, `${path}${query.size ? `?${query}` : ''}`, { token: tokens.maint, method: route.method });
}

const answer = (r: RestResponse) => [r.status, r.body];

const stringParams = routes.flatMap((route) =>
  [...new Set(route.params.filter((p) => p.type === 'String').map((p) => p.name))].map((name) => ({ route, name })),
);

describe('every String parameter of every route', () => {
  it('the walk covers the path id of every route and the string filters', () => {
    const names = stringParams.map(({ route, name }) => `${route.name}: ${name}`);
    for (const route of routes) expect(names).toContain(`${route.name}: id`);
    expect(names).toEqual(expect.arrayContaining(['E1 list project packages: package_name', 'E2 list group packages: package_version']));
  });

  it.each(stringParams.map((c) => [`${c.route.method} ${c.route.path} ${c.name}`, c] as const))(
    '%s with U+0000 answers as a value that exists nowhere',
    async (_, { route, name }) => {
      const baseline = answer(await call(route, { [name]: nowhere }));
      expect(baseline[0]).toBeLessThan(500);
      for (const value of nulValues) {
        const response = await call(route, { [name]: value });
        expect([value, ...answer(response)]).toEqual([value, ...baseline]);
      }
    },
  );

  it('the answers are GitLab\'s "nothing": 404 with its body, an empty list, or the parameter\'s own 400', async () => {
    const notFound = { project: [404, { message: '404 Project Not Found' }], group: [404, { message: '404 Group Not Found' }] };
    for (const { route, name } of stringParams) {
      const got = answer(await call(route, { [name]: 'a\u0000b' }));
      const spec = route.params.find((p) => p.name === name)!;
      if (name === 'id') expect([route.name, got]).toEqual([route.name, notFound[route.scope]]);
      else if (spec.values) expect([route.name, got]).toEqual([route.name, [400, { error: `${name} does not have a valid value` }]]);
      else if (name === 'cursor') expect([route.name, got]).toEqual([route.name, [400, { error: 'cursor is invalid' }]]);
      else expect([route.name, name, got]).toEqual([route.name, name, [200, []]]);
    }
  });
});

describe('the cases reported', () => {
  const get = (path: string, token: string | undefined = tokens.dev) => rest(world.app, path, { token });

  it('a group path holding U+0000: 404 Group Not Found', async () => {
    expect(answer(await get('/groups/%00/packages'))).toEqual([404, { message: '404 Group Not Found' }]);
    expect(answer(await get('/groups/acme%00/packages'))).toEqual([404, { message: '404 Group Not Found' }]);
    expect(answer(await get('/groups/acme%2Fplatform%00/packages', undefined))).toEqual([404, { message: '404 Group Not Found' }]);
  });

  it('a project path holding U+0000: 404 Project Not Found, on every project route', async () => {
    for (const path of ['/projects/%00/packages', '/projects/a%00b/packages/1', '/projects/acme%2Fplatform%2Fapi%00/packages', '/projects/acme%2F%00/packages/1001/pipelines']) {
      expect([path, ...answer(await get(path))]).toEqual([path, 404, { message: '404 Project Not Found' }]);
    }
    const del = await rest(world.app, '/projects/acme%2Fplatform%2Fapi%00/packages/1001', { token: tokens.maint, method: 'DELETE' });
    expect(answer(del)).toEqual([404, { message: '404 Project Not Found' }]);
  });

  it('package_name and package_version holding U+0000 match nothing (an empty page, X-Total 0)', async () => {
    for (const query of ['package_name=%00', 'package_name=ui%00', 'package_name=acme+%00', 'package_name=%22acme%00ui%22', 'package_version=2.0.0%00']) {
      for (const path of [`/projects/40/packages?${query}`, `/groups/acme/packages?${query}`]) {
        const response = await get(path, tokens.owner);
        expect([path, response.status, response.body, response.headers.get('x-total')]).toEqual([path, 200, [], '0']);
      }
    }
    // The same filters without U+0000 do find packages.
    expect((await get('/projects/40/packages?package_name=acme+ui')).body).toHaveLength(3);
    expect((await get('/projects/40/packages?package_version=2.0.0')).body).toHaveLength(1);
  });
});
