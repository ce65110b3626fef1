// The node:http server under the app: its limits on slow and large requests (the HTTP_* settings), and
// its drain on shutdown.
//
// Limits. Node's own settings: `headersTimeout` (a request's headers, from its first byte),
// `requestTimeout` (the whole request, body included), both answered 408 and checked every second;
// `maxHeaderSize` (431); `keepAliveTimeout`. An upload's body may rightly take longer than any short
// deadline, so the body has its own idle timeout besides: while a request's body arrives, a pause
// longer than `bodyIdleTimeoutSeconds` closes the connection (the socket's inactivity timeout, on only
// while the body is read, so a long database query or a streamed download is not cut by it).
//
// Drain. `http.Server#close` would destroy the idle keep-alive connections at once, and a client that
// sends its next request on one as it closes gets ECONNRESET: HTTP/1.1 gives the server no way to close
// an idle connection without that race, only to answer a request with `Connection: close`. So the drain
// stops listening (new connections are refused), answers every request on an open connection (those
// already running and those still to come) normally with `Connection: close`, after which Node closes
// the connection; a connection with nothing in flight is closed once it has been idle for
// `drainIdleGraceMs` since the drain began (a client looping over it has sent its next request by then,
// and is answered); whatever is still open at the deadline is destroyed.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, Socket, type AddressInfo } from 'node:net';
import { defaultHttpSettings, defaultShutdownTimeoutSeconds, type HttpSettings } from './config.ts';

/** How long an idle connection is kept during a drain, from the drain's start or its last answer. */
export const drainIdleGraceMs = 1000;

/** How often Node checks the headers and request timeouts (its default, 30 s, would let a 30 s limit run to 60). */
const timeoutCheckIntervalMs = 1000;

interface Connection {
  /** Answers not finished yet. */
  responses: Set<ServerResponse>;
  /** When the last answer finished (or the connection opened), and the bytes read by then. */
  idleSince: number;
  bytesReadWhenIdle: number;
}

interface DrainState {
  connections: Map<Socket, Connection>;
  draining: boolean;
  closed?: Promise<void>;
  /** Called when a connection has closed. */
  onClose?: () => void;
}

const states = new WeakMap<Server, DrainState>();

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * An HTTP server running `listener` with `settings`' limits (absent ones: the HTTP_* defaults), whose
 * connections `drainServer` can drain.
 */
export function createHttpServer(listener: RequestListener, settings: Partial<HttpSettings> = {}): Server {
  const limits = { ...defaultHttpSettings, ...settings };
  const state: DrainState = { connections: new Map(), draining: false };
  const bodyIdleMs = limits.bodyIdleTimeoutSeconds * 1000;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutSeconds * 1000,
      requestTimeout: limits.requestTimeoutSeconds * 1000,
      maxHeaderSize: limits.maxHeaderBytes,
      connectionsCheckingInterval: timeoutCheckIntervalMs,
    },
    (req, res) => {
      // Node's pipeline sets `req.socket` to null when it destroys the request (an upload refused while
      // its body streams, 413), and the handlers below can run after that: keep the socket.
      const socket = req.socket;
      const connection = state.connections.get(socket);
      if (connection) {
        connection.responses.add(res);
        res.once('close', () => {
          connection.responses.delete(res);
          if (connection.responses.size > 0) return;
          connection.idleSince = performance.now();
          connection.bytesReadWhenIdle = socket.bytesRead;
        });
      }
      if (state.draining) res.setHeader('connection', 'close');
      if (bodyIdleMs > 0 && hasBody(req)) {
        // No listener for 'timeout': Node destroys the socket. Off again once the body is read, unless
        // the answer is already sent (then Node has set the keep-alive timeout, which stays).
        socket.setTimeout(bodyIdleMs);
        req.once('end', () => {
          if (!res.writableFinished) socket.setTimeout(0);
        });
      }
      listener(req, res);
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutSeconds * 1000;
  server.on('connection', (socket: Socket) => {
    state.connections.set(socket, { responses: new Set(), idleSince: performance.now(), bytesReadWhenIdle: 0 });
    socket.once('close', () => {
      state.connections.delete(socket);
      state.onClose?.();
    });
  });
  states.set(server, state);
  return server;
}

/**
 * Drains a server made by `createHttpServer` (see the top of this file): stops listening, answers
 * open requests with `Connection: close`, closes idle connections after the grace, and destroys what
 * is left after `timeoutMs` (`onDeadline` is told how many connections that was). Resolves when every
 * connection is closed. Calling it again returns the same promise; another server is closed with
 * `server.close()`.
 */
export function drainServer(server: Server, options: { timeoutMs?: number; onDeadline?: (open: number) => void } = {}): Promise<void> {
  const state = states.get(server);
  if (!state) return new Promise<void>((resolve) => server.close(() => resolve()));
  return (state.closed ??= new Promise<void>((resolve) => {
    state.draining = true;
    const started = performance.now();
    for (const connection of state.connections.values()) {
      for (const res of connection.responses) if (!res.headersSent) res.setHeader('connection', 'close');
    }
    const sweep = setInterval(() => {
      const now = performance.now();
      for (const [socket, connection] of state.connections) {
        // Idle: no answer pending and no byte of a next request read.
        const idle = connection.responses.size === 0 && socket.bytesRead === connection.bytesReadWhenIdle;
        if (idle && now - Math.max(started, connection.idleSince) >= drainIdleGraceMs) socket.destroy();
      }
    }, 100);
    sweep.unref();
    const deadline = setTimeout(() => {
      options.onDeadline?.(state.connections.size);
      for (const socket of state.connections.keys()) socket.destroy();
    }, options.timeoutMs ?? defaultShutdownTimeoutSeconds * 1000);
    deadline.unref();
    state.onClose = () => {
      if (state.connections.size > 0) return;
      state.onClose = undefined;
      clearInterval(sweep);
      clearTimeout(deadline);
      // http.Server's close, now that no connection is left: stops Node's timeout checks.
      server.close();
      resolve();
    };
    // Stop listening with net.Server's close (http.Server's would also destroy the idle connections at
    // once). A server fed by another process (acceptHandedConnections) has no listener of its own.
    if (server.listening) NetServer.prototype.close.call(server);
    state.onClose();
  }));
}

/** The message a primary sends with a connection it hands over (`acceptHandedConnections`). */
export const handedConnectionMessage = { pgw: 'connection' } as const;

/**
 * Serves, on a server that does not listen itself, the connections another process accepts and
 * sends over `channel` (an IPC channel: `process`) with `handedConnectionMessage`; see src/cluster.ts.
 * Node's header and request timeouts are checked as on a listening server.
 */
export function acceptHandedConnections(server: Server, channel: NodeJS.Process): void {
  // What Node does when a server starts listening: track the connections, and check their timeouts.
  server.emit('listening');
  channel.on('message', (message: unknown, handle: unknown) => {
    if ((message as { pgw?: unknown } | null)?.pgw !== handedConnectionMessage.pgw || !(handle instanceof Socket)) return;
    server.emit('connection', handle);
  });
}

/** The URL a listening server is reached at (127.0.0.1 or [::1] for a wildcard address). */
export function listeningUrl(server: NetServer): string {
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown === '[::]' ? '[::1]' : shown}:${address.port}`;
}
