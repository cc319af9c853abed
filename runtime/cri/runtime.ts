// A node's container runtime through the CRI (runtime.v1), as the kubelet uses it:
// containerd's CRI plugin, or CRI-O, which serves the same API on /var/run/crio/crio.sock.
// Images pulled here land where the kubelet looks (containerd: namespace k8s.io, unpacked
// for the CRI's snapshotter) and carry the identity the kubelet sees: ImageStatus by the
// reference named, the origin's manifest digest as repo digest, the config digest as id.
//
// The node's socket is reached through the node's SSH connection, by way of a SocketBridge.
// On containerd, the same socket also serves the content store, which gives what the CRI
// does not: byte progress during a pull, and exact accounting after it. The CRI has no tag
// and no import; on containerd those are done with the node's `ctr` in the CRI's
// namespace (the CRI sees the change through containerd's events); CRI-O cannot do them.
import type { Readable } from 'node:stream';
import { HoundError, TaskFailedError, UnreachableError } from '../../base/errors.js';
import { stallTimeoutMs, watchProgress } from '../progress-watchdog.js';
import { canonicalImageRef, parseImageRef, repositoryName } from '../../base/image-ref.js';
import { diskFullError, isDiskFull } from '../disk-full.js';
import { parsePlatform } from '../../transport/registry.js';
import type { TransportLogger } from '../../transport/ssh-connection.js';
import type { HostConnection, RegistryAuth } from '../../transport/types.js';
import type { DockerContainer, DockerImage, DockerInfo, NodeRuntime, PullProgress, SeedHost } from '../types.js';
import { ContentClient, CRI_NAMESPACE } from '../containerd/content-client.js';
import { ImagesClient } from '../containerd/images-client.js';
import { NamespacesClient } from '../containerd/namespaces-client.js';
import { ContainersClient, type ContainerdTaskStatus } from '../containerd/containers-client.js';
import { imageLayers } from '../containerd/image-layers.js';
import { pollIngests, shortDigest } from '../containerd/ingest-progress.js';
import { OverlappingPulls } from '../overlapping-pulls.js';
import { configPathRoots, criRegistryConfig, insecureRegistries, LIST_HOSTS_TOML, parseHostsTomlListing } from '../containerd/registry-hosts.js';
import { freeBytesAt } from '../free-space.js';
import { GrpcStatus, isGrpcError, UnixChannel } from '../grpc.js';
import type { RuntimePullResult } from '../pull-result.js';
import { openSocketBridge, type SocketBridge } from '../socket-bridge.js';
import { type CriAuth, CriClient, type CriImage } from './cri-client.js';
import { abortErrorOf } from '../../base/abort.js';
import { shlexQuote } from '../../base/shlex.js';

export type CriFlavor = 'containerd' | 'cri-o';

export const DEFAULT_CRI_SOCKETS: Record<CriFlavor, string> = {
  containerd: '/run/containerd/containerd.sock',
  'cri-o': '/var/run/crio/crio.sock',
};

const RUNTIME_NAMES: Record<CriFlavor, string> = { containerd: 'containerd', 'cri-o': 'CRI-O' };

export interface CriRuntimeOptions {
  flavor: CriFlavor;
  /** hound_containerd_socket / hound_crio_socket; the flavor's default otherwise. */
  socketPath?: string;
  logger?: TransportLogger;
  /** A pull whose bytes stop moving for this long fails as PULL_STALLED (containerd only: CRI-O shows nothing to watch). */
  stallTimeoutMs?: number;
  /** How often the content store is asked for progress during a pull (default 500 ms). */
  progressIntervalMs?: number;
  /** Deadline of every call but PullImage (default 60 s). */
  callTimeoutMs?: number;
  /** Concurrent ImageStatus calls when listing images with their layers. */
  inspectConcurrency?: number;
}

interface Session {
  bridge: SocketBridge;
  /** The one gRPC channel through the bridge, which the clients below share. */
  channel: UnixChannel;
  cri: CriClient;
  content?: ContentClient;
  /** containerd's image store (names one by one, where the CRI has no tag and removes all names at once). */
  images?: ImagesClient;
  namespaces?: NamespacesClient;
  /** containerd's containers and tasks in the CRI's namespace, those ctr made among them. */
  containers?: ContainersClient;
}

/** The OCI image config in ImageStatus's verbose info (containerd and CRI-O both put it under "imageSpec"). */
interface ImageSpecJson {
  architecture?: string;
  os?: string;
  created?: string;
  rootfs?: { diff_ids?: string[] };
}

function imageSpecOf(info: Record<string, string> | undefined): ImageSpecJson | undefined {
  try {
    return (JSON.parse(info?.info ?? '') as { imageSpec?: ImageSpecJson }).imageSpec;
  } catch {
    return undefined;
  }
}

function dockerImageOf(image: CriImage, spec?: ImageSpecJson): DockerImage {
  return {
    id: image.id,
    repoTags: image.repoTags,
    repoDigests: image.repoDigests,
    layers: spec?.rootfs?.diff_ids ?? [],
    architecture: spec?.architecture ?? '',
    os: spec?.os ?? '',
    size: image.size,
    created: spec?.created ?? '',
  };
}

/**
 * The CRI's AuthConfig; never logged. containerd hands the credentials only to an endpoint
 * whose host equals the host of `server_address` parsed as a URL (a bare `host:port` fails to
 * parse and fails the pull), so it is given as https://HOST, with Docker Hub's endpoint for
 * docker.io. Mirrors the node's hosts.toml lists elsewhere do not get them.
 */
function criAuthOf(auth: RegistryAuth): CriAuth {
  const host = auth.serverAddress === 'docker.io' ? 'registry-1.docker.io' : auth.serverAddress;
  const out: CriAuth = { serverAddress: `https://${host}` };
  if (auth.username !== undefined) out.username = auth.username;
  if (auth.password !== undefined) out.password = auth.password;
  if (auth.identityToken !== undefined) out.identityToken = auth.identityToken;
  return out;
}

/**
 * How long a tag, untag or load waits for the CRI's view of the image store to catch up with
 * containerd's (its event lag). A CI run on two loaded cores saw a tag not yet visible right
 * after it returned; the wait ends as soon as the CRI agrees, so only a lagging CRI costs it.
 */
const CRI_SYNC_WAIT_MS = 10_000;

/** A containerd task's status as Docker names a container's state; a container without a task is created. */
const DOCKER_STATE_OF_TASK: Record<ContainerdTaskStatus, string> = {
  UNKNOWN: 'dead',
  CREATED: 'created',
  RUNNING: 'running',
  STOPPED: 'exited',
  PAUSED: 'paused',
  PAUSING: 'paused',
};

export class CriRuntime implements NodeRuntime {
  readonly kind: CriFlavor;
  /** CRI-O: the CRI has no tag, so a relayed image could not get its origin name. */
  readonly relayUnsupported?: string;
  /** containerd or CRI-O, for messages. */
  readonly runtimeName: string;
  readonly socketPath: string;
  private session?: Promise<Session>;
  private platformOfNode?: Promise<string>;
  private imageRoot?: Promise<string>;
  private statusForRegistries?: Promise<{ info: Record<string, string> }>;
  /** This node's pulls that run at once (the images module pulls several per node): each layer is counted by one. */
  private readonly overlapping = new OverlappingPulls();
  /** containerd's namespaces, listed once per run. */
  private namespaces?: Promise<string[]>;

  constructor(
    private readonly connection: HostConnection,
    private readonly options: CriRuntimeOptions,
  ) {
    this.runtimeName = RUNTIME_NAMES[options.flavor];
    this.kind = options.flavor;
    if (options.flavor === 'cri-o')
      this.relayUnsupported = 'the CRI has no tag operation, so an image pulled from the relay could not be given its origin name';
    this.socketPath = options.socketPath?.replace(/^unix:\/\//, '') ?? DEFAULT_CRI_SOCKETS[options.flavor];
  }

  private log(level: number, message: string): void {
    this.options.logger?.(level, `${this.options.flavor} ${this.connection.host}: ${message}`);
  }

  private connect(): Promise<Session> {
    this.session ??= openSocketBridge(() => this.connection.openUnixSocket(this.socketPath)).then((bridge) => {
      // One channel for every service: one forwarded socket per node (fan-out on containerd
      // calls all of them), not one per service.
      const channel = new UnixChannel(bridge.path);
      return {
        bridge,
        channel,
        cri: new CriClient(channel),
        ...(this.options.flavor === 'containerd'
          ? {
              content: new ContentClient(channel, CRI_NAMESPACE),
              images: new ImagesClient(channel, CRI_NAMESPACE),
              namespaces: new NamespacesClient(channel),
              containers: new ContainersClient(channel, CRI_NAMESPACE),
            }
          : {}),
      };
    });
    return this.session;
  }

  /** Ends the gRPC channels and the bridge (its private dir goes with it). */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    const s = await session.catch(() => undefined);
    if (!s) return;
    s.channel.close();
    await s.bridge.close();
  }

  private get callTimeoutMs(): number {
    return this.options.callTimeoutMs ?? 60_000;
  }

  private async call<T>(what: string, code: string, run: (s: Session) => Promise<T>): Promise<T> {
    const session = await this.connect();
    try {
      return await run(session);
    } catch (error) {
      throw this.failure(code, what, error, session.bridge);
    }
  }

  private failure(code: string, what: string, error: unknown, bridge?: SocketBridge): Error {
    if (error instanceof HoundError) return error;
    if ((this.connection as { isClosed?: boolean }).isClosed === true) {
      return new UnreachableError(
        this.connection.host,
        'SSH_CONNECTION_CLOSED',
        `ssh ${this.connection.host}: the connection dropped while ${this.runtimeName} was asked to ${what}`,
        { hint: 'the host went away or its network went down (keepalives unanswered); check it and run again: what finished is kept', cause: error },
      );
    }
    const host = this.connection.host;
    if (isGrpcError(error) && error.code === GrpcStatus.UNAVAILABLE && bridge?.lastOpenError !== undefined) {
      return new TaskFailedError(
        host,
        'CRI_UNREACHABLE',
        `${this.runtimeName} on ${host} cannot be reached at ${this.socketPath}: ${bridge.lastOpenError.message}`,
        {
          hint: `is ${this.runtimeName} running there, with its socket at that path? (hound_container_runtime and the socket variable say which runtime and where)`,
          cause: error,
        },
      );
    }
    if (isGrpcError(error) && error.code === GrpcStatus.UNIMPLEMENTED) {
      return new TaskFailedError(
        host,
        'CRI_UNSUPPORTED',
        `${this.runtimeName} on ${host} does not serve the CRI runtime.v1 call needed to ${what}: ${error.details}`,
        {
          hint: 'containerd needs its CRI plugin enabled (not in disabled_plugins) and version 1.6 or later; CRI-O 1.20 or later',
          cause: error,
        },
      );
    }
    const message = isGrpcError(error) ? error.details : error instanceof Error ? error.message : String(error);
    return new TaskFailedError(host, code, `${this.runtimeName} on ${host} could not ${what}: ${message.trim()}`, {
      hint: 'run with -vvv to see the CRI calls',
      cause: error,
    });
  }

  private unsupported(operation: string, why: string): TaskFailedError {
    return new TaskFailedError(this.connection.host, 'RUNTIME_UNSUPPORTED', `${this.runtimeName} on ${this.connection.host} cannot ${operation}: ${why}`, {
      hint: 'leave this task out for that host, or use a runtime that can (Docker, podman, containerd)',
    });
  }

  /** The node's own platform (os/arch, OCI words): the one a CRI pull fetches. */
  private nodePlatform(): Promise<string> {
    this.platformOfNode ??= this.connection.exec('uname -m').then((r) => {
      if (r.code !== 0) throw this.failure('CRI_API_ERROR', 'tell its architecture (uname -m)', new Error(r.stderr.trim() || `exit ${r.code}`));
      const p = parsePlatform(`linux/${r.stdout.trim()}`);
      return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
    });
    return this.platformOfNode;
  }

  /** Where the runtime keeps image layers (ImageFsInfo), for free space. */
  private imageFilesystem(): Promise<string> {
    this.imageRoot ??= this.call('tell where it keeps images (ImageFsInfo)', 'CRI_API_ERROR', async (s) => {
      const mount = (await s.cri.imageFsInfo({ timeoutMs: this.callTimeoutMs }))[0]?.fsId?.mountpoint;
      if (!mount) throw new Error('ImageFsInfo named no filesystem');
      return mount;
    });
    return this.imageRoot;
  }

  async info(): Promise<DockerInfo> {
    this.log(3, 'Version, Status, ImageFsInfo');
    const [version, status, root, uname] = await Promise.all([
      this.call('tell its version', 'CRI_API_ERROR', (s) => s.cri.version({ timeoutMs: this.callTimeoutMs })),
      this.call('tell its status', 'CRI_API_ERROR', (s) => s.cri.status(true, { timeoutMs: this.callTimeoutMs })),
      this.imageFilesystem(),
      this.connection.exec('uname -m'),
    ]);
    return {
      runtime: this.options.flavor,
      architecture: uname.stdout.trim(),
      os: 'linux',
      dockerRootDir: root,
      serverVersion: `${version.runtimeName} ${version.runtimeVersion}`,
      storageDriver: criSnapshotter(status.info),
      release: `${version.runtimeName} ${version.runtimeVersion}`,
      insecureRegistries: await this.insecureRegistriesOf(status.info),
    };
  }

  /**
   * containerd: seeds run through `ctr` in the CRI's namespace (where the CRI put the seed
   * image), and the node trusts one in a hosts.toml under the first dir of the CRI's
   * `config_path` (registry-hosts.ts configPathRoots), which it reads at every pull. Without a config_path (the older `registry.configs`) containerd reads
   * registry certificates only when it starts. CRI-O has no `ctr`.
   */
  async seedHost(): Promise<SeedHost | { unsupported: string }> {
    if (this.options.flavor !== 'containerd')
      return { unsupported: `seeds run on Docker, containerd or podman, and ${this.connection.host}'s runtime is CRI-O` };
    const status = await this.registryStatus();
    const configPath = configPathRoots(criRegistryConfig(status.info)?.configPath ?? '')[0];
    if (configPath === undefined)
      return {
        unsupported: `containerd on ${this.connection.host} has no registry config_path (hosts.toml), so it would trust a seed's certificate only after a restart`,
      };
    return { kind: 'containerd', socketPath: this.socketPath, namespace: CRI_NAMESPACE, certsDir: configPath };
  }

  async insecureRegistries(): Promise<string[]> {
    if (this.options.flavor !== 'containerd') return [];
    const status = await this.registryStatus();
    return this.insecureRegistriesOf(status.info);
  }

  /**
   * The CRI's status, once for fan-out's two questions (how a seed runs here, which
   * registries are plain HTTP): its registry settings do not change within a run. A failed
   * call is not kept.
   */
  private registryStatus(): Promise<{ info: Record<string, string> }> {
    this.statusForRegistries ??= this.call('tell its status', 'CRI_API_ERROR', (s) => s.cri.status(true, { timeoutMs: this.callTimeoutMs }));
    this.statusForRegistries.catch(() => (this.statusForRegistries = undefined));
    return this.statusForRegistries;
  }

  /** containerd: from its hosts.toml files and older registry config; CRI-O keeps them in registries.conf, not read here. */
  private async insecureRegistriesOf(statusInfo: Record<string, string>): Promise<string[]> {
    if (this.options.flavor !== 'containerd') return [];
    const config = criRegistryConfig(statusInfo);
    let files: { host: string; text: string }[] = [];
    if (config?.configPath) {
      const roots = configPathRoots(config.configPath).map(shlexQuote).join(' ');
      const listing = await this.connection.exec(`sh -c ${shlexQuote(LIST_HOSTS_TOML)} hound-hosts ${roots}`);
      files = parseHostsTomlListing(listing.stdout);
    }
    return insecureRegistries(files, config);
  }

  async listImageSummaries(): Promise<DockerImage[]> {
    this.log(3, 'ListImages');
    const images = await this.call('list images', 'CRI_API_ERROR', (s) => s.cri.listImages({ timeoutMs: this.callTimeoutMs }));
    return images.map((image) => dockerImageOf(image));
  }

  async listImages(): Promise<DockerImage[]> {
    this.log(3, 'ListImages, then ImageStatus (verbose) of each');
    const images = await this.call('list images', 'CRI_API_ERROR', (s) => s.cri.listImages({ timeoutMs: this.callTimeoutMs }));
    const out = new Array<DockerImage>(images.length);
    let next = 0;
    const workers = Array.from({ length: Math.min(this.options.inspectConcurrency ?? 8, images.length) }, async () => {
      for (let i = next++; i < images.length; i = next++) {
        const status = await this.call(`inspect ${images[i].id}`, 'CRI_API_ERROR', (s) =>
          s.cri.imageStatus(images[i].id, true, { timeoutMs: this.callTimeoutMs }),
        );
        out[i] = dockerImageOf(status.image ?? images[i], imageSpecOf(status.info));
      }
    });
    await Promise.all(workers);
    return out;
  }

  async inspectImage(ref: string): Promise<DockerImage | undefined> {
    this.log(3, `ImageStatus ${ref}`);
    const status = await this.call(`inspect ${ref}`, 'CRI_API_ERROR', (s) => s.cri.imageStatus(ref, true, { timeoutMs: this.callTimeoutMs }));
    return status.image ? dockerImageOf(status.image, imageSpecOf(status.info)) : undefined;
  }

  async pull(
    ref: string,
    options: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal } = {},
  ): Promise<RuntimePullResult> {
    const session = await this.connect();
    const platform = await this.nodePlatform();
    if (options.platform !== undefined) {
      const wanted = parsePlatform(options.platform);
      const own = parsePlatform(platform);
      if (wanted.os !== own.os || wanted.architecture !== own.architecture || (wanted.variant ?? '') !== (own.variant ?? '')) {
        throw this.unsupported(`pull ${ref} for ${options.platform}`, `a CRI pull fetches the node's own platform, ${platform}`);
      }
    }
    this.log(2, `PullImage ${ref}${options.auth ? ' (with credentials)' : ''}`);
    const token = this.overlapping.begin();
    try {
      return await this.pullCounted(ref, session, platform, token, options);
    } finally {
      this.overlapping.end(token);
    }
  }

  private async pullCounted(
    ref: string,
    session: Session,
    platform: string,
    token: number,
    options: { auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal },
  ): Promise<RuntimePullResult> {
    const host = this.connection.host;
    const content = session.content;
    const before = content ? await this.heldBlobs() : undefined;
    const ingestsBefore = content ? await this.call('list its ingests', 'CRI_API_ERROR', () => content.listStatuses({ timeoutMs: this.callTimeoutMs })) : [];

    const cancel = new AbortController();
    const onAbort = () => cancel.abort();
    if (options.signal?.aborted) throw abortErrorOf(options.signal);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let stalled: TaskFailedError | undefined;
    const stallMs = this.options.stallTimeoutMs ?? stallTimeoutMs();
    const watchdog = content
      ? watchProgress(stallMs, (idleMs) => {
          stalled = new TaskFailedError(
            host,
            'PULL_STALLED',
            `${this.runtimeName} on ${host} made no progress pulling ${ref} for ${Math.round(idleMs / 1000)} s; gave up`,
            {
              hint: 'the registry stopped answering or the link to it stalled; check it from the node and run again (HOUND_STALL_TIMEOUT=SECONDS sets how long to wait)',
            },
          );
          cancel.abort();
        })
      : undefined;
    const poller = content
      ? pollIngests(() => content.listStatuses({ timeoutMs: this.callTimeoutMs }), ingestsBefore, {
          intervalMs: this.options.progressIntervalMs ?? 500,
          onActivity: () => watchdog!.progress(),
          onPollError: (error) => this.log(3, `ListStatuses failed: ${error instanceof Error ? error.message : String(error)}`),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        })
      : undefined;
    let pulled = false;
    try {
      await session.cri.pullImage(ref, options.auth ? criAuthOf(options.auth) : undefined, { signal: cancel.signal });
      pulled = true;
    } catch (error) {
      if (stalled) throw stalled;
      if (options.signal?.aborted) throw abortErrorOf(options.signal);
      if (isGrpcError(error) && isDiskFull(error.details)) {
        const free = await this.freeBytes().catch(() => undefined);
        throw diskFullError(host, ref, await this.imageFilesystem().catch(() => undefined), 0, free);
      }
      throw this.failure('CRI_PULL_FAILED', `pull ${ref}`, error, session.bridge);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      watchdog?.stop();
      await poller?.stop({ finalPoll: pulled });
    }

    const status = await this.call(`inspect ${ref} after pulling it`, 'CRI_API_ERROR', (s) => s.cri.imageStatus(ref, false, { timeoutMs: this.callTimeoutMs }));
    const repository = repositoryName(parseImageRef(ref));
    const digest = status.image?.repoDigests.map((d) => parseImageRef(d)).find((d) => repositoryName(d) === repository)?.digest;
    if (!content || !before || digest === undefined) {
      const result: RuntimePullResult = { bytesDownloaded: 0, layersPresent: 0, layersDownloaded: 0, accounting: 'none', unsizedLayers: 0 };
      if (digest !== undefined) result.digest = digest;
      return result;
    }
    const layers = await this.call(`read the manifest of ${ref}`, 'CRI_API_ERROR', () =>
      imageLayers((d) => content.read(d, { timeoutMs: this.callTimeoutMs }), digest, platform),
    );
    const { fetched, ...counts } = this.overlapping.tally(token, layers, before);
    return { digest, ...counts, fetchedLayers: new Map(fetched.map((l) => [shortDigest(l.digest), l.size])), accounting: 'exact', unsizedLayers: 0 };
  }

  /**
   * The CRI's RemoveImage removes an image with every name it has (as `docker rmi -f`). Without
   * `force`, an image with other names only loses `ref`, as Docker does: on containerd through
   * its image store (as `ctr images rm`); CRI-O cannot.
   */
  async removeImage(ref: string, options: { force?: boolean } = {}): Promise<void> {
    const image = await this.inspectImage(ref);
    if (!image) return;
    const byId = /^(sha256:)?[0-9a-f]{12,64}$/.test(ref);
    const name = byId ? ref : canonicalImageRef(parseImageRef(ref));
    if (!byId && options.force !== true && image.repoTags.some((t) => t !== name)) {
      if (this.options.flavor !== 'containerd')
        throw this.unsupported(`untag ${ref} alone`, 'the CRI removes an image with all its names; pass force to remove it whole');
      // As Docker does: the repository's digest names go with its last tag.
      const repository = repositoryName(parseImageRef(name));
      const inRepository = (n: string) => repositoryName(parseImageRef(n)) === repository;
      const digestNames = image.repoTags.some((t) => t !== name && inRepository(t)) ? [] : image.repoDigests.filter(inRepository);
      this.log(2, `images.v1 Delete ${[name, ...digestNames].join(' ')}`);
      await this.call(`untag ${ref}`, 'CRI_API_ERROR', async (s) => {
        for (const n of [name, ...digestNames]) await s.images!.remove(n, { timeoutMs: this.callTimeoutMs });
      });
      const removed = new Set([name, ...digestNames]);
      await this.untilCriAgrees(`untag ${ref}`, async () => {
        const now = await this.inspectImage(image.id);
        return !now || ![...now.repoTags, ...now.repoDigests].some((n) => removed.has(n));
      });
      return;
    }
    this.log(2, `RemoveImage ${ref}`);
    await this.call(`remove ${ref}`, 'CRI_REMOVE_FAILED', async (s) => {
      try {
        await s.cri.removeImage(ref, { timeoutMs: this.callTimeoutMs });
      } catch (error) {
        // Already gone is what the caller wanted.
        if (!(isGrpcError(error) && error.code === GrpcStatus.NOT_FOUND)) throw error;
      }
    });
  }

  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    if (this.options.flavor !== 'containerd') throw this.unsupported(`tag ${source} as ${repo}:${tag}`, 'the CRI has no tag operation');
    this.log(2, `images.v1 tag ${source} as ${repo}:${tag}`);
    await this.call(`tag ${source} as ${repo}:${tag}`, 'CRI_API_ERROR', (s) => s.images!.tag(source, `${repo}:${tag}`, { timeoutMs: this.callTimeoutMs }));
    const id = (await this.inspectImage(source))?.id;
    await this.untilCriAgrees(`tag ${source} as ${repo}:${tag}`, async () => (await this.inspectImage(`${repo}:${tag}`))?.id === id);
  }

  /**
   * The CRI learns of what is done through containerd's image store (a tag, an untag, `ctr
   * images import`) from containerd's events a moment later; until then its ImageStatus (what
   * inspectImage reads, and the kubelet) shows the old names. Waits, briefly, for it to agree,
   * so that what the caller inspects next is what it did.
   */
  private async untilCriAgrees(what: string, agrees: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    while (!(await agrees())) {
      if (Date.now() - started >= CRI_SYNC_WAIT_MS) {
        this.log(
          1,
          `the CRI did not see "${what}" within ${CRI_SYNC_WAIT_MS / 1000} s; containerd has done it, and the CRI will see it when it reads containerd's events`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async loadImage(tarball: Readable, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    if (this.options.flavor !== 'containerd') throw this.unsupported('load an image tarball', 'the CRI has no import operation');
    const output = await this.ctr('load an image tarball', ['images', 'import', '-'], { stdin: tarball, signal: options.signal });
    const loaded = [...output.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]{64}\)/gm)].map((m) => m[1]);
    await this.untilCriAgrees(`load ${loaded.join(', ')}`, async () => (await Promise.all(loaded.map((n) => this.inspectImage(n)))).every(Boolean));
    return loaded;
  }

  /** Runs the node's ctr on this socket, in the CRI's namespace; resolves to its stdout. */
  private async ctr(what: string, args: string[], o: { stdin?: Readable; signal?: AbortSignal } = {}): Promise<string> {
    const command = ['ctr', '--address', this.socketPath, '--namespace', CRI_NAMESPACE, ...args].map(shlexQuote).join(' ');
    this.log(2, `exec ${command}`);
    const r = await this.connection.exec(command, o);
    if (r.code !== 0) {
      throw new TaskFailedError(
        this.connection.host,
        'CONTAINERD_CTR_FAILED',
        `containerd on ${this.connection.host} could not ${what}: ${(r.stderr.trim() || `ctr exit ${r.code}`).split('\n').pop()}`,
        {
          hint:
            r.code === 127
              ? 'the CRI has no such operation, and `ctr` (shipped with containerd) is not on the node'
              : 'run the ctr command on the node to see why',
        },
      );
    }
    return r.stdout;
  }

  /**
   * containerd: every blob its content store holds, in any namespace. With containerd's
   * default content_sharing_policy ("shared") a pull into k8s.io takes a blob another
   * namespace holds (ctr's `default`, Docker's `moby`, BuildKit's) without fetching it: seen
   * on the lab, a layer ctr had pulled into `default` was planned and counted as 2 MiB
   * pulled while the registry sent the node nothing. CRI-O: none beyond its images.
   */
  async heldBlobs(): Promise<ReadonlySet<string>> {
    const session = await this.connect();
    const content = session.content;
    if (!content) return new Set();
    const namespaces = await this.containerdNamespaces();
    const lists = await this.call('list its content store', 'CRI_API_ERROR', () =>
      Promise.all(namespaces.map((namespace) => content.list({ namespace, timeoutMs: this.callTimeoutMs }))),
    );
    return new Set(lists.flat().map((b) => b.digest));
  }

  /** The namespaces (the content API has no list of them); k8s.io alone if containerd cannot say. */
  private containerdNamespaces(): Promise<string[]> {
    this.namespaces ??= this.call('list its namespaces', 'CRI_API_ERROR', (s) => s.namespaces!.list({ timeoutMs: this.callTimeoutMs })).then(
      (names) => [...new Set([CRI_NAMESPACE, ...names])],
      (error: unknown) => {
        this.log(
          1,
          `counting the blobs of ${CRI_NAMESPACE} only (${error instanceof Error ? error.message : String(error)}): a layer another namespace holds would be planned and counted as pulled, though containerd does not fetch it`,
        );
        return [CRI_NAMESPACE];
      },
    );
    return this.namespaces;
  }

  async listContainers(): Promise<DockerContainer[]> {
    this.log(3, 'ListContainers');
    const containers = await this.call('list containers', 'CRI_API_ERROR', (s) => s.cri.listContainers({ timeoutMs: this.callTimeoutMs }));
    return containers.map((c) => ({ id: c.id, image: c.image?.image ?? '', imageId: c.imageRef, state: c.state.replace(/^CONTAINER_/, '').toLowerCase() }));
  }

  /**
   * containerd: the containers of the CRI's namespace carrying `label`, the CRI's own and those
   * ctr made, with their tasks' states in Docker's names. CRI-O runs no fan-out seeds (seedHost).
   */
  async listContainersLabelled(label: string): Promise<DockerContainer[]> {
    if (this.options.flavor !== 'containerd')
      throw this.unsupported(`list the containers labelled ${label}`, 'only containerd runs fan-out seeds among the CRI runtimes');
    this.log(3, `containers.v1 List, tasks.v1 List (${label})`);
    const containers = await this.call(`list the containers labelled ${label}`, 'CRI_API_ERROR', (s) =>
      s.containers!.list([`labels.${JSON.stringify(label)}`], { timeoutMs: this.callTimeoutMs }),
    );
    return containers.map((c) => ({ id: c.id, image: '', imageId: '', state: DOCKER_STATE_OF_TASK[c.task ?? 'CREATED'], labels: c.labels }));
  }

  async freeBytes(): Promise<number> {
    return freeBytesAt(this.connection, await this.imageFilesystem(), this.runtimeName);
  }
}

/** containerd's CRI status names its snapshotter (overlayfs, …) in its config; CRI-O's does not: ''. */
function criSnapshotter(statusInfo: Record<string, string>): string {
  try {
    return (JSON.parse(statusInfo.config ?? '') as { containerd?: { snapshotter?: string } }).containerd?.snapshotter ?? '';
  } catch {
    return '';
  }
}
