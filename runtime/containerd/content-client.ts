// containerd's content store (containerd.services.content.v1, runtime/containerd/content.json),
// served on the same socket as its CRI. The CRI says nothing while it pulls; the content
// store shows each blob being written (an "ingest", with its offset and total) and keeps
// every committed blob by digest, manifests included. Calls carry the namespace the CRI
// works in, k8s.io, as gRPC metadata, as containerd's own clients do.
import { type CallOptions, streamCall, unaryCall, ServiceClient, type UnixChannel } from '../grpc.js';

const CONTENT_DESCRIPTOR = 'runtime/containerd/content.json';
const CONTENT_SERVICE = 'containerd.services.content.v1.Content';

/** The containerd namespace the CRI plugin keeps the kubelet's images in. */
export const CRI_NAMESPACE = 'k8s.io';

/** A blob being written into the store. */
export interface IngestStatus {
  /** containerd's name for the write, e.g. `layer-sha256:…` or `manifest-sha256:…` while pulling. */
  ref: string;
  offset: number;
  total: number;
  /** The digest the blob must have (sha256:…). */
  expected: string;
}

export interface BlobInfo {
  digest: string;
  size: number;
}

export class ContentClient extends ServiceClient {
  private readonly metadata: Record<string, string>;

  constructor(target: string | UnixChannel, namespace = CRI_NAMESPACE) {
    super(target, [{ descriptorFile: CONTENT_DESCRIPTOR, service: CONTENT_SERVICE }]);
    this.metadata = { 'containerd-namespace': namespace };
  }

  async listStatuses(o: CallOptions = {}): Promise<IngestStatus[]> {
    const r = await unaryCall<{ statuses: IngestStatus[] }>(
      this.channel.client(CONTENT_SERVICE),
      'ListStatuses',
      { filters: [] },
      { ...o, metadata: this.metadata },
    );
    return r.statuses.map((s) => ({ ref: s.ref, offset: s.offset, total: s.total, expected: s.expected }));
  }

  /** Every committed blob of the namespace (the client's, or `namespace`). */
  async list(o: CallOptions & { namespace?: string } = {}): Promise<BlobInfo[]> {
    const metadata = o.namespace === undefined ? this.metadata : { 'containerd-namespace': o.namespace };
    const pages = await streamCall<{ info: BlobInfo[] }>(this.channel.client(CONTENT_SERVICE), 'List', { filters: [] }, { ...o, metadata });
    return pages.flatMap((p) => p.info.map((i) => ({ digest: i.digest, size: i.size })));
  }

  /** A committed blob's bytes (manifests and configs: small). */
  async read(digest: string, o: CallOptions = {}): Promise<Buffer> {
    const chunks = await streamCall<{ offset: number; data: Buffer }>(
      this.channel.client(CONTENT_SERVICE),
      'Read',
      { digest },
      { ...o, metadata: this.metadata },
    );
    return Buffer.concat(chunks.sort((a, b) => a.offset - b.offset).map((c) => c.data));
  }
}
