// The web interface (web/, built by `npm run build:web` into dist/web): its pages at GitLab's web paths,
// so that every `_links.webPath` the API returns opens, and its assets under /-/web/assets/. Every page is
// the same index.html (the browser picks the page from the path), sent with a Content-Security-Policy
// that allows this origin only.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from './root.ts';

const webDir = path.join(projectRoot, 'dist/web');
const assetPrefix = '/-/web/assets/';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Nothing but this origin: scripts, styles, requests, forms. */
export const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Whether a path is one of the interface's pages: `/`, the sign-in page, a package list or a package. */
export function isWebPage(pathname: string): boolean {
  return (
    pathname === '/' ||
    pathname === '/users/sign_in' ||
    /^\/groups\/[^?#]+\/-\/packages\/?$/.test(pathname) ||
    /^\/[^?#]+\/-\/packages(\/\d{1,12})?\/?$/.test(pathname)
  );
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

/**
 * The answer to a GET or HEAD of a page or an asset of the interface; null for any other request.
 * Pages: index.html, not cached; assets (content-hashed names): cached for a year. When the interface
 * has not been built: 503 saying how to build it.
 */
export async function serveWebInterface(request: Request, pathname: string): Promise<Response | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const head = request.method === 'HEAD';
  if (pathname.startsWith(assetPrefix)) {
    const name = pathname.slice(assetPrefix.length);
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith('.')) return null;
    const type = contentTypes[path.extname(name)];
    const bytes = type ? await readOrNull(path.join(webDir, 'assets', name)) : null;
    if (!bytes) return null;
    return new Response(head ? null : new Uint8Array(bytes), {
      headers: { 'content-type': type!, 'content-length': String(bytes.length), 'cache-control': 'public, max-age=31536000, immutable' },
    });
  }
  if (!isWebPage(pathname)) return null;
  const html = await readOrNull(path.join(webDir, 'index.html'));
  if (!html) {
    return new Response('<!doctype html><title>Not built</title><p>The web interface is not built: run <code>npm run build</code>.</p>', {
      status: 503,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
  }
  return new Response(head ? null : new Uint8Array(html), {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
    },
  });
}
