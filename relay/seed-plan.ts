// Which nodes seed a fan-out run, and which images each seed serves to which nodes (pure).

/** One seed: the node it runs on, and each node it serves with the images that node pulls from it. */
export interface SeedBlock {
  seed: string;
  /** Host → the images it pulls from this seed. */
  serves: Map<string, string[]>;
}

/** A node of the run: the images it pulls, and whether a seed may run on it (default yes; hound_fanout_seed_node=false: it only pulls from seeds). */
export interface SeedPlanNode {
  host: string;
  images: readonly string[];
  runsSeeds?: boolean;
}

/**
 * `seeds` seeds (at most one per node that can run one, and no more than there are pulls), each serving whole
 * images: a seed is fed only the layers of its own images, through its own downlink, before
 * it serves them, and a node pulls each image from the seed that holds it, so one node may
 * pull from several seeds.
 *
 * Images are ordered by their layers, bottom first (then by name), so images that share their
 * lower layers sit side by side. With at least as many seeds as images, each image gets a seed
 * and the rest go, one at a time, to the image with the most bytes still to serve per seed (its
 * nodes split evenly between its seeds); with fewer, runs of neighbouring images share a seed,
 * cut where the bytes to serve are most even. The seed of a block is the node that pulls least
 * outside it (its downlink carries the block's feed), then the one that pulls most inside it,
 * among those that can run a seed; when none of its nodes can, a free node that can.
 * With no node that can run a seed there are none.
 *
 * Before this, a seed served whole nodes: nodes that needed the same images shared a seed. On
 * the benchmark's diverse workload (every node two of ten 11 MB apps that share a 5 MB base) a
 * seed was then fed a pair of apps, 17 MB, where one app is 11 MB.
 */
export function assignSeeds(
  nodes: readonly SeedPlanNode[],
  seeds: number,
  layers?: ReadonlyMap<string, ReadonlyArray<{ digest: string; size: number }>>,
): SeedBlock[] {
  const hostsOf = new Map<string, string[]>();
  const imagesOf = new Map<string, Set<string>>();
  for (const node of nodes) {
    const own = imagesOf.get(node.host) ?? new Set<string>();
    imagesOf.set(node.host, own);
    for (const image of node.images) {
      if (own.has(image)) continue;
      own.add(image);
      hostsOf.set(image, [...(hostsOf.get(image) ?? []), node.host]);
    }
  }
  for (const hosts of hostsOf.values()) hosts.sort(compareHosts);
  const pulls = [...hostsOf.values()].reduce((sum, hosts) => sum + hosts.length, 0);
  if (pulls === 0) return [];
  const runners = new Set(nodes.filter((n) => n.runsSeeds !== false).map((n) => n.host));
  if (runners.size === 0) return [];
  const count = Math.max(1, Math.min(Math.floor(seeds), imagesOf.size, pulls, runners.size));
  const images = [...hostsOf.keys()].sort((a, b) => compareLayers(layers?.get(a), layers?.get(b)) || compareHosts(a, b));
  const bytesOf = (image: string) => (layers?.get(image) ?? []).reduce((sum, l) => sum + l.size, 0) || 1;
  const load = (image: string) => hostsOf.get(image)!.length * bytesOf(image);
  const blocks: Array<Map<string, string[]>> = [];
  if (count >= images.length) {
    // Each image a seed, then each further seed to the image with most to serve per seed.
    const seedsOf = new Map(images.map((image) => [image, 1]));
    for (let left = count - images.length; left > 0; left--) {
      let best: string | undefined;
      for (const image of images) {
        if (seedsOf.get(image)! >= hostsOf.get(image)!.length) continue;
        if (best === undefined || load(image) / (seedsOf.get(image)! + 1) > load(best) / (seedsOf.get(best)! + 1)) best = image;
      }
      if (best === undefined) break;
      seedsOf.set(best, seedsOf.get(best)! + 1);
    }
    for (const image of images) {
      const hosts = hostsOf.get(image)!;
      const parts = seedsOf.get(image)!;
      for (let i = 0; i < parts; i++) {
        const part = hosts.slice(Math.floor((i * hosts.length) / parts), Math.floor(((i + 1) * hosts.length) / parts));
        blocks.push(new Map(part.map((host) => [host, [image]])));
      }
    }
  } else {
    for (const run of evenRuns(images, count, load)) {
      const serves = new Map<string, string[]>();
      for (const image of run) for (const host of hostsOf.get(image)!) serves.set(host, [...(serves.get(host) ?? []), image]);
      blocks.push(serves);
    }
  }
  const taken = new Set<string>();
  const allHosts = [...imagesOf.keys()].sort(compareHosts);
  return blocks.map((serves) => {
    const outside = (host: string) => imagesOf.get(host)!.size - serves.get(host)!.length;
    const candidates = [...serves.keys()].filter((host) => !taken.has(host) && runners.has(host));
    candidates.sort((a, b) => outside(a) - outside(b) || serves.get(b)!.length - serves.get(a)!.length || compareHosts(a, b));
    // Every node of the block that can seeds another already, or none can: the first free node that can seeds it from outside.
    const seed = candidates[0] ?? allHosts.find((host) => !taken.has(host) && runners.has(host))!;
    taken.add(seed);
    return { seed, serves: new Map([...serves].sort(([a], [b]) => compareHosts(a, b))) };
  });
}

/**
 * `images` cut into `count` runs of neighbours (count < images.length), each run's cut placed
 * where its total load comes nearest the even share of what is left.
 */
function evenRuns(images: readonly string[], count: number, load: (image: string) => number): string[][] {
  const runs: string[][] = [];
  let next = 0;
  for (let run = 0; run < count; run++) {
    const runsLeft = count - run;
    let rest = 0;
    for (let i = next; i < images.length; i++) rest += load(images[i]);
    const share = rest / runsLeft;
    const current: string[] = [images[next++]];
    let sum = load(current[0]);
    // Leave at least one image for each run after this one.
    while (next < images.length - (runsLeft - 1) && Math.abs(sum + load(images[next]) - share) <= Math.abs(sum - share)) {
      sum += load(images[next]);
      current.push(images[next++]);
    }
    if (runsLeft === 1) while (next < images.length) current.push(images[next++]);
    runs.push(current);
  }
  return runs;
}

/** Images by their layer digests, bottom first; an image without layers known sorts as none. */
function compareLayers(a?: ReadonlyArray<{ digest: string }>, b?: ReadonlyArray<{ digest: string }>): number {
  const x = a ?? [];
  const y = b ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i].digest !== y[i].digest) return x[i].digest < y[i].digest ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * Bytes each seed is fed with `seeds` seeds (assignSeeds' blocks): the distinct layers of the
 * images it serves, each counted once. `layers` gives each image's layers by the same keys as
 * the nodes' images. Configs are left out (a few KB each).
 */
export function seedFeedBytes(
  nodes: readonly SeedPlanNode[],
  layers: ReadonlyMap<string, ReadonlyArray<{ digest: string; size: number }>>,
  seeds: number,
): number[] {
  return assignSeeds(nodes, seeds, layers).map((block) => {
    const sizes = new Map<string, number>();
    for (const image of new Set([...block.serves.values()].flat())) for (const layer of layers.get(image) ?? []) sizes.set(layer.digest, layer.size);
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
