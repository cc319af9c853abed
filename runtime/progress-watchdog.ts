// Stall detection by lack of progress, not by total time: a 5 GB pull on a slow link may
// take an hour and is fine as long as bytes keep coming; a pull that has said nothing for
// the stall timeout is stuck (a registry that stopped answering, a dead TCP flow) and is
// cut short so its fork and the run are not held forever.
import { timerProblem } from '../base/sleep.js';

/** Default stall timeout, overridable with HOUND_STALL_TIMEOUT (seconds). */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

/** The stall timeout in force: HOUND_STALL_TIMEOUT seconds when set to a positive number within the timer range, else the default. */
export function stallTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.HOUND_STALL_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 && timerProblem(seconds) === undefined ? seconds * 1000 : DEFAULT_STALL_TIMEOUT_MS;
}

export interface ProgressWatchdog {
  /** Call on every sign of progress (a chunk, a status line). */
  progress(): void;
  stop(): void;
}

/** Calls `onStall(idleMs)` once, if `progress()` is not called for `timeoutMs`. */
export function watchProgress(timeoutMs: number, onStall: (idleMs: number) => void): ProgressWatchdog {
  let last = Date.now();
  let stopped = false;
  // Checking every quarter of the timeout bounds the detection delay to 1.25 x the timeout
  // without re-arming a timer per chunk (a pull streams thousands of progress lines).
  const timer = setInterval(
    () => {
      const idle = Date.now() - last;
      if (idle >= timeoutMs && !stopped) {
        stopped = true;
        clearInterval(timer);
        onStall(idle);
      }
    },
    Math.max(50, Math.floor(timeoutMs / 4)),
  );
  timer.unref();
  return {
    progress: () => {
      last = Date.now();
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
