// Layer-aware scheduling for a relayed run (pure). Given which images each node needs and
// which layers each image has, it decides
//  - the order the relay prefetches layers from the origin: the layers most nodes need
//    first, so the registry uplink moves shared bytes once and early, while nodes are
//    still busy with their first layers;
//  - each node's pull order: images whose layers are shared by many nodes first, so
//    nodes ask for the same blobs at about the same time and read one live download.

export interface LayerInfo {
  digest: string;
  size: number;
}

export interface ScheduleInput {
  /** Per node, the images it needs (any stable key, e.g. the canonical reference). */
  nodes: ReadonlyArray<{ host: string; images: readonly string[] }>;
  /** Per image key, its layers (compressed blobs) as the registry lists them. */
  layers: ReadonlyMap<string, readonly LayerInfo[]>;
  /** Layers each node already holds (by blob digest), when known from facts. */
  present?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface LayerDemand extends LayerInfo {
  /** How many nodes need this layer (and do not hold it). */
  nodes: number;
  /** The first image (key) found to contain it: where to fetch it from. */
  image: string;
}

export interface RelaySchedule {
  /** Every layer some node needs, in the order to fetch it from the origin. */
  prefetch: LayerDemand[];
  /** Per node, its images in the order to pull them. */
  pullOrder: Map<string, string[]>;
  /** Bytes the nodes receive in total (each node counts its layers once). */
  totalBytes: number;
  /** Bytes the origin must send when each layer moves once. */
  uniqueBytes: number;
  /** Per node, the bytes it must receive. */
  nodeBytes: Map<string, number>;
}

export function planRelaySchedule(input: ScheduleInput): RelaySchedule {
  const demand = new Map<string, LayerDemand>();
  const neededByNode = new Map<string, Map<string, LayerInfo & { image: string }>>();
  for (const node of input.nodes) {
    const present = input.present?.get(node.host);
    const needed = new Map<string, LayerInfo & { image: string }>();
    for (const image of node.images) {
      for (const layer of input.layers.get(image) ?? []) {
        if (present?.has(layer.digest) || needed.has(layer.digest)) continue;
        needed.set(layer.digest, { ...layer, image });
      }
    }
    neededByNode.set(node.host, needed);
    for (const layer of needed.values()) {
      const entry = demand.get(layer.digest);
      if (entry) entry.nodes++;
      else demand.set(layer.digest, { digest: layer.digest, size: layer.size, nodes: 1, image: layer.image });
    }
  }

  // Most-shared first; among equals the bigger first, as it takes longest; digest breaks ties
  // so the plan is the same on every run.
  const prefetch = [...demand.values()].sort((a, b) => b.nodes - a.nodes || b.size - a.size || compare(a.digest, b.digest));

  const pullOrder = new Map<string, string[]>();
  const nodeBytes = new Map<string, number>();
  let totalBytes = 0;
  for (const node of input.nodes) {
    const images = [...new Set(node.images)];
    const score = new Map(images.map((image) => [image, sharedBytes(input.layers.get(image) ?? [], demand)]));
    images.sort((a, b) => score.get(b)! - score.get(a)! || compare(a, b));
    pullOrder.set(node.host, images);
    let bytes = 0;
    for (const layer of neededByNode.get(node.host)!.values()) bytes += layer.size;
    nodeBytes.set(node.host, bytes);
    totalBytes += bytes;
  }
  const uniqueBytes = prefetch.reduce((sum, layer) => sum + layer.size, 0);
  return { prefetch, pullOrder, totalBytes, uniqueBytes, nodeBytes };
}

// Bytes of this image that other nodes also fetch: weight each layer by the extra nodes
// that need it, so an image made of widely shared layers sorts first.
function sharedBytes(layers: readonly LayerInfo[], demand: ReadonlyMap<string, LayerDemand>): number {
  let score = 0;
  for (const layer of layers) score += layer.size * ((demand.get(layer.digest)?.nodes ?? 1) - 1);
  return score;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
