// GitLab's user and IP rate limits ("throttles") for the gateway: each authenticated caller (per
// personal access token) and each anonymous caller (per client IP) has a budget of requests per
// period. As GitLab's Rack::Attack setup does (lib/gitlab/rack_attack.rb, lib/gitlab/rack_attack/request.rb,
// lib/gitlab/throttle.rb, lib/gitlab/rack_attack/request_throttle_data.rb), windows are fixed and aligned
// to the Unix epoch, every request counts (throttled ones too), and the request past the budget is
// answered 429 `Retry later\n` (text/plain) with Retry-After and the RateLimit-* headers.
//
// The counters are rows of rate_limit_counters in the gateway's database, one statement per request
// (an upsert returning the new count), so every process and instance over one PostgreSQL shares each
// caller's budget. Ended windows are deleted by each process at most once per window and throttle.
import type { Client } from './server.ts';
import type { RateLimitSettings } from './config.ts';
import type { Authentication } from './domain/viewer.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { Response } from './http.ts';
import type { Logger } from './logger.ts';

/** GitLab's names of the two throttles, sent as `RateLimit-Name`. */
export type ThrottleName = 'throttle_authenticated_api' | 'throttle_unauthenticated_api';

/** GitLab's default response text (`Gitlab::Throttle::DEFAULT_RATE_LIMITING_RESPONSE_TEXT`, plus a newline). */
export const throttledBody = 'Retry later\n';

/**
 * One throttle's state for a request once it is counted: what GitLab's
 * `Gitlab::RackAttack::RequestThrottleData` holds (lib/gitlab/rack_attack/request_throttle_data.rb).
 */
export interface ThrottleData {
  name: ThrottleName;
  /** Requests allowed per period. */
  limit: number;
  periodSeconds: number;
  /** Requests counted in the current window, this one included. */
  observed: number;
  /** The request's time, in whole Unix seconds. */
  nowSeconds: number;
}

/**
 * The RateLimit-* headers of a request, as GitLab computes them: `RateLimit-Limit` is the budget
 * scaled to 60 seconds and rounded up (GitLab's `rounded_limit`), `RateLimit-Reset` the end of the
 * window in Unix seconds. A throttled answer (`throttled`) also has `Retry-After` (seconds to the
 * window's end) and `RateLimit-ResetTime` (the end as an HTTP date). See GitLab's
 * `RequestThrottleData#common_response_headers` and `#throttled_response_headers`.
 */
export function throttleHeaders(data: ThrottleData, throttled: boolean): Record<string, string> {
  const retryAfter = data.periodSeconds - (data.nowSeconds % data.periodSeconds);
  const reset = data.nowSeconds + retryAfter;
  const headers: Record<string, string> = {
    'RateLimit-Name': data.name,
    'RateLimit-Limit': String(Math.ceil((data.limit * 60) / data.periodSeconds)),
    'RateLimit-Observed': String(data.observed),
    'RateLimit-Remaining': String(Math.max(data.limit - data.observed, 0)),
    'RateLimit-Reset': String(reset),
  };
  if (throttled) {
    headers['Retry-After'] = String(retryAfter);
    headers['RateLimit-ResetTime'] = new Date(reset * 1000).toUTCString();
  }
  return headers;
}

/** GitLab's throttled response (`Gitlab::RackAttack.configure`'s `throttled_responder`). */
export function throttledResponse(data: ThrottleData): Response {
  return new Response(throttledBody, { status: 429, headers: { 'content-type': 'text/plain', ...throttleHeaders(data, true) } });
}

/** The budget key of an anonymous caller's address: IPv4-mapped IPv6 (`::ffff:192.0.2.1`) as IPv4. */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

export interface RateLimiter {
  /**
   * Counts the request against its caller's budget: a valid token's own budget, else (anonymous, or a
   * token that did not authenticate, as GitLab counts those) the client address's. Returns the 429
   * answer when the request is past the budget, else null; also null when the database does not
   * answer (the request is let through and the failure logged).
   */
  check(request: Request, auth: Authentication, client: Client | undefined): Promise<Response | null>;
  /**
   * Adds the RateLimit-* headers to the answer of a request `check` let through, when
   * `headersOnAllResponses` is set (GitLab's `rate_limiting_headers_for_unthrottled_requests` flag);
   * otherwise does nothing.
   */
  decorate(request: Request, response: Response): void;
}

export interface RateLimiterOptions {
  prisma: Pick<PrismaClient, '$queryRaw' | '$executeRaw'>;
  settings: Pick<RateLimitSettings, 'authenticated' | 'unauthenticated' | 'headersOnAllResponses'>;
  logger: Logger;
  /** The clock, in milliseconds (tests move it); default Date.now. */
  now?: () => number;
}

interface Throttle {
  name: ThrottleName;
  /** Key prefix in rate_limit_counters: `api:token:` or `api:ip:`. */
  prefix: string;
  limit: number;
  periodSeconds: number;
  /** The window whose ended predecessors this process last deleted. */
  cleanedWindow?: number;
}

/**
 * A rate limiter over the rate_limit_counters table. A budget of 0 requests leaves that kind of
 * caller unlimited (and uncounted). The window of a request is taken from this process's clock.
 */
export function createRateLimiter({ prisma, settings, logger, now = Date.now }: RateLimiterOptions): RateLimiter {
  const authenticated: Throttle = {
    name: 'throttle_authenticated_api',
    prefix: 'api:token:',
    limit: settings.authenticated.requests,
    periodSeconds: settings.authenticated.periodSeconds,
  };
  const unauthenticated: Throttle = {
    name: 'throttle_unauthenticated_api',
    prefix: 'api:ip:',
    limit: settings.unauthenticated.requests,
    periodSeconds: settings.unauthenticated.periodSeconds,
  };
  const admitted = new WeakMap<Request, ThrottleData>();

  // Windows that ended: at most one DELETE per throttle and window in each process, not awaited.
  const cleanUp = (throttle: Throttle, windowStart: number) => {
    if (throttle.cleanedWindow === windowStart) return;
    throttle.cleanedWindow = windowStart;
    prisma
      .$executeRaw`DELETE FROM rate_limit_counters WHERE key LIKE ${`${throttle.prefix}%`} AND window_start < ${new Date(windowStart * 1000)}`
      .catch((error: unknown) => logger.warn({ err: error, throttle: throttle.name }, 'could not delete ended rate limit windows'));
  };

  return {
    async check(request, auth, client) {
      const throttle = auth.ok && auth.viewer.kind === 'user' ? authenticated : unauthenticated;
      if (throttle.limit === 0) return null;
      const key = throttle.prefix + (auth.ok && auth.viewer.kind === 'user' ? String(auth.viewer.tokenId) : clientKey(client?.address));
      const nowSeconds = Math.floor(now() / 1000);
      const windowStart = nowSeconds - (nowSeconds % throttle.periodSeconds);
      cleanUp(throttle, windowStart);
      let observed: number;
      try {
        const rows = await prisma.$queryRaw<{ count: number }[]>`
          INSERT INTO rate_limit_counters (key, window_start, count) VALUES (${key}, ${new Date(windowStart * 1000)}, 1)
          ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
          RETURNING count`;
        observed = Number(rows[0]?.count ?? 1);
      } catch (error) {
        logger.warn({ err: error, throttle: throttle.name }, 'rate limit not checked (database error): request let through');
        return null;
      }
      const data: ThrottleData = { name: throttle.name, limit: throttle.limit, periodSeconds: throttle.periodSeconds, observed, nowSeconds };
      if (observed > throttle.limit) {
        // Once per caller and window: the request that reached the limit.
        if (observed === throttle.limit + 1) logger.warn({ throttle: throttle.name, key, limit: throttle.limit, periodSeconds: throttle.periodSeconds }, 'rate limit reached');
        return throttledResponse(data);
      }
      if (settings.headersOnAllResponses) admitted.set(request, data);
      return null;
    },
    decorate(request, response) {
      const data = admitted.get(request);
      if (!data || response.status === 429) return;
      for (const [name, value] of Object.entries(throttleHeaders(data, false))) response.headers.set(name, value);
    },
  };
}
