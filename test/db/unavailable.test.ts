// Which failures mean "the database is unavailable" (answered 503) and which stay errors (500): the
// shapes Prisma 7 with @prisma/adapter-pg and node-postgres produce, as seen with a server stopped
// under load and a statement past statement_timeout (test/e2e/database-outage.test.ts).
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/unavailable.ts';

const prismaError = (code: string, cause?: Record<string, unknown>) =>
  Object.assign(new Error('failed'), { name: 'PrismaClientKnownRequestError', code, meta: cause ? { driverAdapterError: { name: 'DriverAdapterError', cause } } : {} });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a server that cannot be reached (P1001, DatabaseNotReachable)', prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 })],
    ['a raw query on a server that cannot be reached (P2010, DatabaseNotReachable)', prismaError('P2010', { kind: 'DatabaseNotReachable' })],
    ['a connection terminated by a fast shutdown (57P01)', prismaError('P2010', { kind: 'postgres', code: '57P01', severity: 'FATAL' })],
    ['a server starting up (57P03)', prismaError('P2010', { kind: 'postgres', code: '57P03' })],
    ['a statement past statement_timeout (57014)', prismaError('P2010', { kind: 'postgres', code: '57014' })],
    ['a connection exception (class 08)', prismaError('P2010', { kind: 'postgres', code: '08006' })],
    ['a closed connection (ConnectionClosed)', prismaError('P2010', { kind: 'ConnectionClosed' })],
    ['too many connections (53300)', prismaError('P2010', { kind: 'postgres', code: '53300' })],
    ['a pool timeout (P2024)', prismaError('P2024')],
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ["node-postgres's ended connection", new Error('Connection terminated unexpectedly')],
    ["node-postgres's pool timeout", new Error('timeout exceeded when trying to connect')],
    ['one of these as the cause of another error', new Error('upload failed', { cause: prismaError('P1001', { kind: 'DatabaseNotReachable' }) })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (P2002)', prismaError('P2002')],
    ['a raw query with a syntax error (42601)', prismaError('P2010', { kind: 'postgres', code: '42601' })],
    ['a value out of range (22003)', prismaError('P2010', { kind: 'postgres', code: '22003' })],
    ['a record not found (P2025)', prismaError('P2025')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a non-error', 'Connection terminated'],
    ['null', null],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
