// A TCP proxy in front of PostgreSQL that counts the SQL statements its clients send, by reading the
// frontend side of the wire protocol (v3): a simple-protocol Query ('Q') is one statement, and so is
// an extended-protocol Execute ('E'); Parse ('P') / Bind ('B') are tracked only to name what each
// Execute runs. Used without `pg_stat_statements` (which needs a server restart to preload): point a
// process's DATABASE_URL at the proxy, snapshot the counters, send N requests, snapshot again.
// Backend traffic is piped through untouched. TLS is refused (SSLRequest answered 'N'), so the
// client falls back to plain text, which is what a localhost connection does anyway.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface StatementCounts {
  /** Statements run: Execute messages plus simple Query messages. */
  statements: number;
  executes: number;
  simpleQueries: number;
  parses: number;
  /** Statements by SQL text (whitespace squeezed, cut at 160 characters). */
  byText: Map<string, number>;
}

export interface CountingProxy {
  /** `postgresql://` URL of the proxy: the upstream URL with its host and port replaced. */
  url: string;
  port: number;
  /** Totals since the proxy started (diff two with `diffCounts`). */
  snapshot(): StatementCounts;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** A NUL-terminated string at `offset`; returns it and the offset after the NUL. */
function cstring(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  if (end < 0) return [buffer.toString('utf8', offset), buffer.length];
  return [buffer.toString('utf8', offset, end), end + 1];
}

const squeeze = (sql: string) => {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

/** The counts between two snapshots, texts sorted by count descending. */
export function diffCounts(before: StatementCounts, after: StatementCounts): StatementCounts {
  const byText = new Map<string, number>();
  for (const [text, n] of after.byText) {
    const d = n - (before.byText.get(text) ?? 0);
    if (d > 0) byText.set(text, d);
  }
  return {
    statements: after.statements - before.statements,
    executes: after.executes - before.executes,
    simpleQueries: after.simpleQueries - before.simpleQueries,
    parses: after.parses - before.parses,
    byText: new Map([...byText].sort((a, b) => b[1] - a[1])),
  };
}

/** Starts a counting proxy to the PostgreSQL server of `upstreamUrl`, on a free local port. */
export async function startCountingProxy(upstreamUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const upstreamHost = upstream.hostname || '127.0.0.1';
  const upstreamPort = Number(upstream.port || 5432);
  const totals = { statements: 0, executes: 0, simpleQueries: 0, parses: 0 };
  const byText = new Map<string, number>();
  const sockets = new Set<Socket>();
  const count = (text: string) => byText.set(text, (byText.get(text) ?? 0) + 1);

  const server: Server = createServer((client) => {
    const backend = connect(upstreamPort, upstreamHost);
    sockets.add(client);
    sockets.add(backend);
    const statements = new Map<string, string>(); // prepared statement name -> text ('' = unnamed)
    const portals = new Map<string, string>(); // portal name -> text
    let startup = true;
    let pending: Buffer = Buffer.alloc(0);

    const onMessage = (type: number, body: Buffer) => {
      switch (type) {
        case 0x51: {
          // 'Q' Query: query string
          totals.statements++;
          totals.simpleQueries++;
          count(squeeze(cstring(body, 0)[0]));
          break;
        }
        case 0x50: {
          // 'P' Parse: statement name, query string, parameter types
          totals.parses++;
          const [name, next] = cstring(body, 0);
          statements.set(name, squeeze(cstring(body, next)[0]));
          break;
        }
        case 0x42: {
          // 'B' Bind: portal name, statement name, ...
          const [portal, next] = cstring(body, 0);
          portals.set(portal, statements.get(cstring(body, next)[0]) ?? '(unknown prepared statement)');
          break;
        }
        case 0x45: {
          // 'E' Execute: portal name, max rows
          totals.statements++;
          totals.executes++;
          count(portals.get(cstring(body, 0)[0]) ?? '(unknown portal)');
          break;
        }
        case 0x43: {
          // 'C' Close: 'S' statement or 'P' portal, name
          const [name] = cstring(body, 1);
          (body[0] === 0x53 ? statements : portals).delete(name);
          break;
        }
      }
    };

    client.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      backend.cork();
      for (;;) {
        if (startup) {
          // Untyped messages: Int32 length (self included), Int32 code, ...
          if (pending.length - offset < 8) break;
          const length = pending.readInt32BE(offset);
          if (pending.length - offset < length) break;
          const code = pending.readInt32BE(offset + 4);
          const message = pending.subarray(offset, offset + length);
          offset += length;
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            client.write('N'); // no encryption through the proxy: the client goes on in plain text
            continue;
          }
          backend.write(message);
          if (code !== CANCEL_REQUEST) startup = false;
          continue;
        }
        // Typed messages: Byte1 type, Int32 length (self included, type excluded), body.
        if (pending.length - offset < 5) break;
        const length = pending.readInt32BE(offset + 1);
        if (pending.length - offset < length + 1) break;
        onMessage(pending[offset]!, pending.subarray(offset + 5, offset + 1 + length));
        backend.write(pending.subarray(offset, offset + 1 + length));
        offset += length + 1;
      }
      backend.uncork();
      pending = offset === pending.length ? Buffer.alloc(0) : Buffer.from(pending.subarray(offset));
    });

    backend.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
    };
    client.on('close', end);
    backend.on('close', end);
    client.on('error', end);
    backend.on('error', end);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = new URL(upstreamUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    port,
    snapshot: () => ({ ...totals, byText: new Map(byText) }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
