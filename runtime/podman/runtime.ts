// podman on a node, through its REST API: the Docker-compatible endpoints, spoken by the
// same client as Docker Engine (SshDocker) over the service socket, reached through the
// node's SSH connection. The compatible API is the one that reports byte progress while
// pulling (the libpod pull endpoint streams only "Copying blob" lines). Images land in the
// user's containers/storage: root's graphroot, or the rootless user's own.
import { canonicalImageRef, isLoopbackRegistry, parseImageRef, repositoryName } from '../../base/image-ref.js';
import { SshDocker, type SshDockerOptions } from '../docker.js';
import type { TransportLogger } from '../../transport/ssh-connection.js';
import type { HostConnection, RegistryAuth } from '../../transport/types.js';
import type { DockerContainer, DockerImage, DockerInfo, NodeRuntime, PullProgress, SeedHost } from '../types.js';
import type { Readable } from 'node:stream';
import type { RuntimePullResult } from '../pull-result.js';
import { ensurePodmanService, type PodmanService } from './service.js';
import { libpodPullEndpoint } from './libpod-pull.js';
import { OverlappingPulls, type LayerBlob } from '../overlapping-pulls.js';
import { shortDigest } from '../containerd/ingest-progress.js';
import { LAYER_RECORDS_PATH_COMMAND, parseLayerRecords, readLayerRecordsCommand } from './storage-layers.js';

/** Where root's podman reads a registry's certificates (certs.d/HOST:PORT), at every pull. */
export const PODMAN_ROOTFUL_CERTS_DIRECTORY = '/etc/containers/certs.d';

export interface PodmanRuntimeOptions {
  /** hound_podman_socket: tried first; when nothing answers there hound starts a service for the run. */
  socketPath?: string;
  logger?: TransportLogger;
  stallTimeoutMs?: number;
}

/**
 * Folds podman's compatible pull stream into counts. podman names every blob it fetches
 * ("Pulling fs layer", the config's too) and those it has ("Already exists"), but reports
 * sizes only in "Downloading" lines, about once a second: a blob fetched faster has none.
 */
export class PodmanPullTally {
  private readonly fetched = new Set<string>();
  private readonly present = new Set<string>();
  private readonly totals = new Map<string, number>();

  add(p: PullProgress): void {
    if (p.status === 'Pulling fs layer') this.fetched.add(p.id);
    else if (p.status === 'Already exists') this.present.add(p.id);
    else if (p.status === 'Downloading' && p.total !== undefined) this.totals.set(p.id, p.total);
  }

  /** `configId`: the image id, whose short form names the config blob among the fetched ones. */
  result(configId: string | undefined, digest: string | undefined): RuntimePullResult {
    const layers = this.layerIds(configId).filter((id) => !this.present.has(id));
    const sized = layers.filter((id) => this.totals.has(id));
    const result: RuntimePullResult = {
      bytesDownloaded: sized.reduce((sum, id) => sum + this.totals.get(id)!, 0),
      layersPresent: this.present.size,
      layersDownloaded: layers.length,
      accounting: 'reported',
      unsizedLayers: layers.length - sized.length,
    };
    if (digest !== undefined) result.digest = digest;
    return result;
  }

  /** The short ids of the layer blobs the stream named, fetched or found (the config blob left out). */
  layerIds(configId: string | undefined): string[] {
    const configShort = configId?.replace(/^sha256:/, '').slice(0, 12);
    return [...new Set([...this.fetched, ...this.present])].filter((id) => id !== configShort);
  }
}

/**
 * The layers the stream named, with digest and size from containers/storage's records after
 * the pull (storage-layers.ts), and how many it named that no record has.
 */
export function recordedLayers(ids: string[], after: ReadonlyMap<string, number>): { layers: LayerBlob[]; unrecorded: number } {
  const byShort = new Map([...after].map(([digest, size]) => [digest.replace(/^sha256:/, '').slice(0, 12), { digest, size }]));
  const layers = ids.flatMap((id) => byShort.get(id) ?? []);
  return { layers, unrecorded: ids.length - layers.length };
}

export class PodmanRuntime implements NodeRuntime {
  readonly kind = 'podman';
  private started?: Promise<{ service: PodmanService; api: SshDocker }>;
  private recordsPath?: Promise<string>;
  /** This node's pulls that run at once: each layer is counted by one. */
  private readonly overlapping = new OverlappingPulls();
  /**
   * The end of the last pull asked for: pulls into one storage run one after another. podman
   * 4.3 fetches a blob that two pulls running at once both need twice (seen on the lab: the
   * registry sent a shared 1 MiB layer to the node twice), so the plan's bytes would not be
   * what moved. One image's layers still come in parallel.
   */
  private pullQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: HostConnection,
    private readonly options: PodmanRuntimeOptions = {},
  ) {}

  /** The service (started for the run if none answers) and a client on its socket. */
  private api(): Promise<SshDocker> {
    this.started ??= ensurePodmanService(this.connection, { socketPath: this.options.socketPath, logger: this.options.logger }).then((service) => {
      const dockerOptions: SshDockerOptions = { socketPath: service.socketPath, logger: this.options.logger, runtimeName: 'podman' };
      if (this.options.stallTimeoutMs !== undefined) dockerOptions.stallTimeoutMs = this.options.stallTimeoutMs;
      return { service, api: new SshDocker(this.connection, dockerOptions) };
    });
    return this.started.then((s) => s.api);
  }

  /**
   * Fan-out: a seed runs as a container of the node's user (`podman` on its own storage, where
   * this service put the seed image; a rootless user's too, on the host's network), and the
   * node trusts one in its certs.d, which containers/image reads at every pull (root's
   * /etc/containers/certs.d, a rootless user's ~/.config/containers/certs.d first).
   */
  async seedHost(): Promise<SeedHost | { unsupported: string }> {
    await this.api();
    const { service } = await this.started!;
    if (service.rootless && !service.home.startsWith('/'))
      return { unsupported: `${this.connection.host}'s user has no home directory (HOME), where its rootless podman reads registry certificates` };
    return { kind: 'podman', certsDir: service.rootless ? `${service.home}/.config/containers/certs.d` : PODMAN_ROOTFUL_CERTS_DIRECTORY };
  }

  /** The socket in use, once the service answers. */
  async socketPath(): Promise<string> {
    await this.api();
    return (await this.started!).service.socketPath;
  }

  async info(): Promise<DockerInfo> {
    return (await this.api()).info();
  }

  async listImages(): Promise<DockerImage[]> {
    return (await this.api()).listImages();
  }

  async listImageSummaries(): Promise<DockerImage[]> {
    return (await this.api()).listImageSummaries();
  }

  async inspectImage(ref: string): Promise<DockerImage | undefined> {
    return (await this.api()).inspectImage(ref);
  }

  async pull(
    ref: string,
    options: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal; tlsVerify?: boolean } = {},
  ): Promise<RuntimePullResult> {
    const api = await this.api();
    const turn = this.pullQueue.then(async () => {
      const token = this.overlapping.begin();
      try {
        return await this.pullCounted(api, ref, token, options);
      } finally {
        this.overlapping.end(token);
      }
    });
    this.pullQueue = turn.catch(() => undefined);
    return turn;
  }

  private async pullCounted(
    api: SshDocker,
    ref: string,
    token: number,
    options: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal; tlsVerify?: boolean },
  ): Promise<RuntimePullResult> {
    const tally = new PodmanPullTally();
    const parsed = parseImageRef(ref);
    const before = await this.layerRecords();
    // The relay (and any registry on the node's loopback) speaks plain HTTP: podman's own endpoint can be told so for this pull alone,
    // as it is told whether to verify TLS when a task says (podman_image validate_certs).
    const tlsVerify = isLoopbackRegistry(parsed.domain) ? false : options.tlsVerify;
    const endpoint = tlsVerify !== undefined ? libpodPullEndpoint(canonicalImageRef(parsed), tlsVerify, options.platform) : undefined;
    await api.pull(ref, {
      ...options,
      ...(endpoint ? { endpoint } : {}),
      onProgress: (p) => {
        tally.add(p);
        options.onProgress?.(p);
      },
    });
    // podman's stream has no "Digest:" line: the repo digest comes from the image itself.
    const image = await api.inspectImage(ref);
    const repository = repositoryName(parsed);
    const digest = image?.repoDigests.map((d) => parseImageRef(d)).find((d) => repositoryName(d) === repository)?.digest;
    const after = before && (await this.layerRecords());
    // Without the records, what the stream said (libpod's names blobs, fetched or not, with no sizes).
    if (!before || !after) return tally.result(image?.id, digest);
    const { layers, unrecorded } = recordedLayers(tally.layerIds(image?.id), after);
    const { fetched, ...counts } = this.overlapping.tally(token, layers, new Set(before.keys()));
    const result: RuntimePullResult = {
      ...counts,
      fetchedLayers: new Map(fetched.map((l) => [shortDigest(l.digest), l.size])),
      accounting: 'exact',
      unsizedLayers: unrecorded,
    };
    if (digest !== undefined) result.digest = digest;
    return result;
  }

  /** containers/storage's record of each layer's compressed blob, by digest; undefined (counts as podman reported them) when it cannot be read. */
  private async layerRecords(): Promise<Map<string, number> | undefined> {
    this.recordsPath ??= this.connection
      .exec(LAYER_RECORDS_PATH_COMMAND)
      .then((r) => (r.code === 0 ? r.stdout.trim() : Promise.reject(new Error(r.stderr.trim() || `exit ${r.code}`))));
    const r = await this.recordsPath
      .then((path) => this.connection.exec(readLayerRecordsCommand(path)))
      .catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message }));
    if (r.code !== 0) {
      this.options.logger?.(
        1,
        `podman ${this.connection.host}: cannot read containers/storage's layer records (${r.stderr.trim() || `exit ${r.code}`}); pulled bytes are those podman reported`,
      );
      return undefined;
    }
    return parseLayerRecords(r.stdout);
  }

  async removeImage(ref: string, options: { force?: boolean } = {}): Promise<void> {
    return (await this.api()).removeImage(ref, options);
  }

  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    return (await this.api()).tagImage(source, repo, tag);
  }

  async loadImage(tarball: Readable, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    return (await this.api()).loadImage(tarball, options);
  }

  async listContainers(): Promise<DockerContainer[]> {
    return (await this.api()).listContainers();
  }

  async freeBytes(): Promise<number> {
    return (await this.api()).freeBytes();
  }

  /** Stops the service if hound started it, leaving the node as it was. */
  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    if (!started) return;
    const { service } = await started.catch(() => ({ service: undefined }));
    await service?.stop();
  }
}
