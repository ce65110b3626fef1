import path from 'node:path';
import { projectRoot } from '../root.ts';

/** The bundled demo fixture, loaded by `npm start` into an empty database. */
export const demoFixturePath = path.join(projectRoot, 'src', 'db', 'demo-fixture.json');
