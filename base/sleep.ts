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
