// Small HTTP helpers shared by the server's routes: JSON answers, a bounded request body, and a JSON
// body for every error answer (yoga answers some refusals, such as 415, with an empty body). Every
// answer the gateway makes itself is a `Response` from here.
import { STATUS_CODES } from 'node:http';
// The Response of the fetch implementation the HTTP adapter (@whatwg-node/server) uses: it writes such a
// response's string body to the socket as is, where a global (undici) Response's body is a web stream
// piped through (several times the CPU for a small JSON answer).
import { Response } from '@whatwg-node/server';

export { Response };

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/**
 * The request with its body bounded to `limitBytes`, or null when the body is larger (the caller
 * answers 413). A declared Content-Length is checked without reading (Node's parser holds the body to
 * it); a chunked body is read up to the limit and no further.
 */
export async function withBoundedBody(request: Request, limitBytes: number): Promise<Request | null> {
  if (!request.body) return request;
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared)) return Number(declared) > limitBytes ? null : request;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new Request(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(Buffer.concat(chunks)) });
}

/**
 * `response` itself, or, when it is an error answer (4xx/5xx) whose body is not JSON, the same status
 * and headers with a JSON body: GraphQL's `{"errors":[{"message":"415 Unsupported Media Type"}]}` or
 * GitLab REST's `{"message":"415 Unsupported Media Type"}`.
 */
export async function withJsonErrorBody(response: Response, shape: 'graphql' | 'rest'): Promise<Response> {
  if (response.status < 400 || response.headers.get('content-type')?.includes('json')) return response;
  await response.body?.cancel().catch(() => {});
  const message = `${response.status} ${STATUS_CODES[response.status] ?? 'Error'}`;
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  const body = shape === 'graphql' ? { errors: [{ message }] } : { message };
  return new Response(JSON.stringify(body), { status: response.status, headers });
}
