import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundled demo fixture, loaded by `npm start` into an empty database. */
export const demoFixturePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo-fixture.json');
