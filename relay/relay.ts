// The relay for one run: a pull-through cache of the origin registries that nodes reach
// through SSH remote forwards, so each layer crosses the registry's uplink once however
// many nodes need it. See docs/distribution.md for how the executor uses it.
import type { HostConnection, RegistryAuth } from '../transport/types.js';
import type { NodeDocker, PullProgress, PullResult } from '../runtime/types.js';
import { familiarImageRef, isLoopbackRegistry, parseImageRef, type ImageRef } from '../base/image-ref.js';
import type { Readable } from 'node:stream';
import { RegistryClient, MANIFEST_ACCEPT, choosePlatform, parsePlatform, type RegistryManifest, type RegistryOrigin } from '../transport/registry.js';
import { RelayCache, type RelayStats } from './relay-cache.js';
import { RelayNames, removeRelayNames } from './relay-names.js';
import { RelayServer } from './server.js';
import { RelayUsageError, OriginError } from './errors.js';
import { planRelaySchedule, type LayerInfo, type RelaySchedule } from './schedule.js';

export interface RelayOriginConfig {
  /** Registry host[:port] as in image references (docker.io for Docker Hub). */
  host: string;
  auth?: RegistryAuth;
  /** Plain HTTP to this registry (as the nodes' Docker does for insecure registries). */
  plainHttp?: boolean;
  /** The mirrors the nodes' runtime tries first for this registry (Docker's registry-mirrors, for docker.io). */
  mirrors?: readonly string[];
}

export interface StartRelayOptions {
  origins: ReadonlyArray<RelayOriginConfig | RegistryOrigin>;
  /** The run's registry client (its trust, proxy, tokens and rate limits); default: a client of the relay's own. */
  registry?: RegistryClient;
  /** Blob bytes kept in memory before spilling to a temp file; default 512 MiB. */
  memoryLimit?: number;
  /** One line per notable event (failed fetches); never carries credentials. */
  logger?: (line: string) => void;
}

export interface RelayPullOptions {
  /** `os/arch[/variant]`, as for docker pull. */
  platform?: string;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /** Pull the relay's name from this registry (host:port, a fan-out seed holding it) instead of the node's forward. */
  via?: string;
}

export interface ImageDescription {
  /** Digest of the platform's image manifest. */
  manifestDigest: string;
  config: LayerInfo;
  layers: LayerInfo[];
}

export interface Relay {
  /** Random first path component of every relay name: `127.0.0.1:PORT/<token>/…`. */
  readonly token: string;
  /** Opens the forward on the node (idempotent per host); nodes then reach the relay at 127.0.0.1:port. */
  attach(connection: HostConnection): Promise<{ port: number }>;
  /** The name a node pulls for `reference` through its forward. */
  relayReference(host: string, reference: string): string;
  /**
   * Pulls `reference` on the node through the relay, then leaves it exactly as a direct
   * pull would: tagged with its origin name, with its origin repo digest, and no relay names.
   */
  pullThroughRelay(host: string, docker: NodeDocker, reference: string, options?: RelayPullOptions): Promise<PullResult>;
  /**
   * Pulls a node's images in the given order (e.g. the schedule's pullOrder), starting each
   * relayed pull as soon as the previous one is in, while the previous image gets its
   * origin names. Resolves to one result per distinct reference; rejects with the first
   * failure once every started pull has ended.
   */
  pullImagesThroughRelay(host: string, docker: NodeDocker, references: readonly string[], options?: RelayPullOptions): Promise<PullResult[]>;
  /** A blob's bytes from the relay's cache (fetched from the origin once), from the start. */
  readBlob(reference: string, digest: string): Promise<{ size: number; stream: Readable }>;
  /** The platform's image manifest, exact bytes, via the relay's manifest cache. */
  platformManifest(reference: string, platform?: string): Promise<RegistryManifest>;
  /** `<token>/<slug>/<repo>`: the repository under which a seed serves `reference`. */
  relayPath(reference: string): string;
  /** The platform's manifest digest, config and layers, via the relay's manifest cache. */
  describeImage(reference: string, platform?: string): Promise<ImageDescription>;
  /**
   * Describes every image the nodes need, plans the run (schedule.ts) and starts fetching
   * layers from the origins, most-shared first, without waiting for it. Returns the plan:
   * pull each node's images in `pullOrder`.
   */
  prepare(nodes: ReadonlyArray<{ host: string; images: readonly string[] }>, options?: { platform?: string; concurrency?: number }): Promise<RelaySchedule>;
  stats(): RelayStats;
  /** Closes the forwards, drops node connections, frees memory and temp files. */
  close(): Promise<void>;
}

const DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024;

export function startRelay(options: StartRelayOptions): Relay {
  return new RunRelay(options);
}

class RunRelay implements Relay {
  private readonly names = new RelayNames();
  private readonly cache: RelayCache;
  private readonly server: RelayServer;
  private readonly origins = new Map<string, RegistryOrigin>();
  private readonly registry: RegistryClient;
  private readonly ownRegistry: boolean;
  /** Credentials per origin host, for the nodes' final pull from the origin. */
  private readonly auths = new Map<string, RegistryAuth>();
  private readonly forwards = new Map<string, Promise<{ port: number; close(): Promise<void> }>>();
  private readonly ports = new Map<string, number>();
  private readonly log: (line: string) => void;
  private prefetching?: Promise<void>;
  private closed = false;

  constructor(options: StartRelayOptions) {
    this.log = options.logger ?? (() => undefined);
    this.ownRegistry = options.registry === undefined;
    this.registry = options.registry ?? new RegistryClient({ dockerConfigPath: false });
    for (const origin of options.origins) {
      const registry =
        'getBlob' in origin
          ? origin
          : this.registry.origin(origin.host, {
              insecure: origin.plainHttp ?? isLoopbackRegistry(origin.host),
              auth: origin.auth,
              mirrors: origin.mirrors,
            });
      this.origins.set(registry.host, registry);
      if (!('getBlob' in origin) && origin.auth) this.auths.set(origin.host, origin.auth);
      this.names.slugFor(registry.host);
    }
    this.cache = new RelayCache({ origins: this.origins, memoryLimit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT, log: this.log });
    this.server = new RelayServer(this.cache, this.names, this.log);
  }

  get token(): string {
    return this.names.token;
  }

  async attach(connection: HostConnection): Promise<{ port: number }> {
    if (this.closed) throw new RelayUsageError('the relay is closed', 'attach nodes while the run lasts');
    let forward = this.forwards.get(connection.host);
    if (!forward) {
      forward = connection.forwardRemote(0, (stream) => this.server.serve(stream, connection));
      this.forwards.set(connection.host, forward);
      forward.catch(() => this.forwards.delete(connection.host));
    }
    const { port } = await forward;
    this.ports.set(connection.host, port);
    return { port };
  }

  relayReference(host: string, reference: string): string {
    return this.names.relayReference(this.portOf(host), this.originRef(reference));
  }

  async pullThroughRelay(host: string, docker: NodeDocker, reference: string, options: RelayPullOptions = {}): Promise<PullResult> {
    const ref = this.originRef(reference);
    const relayed = await this.pullRelayName(host, docker, ref, options);
    return this.settleOriginNames(docker, ref, relayed, options);
  }

  async pullImagesThroughRelay(host: string, docker: NodeDocker, references: readonly string[], options: RelayPullOptions = {}): Promise<PullResult[]> {
    const refs = [...new Set(references)].map((reference) => this.originRef(reference));
    const settling: Promise<PullResult>[] = [];
    try {
      for (const ref of refs) {
        const relayed = await this.pullRelayName(host, docker, ref, options);
        // The origin names are settled while the next image already downloads.
        const settled = this.settleOriginNames(docker, ref, relayed, options);
        settled.catch(() => undefined);
        settling.push(settled);
      }
    } finally {
      await Promise.allSettled(settling);
    }
    return Promise.all(settling);
  }

  private async pullRelayName(
    host: string,
    docker: NodeDocker,
    ref: ImageRef,
    options: RelayPullOptions,
  ): Promise<{ relayReference: string; result: PullResult }> {
    const relayReference = options.via !== undefined ? this.names.relayReferenceAt(options.via, ref) : this.names.relayReference(this.portOf(host), ref);
    const result = await docker.pull(relayReference, { platform: options.platform, onProgress: options.onProgress, signal: options.signal });
    return { relayReference, result };
  }

  /** Gives the image its origin name and repo digest, and takes the relay's names off it. */
  private async settleOriginNames(
    docker: NodeDocker,
    ref: ImageRef,
    relayed: { relayReference: string; result: PullResult },
    options: RelayPullOptions,
  ): Promise<PullResult> {
    const { relayReference, result } = relayed;
    const originName = familiarImageRef({ ...ref, tag: undefined, digest: undefined });
    if (ref.tag !== undefined) await docker.tagImage(relayReference, originName, ref.tag);
    // The layers are all there now: this pull moves one manifest and records the origin's repo digest.
    const final = await docker.pull(familiarImageRef(ref), { platform: options.platform, auth: this.auths.get(ref.domain), signal: options.signal });
    // Names an earlier run gave this image go too: a run killed between its pull and this
    // step left them (seen after a SIGKILL mid-fan-out on containerd: a node kept the killed
    // run's seed names beside the origin's after the next run).
    await removeRelayNames(docker, familiarImageRef(ref));
    const settled: PullResult = {
      digest: final.digest ?? result.digest,
      bytesDownloaded: result.bytesDownloaded + final.bytesDownloaded,
      layersPresent: result.layersPresent,
      layersDownloaded: result.layersDownloaded + final.layersDownloaded,
    };
    if (result.fetchedLayers) settled.fetchedLayers = new Map([...result.fetchedLayers, ...(final.fetchedLayers ?? [])]);
    return settled;
  }

  async readBlob(reference: string, digest: string): Promise<{ size: number; stream: Readable }> {
    const ref = this.originRef(reference);
    const blob = await this.cache.blob(ref.domain, ref.path, digest);
    return { size: blob.size, stream: blob.openReader(0, blob.size) };
  }

  async platformManifest(reference: string, platform = 'linux/amd64'): Promise<RegistryManifest> {
    const ref = this.originRef(reference);
    const described = await this.describeImage(reference, platform);
    return this.cache.manifest(ref.domain, ref.path, described.manifestDigest, MANIFEST_ACCEPT);
  }

  relayPath(reference: string): string {
    return this.names.relayPath(this.originRef(reference));
  }

  async describeImage(reference: string, platform = 'linux/amd64'): Promise<ImageDescription> {
    const ref = this.originRef(reference);
    const top = await this.cache.manifest(ref.domain, ref.path, ref.digest ?? ref.tag ?? 'latest', MANIFEST_ACCEPT);
    let manifest = top;
    let parsed = parseJson(top.body, ref.domain) as ManifestJson;
    if (parsed.manifests) {
      const chosen = choosePlatform(parsed, parsePlatform(platform));
      if (!chosen) throw new OriginError(ref.domain, `${familiarImageRef(ref)} has no image for ${platform}`, 404);
      manifest = await this.cache.manifest(ref.domain, ref.path, chosen.digest, MANIFEST_ACCEPT);
      parsed = parseJson(manifest.body, ref.domain) as ManifestJson;
    }
    if (!parsed.config || !parsed.layers) throw new OriginError(ref.domain, `${familiarImageRef(ref)}: unsupported manifest type ${manifest.contentType}`);
    return {
      manifestDigest: manifest.digest,
      config: { digest: parsed.config.digest, size: parsed.config.size },
      layers: parsed.layers.map((layer) => ({ digest: layer.digest, size: layer.size })),
    };
  }

  async prepare(
    nodes: ReadonlyArray<{ host: string; images: readonly string[] }>,
    options: { platform?: string; concurrency?: number } = {},
  ): Promise<RelaySchedule> {
    const images = [...new Set(nodes.flatMap((node) => node.images))];
    const described = await Promise.all(images.map((image) => this.describeImage(image, options.platform)));
    // The config blob is fetched by every node too: schedule it like a layer.
    const layers = new Map(images.map((image, i) => [image, [described[i].config, ...described[i].layers]]));
    const schedule = planRelaySchedule({ nodes, layers });
    const items = schedule.prefetch.map((layer) => {
      const ref = this.originRef(layer.image);
      return { origin: ref.domain, repo: ref.path, digest: layer.digest };
    });
    this.prefetching = this.cache.prefetch(items, options.concurrency ?? 3);
    return schedule;
  }

  stats(): RelayStats {
    return this.cache.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const forwards = await Promise.allSettled([...this.forwards.values()]);
    await Promise.allSettled(forwards.flatMap((f) => (f.status === 'fulfilled' ? [f.value.close()] : [])));
    this.server.close();
    await this.cache.close();
    await this.prefetching;
    if (this.ownRegistry) this.registry.close();
  }

  private portOf(host: string): number {
    const port = this.ports.get(host);
    if (port === undefined)
      throw new RelayUsageError(`node ${host} is not attached to the relay`, 'call relay.attach(connection) for the node before pulling through the relay');
    return port;
  }

  private originRef(reference: string): ImageRef {
    const ref = parseImageRef(reference);
    if (!this.origins.has(ref.domain)) {
      throw new RelayUsageError(
        `the relay has no origin ${ref.domain} (for ${reference})`,
        `start the relay with ${ref.domain} among its origins, or pull it directly`,
      );
    }
    return ref;
  }
}

interface Descriptor {
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}
interface ManifestJson {
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

function parseJson(body: Buffer, origin: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new OriginError(origin, 'sent a manifest that is not JSON');
  }
}
