// A registry's rate limit as it states it: Docker Hub's `ratelimit-limit` and
// `ratelimit-remaining` headers (`100;w=21600`: 100 pulls per 21600 s window), and a 429's
// `Retry-After`. The registry client records the latest per registry for the plan to show
// and for pulls to obey.

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  /** The window the counts are for, in seconds (`;w=`). */
  windowSeconds?: number;
}

export interface RegistryRateLimit extends RateLimitHeaders {
  /** The endpoint (URL origin) that answered. */
  endpoint: string;
  /** When a 429 said to come back (epoch ms), if one did. */
  retryAfterUntil?: number;
  observedAt: number;
}

/** `100;w=21600` → { count: 100, window: 21600 }. */
function parseCount(value: string | null | undefined): { count: number; window?: number } | undefined {
  if (!value) return undefined;
  const [head, ...params] = value.split(';').map((p) => p.trim());
  if (!/^\d+$/.test(head)) return undefined;
  const window = params.map((p) => /^w\s*=\s*(\d+)$/i.exec(p)?.[1]).find((w) => w !== undefined);
  return { count: Number(head), ...(window !== undefined ? { window: Number(window) } : {}) };
}

/** The rate-limit headers of a response, or undefined when it has none. */
export function parseRateLimitHeaders(get: (name: string) => string | null | undefined): RateLimitHeaders | undefined {
  const limit = parseCount(get('ratelimit-limit'));
  const remaining = parseCount(get('ratelimit-remaining'));
  if (!limit && !remaining) return undefined;
  const windowSeconds = limit?.window ?? remaining?.window;
  return {
    ...(limit ? { limit: limit.count } : {}),
    ...(remaining ? { remaining: remaining.count } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
  };
}

/** "100 per 6 h, 76 left" (or the parts known). */
export function describeRateLimit(rate: RateLimitHeaders & { retryAfterUntil?: number }, now = Date.now()): string {
  const parts: string[] = [];
  if (rate.limit !== undefined) parts.push(`${rate.limit} pulls${rate.windowSeconds !== undefined ? ` per ${describeSeconds(rate.windowSeconds)}` : ''}`);
  if (rate.remaining !== undefined) parts.push(`${rate.remaining} left`);
  if (rate.retryAfterUntil !== undefined && rate.retryAfterUntil > now)
    parts.push(`429: retry after ${describeSeconds(Math.ceil((rate.retryAfterUntil - now) / 1000))}`);
  return parts.join(', ');
}

function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}
