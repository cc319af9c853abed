// podman on a node, through its REST API: the Docker-compatible endpoints, spoken by the
// same client as Docker Engine (SshDocker) over the service socket, reached through the
// node's SSH connection. The compatible API is the one that reports byte progress while
// pulling (the libpod pull endpoint streams only "Copying blob" lines). Images land in the
// user's containers/storage: root's graphroot, or the rootless user's own.
import { parseImageRef, repositoryName } from '../../base/image-ref.js';
import { SshDocker, type SshDockerOptions } from '../docker.js';
import type { TransportLogger } from '../../transport/ssh-connection.js';
import type { HostConnection, RegistryAuth } from '../../transport/types.js';
import type { DockerContainer, DockerImage, DockerInfo, NodeDocker, PullProgress } from '../types.js';
import type { Readable } from 'node:stream';
import type { RuntimePullResult } from '../pull-result.js';
import { ensurePodmanService, type PodmanService } from './service.js';

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
    const configShort = configId?.replace(/^sha256:/, '').slice(0, 12);
    const layers = [...this.fetched].filter((id) => id !== configShort && !this.present.has(id));
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
}

export class PodmanRuntime implements NodeDocker {
  private started?: Promise<{ service: PodmanService; api: SshDocker }>;

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
    options: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal } = {},
  ): Promise<RuntimePullResult> {
    const api = await this.api();
    const tally = new PodmanPullTally();
    await api.pull(ref, {
      ...options,
      onProgress: (p) => {
        tally.add(p);
        options.onProgress?.(p);
      },
    });
    // podman's stream has no "Digest:" line: the repo digest comes from the image itself.
    const image = await api.inspectImage(ref);
    const repository = repositoryName(parseImageRef(ref));
    const digest = image?.repoDigests.map((d) => parseImageRef(d)).find((d) => repositoryName(d) === repository)?.digest;
    return tally.result(image?.id, digest);
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
