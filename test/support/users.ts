import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { tokenDigest } from '../../src/domain/tokens.ts';

/** A user with one token; returns the plain token. */
export async function createUserWithToken(
  prisma: PrismaClient,
  username: string,
  options: { admin?: boolean; state?: 'active' | 'blocked'; scopes?: string[]; expiresAt?: Date; revoked?: boolean } = {},
): Promise<{ id: number; token: string }> {
  const token = `glpat-${username}-test-token-000`;
  const user = await prisma.user.create({
    data: {
      username,
      name: username,
      admin: options.admin ?? false,
      state: options.state ?? 'active',
      tokens: {
        create: {
          name: 'test',
          tokenDigest: tokenDigest(token),
          scopes: options.scopes ?? ['api'],
          expiresAt: options.expiresAt ?? null,
          revoked: options.revoked ?? false,
        },
      },
    },
  });
  return { id: user.id, token };
}
