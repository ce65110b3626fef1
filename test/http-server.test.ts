// src/http-server.ts in-process: the drain (answers with `Connection: close`, idle connections closed
// after the grace and not before, the deadline, new connections refused), the body's idle timeout
// (and that it does not cut a slow answer once the body is in), the head's timeout (408) and size
// (431), an answer closing after a failed pipeline destroyed its request, and readiness while draining.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { pipeline, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, drainIdleGraceMs, drainServer } from '../src/http-server.ts';
import { createApp } from '../src/server.ts';
import { createLogger } from '../src/logger.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await drainServer(server, { timeoutMs: 100 });
});

/** A server whose answers take `?ms=` milliseconds; answers with the request's path. */
async function slowServer(settings: Parameters<typeof createHttpServer>[1] = {}) {
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => setTimeout(() => res.end(`${url.pathname}${body ? ` ${body}` : ''}`), Number(url.searchParams.get('ms') ?? 0)));
  }, settings);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Answer {
  status?: number;
  body?: string;
  connection?: string;
  reused?: boolean;
  error?: string;
}

function get(port: number, path: string, agent: http.Agent | false): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection, reused: req.reusedSocket }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, reused: req.reusedSocket }));
  });
}

/** A raw connection; resolves with everything the server wrote once it closes, and when. */
function raw(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<{ received: string; at: number }>((resolve) => socket.on('close', () => resolve({ received, at: performance.now() })));
  socket.on('error', () => {});
  return { socket, closed };
}

describe('drainServer', () => {
  it('answers requests in flight and on open connections with Connection: close, then refuses new connections', async () => {
    const { server, port } = await slowServer();
    const busy = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const idle = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(port, '/warm', busy)).toMatchObject({ status: 200, connection: 'keep-alive' });
    expect(await get(port, '/warm', idle)).toMatchObject({ status: 200, connection: 'keep-alive' });
    const inFlight = get(port, '/slow?ms=300', busy);
    await sleep(50);
    const drained = drainServer(server);
    // A request on the connection that was idle when the drain began: answered, and told to close.
    expect(await get(port, '/later', idle)).toMatchObject({ status: 200, body: '/later', connection: 'close', reused: true });
    expect(await inFlight).toMatchObject({ status: 200, body: '/slow', connection: 'close' });
    expect((await get(port, '/new', false)).error).toBe('ECONNREFUSED');
    await drained;
    busy.destroy();
    idle.destroy();
  });

  it('closes a connection idle since before the drain only after the grace', async () => {
    const { server, port } = await slowServer();
    const client = raw(port);
    client.socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => client.socket.bytesRead).toBeGreaterThan(0);
    const started = performance.now();
    const drained = drainServer(server);
    const { at } = await client.closed;
    await drained;
    expect(at - started).toBeGreaterThanOrEqual(drainIdleGraceMs - 50);
  });

  it('keeps a connection whose next request has begun to arrive, and answers it', async () => {
    const { server, port } = await slowServer();
    const client = raw(port);
    await expect.poll(() => new Promise((resolve) => server.getConnections((_, n) => resolve(n)))).toBe(1); // accepted
    const drained = drainServer(server);
    client.socket.write('GET /b HTTP/1.1\r\nHost: x\r\n');
    await sleep(drainIdleGraceMs + 300); // past the grace: the partial request keeps it open
    client.socket.write('\r\n');
    const { received } = await client.closed;
    await drained;
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/\r\nConnection: close\r\n/i);
    expect(received.endsWith('/b')).toBe(true);
  });

  it('destroys what is still open at the deadline', async () => {
    const { server, port } = await slowServer();
    const client = raw(port);
    client.socket.write('GET /slow?ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(100);
    let open: number | undefined;
    const started = performance.now();
    await drainServer(server, { timeoutMs: 500, onDeadline: (n) => (open = n) });
    expect(open).toBe(1);
    expect((await client.closed).received).toBe('');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('the body idle timeout', () => {
  it('closes a connection whose body pauses longer than the timeout', async () => {
    const { port } = await slowServer({ bodyIdleTimeoutSeconds: 1 });
    const client = raw(port);
    const started = performance.now();
    client.socket.write('PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nfirst bytes');
    const { received, at } = await client.closed;
    expect(received).toBe('');
    expect(at - started).toBeGreaterThanOrEqual(900);
  });

  it('lets a body arrive slowly as long as it keeps coming, and does not cut the answer that follows', async () => {
    const { port } = await slowServer({ bodyIdleTimeoutSeconds: 1 });
    const client = raw(port);
    client.socket.write('PUT /upload?ms=1500 HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n');
    for (const byte of 'abcdef') {
      await sleep(400); // 2.4 s in all, each pause under the timeout
      client.socket.write(byte);
    }
    // The answer takes 1.5 s once the body is in: longer than the body's idle timeout.
    const answer = await new Promise<string>((resolve) => client.socket.on('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\/upload abcdef$/);
    client.socket.destroy();
  });
});

describe('a connection closed under an answer', () => {
  it('does not throw when the answer closes after the request was destroyed by a failed pipeline (a 413 while the body streams)', async () => {
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      // As the upload does: the body is piped into a sink that fails past the limit. Node's pipeline
      // then destroys the request and sets `req.socket` to null before the answer closes.
      const server = createHttpServer((req, res) => {
        if (req.url !== '/upload') return void res.end('ok');
        const sink = new Writable({ write: (_chunk, _encoding, done) => done(new Error('past the limit')) });
        pipeline(req, sink, () => res.writeHead(413, { connection: 'close' }).end('{"message":"413 Request Entity Too Large"}'));
      }, { bodyIdleTimeoutSeconds: 1 });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const { port } = server.address() as AddressInfo;
      const client = raw(port);
      client.socket.write('PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n' + 'a'.repeat(65536));
      expect((await client.closed).received).toMatch(/^HTTP\/1\.1 413 /);
      await sleep(50);
      expect(await get(port, '/next', false)).toMatchObject({ status: 200, body: 'ok' });
      expect(thrown).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

describe('the request head', () => {
  it('answers 408 and closes a connection whose headers dribble in past HTTP_HEADERS_TIMEOUT_SECONDS', async () => {
    const { port } = await slowServer({ headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 });
    const client = raw(port);
    const started = performance.now();
    client.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n');
    const dribble = setInterval(() => client.socket.writable && client.socket.write('X-Pad: a\r\n'), 200);
    const { received, at } = await client.closed;
    clearInterval(dribble);
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // Checked every second: cut between the limit and a second after it.
    expect(at - started).toBeGreaterThanOrEqual(900);
    expect(at - started).toBeLessThan(3500);
  });

  it('answers 431 to a head larger than HTTP_MAX_HEADER_BYTES, and serves one within it', async () => {
    const { port } = await slowServer({ maxHeaderBytes: 2048 });
    const big = raw(port);
    big.socket.write(`GET /big HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(4096)}\r\n\r\n`);
    expect((await big.closed).received).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const small = raw(port);
    small.socket.write(`GET /small HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(1024)}\r\nConnection: close\r\n\r\n`);
    expect((await small.closed).received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\/small$/);
  });
});

describe('readiness while draining', () => {
  it('is 503 while health stays 200', async () => {
    let draining = false;
    const db = { prisma: { $queryRawUnsafe: async () => [] } } as never;
    const app = createApp({ db, config: { publicUrl: undefined, graphiql: false, exposeErrors: false }, logger: createLogger('silent'), draining: () => draining });
    draining = true;
    const readiness = await app.fetch(new Request('http://gw.test/-/readiness'));
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'unavailable', reason: 'shutting down' });
    expect((await app.fetch(new Request('http://gw.test/-/health'))).status).toBe(200);
  });
});
