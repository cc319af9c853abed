// Stall detection by lack of progress: fires once after the timeout with no progress, never
// while progress keeps coming however long the whole transfer takes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_STALL_TIMEOUT_MS, stallTimeoutMs, watchProgress } from '../../../runtime/progress-watchdog.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('watchProgress', () => {
  it('fires once when nothing happens for the timeout', () => {
    const stalls: number[] = [];
    watchProgress(10_000, (idle) => stalls.push(idle));
    vi.advanceTimersByTime(9_000);
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThanOrEqual(10_000);
    expect(stalls[0]).toBeLessThanOrEqual(12_500);
  });

  it('never fires while progress keeps coming, however long the transfer lasts', () => {
    const stalls: number[] = [];
    const dog = watchProgress(10_000, (idle) => stalls.push(idle));
    for (let i = 0; i < 360; i++) {
      vi.advanceTimersByTime(9_000);
      dog.progress();
    }
    expect(stalls).toEqual([]);
    dog.stop();
    vi.advanceTimersByTime(60_000);
    expect(stalls).toEqual([]);
  });
});

describe('stallTimeoutMs', () => {
  it('reads HOUND_STALL_TIMEOUT seconds, else the default', () => {
    expect(stallTimeoutMs({ HOUND_STALL_TIMEOUT: '7' })).toBe(7_000);
    expect(stallTimeoutMs({})).toBe(DEFAULT_STALL_TIMEOUT_MS);
    expect(stallTimeoutMs({ HOUND_STALL_TIMEOUT: 'soon' })).toBe(DEFAULT_STALL_TIMEOUT_MS);
    expect(stallTimeoutMs({ HOUND_STALL_TIMEOUT: '-3' })).toBe(DEFAULT_STALL_TIMEOUT_MS);
  });
});
