import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/domain/viewer.ts';
import { tokenDigest } from '../../src/domain/tokens.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createUserWithToken } from '../support/users.ts';

describe('authenticate', () => {
  let db: TestDatabase;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    db = await createTestDatabase();
    tokens.good = (await createUserWithToken(db.prisma, 'good')).token;
    tokens.expired = (await createUserWithToken(db.prisma, 'expired', { expiresAt: new Date('2020-01-01') })).token;
    tokens.revoked = (await createUserWithToken(db.prisma, 'revoked', { revoked: true })).token;
    tokens.blocked = (await createUserWithToken(db.prisma, 'blocked', { state: 'blocked' })).token;
    const group = await db.prisma.namespace.create({ data: { name: 'g', path: 'g', fullPath: 'g' } });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { username: 'good' } });
    await db.prisma.groupMember.create({ data: { namespaceId: group.id, userId: user.id, accessLevel: 30 } });
  });
  afterAll(() => db.close());

  it('no token is anonymous', async () => {
    expect(await authenticate(db.prisma, undefined)).toEqual({ ok: true, viewer: { kind: 'anonymous' } });
  });

  it('a valid token is its user, with scopes and memberships', async () => {
    const auth = await authenticate(db.prisma, tokens.good);
    expect(auth).toMatchObject({ ok: true, viewer: { kind: 'user', username: 'good', admin: false, scopes: ['api'] } });
    if (auth.ok && auth.viewer.kind === 'user') {
      expect(auth.viewer.memberships.groups).toEqual([{ fullPath: 'g', accessLevel: 30 }]);
    }
  });

  it.each(['unknown', 'expired', 'revoked', 'blocked'])('rejects a %s token', async (kind) => {
    const token = tokens[kind] ?? 'glpat-never-issued-000000';
    expect(await authenticate(db.prisma, token)).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('stores only a digest of the token', async () => {
    const rows = await db.prisma.personalAccessToken.findMany({ select: { tokenDigest: true } });
    expect(rows.map((r) => r.tokenDigest)).not.toContain(tokens.good);
    expect(rows.map((r) => r.tokenDigest)).toContain(tokenDigest(tokens.good!));
    expect(tokenDigest(tokens.good!)).toMatch(/^[0-9a-f]{64}$/);
  });
});
