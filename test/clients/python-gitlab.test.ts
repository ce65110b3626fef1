// python-gitlab (Debian's python3-gitlab 3.12, run with /usr/bin/python3), unchanged, against the
// gateway over real HTTP: the script test/clients/python_gitlab.py makes the calls and reports.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeServer, listen } from '../../src/server.ts';
import { describeWith, pythonGitlab } from '../support/external.ts';
import { openWorld, package1001, pipeline400, pipeline401, tokens, type World } from '../rest/world.ts';

const run = promisify(execFile);

describeWith(pythonGitlab, 'python-gitlab', () => {
  let world: World;
  let host: string;
  let server: Awaited<ReturnType<typeof listen>>['server'];
  let out: Record<string, unknown>;

  beforeAll(async () => {
    world = await openWorld();
    ({ server, url: host } = await listen(world.app, 0, '127.0.0.1'));
    const { stdout } = await run('/usr/bin/python3', ['test/clients/python_gitlab.py', host, JSON.stringify(tokens)], { timeout: 60_000 });
    out = JSON.parse(stdout);
  });
  afterAll(async () => {
    await closeServer(server);
    await world.db.close();
  });

  const absolute = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('http://gw.test', host));

  it('is the Debian package', () => {
    expect(out.version).toBe('3.12.0');
  });

  it('lists every page (get_all=True) by id or path, with filters, or one page', () => {
    expect(out.list_all).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
    expect(out.list_by_path).toEqual([1003, 1001, 1002, 1005, 1008, 1011, 1012, 1013]);
    expect(out.list_filtered).toEqual([1003, 1002, 1001, 1012]);
    expect(out.list_versionless).toEqual([1007]);
    expect(out.list_first_page).toEqual([1005, 1008, 1011]);
  });

  it('lists groups with subgroups on and off', () => {
    expect(out.group_with_subgroups).toEqual([3001, 3002, 3101]);
    expect(out.group_without_subgroups).toEqual([3001, 3002]);
    expect(out.group_project_paths).toEqual([
      ...[1013, 1012, 1011, 1008, 1005, 1003, 1002, 1001].map((id) => [id, 'acme/platform/api']),
      [4101, 'acme/web'],
    ]);
  });

  it('gets a package, its files, and its pipelines (http_list)', () => {
    expect(out.show).toEqual(
      absolute({
        ...package1001(false),
        versions: [
          { id: 1003, version: '0.9.0', created_at: '2024-01-09T10:00:00.000Z', tags: [] },
          { id: 1002, version: '2.0.0', created_at: '2024-01-11T10:00:00.000Z', tags: [], pipeline: pipeline401 },
        ],
      }),
    );
    expect((out.files as { id: number }[]).map((f) => f.id)).toEqual([10011, 10012]);
    expect((out.files as { pipelines?: unknown }[])[0]!.pipelines).toEqual(absolute([pipeline400]));
    expect(out.pipelines).toEqual([401, 400]);
    expect(out.pipelines_by_path).toEqual([401, 400]);
  });

  it('deletes a file and a package; 404 afterwards; protection refused', () => {
    expect(out.files_after_delete).toEqual([10011]);
    expect(out.get_deleted).toEqual(['GitlabGetError', 404, '404 Not found']);
    expect(out.delete_again).toEqual(['GitlabDeleteError', 404, '404 Not found']);
    expect(out.delete_protected).toEqual(['GitlabDeleteError', 403, 'Package is deletion protected.']);
  });

  it('anonymous callers and invalid tokens get GitLab\'s errors', () => {
    expect(out.anonymous_public).toEqual([3001, 3002]);
    expect(out.anonymous_private).toEqual(['GitlabListError', 404, '404 Project Not Found']);
    expect(out.anonymous_delete).toEqual(['GitlabDeleteError', 403, '403 Forbidden']);
    expect(out.invalid_token).toEqual(['GitlabAuthenticationError', 401, '401 Unauthorized']);
    expect(out.bad_parameter).toEqual(['GitlabListError', 400, 'order_by does not have a valid value']);
  });
});
