// Runs GraphQL documents through the whole app (HTTP semantics, auth, limits) in-process, and
// records the SQL statements each request makes.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createLogger } from '../../src/logger.ts';
import { loadFixture } from '../../src/fixture/load.ts';
import { createApp, type App } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface GraphQLResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A Prisma client that records every operation (with relationJoins, one SQL statement each). */
export function recordingClient(prisma: PrismaClient) {
  const log: string[] = [];
  const client = prisma.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        log.push(model ? `${model}.${operation}` : operation);
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  return { client, log };
}

export function testApp(prisma: PrismaClient, publicUrl?: string): App {
  return createApp({
    db: { prisma },
    config: { publicUrl, graphiql: true, exposeErrors: true },
    logger: createLogger('silent'),
  });
}

export async function graphql<TData, TVars>(
  app: App,
  document: TypedDocumentNode<TData, TVars> | string,
  variables?: TVars,
  token?: string,
): Promise<GraphQLResponse<TData>> {
  const response = await app.fetch(
    new Request('http://gw.test/api/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'private-token': token } : {}) },
      body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
    }),
  );
  return { status: response.status, ...(await response.json()) };
}

/** A fresh database holding test/fixtures/graphql-world.json, and the app over it. */
export async function openWorld(publicUrl?: string): Promise<{ db: TestDatabase; app: App }> {
  const db = await createTestDatabase();
  await loadFixture(db.prisma, 'test/fixtures/graphql-world.json');
  return { db, app: testApp(db.prisma, publicUrl) };
}

/** The world of test/fixtures/graphql-world.json: each user's token. */
export const worldToken = (username: string) => `glpat-${username}-world-token-0001`;

export const gid = (model: string, id: number) => `gid://gitlab/${model}/${id}`;
