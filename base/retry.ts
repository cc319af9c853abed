// The one retry loop of hound: bounded attempts, exponential backoff with jitter, an
// abortable wait. Pulls, the registry client and the relay (through the registry client)
// each say which failures may pass by waiting (base/transient.ts); the shape of waiting is
// the same everywhere, and a failure that carries a registry's Retry-After
// (`retryAfterMs`) is never tried again sooner than that.
import { sleep } from './sleep.js';
import { retryAfterOf } from './transient.js';

export interface RetryPolicy {
  /** Attempts in all, the first included (at least 1). */
  attempts: number;
  /** Wait before the second attempt; doubled for each later one, then jittered × 0.5–1.5. */
  baseMs: number;
  /** No backoff wait is longer than this (default 30 s). */
  capMs?: number;
  /**
   * A Retry-After longer than this is not waited for: the failure is final, and says when to
   * come back (default 120 s; a run should not sit silent for an hour's rate-limit window).
   */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  /** Whether a failure may pass by waiting (default: every failure). */
  retryable?: (err: unknown) => boolean;
  /** Told before each wait, e.g. to log "retrying in 1.2 s". */
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  /** What to throw when the attempts are spent or the failure is not retryable (default: the failure itself). */
  onGiveUp?: (attempts: number, err: unknown) => unknown;
  /** For tests: the jitter source. */
  random?: () => number;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;

/** Delay before attempt `attempt + 1` (attempt counts from 1): base × 2^(attempt−1), capped, × 0.5–1.5. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** (attempt - 1)) * (0.5 + random());
}

/** Runs `work` until it succeeds, a failure is not retryable, the attempts are spent, or the signal aborts. */
export async function withRetries<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const attempts = Math.max(1, policy.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      const retryAfter = retryAfterOf(err);
      const retryable = (policy.retryable?.(err) ?? true) && (retryAfter === undefined || retryAfter <= (policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS));
      if (attempt >= attempts || policy.signal?.aborted || !retryable) throw policy.onGiveUp ? policy.onGiveUp(attempt, err) : err;
      const delay = Math.max(backoffMs(attempt, policy.baseMs, policy.random, policy.capMs), retryAfter ?? 0);
      policy.onRetry?.(attempt, delay, err);
      await sleep(delay, policy.signal);
      if (policy.signal?.aborted) throw policy.onGiveUp ? policy.onGiveUp(attempt, err) : err;
    }
  }
}
