// The one registry client of hound, for the plan, the facts, `auto` and the relay's origin
// side: what a tag points at, resolved to one platform, with layer digests, sizes and diff
// ids (for the planner); manifests as exact bytes and blobs as streams (for the relay); and
// pushes (registry-push.ts), for the relay's fan-out seeds and the lab's images.
// Every request goes the way the node's runtime would go (registry-requests.ts: its
// mirrors, its transport security), with the controller's own trust (registry-trust.ts),
// the proxy the environment names (proxy-env.ts), and one auth flow and one retry policy.
import { createHash, type X509Certificate } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { canonicalImageRef, manifestReference, parseImageRef, type ImageRef } from '../base/image-ref.js';
import { ControllerTrust, type ControllerTrustOptions } from './registry-trust.js';
import { ProxyRules, proxyEnvironment, type ProxyEnvironment } from './proxy-env.js';
import { RegistryHttp, headerOf, readLimited, type RegistryHttpOptions } from './registry-http.js';
import { RegistryRequests, endpointsOf, type RegistryRoute, type ServedBy } from './registry-requests.js';
import { blobExists, pushBlob, pushManifest, registryAnswers, type BlobContent, type PushedBlob, type PushedManifest } from './registry-push.js';
import { RegistryError } from './registry-errors.js';
import { dockerConfigCredentials } from './docker-config.js';
import { abortErrorOf } from '../base/abort.js';
import type { RegistryRateLimit } from './rate-limit.js';
import type { TransportLogger } from './ssh-connection.js';

export { RegistryError } from './registry-errors.js';
export type { RegistryRoute, ServedBy } from './registry-requests.js';
export type { BlobContent, PushedBlob, PushedManifest } from './registry-push.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;
/** The media types Docker accepts for a pull, most preferred first. */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

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
  /** The endpoint that answered (a mirror, or the registry itself). */
  servedBy: ServedBy;
}

export interface ResolveOptions extends RegistryRoute {
  /** `os/arch[/variant]` in Docker's or the kernel's words (x86_64, aarch64 accepted). Default linux/amd64. */
  platform?: string;
  /**
   * Take this client's earlier answer to the same question, and keep this one for later
   * askers: for a run's planning reads (each host's disk check, `auto`'s plan), which then
   * agree and ask the origin once, not once per host. Not for `state: latest`, which must
   * see a tag the run itself pushed.
   */
  reuse?: boolean;
}

export interface RegistryManifest {
  /** The manifest exactly as the registry sent it: its digest is over these bytes. */
  body: Buffer;
  contentType: string;
  digest: string;
  servedBy: ServedBy;
}

export interface RegistryBlob {
  /** The whole blob's size, also when only a part was asked for. */
  size: number;
  body: Readable;
}

/** One registry, bound to the route the nodes take to it: what the relay fetches from. */
export interface RegistryOrigin {
  /** Registry host[:port] as in image references (docker.io for Docker Hub). */
  readonly host: string;
  getManifest(repo: string, reference: string, accept: string): Promise<RegistryManifest>;
  /** The blob's bytes from `offset` on (default 0). */
  getBlob(repo: string, digest: string, offset?: number): Promise<RegistryBlob>;
}

export interface RegistryClientOptions {
  /** A request, or a body, with no bytes for this long fails (default 30 s). */
  timeoutMs?: number;
  /** Attempts for 429, 5xx and connection errors (default 4). */
  attempts?: number;
  /** First backoff delay; doubled each retry, with jitter (default 250 ms). */
  backoffMs?: number;
  /** A Retry-After longer than this fails the request instead of waiting (default 120 s). */
  maxRetryAfterMs?: number;
  /** Docker's client config to find credentials in (helpers run) when none are given; false to not look. */
  dockerConfigPath?: string | false;
  /** The controller's TLS trust: certs.d folder, extra CA files (or one pinned CA and client certificate). */
  trust?: ControllerTrustOptions;
  /** Reach endpoints over streams opened this way (a node's SSH connection) instead of this host's network. */
  connect?: RegistryHttpOptions['connect'];
  /** HTTP(S)_PROXY / NO_PROXY (default: this process's environment). */
  proxy?: ProxyEnvironment;
  /** Told every secret the client comes to hold (helper output, tokens), to be masked. */
  onSecret?: (value: string) => void;
  logger?: TransportLogger;
  /** For tests: the clock tokens expire by (default Date.now). */
  clock?: () => number;
}

interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', x86: '386', i386: '386', i686: '386', aarch64: 'arm64', armhf: 'arm', armel: 'arm' };

/** `linux/x86_64` → {linux, amd64}; arm64's default variant v8 is dropped so both spellings match. */
export function parsePlatform(text: string): Platform {
  const [os = 'linux', arch = 'amd64', variant] = text.toLowerCase().split('/');
  const architecture = ARCH_ALIASES[arch] ?? arch;
  const platform: Platform = { os, architecture };
  const v = architecture === 'arm' && arch === 'armhf' && variant === undefined ? 'v7' : variant;
  if (v !== undefined && !(architecture === 'arm64' && v === 'v8')) platform.variant = v;
  return platform;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The entry of an index (or manifest list) for `wanted`; without a requested variant, the entry that has none. */
export function choosePlatform(index: unknown, wanted: Platform): Descriptor | undefined {
  const manifests = ((index as { manifests?: (Descriptor & { platform?: Platform })[] }).manifests ?? []).filter((m) => m.platform);
  const matching = manifests.filter((m) => {
    const p = parsePlatform(formatPlatform(m.platform!));
    return p.os === wanted.os && p.architecture === wanted.architecture && (wanted.variant === undefined || p.variant === wanted.variant);
  });
  return matching.find((m) => m.platform!.variant === undefined) ?? matching[0];
}

function listPlatforms(index: unknown): string[] {
  return ((index as { manifests?: { platform?: Platform }[] }).manifests ?? [])
    .map((m) => m.platform)
    .filter((p): p is Platform => p !== undefined && p.os !== 'unknown')
    .map(formatPlatform);
}

/**
 * What makes two resolutions the same question: the image, the platform, the way to the
 * registry, and whose credentials (as a digest: the key holds no secret).
 */
function resolveKey(reference: string, { platform, insecure, mirrors, auth }: Omit<ResolveOptions, 'signal' | 'reuse'>): string {
  const who = auth
    ? createHash('sha256')
        .update(JSON.stringify([auth.serverAddress, auth.username, auth.password, auth.identityToken]))
        .digest('hex')
    : '';
  return JSON.stringify([
    canonicalImageRef(parseImageRef(reference)),
    formatPlatform(parsePlatform(platform ?? 'linux/amd64')),
    insecure === true,
    mirrors ?? [],
    who,
  ]);
}

/** `pending`, or the signal's abort error as soon as it aborts (pending itself runs on). */
function abortable<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortErrorOf(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortErrorOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export class RegistryClient {
  private readonly http: RegistryHttp;
  private readonly requests: RegistryRequests;
  private readonly chains = new Map<string, Promise<X509Certificate[]>>();
  /** resolveImage's answers asked with `reuse`, by resolveKey. A failure is not kept: the next caller asks again. */
  private readonly resolutions = new Map<string, Promise<ResolvedImage>>();

  constructor(options: RegistryClientOptions = {}) {
    const trust = new ControllerTrust(options.trust);
    this.http = new RegistryHttp({
      trust,
      proxy: new ProxyRules(options.proxy ?? proxyEnvironment()),
      idleTimeoutMs: options.timeoutMs,
      logger: options.logger,
      connect: options.connect,
    });
    const configPath = options.dockerConfigPath;
    this.requests = new RegistryRequests(this.http, {
      attempts: Math.max(1, options.attempts ?? 4),
      backoffMs: options.backoffMs ?? 250,
      maxRetryAfterMs: options.maxRetryAfterMs,
      onSecret: options.onSecret,
      logger: options.logger,
      clock: options.clock,
      credentials:
        configPath === false
          ? undefined
          : async (registry) => (await dockerConfigCredentials(registry, { path: configPath, onSecret: options.onSecret }))?.auth,
    });
  }

  resolveImage(reference: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const { signal, reuse, ...route } = options;
    if (!reuse) return this.resolveImageNow(reference, options);
    const key = resolveKey(reference, route);
    let pending = this.resolutions.get(key);
    if (!pending) {
      // Shared, so not stopped by one caller's signal: each caller stops waiting on its own.
      pending = this.resolveImageNow(reference, route);
      this.resolutions.set(key, pending);
      pending.catch(() => this.resolutions.delete(key));
    }
    return signal ? abortable(pending, signal) : pending;
  }

  private async resolveImageNow(reference: string, options: ResolveOptions): Promise<ResolvedImage> {
    const ref = parseImageRef(reference);
    const name = canonicalImageRef(ref);
    const platform = parsePlatform(options.platform ?? 'linux/amd64');
    const top = await this.manifestJson(ref, manifestReference(ref), options);
    if (ref.digest !== undefined && top.digest !== ref.digest) throw digestMismatch(name, ref.digest, top.digest);
    let manifest = top;
    if (top.mediaType === MEDIA_TYPES.ociIndex || top.mediaType === MEDIA_TYPES.dockerList) {
      const chosen = choosePlatform(top.json, platform);
      if (!chosen) {
        const offered = listPlatforms(top.json).join(', ') || 'none';
        throw new RegistryError('REGISTRY_PLATFORM_NOT_FOUND', `${name} has no image for ${formatPlatform(platform)} (it has: ${offered})`, {
          hint: 'set platform: on the task to one the image is built for',
        });
      }
      manifest = await this.manifestJson(ref, chosen.digest, options);
      if (manifest.digest !== chosen.digest) throw digestMismatch(name, chosen.digest, manifest.digest);
    }
    const body = manifest.json as { config?: Descriptor; layers?: Descriptor[] };
    if (!body.config?.digest || !Array.isArray(body.layers)) {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${name}: manifest ${manifest.digest} (${manifest.mediaType}) has no config or layers`, {
        hint: 'hound reads OCI and Docker v2 schema 2 images',
      });
    }
    const configBytes = await this.blobBytes(ref, body.config.digest, options);
    const config = JSON.parse(configBytes.toString('utf8')) as { os?: string; architecture?: string; variant?: string; rootfs?: { diff_ids?: string[] } };
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== body.layers.length) {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${name}: ${body.layers.length} layers but ${diffIds.length} diff ids in its config`, {
        hint: 'the image is malformed; rebuild and push it',
      });
    }
    const resolved: ResolvedImage = {
      reference: name,
      manifestDigest: top.digest,
      platformManifestDigest: manifest.digest,
      mediaType: manifest.mediaType,
      config: { digest: body.config.digest, size: body.config.size },
      layers: body.layers.map((layer, i) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size, diffId: diffIds[i] })),
      diffIds,
      os: config.os ?? platform.os,
      architecture: config.architecture ?? platform.architecture,
      servedBy: top.servedBy,
    };
    if (config.variant !== undefined) resolved.variant = config.variant;
    return resolved;
  }

  /** A manifest as the registry sent it (exact bytes, content type, digest over those bytes). */
  async getManifest(registry: string, repo: string, reference: string, accept: string, route: RegistryRoute = {}): Promise<RegistryManifest> {
    const what = `manifest ${reference} of ${registry}/${repo}`;
    const { response, servedBy } = await this.requests.get(registry, repo, `/v2/${repo}/manifests/${reference}`, route, { headers: { accept }, what });
    const body = await readLimited(response, MAX_MANIFEST_BYTES, what);
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && digest !== reference) throw digestMismatch(`${registry}/${repo}`, reference, digest);
    const contentType = headerOf(response, 'content-type') ?? MEDIA_TYPES.dockerManifest;
    return { body, contentType, digest, servedBy };
  }

  /** A blob as a byte stream from `offset` on; the caller verifies the digest. */
  async getBlob(registry: string, repo: string, digest: string, offset = 0, route: RegistryRoute = {}): Promise<RegistryBlob> {
    const what = `blob ${digest} of ${registry}/${repo}`;
    const { response } = await this.requests.get(registry, repo, `/v2/${repo}/blobs/${digest}`, route, {
      what,
      ...(offset > 0 ? { range: `bytes=${offset}-` } : {}),
    });
    const length = Number(headerOf(response, 'content-length'));
    if (!Number.isSafeInteger(length) || length < 0) {
      response.destroy();
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${what} came without a Content-Length`);
    }
    if (response.statusCode === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(headerOf(response, 'content-range') ?? '');
      if (!range || Number(range[1]) !== offset) {
        response.destroy();
        throw new RegistryError('REGISTRY_BAD_RESPONSE', `${what}: asked for bytes from ${offset}, got "${headerOf(response, 'content-range') ?? ''}"`);
      }
      return { size: Number(range[2]), body: response };
    }
    // A registry that ignores Range sends it all: skip what the caller has.
    return { size: length, body: offset > 0 ? response.pipe(skipBytes(offset)) : response };
  }

  /** `registry` bound to `route`, as the relay fetches from it. */
  origin(registry: string, route: Omit<RegistryRoute, 'signal'> = {}): RegistryOrigin {
    return {
      host: registry,
      getManifest: (repo, reference, accept) => this.getManifest(registry, repo, reference, accept, route),
      getBlob: (repo, digest, offset) => this.getBlob(registry, repo, digest, offset, route),
    };
  }

  /** Whether the registry answers `GET /v2/` with 200 (up, and letting this client in); asked once. */
  answers(registry: string, route: RegistryRoute = {}): Promise<boolean> {
    return registryAnswers(this.requests, registry, route);
  }

  /** Whether `repo` of `registry` holds the blob. Pushes go to the registry itself, never a mirror. */
  hasBlob(registry: string, repo: string, digest: string, route: RegistryRoute = {}): Promise<boolean> {
    return blobExists(this.requests, registry, repo, digest, route);
  }

  /** Puts a blob into `repo`: a mount from `mountFrom` (a repository of the same registry) when it can, else an upload of `content`. */
  pushBlob(
    registry: string,
    repo: string,
    blob: PushedBlob,
    content: BlobContent,
    route: RegistryRoute = {},
    mountFrom?: string,
  ): Promise<'mounted' | 'uploaded'> {
    return pushBlob(this.requests, registry, repo, blob, content, route, mountFrom);
  }

  /** Puts a manifest's exact bytes under `reference` (a tag, or its digest); its blobs must be in `repo` first. */
  pushManifest(registry: string, repo: string, reference: string, manifest: PushedManifest, route: RegistryRoute = {}): Promise<void> {
    return pushManifest(this.requests, registry, repo, reference, manifest, route);
  }

  /** The latest rate limit the registry stated (ratelimit-* headers, a 429's Retry-After). */
  rateLimit(registry: string): RegistryRateLimit | undefined {
    return this.requests.rateLimit(registry);
  }

  /**
   * Asks the registry about `reference` with a HEAD (which Docker Hub does not count against
   * the limit) so that its rate limit is known; resolves to how long to wait before pulling
   * (0 when nothing says to wait).
   */
  async rateLimitWait(reference: string, route: RegistryRoute = {}): Promise<number> {
    const ref = parseImageRef(reference);
    try {
      const { response } = await this.requests.get(ref.domain, ref.path, `/v2/${ref.path}/manifests/${manifestReference(ref)}`, route, {
        method: 'HEAD',
        headers: { accept: MANIFEST_ACCEPT },
        what: `manifest ${manifestReference(ref)} of ${canonicalImageRef(ref)}`,
        attempts: 1,
      });
      response.resume();
    } catch (error) {
      if (!(error instanceof RegistryError) || error.retryAfterMs === undefined) return 0;
    }
    const until = this.rateLimit(ref.domain)?.retryAfterUntil;
    return until === undefined ? 0 : Math.max(0, until - Date.now());
  }

  /** The certificate chain an endpoint (`https://host:port`) presents, read once. */
  certificateChain(endpoint: string): Promise<X509Certificate[]> {
    let pending = this.chains.get(endpoint);
    if (!pending) {
      pending = this.http.peerChain(new URL(endpoint));
      this.chains.set(endpoint, pending);
      pending.catch(() => this.chains.delete(endpoint));
    }
    return pending;
  }

  /** The endpoints a route tries for `registry`, in order (mirrors first). */
  endpoints(registry: string, route: Omit<RegistryRoute, 'signal' | 'auth'> = {}): { url: string; mirror: boolean }[] {
    return endpointsOf(registry, route).map((e) => ({ url: e.base.origin, mirror: e.mirror }));
  }

  close(): void {
    this.http.close();
  }

  private async manifestJson(
    ref: ImageRef,
    reference: string,
    route: RegistryRoute,
  ): Promise<{ digest: string; mediaType: string; json: unknown; servedBy: ServedBy }> {
    const manifest = await this.getManifest(ref.domain, ref.path, reference, MANIFEST_ACCEPT, route);
    let json: { mediaType?: string; schemaVersion?: number };
    try {
      json = JSON.parse(manifest.body.toString('utf8')) as typeof json;
    } catch {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${canonicalImageRef(ref)}: manifest ${reference} is not JSON`, {
        hint: 'is this address really a registry?',
      });
    }
    const headerType = manifest.contentType.split(';')[0]?.trim();
    const mediaType = json.mediaType ?? headerType ?? '';
    if (json.schemaVersion === 1 || mediaType.includes('manifest.v1')) {
      throw new RegistryError('REGISTRY_UNSUPPORTED_MANIFEST', `${canonicalImageRef(ref)} is a schema 1 image, which Docker no longer pulls`, {
        hint: 'rebuild and push the image with a current Docker',
      });
    }
    // The digest of exactly these bytes: what Docker records, whatever the header says.
    return { digest: manifest.digest, mediaType, json, servedBy: manifest.servedBy };
  }

  private async blobBytes(ref: ImageRef, digest: string, route: RegistryRoute): Promise<Buffer> {
    const blob = await this.getBlob(ref.domain, ref.path, digest, 0, route);
    const bytes = await readLimited(blob.body, MAX_MANIFEST_BYTES, `blob ${digest} of ${canonicalImageRef(ref)}`);
    const actual = sha256(bytes);
    if (actual !== digest) throw digestMismatch(canonicalImageRef(ref), digest, actual);
    return bytes;
  }
}

function digestMismatch(name: string, expected: string, actual: string): RegistryError {
  return new RegistryError('REGISTRY_DIGEST_MISMATCH', `${name}: expected content ${expected}, got ${actual}`, {
    hint: 'the registry (or something between) served different bytes; try again, or check the registry',
  });
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function skipBytes(count: number): Transform {
  let left = count;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return done();
      }
      const rest = left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
      done(null, rest);
    },
  });
}
