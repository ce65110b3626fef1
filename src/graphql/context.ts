import type { PrismaClient } from '../generated/prisma/client.ts';
import type { DomainCaches } from '../domain/caches.ts';
import type { Viewer } from '../domain/viewer.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/** Everything a resolver may use; a new one per request (loaders cache per request). */
export interface GraphQLContext {
  prisma: PrismaClient;
  viewer: Viewer;
  /** Absolute base of the instance (`https://host`), for web URLs. */
  baseUrl: string;
  loaders: Loaders;
  /** Rows cached between requests (projects, protection rules; see domain/caches.ts). */
  caches: DomainCaches;
}

export function createContext(input: { prisma: PrismaClient; viewer: Viewer; baseUrl: string; caches: DomainCaches }): GraphQLContext {
  return { ...input, loaders: createLoaders(input.prisma, input.caches) };
}
