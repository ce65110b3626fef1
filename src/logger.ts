import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/**
 * Structured JSON logs (stdout unless `destination` is given). Request logs carry the method, the
 * path without its query string, the status and the request id, never headers; credentials that
 * reach a log object anyway (a logged request or its headers) are redacted.
 */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'packages-gateway' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["private-token"]', 'headers.authorization', 'headers["private-token"]', 'private_token'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
