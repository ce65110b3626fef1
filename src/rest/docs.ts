// The REST shim's own description: the OpenAPI document at /api/v4/openapi.json (generated once, from
// the route table) and an API reference page at /api/v4/docs (Swagger UI, served from the installed
// swagger-ui-dist: no CDN, works offline).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path.js';
import packageJson from '../../package.json' with { type: 'json' };
import { openApiDocument, type OpenApiDocument } from './openapi.ts';
import { restPrefix } from './router.ts';
import { routes } from './routes.ts';
import { Response } from '../http.ts';

export const openApiJsonPath = `${restPrefix}/openapi.json`;
export const docsPath = `${restPrefix}/docs`;
export const docsAssetsPath = `${docsPath}/assets`;

/** The gateway's OpenAPI document, generated at startup from the route table. */
export const apiDocument: OpenApiDocument = openApiDocument(routes, { version: packageJson.version, serverUrl: restPrefix });
const apiDocumentJson = JSON.stringify(apiDocument);

/** The swagger-ui-dist files the page uses, by exact name, with their content types. */
const distAssets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui.css.map': 'application/json',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// Ours, instead of swagger-ui-dist's swagger-initializer.js (which loads the petstore): this
// gateway's document, no online validator badge.
const initializer = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(openApiJsonPath)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  validatorUrl: null,
});
`;

const asset = (name: string) => `${docsAssetsPath}/${name}`;
const page = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>packages-gateway: GitLab Packages API reference</title>
    <link rel="stylesheet" href="${asset('swagger-ui.css')}">
    <link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}" sizes="32x32">
    <link rel="icon" type="image/png" href="${asset('favicon-16x16.png')}" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${asset('swagger-ui-bundle.js')}" charset="utf-8"></script>
    <script src="${asset('initializer.js')}" charset="utf-8"></script>
  </body>
</html>
`;

const files = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
function distFile(name: string): Promise<Uint8Array<ArrayBuffer>> {
  let file = files.get(name);
  if (!file) {
    file = readFile(join(getAbsoluteFSPath(), name)).then((bytes) => new Uint8Array(bytes));
    file.catch(() => files.delete(name));
    files.set(name, file);
  }
  return file;
}

const cacheable = { 'cache-control': 'public, max-age=86400' };

async function answer(path: string): Promise<Response | null> {
  if (path === openApiJsonPath) return new Response(apiDocumentJson, { headers: { 'content-type': 'application/json' } });
  if (path === docsPath) return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  if (!path.startsWith(`${docsAssetsPath}/`)) return null;
  const name = path.slice(docsAssetsPath.length + 1);
  if (name === 'initializer.js') return new Response(initializer, { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  // Only the listed names: nothing else of the file system is reachable.
  if (!Object.hasOwn(distAssets, name)) return null;
  return new Response(await distFile(name), { headers: { 'content-type': distAssets[name]!, ...cacheable } });
}

/**
 * Answers a GET or HEAD of the OpenAPI document, the reference page or one of its assets; null for
 * any other request (the REST router answers it, a 404 for an unknown asset).
 */
export async function serveApiDocs(request: Request, url: URL): Promise<Response | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const response = await answer(url.pathname);
  if (response && request.method === 'HEAD') return new Response(null, { status: response.status, headers: response.headers });
  return response;
}
