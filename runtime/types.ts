// The contract between a node's container runtime and its users (modules, executor,
// planner, relay): one interface, one implementation per runtime in this room.
import type { Readable } from 'node:stream';
import type { RegistryAuth } from '../transport/types.js';
import type { ContainerRuntimeKind } from '../transport/connection-target.js';

/**
 * What a node's runtime says of itself. Besides the pulls, it is what `hound_runtime` (the
 * facts hound gathers of its own, modules/facts/runtime-facts.ts) shows: every runtime fills
 * each field, with '' or [] where it has no such thing.
 */
export interface DockerInfo {
  /** The runtime's name: docker, containerd, podman, cri-o. */
  runtime: string;
  architecture: string; // Docker's form, e.g. x86_64
  os: string;
  /** Where the runtime keeps images (Docker's DockerRootDir); its free space is freeBytes(). */
  dockerRootDir: string;
  serverVersion: string;
  /** Its storage (snapshotter) driver: overlay2, overlayfs, vfs, … */
  storageDriver: string;
  /** Its name and version as people read them, as plans show them per host: `Docker 20.10.24`, `containerd 1.6.20~ds1`, `podman 4.3.1`. */
  release: string;
  /** Registries (host[:port] or CIDR) this daemon reaches over plain HTTP. */
  insecureRegistries: string[];
  /** Mirror URLs the runtime tries first (Docker's registry-mirrors, which apply to docker.io only). */
  registryMirrors?: string[];
}

/** One endpoint a node's runtime tries for a registry: a mirror, or the registry itself. */
export interface NodeRegistryEndpoint {
  /** Its origin, e.g. `https://10.0.0.2:5003`. */
  url: string;
  mirror: boolean;
  /** The runtime speaks plain HTTP to it, or does not verify its certificate. */
  insecure: boolean;
  /** PEM CA certificates the runtime trusts for this endpoint on top of the node's system CAs. */
  caCertificates: string[];
  /** Where those come from, for messages (Docker: the files in /etc/docker/certs.d/HOST/). */
  trustSource: string;
}

/** How a node's runtime reaches one registry: the endpoints it tries, in order. */
export interface NodeRegistryRoute {
  registry: string;
  endpoints: NodeRegistryEndpoint[];
}

export interface DockerImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Layer diff ids (rootfs), bottom first. */
  layers: string[];
  architecture: string;
  os: string;
  size: number;
  created: string;
}

export interface DockerContainer {
  id: string;
  image: string;
  imageId: string;
  state: string;
  /** Its labels, where the runtime reports them (Docker and podman's Docker API do). */
  labels?: Record<string, string>;
}

/** One progress line of a pull, as Docker reports it per layer. */
export interface PullProgress {
  /** Short layer id Docker shows (first 12 hex of the blob digest), or the ref for whole-image lines. */
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export interface PullResult {
  /** The image's repo digest after the pull (sha256:…), when Docker reported one. */
  digest?: string;
  /** Bytes Docker reported downloading (sum of each downloaded layer's final total). */
  bytesDownloaded: number;
  /** Layers Docker said already existed. */
  layersPresent: number;
  layersDownloaded: number;
  /**
   * Short layer id (as in progress) → compressed bytes, for each layer this pull brought onto
   * the node, when the runtime knows them for certain (containerd's content store, podman's
   * layer records). Absent for Docker, whose progress lines name every layer with its size;
   * the images module counts from progress then.
   */
  fetchedLayers?: ReadonlyMap<string, number>;
}

/** A response of Docker Engine's HTTP API: its status and its JSON body (undefined when empty). */
export interface EngineResponse {
  status: number;
  body: unknown;
}

/**
 * Docker Engine's HTTP API itself (Docker's, and podman's compatible service), for the
 * community.docker modules, which return its documents as Ansible does. A runtime that does
 * not speak it (the CRI) has none.
 */
export interface EngineApi {
  /** Any status is a response; only a failure to reach the API rejects. `secretBody`: a body never logged (credentials). */
  request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options?: { query?: Record<string, string>; body?: unknown; secretBody?: boolean },
  ): Promise<EngineResponse>;
  /**
   * The same API with the answer as bytes as they come, for answers too large or too long to
   * hold (an image tarball, a push's progress lines): the status at once, then the body, which
   * the caller reads to its end or destroys. `secretHeaders` are never logged (X-Registry-Auth).
   */
  stream(
    method: 'GET' | 'POST',
    path: string,
    options?: { query?: Record<string, string>; secretHeaders?: Record<string, string>; signal?: AbortSignal },
  ): Promise<{ status: number; body: Readable }>;
}

/** Docker Engine on one node, reached through that node's HostConnection. */
export interface NodeDocker {
  /** Docker Engine's own API, where the runtime has it. */
  readonly engineApi?: EngineApi;
  /** What the runtime says of itself; a runtime may read it once and share it, `fresh` asks it to read again. */
  info(options?: { fresh?: boolean }): Promise<DockerInfo>;
  listImages(): Promise<DockerImage[]>;
  /**
   * Docker's image list alone, one round trip instead of one more per image: ids, tags,
   * repo digests, size and creation time (to the second), but no layers and no platform
   * (`layers` empty, `architecture` and `os` blank). Enough to see that a node is up to date.
   */
  listImageSummaries(): Promise<DockerImage[]>;
  /** undefined when the image is not present. */
  inspectImage(ref: string): Promise<DockerImage | undefined>;
  /**
   * `tlsVerify`: whether this pull must verify TLS (podman pull's --tls-verify, which
   * podman_image's validate_certs sets); only podman is given it (podman modules run on podman
   * nodes only); undefined: as the node's configuration says.
   */
  pull(
    ref: string,
    options?: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal; tlsVerify?: boolean },
  ): Promise<PullResult>;
  /** Removes an image (by ref or id); `force` also untags it from other names. */
  removeImage(ref: string, options?: { force?: boolean }): Promise<void>;
  tagImage(source: string, repo: string, tag: string): Promise<void>;
  /** Streams an image tarball into `docker load`; resolves to the loaded image names/ids. */
  loadImage(tarball: Readable, options?: { signal?: AbortSignal }): Promise<string[]>;
  listContainers(): Promise<DockerContainer[]>;
  /**
   * The containers carrying `label`, where listContainers does not list every container:
   * containerd's CRI lists only those it made, and a fan-out seed is made with `ctr` in its
   * namespace. States are Docker's names (running, paused, created, exited, dead). A runtime
   * without it lists them all with listContainers.
   */
  listContainersLabelled?(label: string): Promise<DockerContainer[]>;
  /** Free bytes on the filesystem holding Docker's data root. */
  freeBytes(): Promise<number>;
  /**
   * Compressed blobs (sha256:…) the runtime holds and a pull takes without fetching them,
   * beyond the layers of the images it lists: containerd's content store in every namespace.
   * A runtime without it holds layers only as part of its images.
   */
  heldBlobs?(): Promise<ReadonlySet<string>>;
  /**
   * How the runtime reaches each of `registries` (mirrors, insecure, the CAs it adds per
   * endpoint), read from the node in one go. A runtime without it is reached as the registry
   * itself and its trust is not checked before pulling; containerd's hosts.toml (mirrors,
   * `ca`, `skip_verify`) belongs here.
   */
  registryRoutes?(registries: readonly string[]): Promise<NodeRegistryRoute[]>;
  /** The node's system CA certificates (a PEM bundle), for what certs.d does not vouch for. */
  systemCertificates?(): Promise<string>;
}

/**
 * How a fan-out seed (a registry container for one run, relay/seed-node.ts) runs on a node,
 * and where the node trusts a CA and client certificate for one registry address, read at
 * every pull so that nothing restarts: Docker's CLI on its socket and /etc/docker/certs.d;
 * containerd's `ctr` in the CRI's namespace and the certs.d dir its CRI's `config_path`
 * names (hosts.toml); podman's CLI as the node's user, in that user's storage, and its
 * certs.d (root's /etc/containers/certs.d, a rootless user's ~/.config/containers/certs.d).
 */
export type SeedHost =
  | { kind: 'docker'; socketPath: string; certsDir: string }
  | { kind: 'containerd'; socketPath: string; namespace: string; certsDir: string }
  | { kind: 'podman'; certsDir: string };

/** A node's runtime as a run opens it, per host (open-runtime.ts): one of the implementations in this room. */
export interface NodeRuntime extends NodeDocker {
  readonly kind: ContainerRuntimeKind;
  /** Why the relay cannot deliver images into this runtime, when it cannot (the host then pulls directly). */
  readonly relayUnsupported?: string;
  /** How a fan-out seed runs on this node and how the node trusts one; why not, when it cannot. A runtime without it takes no part. */
  seedHost?(): Promise<SeedHost | { unsupported: string }>;
  /**
   * What info() says of `insecureRegistries`, read alone where info() costs more (containerd:
   * its status and hosts.toml, not its version, image filesystem and architecture). A runtime
   * without it is asked info().
   */
  insecureRegistries?(): Promise<string[]>;
  /** Ends what the client opened on the node (gRPC channels, a podman service started for the run). */
  close(): Promise<void>;
}
