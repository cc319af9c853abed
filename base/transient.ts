// What passes by waiting, in one place: the registry client (HTTP statuses, network errors)
// and the pull retry (Docker's words for the same failures) ask the same rules, and both
// wait at least as long as a registry's Retry-After says.

/** 429 Too Many Requests and every 5xx: a busy, restarting or rate-limiting registry. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTCONN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A dropped, refused or timed-out connection (Node's error codes, on the error or its cause). */
export function isTransientNetworkError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown; name?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code)) return true;
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

const TRANSIENT_TEXT =
  /\b(5\d\d|429)\b|service unavailable|bad gateway|gateway time-?out|internal server error|too ?many ?requests|connection reset|connection refused|broken pipe|i\/o timeout|tls handshake timeout|unexpected eof|\beof\b|timed? ?out|deadline exceeded|request canceled|temporarily unavailable|no progress/i;
const PERMANENT_TEXT = /manifest unknown|not found|unauthorized|denied|no space left|invalid reference|does not exist/i;

/** Whether an error message (Docker's, a registry's) names a failure that passes by waiting. */
export function isTransientMessage(text: string): boolean {
  return TRANSIENT_TEXT.test(text) && !PERMANENT_TEXT.test(text);
}

/** Whether an error message says the registry is rate limiting (Docker Hub: "toomanyrequests"). */
export function isRateLimitMessage(text: string): boolean {
  return /\b429\b|too ?many ?requests|rate ?limit/i.test(text);
}

/**
 * A `Retry-After` header in milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110
 * 10.2.3). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** An error that says how long to wait before trying again (a registry's Retry-After). */
export interface RetryAfterError extends Error {
  retryAfterMs: number;
}

export function retryAfterOf(err: unknown): number | undefined {
  const value = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
