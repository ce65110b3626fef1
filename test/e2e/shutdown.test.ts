// SIGTERM under load, on a real server process: 10 keep-alive clients loop over E1 (each on its own
// connection) while the server is told to stop. Readiness turns 503 at once on a connection opened
// before the signal, every request sent over an existing connection gets its normal 200 (the ones
// answered after the signal with `Connection: close`), none is reset, new connections are refused, and
// the process exits with code 0 within 10 s. Once with one process (both databases), once with
// WORKERS=2 on PostgreSQL, where the signal goes to the primary only.
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { testDbMode } from '../support/database.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/server-process.ts';

const e1 = '/api/v4/projects/acme%2Fplatform%2Fapi/packages';
const token = { 'PRIVATE-TOKEN': 'glpat-mia-demo-00000000003' }; // demo data: mia, a maintainer of acme

interface Outcome {
  path: string;
  /** Sent after the test signalled the server. */
  afterSignal: boolean;
  /** Sent over a connection that had carried an earlier request. */
  reused: boolean;
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
  /** When it was sent and settled (performance.now()). */
  client?: number;
  sentAt?: number;
  settledAt?: number;
}

/** One GET over `agent`, resolved with its outcome (errors included, never rejected). */
function get(agent: http.Agent | false, url: string, path: string, afterSignal: () => boolean, headers: Record<string, string> = {}): Promise<Outcome> {
  const sentAt = performance.now();
  return new Promise<Outcome>((resolve) => {
    const sentAfterSignal = afterSignal();
    const req = http.get(`${url}${path}`, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ path, afterSignal: sentAfterSignal, reused: req.reusedSocket, status: res.statusCode!, connection: String(res.headers.connection), body }),
      );
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ path, afterSignal: sentAfterSignal, reused: req.reusedSocket, error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ path, afterSignal: sentAfterSignal, reused: req.reusedSocket, error: error.code ?? error.message }));
  }).then((outcome) => ({ ...outcome, sentAt, settledAt: performance.now() }));
}

/**
 * Loops over E1 until a request is refused (ECONNREFUSED: the server stopped listening) or `stop()`.
 * Other errors are recorded and the loop goes on (on a new connection).
 */
async function loop(client: number, url: string, outcomes: Outcome[], afterSignal: () => boolean, stop: () => boolean): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (!stop()) {
      const outcome = await get(agent, url, e1, afterSignal, token);
      outcomes.push({ ...outcome, client });
      if (outcome.error === 'ECONNREFUSED') return;
    }
  } finally {
    agent.destroy();
  }
}

const summary = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<string, number>>((counts, o) => {
    const key = `${o.reused ? 'existing' : 'new'} connection: ${o.error ?? o.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

async function signalUnderLoad(gateway: GatewayProcess, workers: number): Promise<void> {
  const { url } = gateway;
  const outcomes: Outcome[] = [];
  let signalled = false;
  let exited = false;
  const afterSignal = () => signalled;
  const clients = Array.from({ length: 10 }, (_, i) => loop(i, url, outcomes, afterSignal, () => exited));
  // Every client has its connection and has been served a few times.
  const fewest = () => Math.min(...Array.from({ length: 10 }, (_, client) => outcomes.filter((o) => o.client === client).length));
  await expect.poll(fewest, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(3);
  expect(summary(outcomes)).toEqual({ 'new connection: 200': 10, 'existing connection: 200': outcomes.length - 10 });

  // A connection of its own, opened (and answered) just before the signal, for readiness afterwards.
  const probe = new http.Agent({ keepAlive: true, maxSockets: 1 });
  expect((await get(probe, url, '/-/readiness', afterSignal)).status).toBe(200);
  const exit = gateway.exited.then((result) => ((exited = true), { ...result, at: performance.now() }));
  const signalledAt = performance.now();
  signalled = true;
  gateway.child.kill('SIGTERM');

  // Readiness is 503 as soon as the server process (each worker) has handled the signal, on that same
  // connection, idle since before the signal.
  const handled = () => gateway.output().match(/"msg":"shutting down"/g)?.length ?? 0;
  while (handled() < workers && performance.now() - signalledAt < 3000) await new Promise((resolve) => setTimeout(resolve, 5));
  const readiness = await get(probe, url, '/-/readiness', afterSignal);
  probe.destroy();
  // New connections are refused once the process has stopped listening.
  let refused: string | undefined;
  while (refused === undefined && performance.now() - signalledAt < 8000) {
    const outcome = await get(false, url, '/-/health', afterSignal);
    if (outcome.error !== undefined) refused = outcome.error;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const { code, at } = await exit;
  await Promise.all(clients);
  const after = outcomes.filter((o) => o.afterSignal);
  const existing = after.filter((o) => o.reused);
  const counts = summary(after);
  console.log(`requests sent after SIGTERM: ${after.length} (${JSON.stringify(counts)}); exit ${code} after ${Math.round(at - signalledAt)} ms`);
  const ms = (t: number | undefined) => Math.round((t ?? 0) - signalledAt);
  for (const o of after) console.log(`  client ${o.client}: ${o.reused ? 'existing' : 'new'} ${o.error ?? o.status} ${o.connection ?? ''} sent ${ms(o.sentAt)} settled ${ms(o.settledAt)}`);

  expect([readiness.reused, readiness.error ?? readiness.status]).toEqual([true, 503]);
  expect(JSON.parse(readiness.body!)).toEqual({ status: 'unavailable', reason: 'shutting down' });
  expect(readiness.connection).toBe('close');
  expect(refused).toBe('ECONNREFUSED');

  // Every answer anyone got was the normal 200 with its page of packages; the ones sent after the
  // signal over a connection opened before it were answered too, and told to close it.
  for (const o of outcomes.filter((o) => o.status !== undefined)) {
    expect(o.status).toBe(200);
    expect(JSON.parse(o.body!)).toEqual(expect.arrayContaining([expect.objectContaining({ name: expect.any(String) })]));
  }
  expect(existing.filter((o) => o.error !== undefined), JSON.stringify(counts)).toEqual([]);
  // Answers from before the process handled the signal kept the connection; the last answer each
  // client got over its connection (the one from the drain) closed it.
  for (let client = 0; client < clients.length; client++) {
    expect(outcomes.filter((o) => o.client === client && o.reused && o.status !== undefined).at(-1)?.connection).toBe('close');
  }
  // What failed was a new connection, refused: the last request of each client.
  expect(after.filter((o) => o.error !== undefined).map((o) => [o.reused, o.error])).toEqual(clients.map(() => [false, 'ECONNREFUSED']));
  expect(code).toBe(0);
  expect(at - signalledAt).toBeLessThan(10_000);
  expect(gateway.output()).toContain('"msg":"stopped"');
}

describe(`SIGTERM under load on ${testDbMode === 'pglite' ? 'the embedded database' : 'PostgreSQL'}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('answers every request sent over an open connection, refuses new ones, and exits 0', async () => {
    const gateway = await startGatewayProcess();
    cleanups.push(gateway.cleanup);
    await signalUnderLoad(gateway, 1);
  }, 120_000);

  it('an open packageEvents stream gets an upload live, then ends at SIGTERM; the process exits 0 without waiting for the deadline', async () => {
    const gateway = await startGatewayProcess();
    cleanups.push(gateway.cleanup);
    const { url } = gateway;
    let body = '';
    let ended = false;
    const query = 'subscription { packageEvents(projectPath: "acme/platform/api") { action package { name version } } }';
    const stream = http.request(`${url}/api/graphql`, { method: 'POST', headers: { ...token, 'content-type': 'application/json', accept: 'text/event-stream' } });
    const status = new Promise<number>((resolve) =>
      stream.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('close', () => (ended = true));
        resolve(res.statusCode!);
      }),
    );
    stream.end(JSON.stringify({ query }));
    expect(await status).toBe(200);
    // Published until the stream has it: the first PUTs may come before the subscription listens.
    const name = 'live-over-sse';
    for (let version = 1; !body.includes(name) && version <= 50; version++) {
      const put = await fetch(`${url}/api/v4/projects/acme%2Fplatform%2Fapi/packages/generic/${name}/${version}.0.0/a.bin`, { method: 'PUT', headers: token, body: 'bytes' });
      expect(put.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toContain(`"packageEvents":{"action":"CREATED","package":{"name":"${name}"`);
    const signalledAt = performance.now();
    gateway.child.kill('SIGTERM');
    const { code } = await gateway.exited;
    const tookMs = performance.now() - signalledAt;
    expect(code).toBe(0);
    expect(ended).toBe(true);
    expect(body).toContain('event: complete');
    // SHUTDOWN_TIMEOUT_SECONDS is 10 by default: the stream was ended, not cut at the deadline.
    expect(tookMs).toBeLessThan(5_000);
  }, 120_000);

  it.runIf(testDbMode === 'postgres')('does the same with WORKERS=2 (the primary signalled)', async () => {
    const gateway = await startGatewayProcess({ WORKERS: '2' });
    cleanups.push(gateway.cleanup);
    // Both workers listen before the load starts.
    await expect.poll(() => gateway.output().match(/"msg":"listening"/g)?.length ?? 0, { timeout: 60_000 }).toBe(2);
    await signalUnderLoad(gateway, 2);
    const stopped = gateway.output().split('\n').filter((line) => line.includes('"msg":"stopped"'));
    expect(stopped.filter((line) => line.includes('"worker":'))).toHaveLength(2);
  }, 120_000);
});
