// The project's root directory (the one holding prisma/schema.prisma), found from this module's own
// location, so the same code finds the migrations and the demo data whether it runs from src/ (tsx,
// tests) or bundled into dist/ (`npm start`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no prisma/schema.prisma above ${start}`);
  }
}

/** Absolute path of the project's root directory. */
export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
