// Which nodes seed a fan-out run and which nodes each seed serves (pure).

/**
 * `seeds` nodes, each serving a contiguous block of the nodes (itself first), the blocks as
 * even as the count allows. Nodes are ordered by the images they need, then by name, so
 * nodes with the same images share a seed: a seed is fed only what its nodes need, through
 * its own downlink, before it serves them. Returns seed host → its nodes.
 */
export function assignSeeds(nodes: ReadonlyArray<{ host: string; images: readonly string[] }>, seeds: number): Map<string, string[]> {
  const imagesOf = new Map<string, string>();
  for (const node of nodes) imagesOf.set(node.host, [...new Set(node.images)].sort().join('\n'));
  const sorted = [...imagesOf.keys()].sort((a, b) => compareHosts(imagesOf.get(a)!, imagesOf.get(b)!) || compareHosts(a, b));
  const count = Math.max(1, Math.min(Math.floor(seeds), sorted.length));
  const assignment = new Map<string, string[]>();
  for (let i = 0; i < count; i++) {
    const block = sorted.slice(Math.floor((i * sorted.length) / count), Math.floor(((i + 1) * sorted.length) / count));
    assignment.set(block[0], block);
  }
  return assignment;
}

/**
 * Bytes each seed is fed with `seeds` seeds (assignSeeds' blocks): the distinct layers its
 * nodes need, each counted once. `layers` gives each image's layers by the same keys as the
 * nodes' images. Configs are left out (a few KB each).
 */
export function seedFeedBytes(
  nodes: ReadonlyArray<{ host: string; images: readonly string[] }>,
  layers: ReadonlyMap<string, ReadonlyArray<{ digest: string; size: number }>>,
  seeds: number,
): number[] {
  const imagesOf = new Map(nodes.map((n) => [n.host, n.images]));
  return [...assignSeeds(nodes, seeds).values()].map((block) => {
    const sizes = new Map<string, number>();
    for (const host of block) for (const image of imagesOf.get(host) ?? []) for (const layer of layers.get(image) ?? []) sizes.set(layer.digest, layer.size);
    let bytes = 0;
    for (const size of sizes.values()) bytes += size;
    return bytes;
  });
}

/** node2 before node10 (and app2 before app10): names compared with their numbers as numbers. */
function compareHosts(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export interface FeedImage {
  reference: string;
  /** The image's config and layers. */
  blobs: ReadonlyArray<{ digest: string; size: number }>;
  /** How many of the seed's nodes need the image. */
  demand: number;
}

/**
 * The order a seed is fed its blobs in: most-needed first, counting the seed's own nodes (a
 * blob serves every node whose images hold it), configs with the layers. Each blob once, with
 * the first image that holds it; among equals, the images' order.
 *
 * Not image by image (the image most nodes wait for per byte first): on the 50-node lab that
 * opened the first images early, and their pulls then took the CPU the rest of the feed
 * needed (88.7 s against 68.5 s in the relay's prefetch order, one run each).
 */
export function feedOrder(images: readonly FeedImage[]): Array<{ digest: string; size: number; image: string }> {
  const blobs = new Map<string, { digest: string; size: number; image: string; demand: number; index: number }>();
  for (const image of images) {
    for (const blob of image.blobs) {
      const known = blobs.get(blob.digest);
      if (known) known.demand += image.demand;
      else blobs.set(blob.digest, { digest: blob.digest, size: blob.size, image: image.reference, demand: image.demand, index: blobs.size });
    }
  }
  return [...blobs.values()].sort((a, b) => b.demand - a.demand || a.index - b.index).map(({ digest, size, image }) => ({ digest, size, image }));
}
