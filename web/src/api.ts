// GraphQL from the browser: the typed documents of ./gql (GraphQL Code Generator), sent with the session
// cookie and yoga's CSRF-prevention header (the gateway takes the cookie only with it); the live
// package events read from the server-sent-events stream of the `packageEvents` subscription.
import type { TypedDocumentString } from './gql/graphql';

export interface GraphQLAnswer<R> {
  data?: R | null;
  errors?: { message: string }[];
}

const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'x-graphql-yoga-csrf': '1' };

/** Runs a query or mutation; a network failure becomes an error in the answer. */
export async function request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<GraphQLAnswer<R>> {
  try {
    const response = await fetch('/api/graphql', { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify({ query: document.toString(), variables }) });
    return (await response.json()) as GraphQLAnswer<R>;
  } catch (error) {
    return { errors: [{ message: `The server could not be reached (${String(error)})` }] };
  }
}

/**
 * Follows a subscription over server-sent events, calling `onData` with each event's data, until the
 * returned function is called (or the server ends the stream).
 */
export function subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, onData: (data: R) => void): () => void {
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await fetch('/api/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { ...headers, accept: 'text/event-stream' },
        body: JSON.stringify({ query: document.toString(), variables }),
        signal: controller.signal,
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const data = block.find((line) => line.startsWith('data: '));
          if (block.includes('event: next') && data) {
            const parsed = JSON.parse(data.slice(6)) as GraphQLAnswer<R>;
            if (parsed.data) onData(parsed.data);
          }
        }
      }
    } catch {
      // Aborted, or the connection dropped: the page still works, without live updates.
    }
  })();
  return () => controller.abort();
}

/** Who is signed in (GET /users/session), or null. */
export async function currentSession(): Promise<string | null> {
  try {
    const response = await fetch('/users/session', { credentials: 'same-origin' });
    if (!response.ok) return null;
    return ((await response.json()) as { username: string }).username;
  } catch {
    return null;
  }
}
