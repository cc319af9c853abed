// How a registry asks for credentials (WWW-Authenticate, RFC 7235), and the authorizations
// the registry client holds once it has answered: Bearer tokens per endpoint and scope,
// each until it expires, and Basic credentials per endpoint.

export interface AuthChallenge {
  /** Lowercased: `bearer` or `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a WWW-Authenticate header (RFC 7235): one or more challenges, each a scheme and
 * comma-separated `key=value` / `key="quoted, value"` parameters.
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const token = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/y;
  let i = 0;
  let current: AuthChallenge | undefined;
  while (i < header.length) {
    while (i < header.length && /[\s,]/.test(header[i])) i++;
    token.lastIndex = i;
    const word = token.exec(header);
    if (!word) break;
    i = token.lastIndex;
    let j = i;
    while (j < header.length && header[j] === ' ') j++;
    if (header[j] === '=') {
      // key=value belongs to the current challenge
      j++;
      while (j < header.length && header[j] === ' ') j++;
      let value = '';
      if (header[j] === '"') {
        j++;
        while (j < header.length && header[j] !== '"') {
          if (header[j] === '\\' && j + 1 < header.length) j++;
          value += header[j];
          j++;
        }
        j++;
      } else {
        while (j < header.length && header[j] !== ',') value += header[j++];
        value = value.trim();
      }
      if (current) current.params[word[1].toLowerCase()] = value;
      i = j;
    } else {
      current = { scheme: word[1].toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

/** Docker's floor on a token's lifetime: a token server saying less (or nothing) is read as 60 s. */
export const MIN_TOKEN_LIFETIME_S = 60;
/** A token this close to its end is renewed before use rather than sent to be refused. */
const RENEW_MARGIN_MS = 5_000;

/** What a token server answers (the distribution token spec, and its OAuth2 form). */
export interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
  refresh_token?: string;
}

/**
 * When a token from `response`, received at `receivedAt`, stops being usable (epoch ms):
 * its lifetime from `issued_at`, unless that time is so far from ours (a clock apart by
 * more than the lifetime) that it says nothing, then from its receipt.
 */
export function tokenExpiry(response: TokenResponse, receivedAt: number): number {
  const lifetimeMs = Math.max(MIN_TOKEN_LIFETIME_S, typeof response.expires_in === 'number' ? response.expires_in : 0) * 1000;
  const issued = response.issued_at ? Date.parse(response.issued_at) : NaN;
  const start = !Number.isNaN(issued) && Math.abs(receivedAt - issued) < lifetimeMs ? Math.min(issued, receivedAt) : receivedAt;
  return start + lifetimeMs;
}

/**
 * Authorization headers per key (an endpoint and the credentials used there): Bearer tokens
 * per scope until they expire, Basic for the whole endpoint. Pure apart from the clock.
 */
export class AuthorizationCache {
  private readonly entries = new Map<string, { header: string; expiresAt?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The header to send to `endpoint` for `scope`, if one is held and not about to expire. */
  get(endpoint: string, scope: string): string | undefined {
    for (const key of [`${endpoint} ${scope}`, `${endpoint} *`]) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      if (entry.expiresAt !== undefined && entry.expiresAt - RENEW_MARGIN_MS <= this.now()) {
        this.entries.delete(key);
        continue;
      }
      return entry.header;
    }
    return undefined;
  }

  /** Holds the token; returns the header to send. */
  setBearer(endpoint: string, scope: string, token: string, expiresAt: number): string {
    const header = `Bearer ${token}`;
    this.entries.set(`${endpoint} ${scope}`, { header, expiresAt });
    return header;
  }

  /** Holds the credentials' header; returns it. */
  setBasic(endpoint: string, username: string, password: string): string {
    const header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.entries.set(`${endpoint} *`, { header });
    return header;
  }

  /** Forgets what was sent to `endpoint` for `scope` (the registry refused it: expired or revoked). */
  drop(endpoint: string, scope: string): void {
    this.entries.delete(`${endpoint} ${scope}`);
    this.entries.delete(`${endpoint} *`);
  }
}
