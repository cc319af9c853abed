// The registry client's errors: one class with a stable code per kind of failure, the HTTP
// status when there was one, and the Retry-After when the registry gave one.
import { HoundError, EXIT } from '../base/errors.js';

export class RegistryError extends HoundError {
  readonly status?: number;
  /** How long the registry asked to be left alone (a 429's or 503's Retry-After). */
  readonly retryAfterMs?: number;
  constructor(code: string, message: string, options: { hint?: string; status?: number; cause?: unknown; retryAfterMs?: number } = {}) {
    super(code, message, EXIT.ERROR, { hint: options.hint, cause: options.cause });
    this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** A status that passes by waiting (429, 5xx), thrown inside the retry loop only. */
export class TransientStatus extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}${status === 429 ? ' Too Many Requests' : ''}`);
  }
}

/** The error for a final, non-2xx answer to `what` (e.g. "manifest latest of REF"); `authenticated`: credentials were sent. */
export function statusError(registry: string, what: string, status: number, authenticated: boolean, access: 'pull' | 'push' = 'pull'): RegistryError {
  if (status === 404) return new RegistryError('REGISTRY_NOT_FOUND', `${what} not found in ${registry}`, { hint: 'check the image name and tag', status });
  if (status === 401 || status === 403) {
    const anonymous =
      access === 'pull' ? 'the image may be private: add a registry_login task' : 'the registry takes pushes from known users only: give credentials';
    return new RegistryError('REGISTRY_AUTH_FAILED', `${registry} denied ${what} (HTTP ${status}${authenticated ? '' : ', without credentials'})`, {
      hint: authenticated ? `the credentials lack ${access} access to this repository` : anonymous,
      status,
    });
  }
  return new RegistryError('REGISTRY_BAD_RESPONSE', `${registry} answered HTTP ${status} for ${what}`, { status });
}

/** A network failure in words: the Node error code when there is one. */
export function describeNetworkError(error: unknown): string {
  for (
    let e = error as { code?: unknown; cause?: unknown; message?: unknown; name?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string' && /^E[A-Z]+$|^ERR_|^UND_/.test(e.code)) return e.code;
    if (e.name === 'TimeoutError') return 'timed out';
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a registry's error body says, for a message: the distribution spec's
 * `{"errors":[{"code","message"}]}` as `CODE: message`, else the text's start, on one line.
 */
export function registrySays(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return errors.map((e) => [e.code, e.message].filter((part) => typeof part === 'string' && part !== '').join(': ')).join('; ');
    }
  } catch {
    // not JSON: the text itself
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
