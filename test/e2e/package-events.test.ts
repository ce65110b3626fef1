// Two gateway processes on one PostgreSQL database: a package published through one of them reaches a
// packageEvents subscriber of the other (the trigger's NOTIFY, delivered to every listening process).
// PostgreSQL only: an embedded PGlite database is opened by one process at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchPostgres, testDbMode } from '../support/database.ts';
import { waitForListening } from '../support/processes.ts';

const token = { 'PRIVATE-TOKEN': 'glpat-mia-demo-00000000003' }; // demo data: mia, a maintainer of acme

describe.runIf(testDbMode === 'postgres')('package events across gateway processes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const serve = async (databaseUrl: string): Promise<string> => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: databaseUrl };
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    });
    return waitForListening(child);
  };

  it('a package published through one process is delivered live by the other', async () => {
    const scratch = await createScratchPostgres();
    cleanups.push(scratch.drop);
    const subscriberUrl = await serve(scratch.url);
    const publisherUrl = await serve(scratch.url);

    let body = '';
    const query = 'subscription { packageEvents(groupPath: "acme") { action package { name version project { fullPath } } } }';
    const stream = http.request(`${subscriberUrl}/api/graphql`, { method: 'POST', headers: { ...token, 'content-type': 'application/json', accept: 'text/event-stream' } });
    cleanups.push(async () => void stream.destroy());
    const status = new Promise<number>((resolve) =>
      stream.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        resolve(res.statusCode!);
      }),
    );
    stream.end(JSON.stringify({ query }));
    expect(await status).toBe(200);

    // Published until the stream has it: the first PUTs may come before the subscription listens.
    const name = 'from-the-other-process';
    for (let version = 1; !body.includes(name) && version <= 50; version++) {
      const put = await fetch(`${publisherUrl}/api/v4/projects/acme%2Fplatform%2Fapi/packages/generic/${name}/${version}.0.0/a.bin`, {
        method: 'PUT',
        headers: token,
        body: 'bytes',
      });
      expect(put.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toContain(`{"action":"CREATED","package":{"name":"${name}"`);
    expect(body).toContain('"project":{"fullPath":"acme/platform/api"}');
  }, 120_000);
});
