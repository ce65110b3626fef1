// Unexpected GraphQL errors (a failed statement, a bug) reach clients as GitLab's masked
// "Unexpected error." with code INTERNAL_SERVER_ERROR: no message of the cause, no stack, no file path.
// The log line keeps the cause, with the request id. EXPOSE_ERRORS=true (local debugging only) adds
// the cause to the answer, as yoga's development mode does.
import { maskError, type YogaMaskedErrorOpts } from 'graphql-yoga';
import type { Logger } from '../logger.ts';

/**
 * yoga's `maskedErrors` setting. `expose`: answer with the cause (never by default, whatever
 * NODE_ENV says). `requestId()`: the current request's id, for the log line.
 */
export function errorMasking(options: { expose: boolean; logger: Logger; requestId: () => string | undefined }): Partial<YogaMaskedErrorOpts> {
  return {
    isDev: options.expose,
    maskError(error, message) {
      const masked = maskError(error, message, options.expose);
      if (masked !== error) {
        const cause = (error as { originalError?: unknown }).originalError ?? error;
        options.logger.error({ err: cause, requestId: options.requestId() }, 'unexpected GraphQL error');
      }
      return masked;
    },
  };
}
