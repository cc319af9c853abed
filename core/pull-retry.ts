// Retrying a pull that failed for a passing reason (a registry's 5xx or 429, a reset or
// timed-out connection, a stalled transfer): exponential backoff with jitter, a bounded
// number of attempts. What will not pass by waiting (unknown manifest, denied, no space,
// bad reference) fails at once. Docker itself retries a layer download a few times;
// this covers what it gives up on, the manifest requests among them.
import { HoundError } from '../base/errors.js';
import { withRetries } from '../base/retry.js';

export const DEFAULT_PULL_ATTEMPTS = 3;

const TRANSIENT =
  /\b(5\d\d|429)\b|service unavailable|bad gateway|gateway time-?out|internal server error|too many requests|connection reset|connection refused|broken pipe|i\/o timeout|tls handshake timeout|unexpected eof|\beof\b|timed? ?out|temporarily unavailable|no progress/i;
const PERMANENT = /manifest unknown|not found|unauthorized|denied|no space left|invalid reference|does not exist/i;

/** Whether a failed pull may succeed if tried again later. */
export function isTransientPullError(err: unknown): boolean {
  if (err instanceof HoundError && (err.code === 'PULL_STALLED' || err.code === 'REGISTRY_UNREACHABLE')) return true;
  if (err instanceof HoundError && !err.code.startsWith('DOCKER_')) return false;
  const text = err instanceof Error ? err.message : String(err);
  return TRANSIENT.test(text) && !PERMANENT.test(text);
}

export interface PullRetryOptions {
  attempts: number;
  baseMs: number;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to show "retrying in 1.2 s". */
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
}

/** A pull, tried again while it fails for a passing reason; the final error says how many attempts it took. */
export function withPullRetries<T>(work: () => Promise<T>, options: PullRetryOptions): Promise<T> {
  return withRetries(work, {
    ...options,
    retryable: isTransientPullError,
    onGiveUp: (attempts, err) => {
      if (attempts > 1 && err instanceof Error) err.message = `${err.message} (gave up after ${attempts} attempts)`;
      return err;
    },
  });
}
