// containerd's namespaces (containerd.services.namespaces.v1, runtime/containerd/namespaces.json),
// served on the same socket as its CRI: the content store is shared between namespaces, so
// what the node holds is every namespace's blobs (CriRuntime.heldBlobs). Listed over the run's
// gRPC channel, as `ctr namespaces list` lists them, without a ctr process on the node.
import { type CallOptions, unaryCall, ServiceClient, type UnixChannel } from '../grpc.js';

const NAMESPACES_DESCRIPTOR = 'runtime/containerd/namespaces.json';
const NAMESPACES_SERVICE = 'containerd.services.namespaces.v1.Namespaces';

export class NamespacesClient extends ServiceClient {
  constructor(target: string | UnixChannel) {
    super(target, [{ descriptorFile: NAMESPACES_DESCRIPTOR, service: NAMESPACES_SERVICE }]);
  }

  /** Every namespace's name (namespaces are not themselves namespaced: no metadata). */
  async list(o: CallOptions = {}): Promise<string[]> {
    const r = await unaryCall<{ namespaces: Array<{ name: string }> }>(this.channel.client(NAMESPACES_SERVICE), 'List', {}, o);
    return r.namespaces.map((n) => n.name);
  }
}
