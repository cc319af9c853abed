// Retrying a pull that failed for a passing reason (a registry's 5xx or 429, a reset or
// timed-out connection, a stalled transfer): exponential backoff with jitter, a bounded
// number of attempts, and never sooner than a rate-limiting registry's Retry-After. What
// will not pass by waiting (unknown manifest, denied, no space, bad reference) fails at
// once. Docker itself retries a layer download a few times; this covers what it gives up
// on, the manifest requests among them. The rules are base/transient.ts's, the same the
// registry client retries by.
import { HoundError } from '../base/errors.js';
import { withRetries } from '../base/retry.js';
import { isTransientMessage } from '../base/transient.js';

export const DEFAULT_PULL_ATTEMPTS = 3;

/** Whether a failed pull may succeed if tried again later. */
export function isTransientPullError(err: unknown): boolean {
  if (err instanceof HoundError && (err.code === 'PULL_STALLED' || err.code === 'REGISTRY_UNREACHABLE' || err.code === 'REGISTRY_RATE_LIMITED')) return true;
  if (err instanceof HoundError && !err.code.startsWith('DOCKER_')) return false;
  return isTransientMessage(err instanceof Error ? err.message : String(err));
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
