import { describe, expect, it } from 'vitest';
import { describeRateLimit, parseRateLimitHeaders } from '../../../transport/rate-limit.js';
import { parseRetryAfter, isRateLimitMessage, isTransientStatus } from '../../../base/transient.js';
import { withRetries } from '../../../base/retry.js';

describe("a registry's rate limit", () => {
  it("reads Docker Hub's headers (count;w=window) and says them in words", () => {
    const headers: Record<string, string> = { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' };
    const parsed = parseRateLimitHeaders((name) => headers[name]);
    expect(parsed).toEqual({ limit: 100, remaining: 76, windowSeconds: 21600 });
    expect(describeRateLimit(parsed!)).toBe('100 pulls per 6 h, 76 left');
    expect(parseRateLimitHeaders(() => undefined)).toBeUndefined();
    expect(parseRateLimitHeaders((name) => (name === 'ratelimit-remaining' ? '0' : undefined))).toEqual({ remaining: 0 });
    expect(describeRateLimit({ remaining: 0, retryAfterUntil: 1_000_000 + 90_000 }, 1_000_000)).toBe('0 left, 429: retry after 90 s');
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('Tue, 01 Dec 2026 10:00:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('tells a rate limit and a passing status from the rest', () => {
    expect(isRateLimitMessage('(HTTP code 500) server error - toomanyrequests: You have reached your pull rate limit.')).toBe(true);
    expect(isRateLimitMessage('manifest unknown')).toBe(false);
    expect([429, 500, 503, 599].map(isTransientStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 404].map(isTransientStatus)).toEqual([false, false, false]);
  });
});

describe('the retry loop and Retry-After', () => {
  const limited = (ms: number) => Object.assign(new Error('429'), { retryAfterMs: ms });

  it('never tries again sooner than a failure says, even when the backoff is shorter', async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await withRetries(
      async () => {
        if (++calls === 1) throw limited(300);
        return 'ok';
      },
      { attempts: 3, baseMs: 1, random: () => 0.5, onRetry: (_n, delay) => waits.push(delay) },
    );
    expect(value).toBe('ok');
    expect(waits).toEqual([300]);
  });

  it('a Retry-After beyond the limit is not waited for: the failure is final at once', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw limited(10 * 60_000);
        },
        { attempts: 5, baseMs: 1 },
      ),
    ).rejects.toThrow('429');
    expect(calls).toBe(1);
  });
});
