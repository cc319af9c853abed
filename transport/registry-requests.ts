// One registry GET the way Docker makes it, for every user of the registry client: the
// endpoints a node's runtime would try (its mirrors first, then the registry itself,
// moving on from a mirror that fails), anonymous first and then the challenge the endpoint
// answers with (Basic, or a Bearer token for the repository's pull scope, renewed when it
// expires or is refused), redirects followed with credentials only to the endpoint itself,
// and the one retry policy: what base/transient.ts calls passing is retried with backoff,
// never sooner than a Retry-After. Rate-limit headers are recorded per registry.
import type { IncomingMessage } from 'node:http';
import { HoundError } from '../base/errors.js';
import { withRetries } from '../base/retry.js';
import { isTransientNetworkError, isTransientStatus, parseRetryAfter } from '../base/transient.js';
import { AuthorizationCache, parseAuthChallenges, tokenExpiry, type AuthChallenge, type TokenResponse } from './registry-auth.js';
import { RegistryError, TransientStatus, describeNetworkError, statusError } from './registry-errors.js';
import type { RegistryHttp } from './registry-http.js';
import { parseRateLimitHeaders, type RegistryRateLimit } from './rate-limit.js';
import type { TransportLogger } from './ssh-connection.js';
import type { RegistryAuth } from './types.js';

/** How a node's runtime reaches one registry, and so how hound reaches it on that node's behalf. */
export interface RegistryRoute {
  /** Plain HTTP to the registry itself (the node's insecure registries). */
  insecure?: boolean;
  /** Mirror base URLs tried first, in order (a Docker node's registry-mirrors, for docker.io). */
  mirrors?: readonly string[];
  auth?: RegistryAuth;
  signal?: AbortSignal;
}

/** Which endpoint answered, and the mirrors passed over on the way. */
export interface ServedBy {
  /** The endpoint's origin, e.g. `https://10.0.0.2:5003`. */
  endpoint: string;
  mirror: boolean;
  /** Mirrors tried first that failed, each with why. */
  skipped: string[];
}

export interface RegistryRequestsOptions {
  attempts: number;
  backoffMs: number;
  maxRetryAfterMs?: number;
  /** Credentials when the route gives none (Docker's config, helpers included), or none. */
  credentials?: (registry: string) => Promise<RegistryAuth | undefined>;
  /** Every token and refresh token received: secrets to mask. */
  onSecret?: (value: string) => void;
  logger?: TransportLogger;
}

export interface GetOptions {
  headers?: Record<string, string>;
  /** `bytes=N-`: a 206 is a success too. */
  range?: string;
  method?: 'GET' | 'HEAD';
  /** For messages: what is fetched ("manifest latest of 10.0.0.2:5000/hound/app0"). */
  what: string;
}

interface Endpoint {
  base: URL;
  mirror: boolean;
}

const MAX_REDIRECTS = 5;
/** A mirror is asked less insistently: Docker moves on to the next endpoint at once. */
const MIRROR_ATTEMPTS = 2;

/** Docker Hub's API lives at registry-1.docker.io. */
export function registryEndpointHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/** The endpoints tried for `registry` on `route`, in order. */
export function endpointsOf(registry: string, route: RegistryRoute): Endpoint[] {
  const mirrors = (route.mirrors ?? []).map((m) => ({ base: new URL(m.endsWith('/') ? m : `${m}/`), mirror: true }));
  return [...mirrors, { base: new URL(`${route.insecure ? 'http' : 'https'}://${registryEndpointHost(registry)}/`), mirror: false }];
}

export class RegistryRequests {
  private readonly authorizations = new AuthorizationCache();
  private readonly storedCredentials = new Map<string, Promise<RegistryAuth | undefined>>();
  /** A refresh token a token server handed back in exchange for the one it was given. */
  private readonly refreshTokens = new Map<string, string>();
  private readonly rateLimits = new Map<string, RegistryRateLimit>();

  constructor(
    private readonly http: RegistryHttp,
    private readonly options: RegistryRequestsOptions,
  ) {}

  /** The latest rate limit `registry` (any of its endpoints) stated. */
  rateLimit(registry: string): RegistryRateLimit | undefined {
    return this.rateLimits.get(registry);
  }

  /** A successful response (200, or 206 for a range) from the first endpoint that gives one. */
  async get(
    registry: string,
    repo: string,
    path: string,
    route: RegistryRoute,
    options: GetOptions,
  ): Promise<{ response: IncomingMessage; servedBy: ServedBy }> {
    const endpoints = endpointsOf(registry, route);
    const skipped: string[] = [];
    for (const [i, endpoint] of endpoints.entries()) {
      try {
        const response = await this.getAt(endpoint, registry, repo, path, route, options);
        return { response, servedBy: { endpoint: endpoint.base.origin, mirror: endpoint.mirror, skipped } };
      } catch (error) {
        if (i === endpoints.length - 1 || route.signal?.aborted) throw error;
        const why = error instanceof Error ? error.message : String(error);
        skipped.push(`${endpoint.base.origin}: ${why}`);
        this.options.logger?.(1, `registry: mirror ${endpoint.base.origin} failed for ${options.what} (${why}); trying ${endpoints[i + 1].base.origin}`);
      }
    }
    throw new Error('unreachable');
  }

  private getAt(endpoint: Endpoint, registry: string, repo: string, path: string, route: RegistryRoute, options: GetOptions): Promise<IncomingMessage> {
    const attempts = endpoint.mirror ? Math.min(MIRROR_ATTEMPTS, this.options.attempts) : this.options.attempts;
    const where = endpoint.mirror ? `mirror ${endpoint.base.host}` : registry;
    let authenticated = false;
    return withRetries(
      async () => {
        const exchange = await this.exchange(endpoint, registry, repo, path, route, options);
        authenticated ||= exchange.authenticated;
        const { response } = exchange;
        const status = response.statusCode ?? 0;
        this.noteRateLimit(registry, endpoint, response);
        if (status === 200 || (status === 206 && options.range !== undefined)) return response;
        response.resume();
        if (isTransientStatus(status)) throw new TransientStatus(status, parseRetryAfter(header(response, 'retry-after')));
        throw statusError(where, options.what, status, authenticated);
      },
      {
        attempts: Math.max(1, attempts),
        baseMs: this.options.backoffMs,
        maxRetryAfterMs: this.options.maxRetryAfterMs,
        signal: route.signal,
        retryable: (error) =>
          !route.signal?.aborted && (error instanceof TransientStatus || (!(error instanceof HoundError) && isTransientNetworkError(error))),
        onRetry: (n, delay, error) =>
          this.options.logger?.(
            2,
            `registry: ${options.what}: ${error instanceof TransientStatus ? error.message : describeNetworkError(error)}; retrying in ${Math.round(delay)} ms (attempt ${n + 1} of ${attempts})`,
          ),
        onGiveUp: (n, error) => this.giveUp(where, options.what, n, error, route.signal),
      },
    );
  }

  private giveUp(where: string, what: string, attempts: number, error: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : error;
    if (error instanceof HoundError) return error;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    if (error instanceof TransientStatus) {
      const wait = error.retryAfterMs !== undefined ? `; it asks to retry after ${Math.ceil(error.retryAfterMs / 1000)} s` : '';
      if (error.status === 429) {
        return new RegistryError('REGISTRY_RATE_LIMITED', `${where} refused ${what}: too many requests (HTTP 429)${wait}${tries}`, {
          hint: 'the registry rate-limits pulls: wait, log in for a higher limit, or use a mirror',
          status: 429,
          retryAfterMs: error.retryAfterMs,
        });
      }
      return new RegistryError('REGISTRY_UNAVAILABLE', `${where} answered HTTP ${error.status} for ${what}${wait}${tries}`, {
        hint: 'the registry is busy or failing; try again later',
        status: error.status,
        retryAfterMs: error.retryAfterMs,
      });
    }
    return new RegistryError('REGISTRY_UNREACHABLE', `could not fetch ${what} from ${where}: ${describeNetworkError(error)}${tries}`, {
      hint: "check that the registry is up and reachable from the controller (and HTTPS_PROXY/NO_PROXY); for a plain-HTTP registry, list it in the nodes' Docker insecure-registries",
      cause: error,
    });
  }

  /** One GET with redirects and at most one answered challenge; any status comes back. */
  private async exchange(
    endpoint: Endpoint,
    registry: string,
    repo: string,
    path: string,
    route: RegistryRoute,
    options: GetOptions,
  ): Promise<{ response: IncomingMessage; authenticated: boolean }> {
    const scope = `repository:${repo}:pull`;
    const key = endpoint.base.origin;
    let url = new URL(path, endpoint.base);
    let challenged = false;
    let authenticated = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // Credentials go to the endpoint itself only, never to the storage it redirects to.
      const own = url.origin === endpoint.base.origin;
      const authorization = own ? this.authorizations.get(key, scope) : undefined;
      authenticated ||= authorization !== undefined;
      const headers: Record<string, string> = {
        ...options.headers,
        ...(options.range ? { range: options.range } : {}),
        ...(authorization ? { authorization } : {}),
      };
      const response = await this.http.send(url, { method: options.method ?? 'GET', headers, signal: route.signal });
      const status = response.statusCode ?? 0;
      const location = header(response, 'location');
      if (status >= 300 && status < 400 && location) {
        response.resume();
        url = new URL(location, url);
        continue;
      }
      if (status === 401 && own && !challenged) {
        response.resume();
        challenged = true;
        // A token held and refused has expired or been revoked: ask for a new one.
        if (authorization) this.authorizations.drop(key, scope);
        await this.answerChallenge(endpoint, registry, header(response, 'www-authenticate') ?? '', scope, route, options.what);
        authenticated = true;
        hop--;
        continue;
      }
      return { response, authenticated };
    }
    throw new RegistryError('REGISTRY_BAD_RESPONSE', `${registry}: more than ${MAX_REDIRECTS} redirects for ${options.what}`);
  }

  private async answerChallenge(endpoint: Endpoint, registry: string, headerValue: string, scope: string, route: RegistryRoute, what: string): Promise<void> {
    const challenges = parseAuthChallenges(headerValue);
    const auth = route.auth ?? (await this.credentialsFor(registry));
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return this.fetchToken(endpoint, registry, bearer, scope, auth, route);
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (auth?.username === undefined || auth.password === undefined) {
        throw new RegistryError('REGISTRY_AUTH_REQUIRED', `${registry} needs a username and password for ${what}`, {
          hint: 'add a registry_login task for this registry, or docker login on the controller',
          status: 401,
        });
      }
      this.authorizations.setBasic(endpoint.base.origin, auth.username, auth.password);
      return;
    }
    throw new RegistryError(
      'REGISTRY_AUTH_UNSUPPORTED',
      `${registry} asks for authentication hound does not speak (${challenges.map((c) => c.scheme).join(', ') || 'no challenge'})`,
      { hint: 'hound speaks Bearer token and Basic authentication', status: 401 },
    );
  }

  // The distribution token flow: GET the realm with Basic credentials (or none), or the
  // OAuth2 refresh-token POST for an identity token, as Docker does.
  private async fetchToken(
    endpoint: Endpoint,
    registry: string,
    challenge: AuthChallenge,
    scope: string,
    auth: RegistryAuth | undefined,
    route: RegistryRoute,
  ): Promise<void> {
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError('REGISTRY_BAD_RESPONSE', `${registry} sent a Bearer challenge without a realm`, { status: 401 });
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${registry} sent a Bearer challenge with an unreadable realm`, { status: 401 });
    }
    // Credentials cross the network in the clear only to a registry that is itself plain HTTP.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && endpoint.base.protocol === 'http:')) {
      throw new RegistryError('REGISTRY_INSECURE_TOKEN_REALM', `${registry} wants tokens from ${url.origin} over plain HTTP`, {
        hint: 'hound fetches tokens over HTTPS unless the registry itself is reached over plain HTTP',
      });
    }
    const service = challenge.params['service'];
    const tokenScope = challenge.params['scope'] ?? scope;
    const identityToken = auth?.identityToken !== undefined ? (this.refreshTokens.get(registry) ?? auth.identityToken) : undefined;
    const request = async (): Promise<IncomingMessage> => {
      if (identityToken !== undefined) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: identityToken, client_id: 'hound', scope: tokenScope });
        if (service) form.set('service', service);
        return this.http.send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: route.signal,
          tlsHost: endpoint.base.host,
        });
      }
      const get = new URL(url);
      if (service) get.searchParams.set('service', service);
      get.searchParams.set('scope', tokenScope);
      const headers: Record<string, string> = {};
      if (auth?.username !== undefined && auth.password !== undefined)
        headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      return this.http.send(get, { headers, signal: route.signal, tlsHost: endpoint.base.host });
    };
    const response = await withRetries(
      async () => {
        const r = await request();
        if (!isTransientStatus(r.statusCode ?? 0)) return r;
        r.resume();
        throw new TransientStatus(r.statusCode ?? 0, parseRetryAfter(header(r, 'retry-after')));
      },
      {
        attempts: this.options.attempts,
        baseMs: this.options.backoffMs,
        maxRetryAfterMs: this.options.maxRetryAfterMs,
        signal: route.signal,
        retryable: (error) => !route.signal?.aborted && (error instanceof TransientStatus || isTransientNetworkError(error)),
        onGiveUp: (n, error) => this.giveUp(url.host, `a token for ${registry}`, n, error, route.signal),
      },
    );
    const body = await readSmall(response);
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      const who = auth === undefined ? ' without credentials' : ` for user ${auth.username ?? '(identity token)'}`;
      throw new RegistryError('REGISTRY_AUTH_FAILED', `${url.host} refused a token for ${tokenScope} on ${registry} (HTTP ${status})${who}`, {
        hint:
          auth !== undefined
            ? 'check the credentials (the registry_login task, or the credential helper)'
            : 'the image may be private: add a registry_login task',
        status,
      });
    }
    let parsed: TokenResponse;
    try {
      parsed = JSON.parse(body) as TokenResponse;
    } catch {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${url.host} answered the token request with something that is not JSON`);
    }
    const token = parsed.token ?? parsed.access_token;
    if (typeof token !== 'string' || token === '') throw new RegistryError('REGISTRY_BAD_RESPONSE', `${url.host} answered the token request without a token`);
    for (const secret of [parsed.token, parsed.access_token, parsed.refresh_token])
      if (typeof secret === 'string' && secret !== '') this.options.onSecret?.(secret);
    if (identityToken !== undefined && typeof parsed.refresh_token === 'string' && parsed.refresh_token !== '')
      this.refreshTokens.set(registry, parsed.refresh_token);
    this.authorizations.setBearer(endpoint.base.origin, scope, token, tokenExpiry(parsed, Date.now()));
  }

  private credentialsFor(registry: string): Promise<RegistryAuth | undefined> {
    const lookup = this.options.credentials;
    if (!lookup) return Promise.resolve(undefined);
    let pending = this.storedCredentials.get(registry);
    if (!pending) {
      pending = lookup(registry);
      this.storedCredentials.set(registry, pending);
    }
    return pending;
  }

  private noteRateLimit(registry: string, endpoint: Endpoint, response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    const stated = parseRateLimitHeaders((name) => header(response, name));
    const retryAfter = status === 429 ? parseRetryAfter(header(response, 'retry-after')) : undefined;
    if (!stated && status !== 429) return;
    const now = Date.now();
    const previous = this.rateLimits.get(registry);
    this.rateLimits.set(registry, {
      ...(previous?.endpoint === endpoint.base.origin ? previous : {}),
      ...stated,
      endpoint: endpoint.base.origin,
      observedAt: now,
      ...(status === 429 ? { retryAfterUntil: now + (retryAfter ?? 0) } : {}),
    });
  }
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readSmall(response: IncomingMessage, limit = 1 << 20): Promise<string> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of response as AsyncIterable<Buffer>) {
    length += part.length;
    if (length > limit) {
      response.destroy();
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `a token response larger than ${limit} bytes`);
    }
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}
