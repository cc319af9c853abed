import { describe, expect, it } from 'vitest';
import { HoundError, UnreachableError } from '../../../base/errors.js';
import { isTransientPullError, withPullRetries } from '../../../core/pull-retry.js';
import { backoffMs } from '../../../base/retry.js';

const docker = (msg: string) => new HoundError('DOCKER_PULL_FAILED', msg, 2);

describe('pull retries', () => {
  it('tells passing failures from lasting ones', () => {
    expect(isTransientPullError(docker('received unexpected HTTP status: 503 Service Unavailable'))).toBe(true);
    expect(isTransientPullError(docker('toomanyrequests: 429 Too Many Requests'))).toBe(true);
    expect(isTransientPullError(docker('read tcp 10.0.0.11:5000: connection reset by peer'))).toBe(true);
    expect(isTransientPullError(new HoundError('PULL_STALLED', 'no progress for 8 s', 2))).toBe(true);
    // Docker's own timeouts, in each of the wordings its Go HTTP client uses.
    expect(isTransientPullError(docker('(HTTP code 500) server error - Get "http://10.1.2.2:5000/v2/": context deadline exceeded'))).toBe(true);
    expect(isTransientPullError(docker('Get "http://10.1.2.2:5000/v2/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)'))).toBe(
      true,
    );
    expect(isTransientPullError(docker('Get "https://10.1.2.2:5000/v2/": net/http: TLS handshake timeout'))).toBe(true);
    expect(isTransientPullError(docker('dial tcp 10.1.2.2:5000: i/o timeout'))).toBe(true);
    expect(isTransientPullError(docker('manifest unknown: manifest unknown'))).toBe(false);
    expect(isTransientPullError(docker('unauthorized: authentication required'))).toBe(false);
    expect(isTransientPullError(docker('write /var/lib/docker/tmp/x: no space left on device'))).toBe(false);
    expect(isTransientPullError(new UnreachableError('n1', 'SSH_CONNECTION_CLOSED', 'connection closed'))).toBe(false);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 1000, () => 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, () => 0.5)).toBe(4000);
    expect(backoffMs(3, 1000, () => 0)).toBe(2000);
    expect(backoffMs(3, 1000, () => 0.999)).toBeCloseTo(5996, 0);
    expect(backoffMs(20, 1000, () => 0.5)).toBe(30_000);
  });

  it('retries a passing failure until it succeeds, and stops at the attempt limit', async () => {
    let calls = 0;
    const retried: number[] = [];
    const value = await withPullRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw docker('503 Service Unavailable');
        return 'ok';
      },
      { attempts: 3, baseMs: 1, onRetry: (attempt) => retried.push(attempt) },
    );
    expect(value).toBe('ok');
    expect(retried).toEqual([1, 2]);

    calls = 0;
    await expect(
      withPullRetries(
        async () => {
          calls += 1;
          throw docker('503 Service Unavailable');
        },
        { attempts: 3, baseMs: 1 },
      ),
    ).rejects.toThrow(/503 Service Unavailable \(gave up after 3 attempts\)/);
    expect(calls).toBe(3);
  });

  it('does not retry a lasting failure, nor after an abort', async () => {
    let calls = 0;
    await expect(
      withPullRetries(
        async () => {
          calls += 1;
          throw docker('manifest unknown');
        },
        { attempts: 5, baseMs: 1 },
      ),
    ).rejects.toThrow('manifest unknown');
    expect(calls).toBe(1);
    const abort = new AbortController();
    abort.abort();
    calls = 0;
    await expect(
      withPullRetries(
        async () => {
          calls += 1;
          throw docker('503');
        },
        { attempts: 5, baseMs: 1, signal: abort.signal },
      ),
    ).rejects.toThrow('503');
    expect(calls).toBe(1);
  });
});
