// The reference the gateway is measured against: the same first page of a project's packages (the
// default listing: status default/error/deprecated, no terraform modules, versioned, newest first),
// with each package's tags, newest pipeline and its user, protection flag, permission and web path,
// plus the total count, in ONE hand-written SQL statement that also authenticates the token (lookup
// by its SHA-256 digest, as the gateway does) and checks read access through the memberships.
// PostgreSQL builds the JSON; node:http + pg.Pool only pass the text on.
//
//   GET /projects/<url-encoded full path>/packages?first=20   (header PRIVATE-TOKEN)
//   -> 200 {"count":N,"hasNextPage":bool,"nodes":[...]}, 401 bad token, 404 unknown or unreadable project
//
// Run as a process: DATABASE_URL=... REFERENCE_PORT=0 tsx bench/reference.ts (prints `listening <url>`).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAsProcess } from './processes.ts';
import pg from 'pg';

/** Filters of the default listing, on `packages_packages p`. */
const listed = `p.status IN ('default', 'error', 'deprecated') AND p.package_type <> 'terraform_module' AND p.version IS NOT NULL`;

/** PyPI names compare normalised (runs of -, _ and . are one -); all names compare case-insensitively. */
const normalised = (type: string, name: string) =>
  `lower(CASE WHEN ${type} = 'pypi' THEN regexp_replace(${name}, '[-_.]+', '-', 'g') ELSE ${name} END)`;

export const referenceSql = `
WITH viewer AS MATERIALIZED (
  SELECT u.id, u.admin
  FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
  WHERE t.token_digest = $1 AND NOT t.revoked AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.state = 'active'
),
project AS MATERIALIZED (
  SELECT pr.id, pr.full_path, pr.visibility, pr.packages_enabled,
         CASE WHEN v.admin THEN 60 ELSE GREATEST(
           (SELECT max(pm.access_level) FROM project_members pm WHERE pm.project_id = pr.id AND pm.user_id = v.id),
           (SELECT max(gm.access_level) FROM group_members gm JOIN namespaces n ON n.id = gm.namespace_id
             WHERE gm.user_id = v.id AND starts_with(pr.full_path, n.full_path || '/')),
           0) END AS access_level
  FROM projects pr CROSS JOIN viewer v
  WHERE lower(pr.full_path) = lower($2)
),
readable AS MATERIALIZED (
  SELECT id, full_path, access_level FROM project
  WHERE packages_enabled AND (visibility IN ('public', 'internal') OR access_level >= 20)
),
page AS MATERIALIZED (
  SELECT p.id, p.project_id, p.name, p.version, p.package_type, p.status, p.created_at
  FROM packages_packages p
  WHERE p.project_id = (SELECT id FROM readable) AND ${listed}
  ORDER BY p.created_at DESC, p.id DESC
  LIMIT $3::int + 1
)
SELECT
  EXISTS (SELECT 1 FROM viewer) AS authenticated,
  EXISTS (SELECT 1 FROM readable) AS readable,
  json_build_object(
    'count', (SELECT count(*) FROM packages_packages p WHERE p.project_id = (SELECT id FROM readable) AND ${listed}),
    'hasNextPage', (SELECT count(*) FROM page) > $3::int,
    'nodes', COALESCE((
      SELECT json_agg(json_build_object(
        'id', pg.id,
        'name', pg.name,
        'version', pg.version,
        'packageType', pg.package_type,
        'status', pg.status,
        'createdAt', pg.created_at,
        'projectFullPath', r.full_path,
        'tags', COALESCE((SELECT json_agg(t.name ORDER BY t.id) FROM packages_tags t WHERE t.package_id = pg.id), '[]'::json),
        'pipeline', (
          SELECT json_build_object('id', c.id, 'sha', c.sha,
                   'user', CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'username', u.username, 'name', u.name) END)
          FROM packages_build_infos b JOIN ci_pipelines c ON c.id = b.pipeline_id LEFT JOIN users u ON u.id = c.user_id
          WHERE b.package_id = pg.id AND b.pipeline_id IS NOT NULL
          ORDER BY b.pipeline_id DESC LIMIT 1),
        'protectionRuleExists', EXISTS (
          SELECT 1 FROM packages_protection_rules pr
          WHERE pr.project_id = pg.project_id AND pr.package_type = pg.package_type
            AND pg.package_type IN ('cargo', 'conan', 'generic', 'helm', 'maven', 'npm', 'nuget', 'pypi', 'terraform_module')
            AND ${normalised('pg.package_type', 'pg.name')} LIKE replace(replace(replace(replace(
                  ${normalised('pr.package_type', 'pr.package_name_pattern')}, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%')),
        'destroyPackage', r.access_level >= 40,
        'webPath', CASE WHEN pg.status IN ('default', 'deprecated') THEN
          '/' || r.full_path || '/-/' || CASE WHEN pg.package_type = 'terraform_module' THEN 'terraform_module_registry' ELSE 'packages' END || '/' || pg.id
        END
      ) ORDER BY pg.created_at DESC, pg.id DESC)
      FROM (SELECT * FROM page ORDER BY created_at DESC, id DESC LIMIT $3::int) pg CROSS JOIN readable r
    ), '[]'::json)
  )::text AS body`;

const json = (res: import('node:http').ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

export interface ReferenceServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startReference(options: { databaseUrl: string; port?: number; host?: string; poolSize?: number }): Promise<ReferenceServer> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
  const route = /^\/projects\/([^/]+)\/packages$/;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://reference');
    if (url.pathname === '/-/readiness') {
      pool.query('SELECT 1').then(
        () => json(res, 200, '{"status":"ok"}'),
        () => json(res, 503, '{"status":"unavailable"}'),
      );
      return;
    }
    const match = route.exec(url.pathname);
    if (req.method !== 'GET' || !match) return json(res, 404, '{"error":"404 Not Found"}');
    const token = req.headers['private-token'];
    if (typeof token !== 'string' || token === '') return json(res, 401, '{"message":"401 Unauthorized"}');
    const first = Number(url.searchParams.get('first') ?? '20');
    if (!Number.isInteger(first) || first < 1 || first > 100) return json(res, 400, '{"error":"first must be 1..100"}');
    const digest = createHash('sha256').update(token, 'utf8').digest('hex');
    pool.query<{ authenticated: boolean; readable: boolean; body: string }>(referenceSql, [digest, decodeURIComponent(match[1]!), first]).then(
      ({ rows: [row] }) => {
        if (!row?.authenticated) return json(res, 401, '{"message":"401 Unauthorized"}');
        if (!row.readable) return json(res, 404, '{"message":"404 Project Not Found"}');
        json(res, 200, row.body);
      },
      (error: unknown) => {
        console.error(error);
        json(res, 500, '{"message":"500 Internal Server Error"}');
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await pool.end();
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAsProcess(startReference, 'REFERENCE_PORT');
}
