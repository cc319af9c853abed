// One registry request the way Docker makes it, for every user of the registry client: for
// a GET, the endpoints a node's runtime would try (its mirrors first, then the registry
// itself, moving on from a mirror that fails); a push goes to the registry itself. Anonymous
// first and then the challenge the endpoint answers with (Basic, or a Bearer token for the
// repository's pull, or pull and push, scope, renewed when it expires or is refused),
// redirects followed with credentials only to the endpoint itself, and the one retry
// policy: what base/transient.ts calls passing is retried with backoff, never sooner than a
// Retry-After, a request alone or a unit of work (a blob upload's POST and PUT) as a whole.
// Rate-limit headers are recorded per registry.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { HoundError } from '../base/errors.js';
import { withRetries } from '../base/retry.js';
import { isTransientNetworkError, isTransientStatus, parseRetryAfter } from '../base/transient.js';
import { AuthorizationCache, parseAuthChallenges, tokenExpiry, type AuthChallenge, type TokenResponse } from './registry-auth.js';
import { RegistryError, TransientStatus, describeNetworkError, registrySays, statusError } from './registry-errors.js';
import { headerOf, readLimited, type RegistryHttp } from './registry-http.js';
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
  /** For tests: the clock tokens expire by. */
  clock?: () => number;
}

export interface GetOptions {
  headers?: Record<string, string>;
  /** `bytes=N-`: a 206 is a success too. */
  range?: string;
  method?: 'GET' | 'HEAD';
  /** For messages: what is fetched ("manifest latest of 10.0.0.2:5000/hound/app0"). */
  what: string;
  /** Attempts at each endpoint (default the client's): 1 to learn how things stand without waiting. */
  attempts?: number;
}

/** One request of a push, sent to the registry itself. */
export interface PushRequestOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** Bytes, or a stream opened anew for each send (an answered challenge sends again). */
  body?: Buffer | (() => Promise<Readable>);
  /** The statuses that answer it; any other is an error. */
  ok: readonly number[];
  /** A repository of the same registry the request reads from too (a mount's source): its pull scope is asked for as well. */
  mountFrom?: string;
  /** For messages: what is pushed, naming the registry ("blob sha256:… to 10.0.0.2:5000/hound/app0"). */
  what: string;
}

/** What one exchange sends: a GET's or a push's request. */
interface ExchangeOptions {
  method: string;
  headers?: Record<string, string>;
  range?: string;
  body?: Buffer | (() => Promise<Readable>);
  /** The token scope (`repository:NAME:pull`, or `:pull,push` and a mount source's pull). */
  scope: string;
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

/** The scope a push to `repo` needs, and pull of `mountFrom` for a cross-repository mount (Docker asks both at once). */
export function pushScope(repo: string, mountFrom?: string): string {
  return `repository:${repo}:pull,push${mountFrom !== undefined && mountFrom !== repo ? ` repository:${mountFrom}:pull` : ''}`;
}

/** The endpoints tried for `registry` on `route`, in order. */
export function endpointsOf(registry: string, route: RegistryRoute): Endpoint[] {
  const mirrors = (route.mirrors ?? []).map((m) => ({ base: new URL(m.endsWith('/') ? m : `${m}/`), mirror: true }));
  return [...mirrors, { base: new URL(`${route.insecure ? 'http' : 'https'}://${registryEndpointHost(registry)}/`), mirror: false }];
}

export class RegistryRequests {
  private readonly authorizations: AuthorizationCache;
  private readonly storedCredentials = new Map<string, Promise<RegistryAuth | undefined>>();
  /** A refresh token a token server handed back in exchange for the one it was given. */
  private readonly refreshTokens = new Map<string, string>();
  private readonly rateLimits = new Map<string, RegistryRateLimit>();

  constructor(
    private readonly http: RegistryHttp,
    private readonly options: RegistryRequestsOptions,
  ) {
    this.authorizations = new AuthorizationCache(options.clock);
  }

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

  /**
   * One push request at the registry itself (never a mirror), not retried: a part of a unit
   * of work that `retry` runs as a whole. Resolves with the response when its status is one of
   * `options.ok`; a passing status throws for the retry, any other is a RegistryError, with the
   * registry's own words on why (the errors of its JSON body).
   */
  async push(registry: string, repo: string, target: string, route: RegistryRoute, options: PushRequestOptions): Promise<IncomingMessage> {
    const endpoint = endpointsOf(registry, { ...route, mirrors: [] })[0];
    const { response, authenticated } = await this.exchange(endpoint, registry, repo, target, route, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      scope: pushScope(repo, options.mountFrom),
      what: options.what,
    });
    const status = response.statusCode ?? 0;
    this.noteRateLimit(registry, endpoint, response);
    if (options.ok.includes(status)) return response;
    if (isTransientStatus(status)) {
      response.resume();
      throw new TransientStatus(status, parseRetryAfter(headerOf(response, 'retry-after')));
    }
    const said =
      options.method === 'HEAD' ? '' : registrySays(await readLimited(response, 64 * 1024, `the answer of ${registry}`).catch(() => Buffer.alloc(0)));
    const error = statusError(registry, options.what, status, authenticated, 'push');
    if (said === '') throw error;
    throw new RegistryError(error.code, `${error.message}: ${said}`, { hint: error.hint, status });
  }

  /** The registry's base URL on `route` (itself, not a mirror): where a push's relative Locations resolve. */
  registryBase(registry: string, route: RegistryRoute): URL {
    return endpointsOf(registry, { ...route, mirrors: [] })[0].base;
  }

  /**
   * Runs `work` (requests of `push`) under the one retry policy: a passing status or network
   * error runs it all again after the backoff; what finally fails is a RegistryError saying
   * that `what` (naming the registry) could not be pushed.
   */
  retry<T>(registry: string, what: string, route: RegistryRoute, work: () => Promise<T>): Promise<T> {
    return this.retrying(registry, what, route, work, this.options.attempts, 'push');
  }

  private getAt(endpoint: Endpoint, registry: string, repo: string, path: string, route: RegistryRoute, options: GetOptions): Promise<IncomingMessage> {
    const attempts = Math.min(options.attempts ?? this.options.attempts, endpoint.mirror ? MIRROR_ATTEMPTS : Infinity);
    const where = endpoint.mirror ? `mirror ${endpoint.base.host}` : registry;
    let authenticated = false;
    return this.retrying(
      where,
      options.what,
      route,
      async () => {
        const exchange = await this.exchange(endpoint, registry, repo, path, route, {
          method: options.method ?? 'GET',
          headers: options.headers,
          range: options.range,
          scope: `repository:${repo}:pull`,
          what: options.what,
        });
        authenticated ||= exchange.authenticated;
        const { response } = exchange;
        const status = response.statusCode ?? 0;
        this.noteRateLimit(registry, endpoint, response);
        if (status === 200 || (status === 206 && options.range !== undefined)) return response;
        response.resume();
        if (isTransientStatus(status)) throw new TransientStatus(status, parseRetryAfter(headerOf(response, 'retry-after')));
        throw statusError(where, options.what, status, authenticated);
      },
      attempts,
      'fetch',
    );
  }

  private retrying<T>(where: string, what: string, route: RegistryRoute, work: () => Promise<T>, attempts: number, verb: 'fetch' | 'push'): Promise<T> {
    return withRetries(work, {
      attempts: Math.max(1, attempts),
      baseMs: this.options.backoffMs,
      maxRetryAfterMs: this.options.maxRetryAfterMs,
      signal: route.signal,
      retryable: (error) => !route.signal?.aborted && (error instanceof TransientStatus || (!(error instanceof HoundError) && isTransientNetworkError(error))),
      onRetry: (n, delay, error) =>
        this.options.logger?.(
          2,
          `registry: ${what}: ${error instanceof TransientStatus ? error.message : describeNetworkError(error)}; retrying in ${Math.round(delay)} ms (attempt ${n + 1} of ${attempts})`,
        ),
      onGiveUp: (n, error) => this.giveUp(where, what, n, error, route.signal, verb),
    });
  }

  private giveUp(where: string, what: string, attempts: number, error: unknown, signal: AbortSignal | undefined, verb: 'fetch' | 'push' = 'fetch'): unknown {
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
    if (isCertificateError(error)) {
      return new RegistryError(
        'REGISTRY_UNTRUSTED_CERTIFICATE',
        `the controller does not trust ${where}'s certificate (${describeNetworkError(error)}) for ${what}`,
        {
          hint: `give hound the registry's CA: --ca-file FILE, the hound_registry_ca variable, or /etc/docker/certs.d/${where}/ca.crt as Docker reads it`,
          cause: error,
        },
      );
    }
    if (isClientCertificateRefusal(error)) {
      // Go's TLS answers a missing and an unaccepted client certificate alike (bad certificate).
      return new RegistryError(
        'REGISTRY_CLIENT_CERTIFICATE_REFUSED',
        `${where} refused the controller's TLS connection for ${what}: it asks for a client certificate signed by a CA it accepts (${describeNetworkError(error)})`,
        {
          hint: `hound presents the client certificate Docker would: NAME.cert with NAME.key in /etc/docker/certs.d/${where}/`,
          cause: error,
        },
      );
    }
    const failed = verb === 'push' ? `could not push ${what}` : `could not fetch ${what} from ${where}`;
    return new RegistryError('REGISTRY_UNREACHABLE', `${failed}: ${describeNetworkError(error)}${tries}`, {
      hint: "check that the registry is up and reachable from the controller (and HTTPS_PROXY/NO_PROXY); for a plain-HTTP registry, list it in the nodes' Docker insecure-registries",
      cause: error,
    });
  }

  /**
   * One GET with redirects and at most one answered challenge; any status comes back, with
   * whether credentials were sent (for the error's hint). A held token the endpoint refuses
   * (expired, revoked) is dropped and the challenge answered anew; a fresh one refused is final.
   */
  private async exchange(
    endpoint: Endpoint,
    registry: string,
    repo: string,
    path: string,
    route: RegistryRoute,
    options: ExchangeOptions,
  ): Promise<{ response: IncomingMessage; authenticated: boolean }> {
    const scope = options.scope;
    const auth = route.auth ?? (await this.credentialsFor(registry));
    const key = `${endpoint.base.origin} ${credentialsKey(auth)}`;
    let url = new URL(path, endpoint.base);
    let authorization = this.authorizations.get(key, scope);
    let challenged = false;
    let authenticated = authorization !== undefined && auth !== undefined;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // Credentials go to the endpoint itself only, never to the storage it redirects to.
      const own = url.origin === endpoint.base.origin;
      const headers: Record<string, string> = {
        ...options.headers,
        ...(options.range ? { range: options.range } : {}),
        ...(own && authorization ? { authorization } : {}),
      };
      const body = typeof options.body === 'function' ? await options.body() : options.body;
      const response = await this.http.send(url, { method: options.method, headers, body, signal: route.signal });
      const status = response.statusCode ?? 0;
      const location = headerOf(response, 'location');
      if (status >= 300 && status < 400 && location) {
        response.resume();
        url = new URL(location, url);
        continue;
      }
      if (status === 401 && own && !challenged) {
        response.resume();
        challenged = true;
        if (authorization) this.authorizations.drop(key, scope);
        authorization = await this.answerChallenge(endpoint, key, registry, headerOf(response, 'www-authenticate') ?? '', scope, auth, route, options.what);
        authenticated = auth !== undefined;
        hop--;
        continue;
      }
      return { response, authenticated };
    }
    throw new RegistryError('REGISTRY_BAD_RESPONSE', `${registry}: more than ${MAX_REDIRECTS} redirects for ${options.what}`);
  }

  /** The Authorization header that answers the challenge, remembered under `key` (endpoint and credentials). */
  private async answerChallenge(
    endpoint: Endpoint,
    key: string,
    registry: string,
    headerValue: string,
    scope: string,
    auth: RegistryAuth | undefined,
    route: RegistryRoute,
    what: string,
  ): Promise<string> {
    const challenges = parseAuthChallenges(headerValue);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      const { token, expiresAt } = await this.fetchToken(endpoint, registry, bearer, scope, auth, route);
      return this.authorizations.setBearer(key, scope, token, expiresAt);
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (auth?.username === undefined || auth.password === undefined) {
        throw new RegistryError('REGISTRY_AUTH_REQUIRED', `${registry} needs a username and password for ${what}`, {
          hint: 'add a registry_login task for this registry, or docker login on the controller',
          status: 401,
        });
      }
      return this.authorizations.setBasic(key, auth.username, auth.password);
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
  ): Promise<{ token: string; expiresAt: number }> {
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
    // A push asks for its own scopes, as Docker's pusher does: the challenge to a HEAD names
    // pull alone, and the token must allow the upload and read the mount's source. Docker
    // sends one scope a parameter (OAuth2's form: one field, space-separated).
    const tokenScope = scope.includes(':pull,push') ? scope : (challenge.params['scope'] ?? scope);
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
      for (const one of tokenScope.split(' ')) get.searchParams.append('scope', one);
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
        throw new TransientStatus(r.statusCode ?? 0, parseRetryAfter(headerOf(r, 'retry-after')));
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
    const body = (await readLimited(response, 1 << 20, `the token answer of ${url.host}`)).toString('utf8');
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
    return { token, expiresAt: tokenExpiry(parsed, (this.options.clock ?? Date.now)()) };
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
    const stated = parseRateLimitHeaders((name) => headerOf(response, name));
    const retryAfter = status === 429 ? parseRetryAfter(headerOf(response, 'retry-after')) : undefined;
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

/** OpenSSL's verdicts on a certificate the controller does not accept. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** True when `error` carries a Node/OpenSSL error code (`err.code`) among `codes`. */
function hasCodeIn(codes: ReadonlySet<string>, error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && codes.has(code);
}

function isCertificateError(error: unknown): boolean {
  return hasCodeIn(CERTIFICATE_ERRORS, error);
}

/** The TLS alerts of a registry that wants a client certificate it did not get, or not the one it got. */
const CLIENT_CERTIFICATE_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
]);

function isClientCertificateRefusal(error: unknown): boolean {
  return hasCodeIn(CLIENT_CERTIFICATE_ALERTS, error);
}

/** Who an authorization is for: cached answers are never handed to other credentials. */
function credentialsKey(auth: RegistryAuth | undefined): string {
  if (!auth) return 'anonymous';
  return createHash('sha256')
    .update(JSON.stringify([auth.username ?? '', auth.password ?? '', auth.identityToken ?? '']))
    .digest('hex')
    .slice(0, 16);
}
