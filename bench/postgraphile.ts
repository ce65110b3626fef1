// The peer the gateway is measured against: PostGraphile 5 (amber preset) over the bench database,
// serving the same page of packages as one GraphQL query (bench/targets.ts `postgraphileQuery`). It
// does less than the gateway (no token, no access rules: it reads as the database user) and is a
// devDependency only, never used by the product.
//
// Two things it needs told: the default listing's filter (GitLab's displayable statuses, no
// Terraform modules, versioned), given as a `listed` table condition; and ordering by columns that
// no index leads with (created_at), which PostGraphile otherwise leaves out of `orderBy`.
//
// Run as a process: DATABASE_URL=... PEER_PORT=0 tsx bench/postgraphile.ts (prints `listening <url>`).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAsProcess } from './processes.ts';

// PostGraphile 5 uses Promise.withResolvers (Node 22); Node 20 lacks it.
if (!(Promise as { withResolvers?: unknown }).withResolvers) {
  (Promise as unknown as { withResolvers: () => unknown }).withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export async function startPostGraphile(options: { databaseUrl: string; port?: number; host?: string }) {
  const { postgraphile } = await import('postgraphile');
  const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
  const { makePgService } = await import('postgraphile/adaptors/pg');
  const { grafserv } = await import('postgraphile/grafserv/node');
  const { addPgTableCondition } = await import('postgraphile/utils');

  const listed = addPgTableCondition(
    { schemaName: 'public', tableName: 'packages_packages' },
    'listed',
    (build) => ({ type: build.graphql.GraphQLBoolean, description: 'Only packages of the default listing.' }),
    (value, { sql, sqlTableAlias }) =>
      value === true
        ? sql`(${sqlTableAlias}.status in ('default', 'error', 'deprecated') and ${sqlTableAlias}.package_type <> 'terraform_module' and ${sqlTableAlias}.version is not null)`
        : null,
  );
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [listed],
    // Order by any column (created_at leads no index here).
    disablePlugins: ['PgIndexBehaviorsPlugin'],
    pgServices: [makePgService({ connectionString: options.databaseUrl, schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const instance = postgraphile(preset);
  const serv = instance.createServ(grafserv);
  const server = createServer((req, res) => {
    if (req.url === '/-/readiness') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    handler(req, res);
  });
  const handler = serv.createHandler();
  await instance.getSchema(); // build the schema before listening
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  server.keepAliveTimeout = 60_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await serv.release();
      await instance.release();
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAsProcess(startPostGraphile, 'PEER_PORT');
}
