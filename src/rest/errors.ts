// GitLab's REST error answers (spec rest.md 1.7), with their exact bodies.

/** An answer other than success: a status and GitLab's JSON body. Thrown anywhere in a request. */
export class RestError extends Error {
  override name = 'RestError';
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
    /** Headers the answer carries besides its JSON content type (`WWW-Authenticate`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}

const message = (status: number, text: string) => new RestError(status, { message: text });

export const errors = {
  /** `not_found!('Project')` */
  projectNotFound: () => message(404, '404 Project Not Found'),
  /** `not_found!('Group')` */
  groupNotFound: () => message(404, '404 Group Not Found'),
  /** `not_found!` */
  notFound: () => message(404, '404 Not Found'),
  /** ActiveRecord::RecordNotFound (a package not in the lookup scope). */
  recordNotFound: () => message(404, '404 Not found'),
  /** `render_api_error!('Package not found', 404)` (E3, package without details). */
  packageNotFound: () => message(404, 'Package not found'),
  /** `not_found!('Package not found')` (E5, package without details). */
  packageNotFoundNotFound: () => message(404, '404 Package not found Not Found'),
  /** `forbidden!` */
  forbidden: () => message(403, '403 Forbidden'),
  /** `forbidden!(reason)` */
  forbiddenBecause: (reason: string) => message(403, `403 Forbidden - ${reason}`),
  /** `render_api_error!(text, status)` */
  apiError: (status: number, text: string) => message(status, text),
  /** `unauthorized!` (an invalid, expired or revoked token). */
  unauthorized: () => message(401, '401 Unauthorized'),
  /** The API guard's answer to a read-only token on a write. */
  insufficientScope: () =>
    new RestError(403, {
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: 'api',
    }),
  /** `If-Unmodified-Since` older than the resource. */
  preconditionFailed: () => message(412, '412 Precondition Failed'),
  /** Grape's validation errors, joined. */
  validation: (text: string) => new RestError(400, { error: text }),
  /** The catch-all route. */
  noRoute: () => new RestError(404, { error: '404 Not Found' }),
};

export { deletionProtectedMessage as deletionProtected } from '../domain/protection.ts';
