// The contract between the transport (SSH, Docker over SSH, registry) and its users
// (modules, executor, planner). Implementations live beside this file.
import type { Duplex, Readable } from 'node:stream';

export interface ExecResult {
  /** Exit status, null when the command died of a signal. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: Buffer | string | Readable;
  signal?: AbortSignal;
  /**
   * Without `stdin`, keep the command's stdin open until the channel closes instead of
   * sending end-of-file at once: a command that watches its stdin (modules/command.ts)
   * then learns when hound goes away.
   */
  holdStdin?: boolean;
  /** What -vv shows instead of the command line (the user's words, not a wrapper around them). */
  shownAs?: string;
}

/** One persistent SSH connection to one inventory host, for a whole run. */
export interface HostConnection {
  /** The inventory name of the host. */
  readonly host: string;
  /** Runs a command line (already quoted by the caller) through the node's shell. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** A byte stream to a unix socket on the node (its Docker socket) through the SSH connection. */
  openUnixSocket(path: string): Promise<Duplex>;
  /**
   * Asks the node to listen on its loopback, 127.0.0.1:remotePort (0 = any free port), and
   * hands every connection made there to `onConnection`. Resolves to the bound port.
   */
  forwardRemote(remotePort: number, onConnection: (stream: Duplex) => void): Promise<{ port: number; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Credentials for one registry; never printed. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** OAuth identity/refresh token, as in ~/.docker/config.json `identitytoken`. */
  identityToken?: string;
  /** Registry host[:port] these credentials are for, normalised (docker.io for Docker Hub). */
  serverAddress: string;
}

export interface DockerInfo {
  architecture: string; // Docker's form, e.g. x86_64
  os: string;
  dockerRootDir: string;
  serverVersion: string;
  /** Registries (host[:port] or CIDR) this daemon reaches over plain HTTP. */
  insecureRegistries: string[];
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
}

/** Docker Engine on one node, reached through that node's HostConnection. */
export interface NodeDocker {
  info(): Promise<DockerInfo>;
  listImages(): Promise<DockerImage[]>;
  /**
   * Docker's image list alone, one round trip instead of one more per image: ids, tags,
   * repo digests, size and creation time (to the second), but no layers and no platform
   * (`layers` empty, `architecture` and `os` blank). Enough to see that a node is up to date.
   */
  listImageSummaries(): Promise<DockerImage[]>;
  /** undefined when the image is not present. */
  inspectImage(ref: string): Promise<DockerImage | undefined>;
  pull(ref: string, options?: { platform?: string; auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal }): Promise<PullResult>;
  /** Removes an image (by ref or id); `force` also untags it from other names. */
  removeImage(ref: string, options?: { force?: boolean }): Promise<void>;
  tagImage(source: string, repo: string, tag: string): Promise<void>;
  /** Streams an image tarball into `docker load`; resolves to the loaded image names/ids. */
  loadImage(tarball: Readable, options?: { signal?: AbortSignal }): Promise<string[]>;
  listContainers(): Promise<DockerContainer[]>;
  /** Free bytes on the filesystem holding Docker's data root. */
  freeBytes(): Promise<number>;
}
