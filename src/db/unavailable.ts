// Whether a failed statement means the database is unavailable (rather than that the statement was
// wrong): the server is down, restarting, unreachable or out of connections, the connection broke, or
// the statement ran past `statement_timeout`. Such a request is answered 503 and may be retried; any
// other failure stays a 500 (a bug to fix).

/** SQLSTATE classes and codes of an unavailable server (PostgreSQL's Appendix A, "Error Codes"). */
const unavailableSqlStates = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast or immediate shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, or in recovery
  '57014', // query_canceled: statement_timeout (or a cancel request)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

/** Prisma's codes for a server it cannot reach or that went away (prisma.io/docs/orm/reference/error-reference). */
const unavailablePrismaCodes = new Set([
  'P1001', // can't reach the database server
  'P1002', // the server was reached but timed out
  'P1008', // operations timed out
  'P1017', // the server closed the connection
  'P2024', // timed out fetching a new connection from the pool
]);

/** The driver adapter's kinds of error (`DriverAdapterError.cause.kind`) that mean the same. */
const unavailableAdapterKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** Socket errors of a connection that could not be made or broke (node-postgres passes them on). */
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** node-postgres's own messages for a connection that ended or could not be had in time. */
const unavailableMessages = /^(?:Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused)/;

const sqlState = (code: unknown) => typeof code === 'string' && (unavailableSqlStates.has(code) || /^08/.test(code)); // class 08: connection_exception

function unavailable(error: Record<string, unknown>): boolean {
  const { code } = error;
  if (typeof code === 'string' && (unavailablePrismaCodes.has(code) || unavailableErrnos.has(code) || sqlState(code))) return true;
  const adapter = (error.meta as { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } } | undefined)?.driverAdapterError?.cause;
  if (adapter && (unavailableAdapterKinds.has(String(adapter.kind)) || (adapter.kind === 'postgres' && sqlState(adapter.code)))) return true;
  if (error.kind !== undefined && unavailableAdapterKinds.has(String(error.kind))) return true;
  return typeof error.message === 'string' && unavailableMessages.test(error.message);
}

/**
 * True when `error` (a Prisma error, a driver adapter error, a node-postgres or socket error, or an
 * error whose `cause` chain holds one, up to 5 deep) says the database is unavailable: the
 * statement may succeed once it is back. False for every other error, and for non-errors.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    if (unavailable(current as Record<string, unknown>)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
