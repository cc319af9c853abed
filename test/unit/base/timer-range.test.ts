import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, MAX_TIMER_SECONDS, timerProblem } from '../../../base/sleep.js';
import { stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS } from '../../../runtime/progress-watchdog.js';
import { run } from '../../../cli/main.js';

describe("Node's timer range", () => {
  it('accepts every whole second Node can wait, and names the limit past it', () => {
    expect(MAX_TIMER_SECONDS * 1000).toBeLessThanOrEqual(MAX_TIMER_MS);
    for (const s of [0, 1, 120, MAX_TIMER_SECONDS]) expect(timerProblem(s), String(s)).toBeUndefined();
    expect(timerProblem(MAX_TIMER_SECONDS + 1)).toContain(String(MAX_TIMER_SECONDS));
    expect(timerProblem(3_000_000)).toContain('24.8 days');
    expect(timerProblem(Infinity)).toBeDefined();
    expect(timerProblem(-1)).toBe('is negative');
    expect(timerProblem(Number.NaN)).toBe('is not a number');
  });

  it('HOUND_STALL_TIMEOUT past the range keeps the default instead of firing at once', () => {
    expect(stallTimeoutMs({ HOUND_STALL_TIMEOUT: '3000000' })).toBe(DEFAULT_STALL_TIMEOUT_MS);
    expect(stallTimeoutMs({ HOUND_STALL_TIMEOUT: '30' })).toBe(30_000);
  });

  it('-T and --stall-timeout past the range are refused as options (exit 5)', async () => {
    const err = process.stderr.write.bind(process.stderr);
    let text = '';
    process.stderr.write = (chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    };
    try {
      expect(await run(['play', '--syntax-check', 'x.yml', '-T', '3000000'])).toBe(5);
      expect(await run(['play', '--syntax-check', 'x.yml', '--stall-timeout', '3000000'])).toBe(5);
    } finally {
      process.stderr.write = err;
      process.exitCode = undefined;
    }
    expect(text).toContain(`${MAX_TIMER_SECONDS} seconds`);
  });
});
