// The one abortable wait of hound. It resolves early when the signal aborts, so a caller
// decides what an interruption means (stop quietly, or throw signal.reason).

/** The longest delay Node's timers take (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` milliseconds, or until `signal` aborts, whichever is first. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (!(ms > 0) || signal?.aborted) return resolve();
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // A longer delay would overflow Node's timer and fire after 1 ms: wait in steps instead.
    let left = ms;
    const step = () => {
      const now = Math.min(left, MAX_TIMER_MS);
      left -= now;
      timer = setTimeout(left > 0 ? step : done, now);
    };
    step();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The longest timeout or delay hound takes, in seconds (Node's timer range: about 24.8 days). */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/**
 * The one check of a timeout or delay given by a user (`-T`, `--stall-timeout`,
 * HOUND_STALL_TIMEOUT, `ansible_timeout`, `delay:`): why `seconds` cannot be waited for, or
 * undefined when it can. Past Node's timer range a timer fires after 1 ms, so a 35-day
 * timeout would be no timeout at all: such values are refused where they are given.
 */
export function timerProblem(seconds: number): string | undefined {
  if (typeof seconds !== 'number' || Number.isNaN(seconds)) return 'is not a number';
  if (seconds < 0) return 'is negative';
  if (!Number.isFinite(seconds) || seconds > MAX_TIMER_SECONDS) {
    return `is longer than ${MAX_TIMER_SECONDS} seconds (about 24.8 days), the longest timer hound can keep`;
  }
  return undefined;
}
