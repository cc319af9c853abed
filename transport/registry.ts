// A registry client for the pull side of the OCI distribution API: what a tag points at,
// resolved to one platform, with layer digests, sizes and diff ids, so the planner can
// compare with what nodes hold; and blob streams for a relay. Anonymous first, then the
// Bearer/Basic challenge the registry answers with. Plain HTTP only when told the node's
// Docker would use it (insecure registries); verified HTTPS otherwise.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { withRetries } from '../base/retry.js';
import { HoundError, EXIT } from '../base/errors.js';
import { canonicalImageRef, manifestReference, parseImageRef, type ImageRef } from '../base/image-ref.js';
import { credentialsFromDockerConfig, parseAuthChallenges, type AuthChallenge } from './registry-auth.js';
import type { TransportLogger } from './ssh-connection.js';
import type { RegistryAuth } from './types.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;
const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ResolvedLayer extends Descriptor {
  /** The layer's uncompressed digest (config rootfs.diff_ids), what Docker's layer store knows. */
  diffId: string;
}

export interface ResolvedImage {
  reference: string;
  /** The digest of the top manifest or index: what `docker pull` records as the repo digest. */
  manifestDigest: string;
  /** The platform's own manifest (equals manifestDigest for single-platform images). */
  platformManifestDigest: string;
  mediaType: string;
  config: { digest: string; size: number };
  layers: ResolvedLayer[];
  diffIds: string[];
  os: string;
  architecture: string;
  variant?: string;
}

export interface ResolveOptions {
  /** `os/arch[/variant]` in Docker's or the kernel's words (x86_64, aarch64 accepted). Default linux/amd64. */
  platform?: string;
  auth?: RegistryAuth;
  insecure?: boolean;
  signal?: AbortSignal;
}

export interface RegistryClientOptions {
  /** Per-request timeout (default 30 s; a blob stream's timeout covers its headers only). */
  timeoutMs?: number;
  /** Attempts for 5xx, 429 and connection errors (default 4). */
  attempts?: number;
  /** First backoff delay; doubled each retry, with jitter (default 250 ms). */
  backoffMs?: number;
  /** Where to look for `docker login` credentials; false to not look. */
  dockerConfigPath?: string | false;
  logger?: TransportLogger;
}

export class RegistryError extends HoundError {
  readonly status?: number;
  constructor(code: string, message: string, options: { hint?: string; status?: number; cause?: unknown } = {}) {
    super(code, message, EXIT.ERROR, { hint: options.hint, cause: options.cause });
    this.status = options.status;
  }
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', x86: '386', i386: '386', i686: '386', aarch64: 'arm64', armhf: 'arm', armel: 'arm' };

interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** `linux/x86_64` → {linux, amd64}; arm64's default variant v8 is dropped so both spellings match. */
export function parsePlatform(text: string): Platform {
  const [os = 'linux', arch = 'amd64', variant] = text.toLowerCase().split('/');
  const architecture = ARCH_ALIASES[arch] ?? arch;
  const platform: Platform = { os, architecture };
  const v = architecture === 'arm' && arch === 'armhf' && variant === undefined ? 'v7' : variant;
  if (v !== undefined && !(architecture === 'arm64' && v === 'v8')) platform.variant = v;
  return platform;
}

export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private readonly storedCredentials = new Map<string, Promise<RegistryAuth | undefined>>();

  constructor(private readonly options: RegistryClientOptions = {}) {}

  async resolveImage(reference: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const ref = parseImageRef(reference);
    const platform = parsePlatform(options.platform ?? 'linux/amd64');
    const top = await this.fetchManifest(ref, manifestReference(ref), options);
    if (ref.digest !== undefined && top.digest !== ref.digest) throw digestMismatch(ref, ref.digest, top.digest);
    let manifest = top;
    if (top.mediaType === MEDIA_TYPES.ociIndex || top.mediaType === MEDIA_TYPES.dockerList) {
      const chosen = choosePlatform(top.json, platform);
      if (!chosen) {
        const offered = listPlatforms(top.json).join(', ') || 'none';
        throw new RegistryError('REGISTRY_PLATFORM_NOT_FOUND', `${canonicalImageRef(ref)} has no image for ${formatPlatform(platform)} (it has: ${offered})`, {
          hint: 'set platform: on the task to one the image is built for',
        });
      }
      manifest = await this.fetchManifest(ref, chosen.digest, options);
      if (manifest.digest !== chosen.digest) throw digestMismatch(ref, chosen.digest, manifest.digest);
    }
    const body = manifest.json as { config?: Descriptor; layers?: Descriptor[] };
    if (!body.config?.digest || !Array.isArray(body.layers)) {
      throw new RegistryError(
        'REGISTRY_BAD_RESPONSE',
        `${canonicalImageRef(ref)}: manifest ${manifest.digest} (${manifest.mediaType}) has no config or layers`,
        { hint: 'hound reads OCI and Docker v2 schema 2 images' },
      );
    }
    const configBytes = await this.fetchBlobBytes(ref, body.config.digest, options);
    const config = JSON.parse(configBytes.toString('utf8')) as { os?: string; architecture?: string; variant?: string; rootfs?: { diff_ids?: string[] } };
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== body.layers.length) {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${canonicalImageRef(ref)}: ${body.layers.length} layers but ${diffIds.length} diff ids in its config`, {
        hint: 'the image is malformed; rebuild and push it',
      });
    }
    const resolved: ResolvedImage = {
      reference: canonicalImageRef(ref),
      manifestDigest: top.digest,
      platformManifestDigest: manifest.digest,
      mediaType: manifest.mediaType,
      config: { digest: body.config.digest, size: body.config.size },
      layers: body.layers.map((layer, i) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size, diffId: diffIds[i] })),
      diffIds,
      os: config.os ?? platform.os,
      architecture: config.architecture ?? platform.architecture,
    };
    if (config.variant !== undefined) resolved.variant = config.variant;
    return resolved;
  }

  /** A blob as a byte stream (for a relay); the caller verifies the digest if it needs to. */
  async fetchBlob(reference: string | ImageRef, digest: string, options: Omit<ResolveOptions, 'platform'> = {}): Promise<{ stream: Readable; size?: number }> {
    const ref = typeof reference === 'string' ? parseImageRef(reference) : reference;
    const response = await this.request(ref, `/v2/${ref.path}/blobs/${digest}`, {}, options, `blob ${digest}`, true);
    const length = Number(response.headers.get('content-length'));
    const stream = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
    return Number.isFinite(length) && length > 0 ? { stream, size: length } : { stream };
  }

  private async fetchBlobBytes(ref: ImageRef, digest: string, options: ResolveOptions): Promise<Buffer> {
    const response = await this.request(ref, `/v2/${ref.path}/blobs/${digest}`, {}, options, `blob ${digest}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const actual = sha256(bytes);
    if (actual !== digest) throw digestMismatch(ref, digest, actual);
    return bytes;
  }

  private async fetchManifest(ref: ImageRef, reference: string, options: ResolveOptions): Promise<{ digest: string; mediaType: string; json: unknown }> {
    const response = await this.request(ref, `/v2/${ref.path}/manifests/${reference}`, { accept: MANIFEST_ACCEPT }, options, `manifest ${reference}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    let json: { mediaType?: string; schemaVersion?: number };
    try {
      json = JSON.parse(bytes.toString('utf8')) as typeof json;
    } catch {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${canonicalImageRef(ref)}: manifest ${reference} is not JSON`, {
        hint: 'is this address really a registry?',
      });
    }
    const headerType = response.headers.get('content-type')?.split(';')[0]?.trim();
    const mediaType = json.mediaType ?? headerType ?? '';
    if (json.schemaVersion === 1 || mediaType.includes('manifest.v1')) {
      throw new RegistryError('REGISTRY_UNSUPPORTED_MANIFEST', `${canonicalImageRef(ref)} is a schema 1 image, which Docker no longer pulls`, {
        hint: 'rebuild and push the image with a current Docker',
      });
    }
    // The digest of exactly these bytes: what Docker records, whatever the header says.
    return { digest: sha256(bytes), mediaType, json };
  }

  /** One GET with auth challenge handling, retries with backoff, and a timeout. */
  private async request(
    ref: ImageRef,
    path: string,
    headers: Record<string, string>,
    options: ResolveOptions,
    what: string,
    streaming = false,
  ): Promise<Response> {
    const base = `${options.insecure ? 'http' : 'https'}://${registryEndpoint(ref.domain)}`;
    const scope = `repository:${ref.path}:pull`;
    const tokenKey = `${ref.domain} ${scope}`;
    let authorization = this.tokens.get(tokenKey);
    for (let round = 0; round < 2; round++) {
      const response = await this.withRetries(`${what} of ${canonicalImageRef(ref)}`, options.signal, () =>
        this.send(`${base}${path}`, { ...headers, ...(authorization ? { authorization } : {}) }, options.signal, streaming),
      );
      if (response.status === 401 && round === 0) {
        await response.body?.cancel();
        const auth = options.auth ?? (await this.credentialsFor(ref.domain));
        authorization = await this.authorize(ref, response.headers.get('www-authenticate') ?? '', scope, auth, options);
        this.tokens.set(tokenKey, authorization);
        continue;
      }
      if (response.ok) return response;
      await response.body?.cancel();
      throw statusError(ref, what, response.status, options.auth !== undefined || authorization !== undefined);
    }
    throw new RegistryError('REGISTRY_AUTH_FAILED', `${ref.domain} refused the credentials for ${canonicalImageRef(ref)}`, {
      hint: 'check the registry_login username and password',
      status: 401,
    });
  }

  private async authorize(ref: ImageRef, header: string, scope: string, auth: RegistryAuth | undefined, options: ResolveOptions): Promise<string> {
    const challenges = parseAuthChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return `Bearer ${await this.fetchToken(ref, bearer, scope, auth, options)}`;
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (auth?.username === undefined || auth.password === undefined) {
        throw new RegistryError('REGISTRY_AUTH_REQUIRED', `${ref.domain} needs a username and password for ${canonicalImageRef(ref)}`, {
          hint: 'add a registry_login task for this registry, or docker login on the controller',
        });
      }
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    throw new RegistryError(
      'REGISTRY_AUTH_UNSUPPORTED',
      `${ref.domain} asks for authentication hound does not speak (${challenges.map((c) => c.scheme).join(', ') || 'no challenge'})`,
      { hint: 'hound speaks Bearer token and Basic authentication' },
    );
  }

  // The distribution token flow: GET realm with Basic creds, or an OAuth2 refresh-token POST.
  private async fetchToken(ref: ImageRef, challenge: AuthChallenge, scope: string, auth: RegistryAuth | undefined, options: ResolveOptions): Promise<string> {
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError('REGISTRY_BAD_RESPONSE', `${ref.domain} sent a Bearer challenge without a realm`);
    const url = new URL(realm);
    if (url.protocol !== 'https:' && !(options.insecure && url.protocol === 'http:')) {
      throw new RegistryError('REGISTRY_INSECURE_TOKEN_REALM', `${ref.domain} wants tokens from ${url.origin} over plain HTTP`, {
        hint: 'hound fetches tokens over HTTPS unless the registry itself is an insecure one',
      });
    }
    const service = challenge.params['service'];
    const tokenScope = challenge.params['scope'] ?? scope;
    let response: Response;
    if (auth?.identityToken !== undefined) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'hound', scope: tokenScope });
      if (service) form.set('service', service);
      response = await this.withRetries(`token for ${ref.domain}`, options.signal, () =>
        this.send(url.toString(), { 'content-type': 'application/x-www-form-urlencoded' }, options.signal, false, 'POST', form.toString()),
      );
    } else {
      if (service) url.searchParams.set('service', service);
      url.searchParams.set('scope', tokenScope);
      const headers: Record<string, string> = {};
      if (auth?.username !== undefined && auth.password !== undefined)
        headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      response = await this.withRetries(`token for ${ref.domain}`, options.signal, () => this.send(url.toString(), headers, options.signal, false));
    }
    if (!response.ok) {
      await response.body?.cancel();
      const hasCredentials = auth !== undefined;
      throw new RegistryError(
        'REGISTRY_AUTH_FAILED',
        `${url.host} refused a token for ${canonicalImageRef(ref)} (HTTP ${response.status})${hasCredentials ? ` for user ${auth?.username ?? '(identity token)'}` : ' without credentials'}`,
        {
          hint: hasCredentials ? 'check the registry_login username and password' : 'the image may be private: add a registry_login task',
          status: response.status,
        },
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('REGISTRY_BAD_RESPONSE', `${url.host} answered the token request without a token`);
    return token;
  }

  private credentialsFor(registry: string): Promise<RegistryAuth | undefined> {
    if (this.options.dockerConfigPath === false) return Promise.resolve(undefined);
    let pending = this.storedCredentials.get(registry);
    if (!pending) {
      pending = credentialsFromDockerConfig(registry, { path: this.options.dockerConfigPath, logger: this.options.logger });
      this.storedCredentials.set(registry, pending);
    }
    return pending;
  }

  private async send(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    streaming: boolean,
    method = 'GET',
    body?: string,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const timeoutController = new AbortController();
    // A blob stream may run far longer than the timeout: only its headers are timed.
    const onTimeout = () => timeoutController.abort(timeout.reason);
    timeout.addEventListener('abort', onTimeout, { once: true });
    const signals = signal ? [signal, timeoutController.signal] : [timeoutController.signal];
    try {
      const response = await fetch(url, { method, headers, body, signal: AbortSignal.any(signals), redirect: 'follow' });
      this.options.logger?.(3, `registry: ${method} ${url} → ${response.status}`);
      return response;
    } finally {
      if (streaming) timeout.removeEventListener('abort', onTimeout);
    }
  }

  private async withRetries(what: string, signal: AbortSignal | undefined, attempt: () => Promise<Response>): Promise<Response> {
    const attempts = Math.max(1, this.options.attempts ?? 4);
    return withRetries(
      async (n) => {
        let response: Response;
        try {
          response = await attempt();
        } catch (error) {
          if (signal?.aborted) throw new AbortedByCaller(signal.reason instanceof Error ? signal.reason : error);
          throw error;
        }
        // A busy registry's answer is kept for the last attempt, so the caller reads its error.
        if (!RETRY_STATUSES.has(response.status) || n === attempts) return response;
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      },
      {
        attempts,
        baseMs: this.options.backoffMs ?? 250,
        signal,
        retryable: (error) => !(error instanceof AbortedByCaller),
        onRetry: (n, delay, error) =>
          this.options.logger?.(2, `registry: ${what}: ${describeNetworkError(error)}; retrying in ${Math.round(delay)} ms (attempt ${n + 1} of ${attempts})`),
        onGiveUp: (n, error) => {
          if (error instanceof AbortedByCaller) return error.reason;
          if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : error;
          return new RegistryError('REGISTRY_UNREACHABLE', `could not fetch ${what}: ${describeNetworkError(error)} (after ${n} attempts)`, {
            hint: "check that the registry is up and reachable from the controller; for a plain-HTTP registry, list it in the nodes' Docker insecure-registries",
            cause: error,
          });
        },
      },
    );
  }
}

/** The caller's own signal ended the request: not a failure to retry or to dress up. */
class AbortedByCaller extends Error {
  constructor(readonly reason: unknown) {
    super('aborted');
  }
}

function statusError(ref: ImageRef, what: string, status: number, authenticated: boolean): RegistryError {
  const name = canonicalImageRef(ref);
  if (status === 404)
    return new RegistryError('REGISTRY_NOT_FOUND', `${name}: ${what} not found in ${ref.domain}`, { hint: 'check the image name and tag', status });
  if (status === 401 || status === 403) {
    return new RegistryError('REGISTRY_AUTH_FAILED', `${ref.domain} denied ${what} of ${name} (HTTP ${status})`, {
      hint: authenticated ? 'the credentials lack pull access to this repository' : 'the image may be private: add a registry_login task',
      status,
    });
  }
  return new RegistryError('REGISTRY_BAD_RESPONSE', `${ref.domain} answered HTTP ${status} for ${what} of ${name}`, { status });
}

function digestMismatch(ref: ImageRef, expected: string, actual: string): RegistryError {
  return new RegistryError('REGISTRY_DIGEST_MISMATCH', `${canonicalImageRef(ref)}: expected content ${expected}, got ${actual}`, {
    hint: 'the registry (or something between) served different bytes; try again, or check the registry',
  });
}

function choosePlatform(index: unknown, wanted: Platform): Descriptor | undefined {
  const manifests = ((index as { manifests?: (Descriptor & { platform?: Platform })[] }).manifests ?? []).filter((m) => m.platform);
  const matching = manifests.filter((m) => {
    const p = parsePlatform(`${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`);
    return p.os === wanted.os && p.architecture === wanted.architecture && (wanted.variant === undefined || p.variant === wanted.variant);
  });
  // Without a requested variant, prefer the entry that has none (Docker's default for the arch).
  return matching.find((m) => m.platform!.variant === undefined) ?? matching[0];
}

function listPlatforms(index: unknown): string[] {
  return ((index as { manifests?: { platform?: Platform }[] }).manifests ?? [])
    .map((m) => m.platform)
    .filter((p): p is Platform => p !== undefined && p.os !== 'unknown')
    .map(formatPlatform);
}

function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Docker Hub's API lives at registry-1.docker.io. */
function registryEndpoint(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.message;
  return String(error);
}
