// The one way a route refuses a request: throw an HttpError and the server answers
// `{status, json: {error: message, details}}`. Anything else thrown is a 500 with a generic
// message, logged, and never takes the server down.

export class HttpError extends Error {
  /** `headers`: sent with the reply (e.g. Retry-After). */
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
