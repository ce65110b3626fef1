// Parameters of E1-E7 (rest.md 1.8, 2.4-2.6, 3.x): defaults, allowed values, GitLab's coercions and
// its 400 bodies; authorization before validation (rest.md 1.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSafeFilePath, param, validateParams } from '../../src/rest/params.ts';
import { routes } from '../../src/rest/routes.ts';
import { ids, rest } from './support.ts';
import { openWorld, tokens, type World } from './world.ts';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.db.close());

/** As the developer unless a token (or null: anonymous) is given. */
const get = (path: string, token: string | null = tokens.dev) => rest(world.app, path, { token: token ?? undefined });
const bad = (error: string) => [400, { error }];
const answer = async (path: string, token: string | null = tokens.dev) => {
  const r = await get(path, token);
  return [r.status, r.body];
};

describe('filters', () => {
  it('no filter: displayable statuses, every type but terraform_module, versioned only', async () => {
    expect(ids(await get('/projects/40/packages'))).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
  });

  it.each([
    [['true', 'TRUE', 'True', '1', 'yes', 'YES', 't', 'T', 'on', 'On', 'y', 'Y'], true],
    [['false', 'FALSE', '0', 'no', 'No', 'f', 'off', 'OFF', 'n', ''], false],
  ])('include_versionless=%j is %s', async (values, included) => {
    for (const value of values) {
      const list = ids(await get(`/projects/40/packages?include_versionless=${value}`));
      expect(list.includes(1007), value).toBe(included);
    }
  });

  it('a bad boolean is 400 "<name> is invalid"', async () => {
    expect(await answer('/projects/40/packages?include_versionless=maybe')).toEqual(bad('include_versionless is invalid'));
    expect(await answer('/groups/acme/packages?exclude_subgroups=2')).toEqual(bad('exclude_subgroups is invalid'));
  });

  it('package_version is exact; with it include_versionless changes nothing', async () => {
    expect(ids(await get('/projects/40/packages?package_version=2.0.0'))).toEqual([1002]);
    expect(ids(await get('/projects/40/packages?package_version=2.0.0&include_versionless=true'))).toEqual([1002]);
    expect(ids(await get('/projects/40/packages?package_version=2.0'))).toEqual([]);
    expect(ids(await get('/projects/40/packages?package_version='))).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
  });

  it('package_name is fuzzy: case-insensitive words, a quoted phrase, literal % and _', async () => {
    expect(ids(await get('/projects/40/packages?package_name=UI'))).toEqual([1003, 1001, 1002]);
    expect(ids(await get('/projects/40/packages?package_name=acme+ui'))).toEqual([1003, 1001, 1002]);
    expect(ids(await get('/projects/40/packages?package_name=%22acme+ui%22'))).toEqual([]);
    expect(ids(await get('/projects/40/packages?package_name=%22protected-lib%22'))).toEqual([1012]);
    expect(ids(await get('/projects/40/packages?package_name=%25'))).toEqual([]);
    expect(ids(await get('/projects/40/packages?package_name=push_only'))).toEqual([]);
    expect(ids(await get('/projects/40/packages?package_name=z'))).toEqual([1005]);
    expect(ids(await get('/projects/40/packages?package_name=+'))).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
  });

  it('status: exactly that one (hidden included on request); an unknown one is 400', async () => {
    expect(ids(await get('/projects/40/packages?status=hidden'))).toEqual([1004]);
    expect(ids(await get('/projects/40/packages?status=default'))).toEqual([1001, 1002, 1005, 1011, 1012, 1013]);
    expect(ids(await get('/projects/40/packages?status=pending_destruction'))).toEqual([1009]);
    expect(ids(await get('/projects/40/packages?status=processing'))).toEqual([1010]);
    expect(ids(await get('/projects/40/packages?status=deprecated'))).toEqual([1008]);
    expect(await answer('/projects/40/packages?status=invalid')).toEqual(bad('status does not have a valid value'));
  });

  it('package_type: every type returns exactly its own; unknown is 400 (project and group)', async () => {
    const expected: Record<string, number[]> = {
      npm: [1003, 1001, 1002, 1012], conan: [1005], maven: [1008], nuget: [1011], generic: [1013], terraform_module: [1006],
      pypi: [], golang: [], composer: [], debian: [], rubygems: [], helm: [], rpm: [], ml_model: [], cargo: [],
    };
    for (const [type, list] of Object.entries(expected)) {
      const response = await get(`/projects/40/packages?package_type=${type}`);
      expect([type, ids(response)]).toEqual([type, list]);
    }
    expect(await answer('/projects/40/packages?package_type=npmm')).toEqual(bad('package_type does not have a valid value'));
    expect(await answer('/groups/acme/packages?package_type=npmm', tokens.owner)).toEqual(bad('package_type does not have a valid value'));
  });

  it('exclude_subgroups on the group listing (default false)', async () => {
    expect(ids(await get('/groups/pub/packages', null))).toEqual([3001, 3002, 3101]);
    expect(ids(await get('/groups/pub/packages?exclude_subgroups=true', null))).toEqual([3001, 3002]);
    expect(ids(await get('/groups/pub/packages?exclude_subgroups=false', null))).toEqual([3001, 3002, 3101]);
    expect(ids(await get('/groups/acme/packages?exclude_subgroups=true&per_page=100', tokens.owner))).toEqual([4101]);
  });
});

describe('ordering', () => {
  it('order_by and sort (created_at asc by default; id in the same direction breaks ties)', async () => {
    expect(ids(await get('/projects/40/packages?sort=desc'))).toEqual([1013, 1012, 1011, 1008, 1005, 1002, 1001, 1003]);
    // Byte order: '@' < 'A' < 'c' < 'p' < 'z'; '1.2.3' < '1.3'.
    expect(ids(await get('/projects/40/packages?order_by=name'))).toEqual([1012, 1001, 1002, 1003, 1011, 1008, 1013, 1005]);
    expect(ids(await get('/projects/40/packages?order_by=name&sort=desc'))).toEqual([1005, 1013, 1008, 1011, 1003, 1002, 1001, 1012]);
    expect(ids(await get('/projects/40/packages?order_by=version'))).toEqual([1003, 1001, 1012, 1013, 1008, 1005, 1002, 1011]);
    // type: GitLab's integer codes (maven 1, npm 2, conan 3, nuget 4, ..., generic 7).
    expect(ids(await get('/projects/40/packages?order_by=type'))).toEqual([1008, 1001, 1002, 1003, 1012, 1005, 1011, 1013]);
    expect(ids(await get('/projects/40/packages?order_by=type&sort=desc'))).toEqual([1013, 1011, 1005, 1012, 1003, 1002, 1001, 1008]);
  });

  it('project_path only on the group listing', async () => {
    expect(await answer('/projects/40/packages?order_by=project_path')).toEqual(bad('order_by does not have a valid value'));
    const asc = await get('/groups/acme/packages?order_by=project_path&per_page=100', tokens.owner);
    expect(ids(asc)).toEqual([1013, 1012, 1011, 1008, 1005, 1003, 1002, 1001, 4101]);
    const desc = await get('/groups/acme/packages?order_by=project_path&sort=desc&per_page=100', tokens.owner);
    expect(ids(desc)).toEqual([4101, 1013, 1012, 1011, 1008, 1005, 1003, 1002, 1001]);
  });

  it('package files: id (default), created_at, file_name, both directions; unknown is 400', async () => {
    expect(ids(await get('/projects/40/packages/1001/package_files'))).toEqual([10011, 10012]);
    expect(ids(await get('/projects/40/packages/1001/package_files?sort=desc'))).toEqual([10012, 10011]);
    expect(ids(await get('/projects/40/packages/1001/package_files?order_by=file_name'))).toEqual([10012, 10011]);
    expect(ids(await get('/projects/40/packages/1001/package_files?order_by=file_name&sort=desc'))).toEqual([10011, 10012]);
    expect(ids(await get('/projects/40/packages/1001/package_files?order_by=created_at&sort=desc'))).toEqual([10012, 10011]);
    expect(await answer('/projects/40/packages/1001/package_files?order_by=name')).toEqual(bad('order_by does not have a valid value'));
  });

  it('an empty order_by or sort is not a default but a 400', async () => {
    expect(await answer('/projects/40/packages?order_by=')).toEqual(bad('order_by does not have a valid value'));
    expect(await answer('/projects/40/packages?sort=')).toEqual(bad('sort does not have a valid value'));
    expect(await answer('/projects/40/packages?sort=ASC')).toEqual(bad('sort does not have a valid value'));
  });
});

describe('integers', () => {
  it('page and per_page: non-integers are 400, empty means the default, per_page=0 is not allowed', async () => {
    expect(await answer('/projects/40/packages?page=abc')).toEqual(bad('page is invalid'));
    expect(await answer('/projects/40/packages?per_page=1.5')).toEqual(bad('per_page is invalid'));
    expect(await answer('/projects/40/packages?per_page=0')).toEqual(bad('per_page has a value not allowed'));
    const empty = await get('/projects/40/packages?page=&per_page=');
    expect([empty.status, empty.headers.get('x-page'), empty.headers.get('x-per-page')]).toEqual([200, '1', '20']);
    const ruby = await get('/projects/40/packages?per_page=+0_3');
    expect([ruby.status, ruby.headers.get('x-per-page')]).toEqual([200, '3']);
  });

  it('package_id and package_file_id must be integers', async () => {
    expect(await answer('/projects/40/packages/abc')).toEqual(bad('package_id is invalid'));
    expect(await answer('/projects/40/packages/1e3/package_files')).toEqual(bad('package_id is invalid'));
    expect(await answer('/projects/40/packages/x/pipelines')).toEqual(bad('package_id is invalid'));
    const del = await rest(world.app, '/projects/40/packages/abc', { token: tokens.maint, method: 'DELETE' });
    expect([del.status, del.body]).toEqual(bad('package_id is invalid'));
    const file = await rest(world.app, '/projects/40/packages/abc/package_files/x', { token: tokens.maint, method: 'DELETE' });
    expect([file.status, file.body]).toEqual(bad('package_id is invalid, package_file_id is invalid'));
  });

  it('several errors are joined with ", " in declaration order', async () => {
    expect(await answer('/projects/40/packages?status=x&sort=up&order_by=x&per_page=0&page=z&package_type=y')).toEqual(
      bad(
        'page is invalid, per_page has a value not allowed, order_by does not have a valid value, sort does not have a valid value, ' +
          'package_type does not have a valid value, status does not have a valid value',
      ),
    );
    expect(await answer('/groups/pub/packages?order_by=x&exclude_subgroups=x', null)).toEqual(
      bad('exclude_subgroups is invalid, order_by does not have a valid value'),
    );
  });

  it('the pipelines endpoint takes per_page 1..20 only', async () => {
    expect(await answer('/projects/40/packages/1001/pipelines?per_page=21')).toEqual(bad('per_page does not have a valid value'));
    expect(await answer('/projects/40/packages/1001/pipelines?per_page=-2')).toEqual(bad('per_page does not have a valid value'));
    expect(await answer('/projects/40/packages/1001/pipelines?per_page=0')).toEqual(
      bad('per_page has a value not allowed, per_page does not have a valid value'),
    );
    expect(await answer('/projects/40/packages/1001/pipelines?per_page=x')).toEqual(bad('per_page is invalid, per_page does not have a valid value'));
    expect((await get('/projects/40/packages/1001/pipelines?per_page=1')).status).toBe(200);
    expect((await get('/projects/40/packages/1001/pipelines?per_page=20&page=7')).status).toBe(200);
  });
});

describe('authorization comes before validation', () => {
  it('anonymous on a private project with a bad parameter: 404, not 400', async () => {
    expect(await answer('/projects/40/packages?order_by=bogus', null)).toEqual([404, { message: '404 Project Not Found' }]);
    expect(await answer('/groups/acme/packages?order_by=bogus', null)).toEqual([404, { message: '404 Group Not Found' }]);
    expect(await answer('/projects/40/packages/abc', null)).toEqual([404, { message: '404 Project Not Found' }]);
  });

  it('a guest with a bad parameter: 403; a bad token: 401', async () => {
    expect(await answer('/projects/40/packages?per_page=0', tokens.guest)).toEqual([403, { message: '403 Forbidden' }]);
    expect(await answer('/projects/40/packages/abc/package_files', tokens.guest)).toEqual([403, { message: '403 Forbidden' }]);
    expect(await answer('/projects/40/packages?per_page=0', tokens.unknown)).toEqual([401, { message: '401 Unauthorized' }]);
  });

  it('a bad parameter comes before a missing package', async () => {
    expect(await answer('/projects/40/packages/999999/pipelines?per_page=50')).toEqual(bad('per_page does not have a valid value'));
    expect(await answer('/projects/40/packages/999999/package_files?sort=x')).toEqual(bad('sort does not have a valid value'));
  });
});

// Every Integer and Boolean parameter of every route, from the route table: an uncoercible value is
// reported as `<name> is invalid` (Grape's CoerceValidator). Grape's other validators of the same name
// still run on the raw value: `except_values: [0]` never matches a string, but a `values:` set (E5's
// per_page, `values: 1..20`) does not include it, so Grape adds `<name> does not have a valid value`
// (grape v2.0.0 spec/grape/validations/validators/values_spec.rb: `value: 'a'` against `0.0..10.0`
// answers 'value is invalid, value does not have a valid value'). Messages are grouped per parameter,
// in the order of each parameter's first declaration.
describe('coercion failures, walking the route table', () => {
  type Spec = (typeof routes)[number]['params'][number];
  const coercible = (spec: Spec) => spec.type === 'Integer' || spec.type === 'Boolean';
  const byName = (specs: readonly Spec[]) => [...new Map(specs.map((s) => [s.name, specs.filter((t) => t.name === s.name)])).entries()];
  /** Grape's messages for `name` given `value` (uncoercible, or outside a `values:` list). */
  const messagesFor = (decls: Spec[], name: string): string[] =>
    decls.some(coercible)
      ? [`${name} is invalid`, ...(decls.some((d) => d.values) ? [`${name} does not have a valid value`] : [])]
      : [`${name} does not have a valid value`];
  const badValue = (decls: Spec[]) => (decls.some(coercible) ? 'abc' : 'zzz');
  // Path parameters that name real rows of the REST world; any other path parameter would fail here.
  const pathValues: Record<string, string> = { id: '40', package_id: '1001', package_file_id: '10011' };

  function request(route: (typeof routes)[number], bad: Record<string, string>) {
    const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
      const value = bad[name] ?? pathValues[name];
      if (value === undefined) throw new Error(`no value for path parameter ${name} of ${route.name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams(Object.entries(bad).filter(([name]) => !route.path.includes(`:${name}`)));
    const target = route.scope === 'group' ? path.replace('/groups/40/', '/groups/acme/') : path;
    return rest(world.app, `${target}${query.size ? `?${query}` : ''}`, { token: tokens.maint, method: route.method });
  }

  const cases = routes.flatMap((route) =>
    byName(route.params)
      .filter(([, decls]) => decls.some(coercible))
      .map(([name, decls]) => ({ route, name, decls })),
  );

  it('the walk covers every Integer and Boolean parameter (and finds E5 per_page the only one with values)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    const withValues = cases.filter((c) => c.decls.some((d) => d.values)).map((c) => [c.route.path, c.name]);
    expect(withValues).toEqual([['/projects/:id/packages/:package_id/pipelines', 'per_page']]);
  });

  it.each(cases.map((c) => [`${c.route.method} ${c.route.path} ${c.name}`, c] as const))('%s=abc', async (_, { route, name, decls }) => {
    const response = await request(route, { [name]: 'abc' });
    expect([response.status, response.body]).toEqual(bad(messagesFor(decls, name).join(', ')));
  });

  it('the case reported: E5 per_page=abc answers as GitLab (Grape 2.0) does', async () => {
    expect(await answer('/projects/40/packages/1001/pipelines?per_page=abc')).toEqual(
      bad('per_page is invalid, per_page does not have a valid value'),
    );
    // Without a values: list, a failed coercion is the only message.
    expect(await answer('/projects/40/packages?per_page=abc')).toEqual(bad('per_page is invalid'));
    expect(await answer('/projects/40/packages/1001/package_files?per_page=abc')).toEqual(bad('per_page is invalid'));
  });

  it('with another parameter failing too, both are reported in declaration order', async () => {
    let checked = 0;
    for (const { route, name } of cases) {
      const all = byName(route.params);
      const order = all.map(([n]) => n);
      for (const [other, otherDecls] of all) {
        if (other === name || other === 'id' || !(otherDecls.some(coercible) || otherDecls.some((d) => d.values))) continue;
        const failing = { [name]: 'abc', [other]: badValue(otherDecls) };
        const expected = order
          .filter((n) => n in failing)
          .flatMap((n) => messagesFor(all.find(([m]) => m === n)![1], n))
          .join(', ');
        const response = await request(route, failing);
        expect([route.name, name, other, response.status, response.body]).toEqual([route.name, name, other, 400, { error: expected }]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(40);
  });
});

describe("GitLab's file_path validator", () => {
  it.each([
    ['.', false],
    ['..', false],
    ['../etc/passwd', false],
    ['dir/..', false],
    ['a/../b', false],
    ['a\\..\\b', false],
    ['/etc/passwd', false],
    ['%2Fetc%2Fpasswd', false],
    ['%2e%2e%2fx', false],
    ['a%252Fb', false],
    ['line\nbreak', false],
    ['file.tar.gz', true],
    ['...', true],
    ['my+file.tar.gz', true],
    ['dir/sub/file.txt', true],
    ['..hidden', true],
  ])('%j is %s', (value, safe) => {
    expect(isSafeFilePath(value)).toBe(safe);
  });

  it('adds its message after the regexp message of the same parameter', () => {
    const specs = [param.string('file_name', { regexp: /^[a-z.]+$/, filePath: true })];
    expect(() => validateParams(specs, { file_name: '../x' })).toThrow(expect.objectContaining({ body: { error: 'file_name is invalid, file_name should be a valid file path' } }));
    expect(() => validateParams(specs, { file_name: '..' })).toThrow(expect.objectContaining({ body: { error: 'file_name should be a valid file path' } }));
    expect(validateParams(specs, { file_name: 'ok.txt' }).params.file_name).toBe('ok.txt');
  });
});
