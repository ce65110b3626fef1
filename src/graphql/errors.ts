// Unexpected GraphQL errors (a failed statement, a bug) reach clients as GitLab's masked
// "Unexpected error." with code INTERNAL_SERVER_ERROR: no message of the cause, no stack, no file path.
// The log line keeps the cause, with the request id. EXPOSE_ERRORS=true (local debugging only) adds
// the cause to the answer, as yoga's development mode does.
import { maskError, type Plugin, type YogaMaskedErrorOpts } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import type { Logger } from '../logger.ts';

/** What the server context must carry for the log line, and where the plugin reports an outage. */
export interface RequestIdContext {
  requestId: string;
  /**
   * Set to true when a masked error's cause was the database being unavailable (src/db/unavailable.ts):
   * the server then answers 503 rather than the result.
   */
  outage?: { databaseUnavailable: boolean };
}

/**
 * yoga's `maskedErrors` setting, and the plugin that logs the cause of each masked error with the
 * request id (taken from the server context once the result is known: no AsyncLocalStorage, whose
 * promise hooks would cost every request). `expose`: answer with the cause (never by default,
 * whatever NODE_ENV says).
 */
export function errorMasking(options: { expose: boolean; logger: Logger }): {
  maskedErrors: Partial<YogaMaskedErrorOpts>;
  plugin: Plugin<RequestIdContext>;
} {
  const causes = new WeakMap<object, unknown>();
  return {
    maskedErrors: {
      isDev: options.expose,
      maskError(error, message) {
        const masked = maskError(error, message, options.expose);
        if (masked !== error && typeof masked === 'object' && masked !== null) {
          causes.set(masked, (error as { originalError?: unknown }).originalError ?? error);
        }
        return masked;
      },
    },
    plugin: {
      onExecutionResult({ result, context }) {
        if (!result || !('errors' in result) || !result.errors) return;
        for (const error of result.errors) {
          if (!causes.has(error)) continue;
          const cause = causes.get(error);
          const { requestId, outage } = context as Partial<RequestIdContext>;
          if (isDatabaseUnavailable(cause) && outage) {
            outage.databaseUnavailable = true;
            options.logger.warn({ err: cause, requestId }, 'database unavailable');
          } else {
            options.logger.error({ err: cause, requestId }, 'unexpected GraphQL error');
          }
          causes.delete(error);
        }
      },
    },
  };
}
