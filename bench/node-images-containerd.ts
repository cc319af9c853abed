// What a containerd node holds where the kubelet looks (the CRI, namespace k8s.io), read and
// changed through the node's socket as the controller reaches it (lab.json), not through any
// contender: emptying the node between runs and checking the outcome of each.
import { CriClient } from '../runtime/cri/cri-client.js';
import { ContentClient } from '../runtime/containerd/content-client.js';
import type { LabNodeInfo } from '../lab/info.js';

async function withCri<T>(node: LabNodeInfo, work: (cri: CriClient) => Promise<T>): Promise<T> {
  const cri = new CriClient(node.socket.controller);
  try {
    return await work(cri);
  } finally {
    cri.close();
  }
}

/**
 * Removes every image the CRI knows (ctr's pulls into k8s.io included) and checks that the
 * content store kept no blob: a blob left behind would be a layer the next run need not fetch.
 * The CRI removes images with a synchronous garbage collection.
 */
export async function emptyContainerdNode(node: LabNodeInfo): Promise<void> {
  await withCri(node, async (cri) => {
    for (const image of await cri.listImages()) await cri.removeImage(image.id);
    const left = await cri.listImages();
    if (left.length > 0) throw new Error(`${node.name} still holds ${left.length} image(s) after emptying it`);
  });
  const content = new ContentClient(node.socket.controller);
  try {
    const blobs = await content.list();
    if (blobs.length > 0) throw new Error(`${node.name}'s content store still holds ${blobs.length} blob(s) after its images were removed`);
  } finally {
    content.close();
  }
}

/** The references among `refs` the CRI does not list by tag. */
export function missingContainerdImages(node: LabNodeInfo, refs: readonly string[]): Promise<string[]> {
  return withCri(node, async (cri) => {
    const tags = new Set((await cri.listImages()).flatMap((image) => image.repoTags));
    return refs.filter((ref) => !tags.has(ref));
  });
}

/** Pulls through the CRI, for the noop workload's setup (not timed). */
export function pullOnContainerdNode(node: LabNodeInfo, ref: string): Promise<void> {
  return withCri(node, async (cri) => {
    await cri.pullImage(ref, undefined);
  });
}
