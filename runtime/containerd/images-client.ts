// containerd's image store (containerd.services.images.v1, runtime/containerd/images.json),
// served on the same socket as its CRI. The CRI has no tag operation, and removes an image
// with all its names; the image store names images one by one, as `ctr images tag` and
// `ctr images rm` do through this same service. Calling it over the run's gRPC channel spares
// the node a ctr process per name: a Go binary's start, about 0.1 s of CPU each on the lab's
// virtual cores, where a 50-node fan-out started ctr 430 times (docs/scale.md).
import { GrpcStatus, isGrpcError, type CallOptions, unaryCall, ServiceClient, type UnixChannel } from '../grpc.js';
import { CRI_NAMESPACE } from './content-client.js';

const IMAGES_DESCRIPTOR = 'runtime/containerd/images.json';
const IMAGES_SERVICE = 'containerd.services.images.v1.Images';

/** An image record: a name for a content root (its manifest or index). */
export interface ContainerdImage {
  name: string;
  /** The CRI marks its own images (io.cri-containerd.image: managed). */
  labels: Record<string, string>;
  target: { mediaType: string; digest: string; size: number; annotations: Record<string, string> };
}

export class ImagesClient extends ServiceClient {
  private readonly metadata: Record<string, string>;

  constructor(target: string | UnixChannel, namespace = CRI_NAMESPACE) {
    super(target, [{ descriptorFile: IMAGES_DESCRIPTOR, service: IMAGES_SERVICE }]);
    this.metadata = { 'containerd-namespace': namespace };
  }

  private call<T>(method: string, request: object, o: CallOptions): Promise<T> {
    return unaryCall<T>(this.channel.client(IMAGES_SERVICE), method, request, { ...o, metadata: this.metadata });
  }

  /** The image of that name; undefined when there is none. */
  async get(name: string, o: CallOptions = {}): Promise<ContainerdImage | undefined> {
    try {
      const r = await this.call<{ image: ContainerdImage | null }>('Get', { name }, o);
      return r.image ?? undefined;
    } catch (error) {
      if (isGrpcError(error) && error.code === GrpcStatus.NOT_FOUND) return undefined;
      throw error;
    }
  }

  /**
   * Names `source`'s image `target` too, replacing an image already of that name, with the
   * source's labels: what `ctr images tag --force` does (Create, and on AlreadyExists Delete
   * and Create again).
   */
  async tag(source: string, target: string, o: CallOptions = {}): Promise<void> {
    const image = await this.get(source, o);
    if (!image) throw new Error(`no image is named ${source}`);
    const named = { name: target, labels: image.labels, target: image.target };
    try {
      await this.call('Create', { image: named }, o);
    } catch (error) {
      if (!(isGrpcError(error) && error.code === GrpcStatus.ALREADY_EXISTS)) throw error;
      await this.call('Delete', { name: target }, o);
      await this.call('Create', { image: named }, o);
    }
  }

  /** Takes the name off (its content stays while another name or the garbage collector's leases hold it): `ctr images rm`. None of that name is no error. */
  async remove(name: string, o: CallOptions = {}): Promise<void> {
    try {
      await this.call('Delete', { name }, o);
    } catch (error) {
      if (!(isGrpcError(error) && error.code === GrpcStatus.NOT_FOUND)) throw error;
    }
  }
}
