// Retrying a pull that failed for a passing reason (a registry's 5xx or 429, a reset or
// timed-out connection, a stalled transfer): exponential backoff with jitter, a bounded
// number of attempts. What will not pass by waiting (unknown manifest, denied, no space,
// bad reference) fails at once. Docker itself retries a layer download a few times;
// this covers what it gives up on, the manifest requests among them.
import { setTimeout as sleep } from 'node:timers/promises';
import { HoundError } from '../base/errors.js';

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

/** Delay before attempt `attempt + 1` (attempt counts from 1): base × 2^(attempt-1), × 0.5–1.5, capped. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** (attempt - 1)) * (0.5 + random());
}

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to show "retrying in 1.2 s". */
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
}

export async function withPullRetries<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= options.attempts || options.signal?.aborted || !isTransientPullError(err)) {
        if (attempt > 1 && err instanceof Error) err.message = `${err.message} (gave up after ${attempt} attempts)`;
        throw err;
      }
      const delay = backoffMs(attempt, options.baseMs);
      options.onRetry?.(attempt, delay, err);
      await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal?.aborted) throw err;
    }
  }
}
