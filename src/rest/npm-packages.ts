import type { ProtocolRoute } from './protocols.ts';

export const npmRoutes: ProtocolRoute[] = [];
