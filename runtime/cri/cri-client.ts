// The Container Runtime Interface (runtime.v1, runtime/cri/api.json), as the kubelet
// speaks it to containerd or CRI-O: the messages hound reads, typed, and one client per
// socket. The socket is local to the caller: the lab's own probes dial a node's socket
// directly; CriRuntime dials the controller-side end of a SocketBridge.
import { type CallOptions, serviceClass, unaryCall, ServiceClient, type UnixChannel } from '../grpc.js';

const CRI_DESCRIPTOR = 'runtime/cri/api.json';
export const RUNTIME_SERVICE = 'runtime.v1.RuntimeService';
export const IMAGE_SERVICE = 'runtime.v1.ImageService';

export interface CriImage {
  /** The image id: its config digest (sha256:…). */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  pinned: boolean;
}

export interface CriImageStatus {
  /** null when the runtime does not have the image. */
  image: CriImage | null;
  /** With `verbose`: runtime-specific JSON, for containerd {"info": {"imageSpec": <OCI config>, …}}. */
  info: Record<string, string>;
}

export interface CriAuth {
  username?: string;
  password?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface CriVersion {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface CriCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface CriStatus {
  status: { conditions: CriCondition[] } | null;
  info: Record<string, string>;
}

export interface CriFilesystemUsage {
  timestamp: number;
  fsId: { mountpoint: string } | null;
  usedBytes: { value: number } | null;
  inodesUsed: { value: number } | null;
}

export type CriContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface CriContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  imageRef: string;
  state: CriContainerState;
  createdAt: number;
  labels: Record<string, string>;
}

/**
 * Loads the CRI's service definitions now: building them from api.json is synchronous (tens of
 * milliseconds, more on a loaded machine), so a caller timing other checks loads them before
 * it starts its clocks.
 */
export function loadCriDefinitions(): void {
  serviceClass(CRI_DESCRIPTOR, RUNTIME_SERVICE);
  serviceClass(CRI_DESCRIPTOR, IMAGE_SERVICE);
}

export class CriClient extends ServiceClient {
  constructor(target: string | UnixChannel) {
    super(target, [
      { descriptorFile: CRI_DESCRIPTOR, service: RUNTIME_SERVICE },
      { descriptorFile: CRI_DESCRIPTOR, service: IMAGE_SERVICE },
    ]);
  }

  /** Any RuntimeService call by its method name (RunPodSandbox, CreateContainer, …), request and response as in api.json (upstream's api.proto). */
  runtimeCall<Response>(method: string, request: object, o?: CallOptions): Promise<Response> {
    return unaryCall<Response>(this.channel.client(RUNTIME_SERVICE), method, request, o);
  }

  imageCall<Response>(method: string, request: object, o?: CallOptions): Promise<Response> {
    return unaryCall<Response>(this.channel.client(IMAGE_SERVICE), method, request, o);
  }

  version(o?: CallOptions): Promise<CriVersion> {
    return this.runtimeCall('Version', { version: 'v1' }, o);
  }

  status(verbose: boolean, o?: CallOptions): Promise<CriStatus> {
    return this.runtimeCall('Status', { verbose }, o);
  }

  async listContainers(o?: CallOptions): Promise<CriContainer[]> {
    return (await this.runtimeCall<{ containers: CriContainer[] }>('ListContainers', {}, o)).containers;
  }

  imageStatus(ref: string, verbose: boolean, o?: CallOptions): Promise<CriImageStatus> {
    return this.imageCall('ImageStatus', { image: { image: ref }, verbose }, o);
  }

  async listImages(o?: CallOptions): Promise<CriImage[]> {
    return (await this.imageCall<{ images: CriImage[] }>('ListImages', {}, o)).images;
  }

  /** Resolves to the image ref the runtime reports (containerd: the image id). */
  async pullImage(ref: string, auth: CriAuth | undefined, o?: CallOptions): Promise<string> {
    return (await this.imageCall<{ imageRef: string }>('PullImage', { image: { image: ref }, ...(auth ? { auth } : {}) }, o)).imageRef;
  }

  async removeImage(ref: string, o?: CallOptions): Promise<void> {
    await this.imageCall('RemoveImage', { image: { image: ref } }, o);
  }

  async imageFsInfo(o?: CallOptions): Promise<CriFilesystemUsage[]> {
    return (await this.imageCall<{ imageFilesystems: CriFilesystemUsage[] }>('ImageFsInfo', {}, o)).imageFilesystems;
  }
}
