// The benchmark's workloads as pure data: which images exist (layers and sizes) and which
// images each node must end up holding. The lab pushes the image set; contenders pull it.

export type WorkloadName = 'diverse' | 'identical' | 'noop' | 'disjoint';
/** Every workload the benchmark knows. */
export const WORKLOAD_NAMES: readonly WorkloadName[] = ['diverse', 'identical', 'noop', 'disjoint'];
/** What a run without --workloads measures (the three). */
export const DEFAULT_WORKLOADS: readonly WorkloadName[] = ['diverse', 'identical', 'noop'];

export interface BenchLayer {
  name: string;
  sizeBytes: number;
  /** Seeds the layer's pseudo-random (incompressible) contents, so digests are stable. */
  seed: string;
}

export interface BenchImage {
  repository: string;
  tag: string;
  /** Layer names, bottom first. */
  layers: string[];
}

export interface BenchImageSet {
  layers: BenchLayer[];
  images: BenchImage[];
}

export interface ImageSetSizes {
  baseBytes: number;
  runtimeBytes: number;
  appBytes: number;
  appCount: number;
}

/** Sizes in decimal megabytes, as the rates are in decimal megabits (tc's `mbit`). */
export const DEFAULT_SIZES: ImageSetSizes = { baseBytes: 5_000_000, runtimeBytes: 4_000_000, appBytes: 2_000_000, appCount: 10 };

/** The repository namespace of the benchmark's images, apart from the lab's own samples. */
const REPOSITORY_PREFIX = 'bench';

export function appRepository(index: number): string {
  return `${REPOSITORY_PREFIX}/app${index}`;
}

/** `disjoint`'s images: as large as an app image, but sharing no layer with any other. */
export function soloRepository(index: number): string {
  return `${REPOSITORY_PREFIX}/solo${index}`;
}

/**
 * One base layer, two runtime layers on it, and `appCount` apps each adding one layer on
 * runtime-a (even index) or runtime-b (odd index): the seed paper's layer sharing.
 */
export function buildImageSet(sizes: ImageSetSizes = DEFAULT_SIZES): BenchImageSet {
  const layers: BenchLayer[] = [
    { name: 'base', sizeBytes: sizes.baseBytes, seed: 'hound-bench-base' },
    { name: 'runtime-a', sizeBytes: sizes.runtimeBytes, seed: 'hound-bench-runtime-a' },
    { name: 'runtime-b', sizeBytes: sizes.runtimeBytes, seed: 'hound-bench-runtime-b' },
  ];
  const images: BenchImage[] = [];
  for (let i = 0; i < sizes.appCount; i++) {
    layers.push({ name: `app${i}`, sizeBytes: sizes.appBytes, seed: `hound-bench-app${i}` });
    images.push({ repository: appRepository(i), tag: 'latest', layers: ['base', i % 2 === 0 ? 'runtime-a' : 'runtime-b', `app${i}`] });
  }
  for (let i = 0; i < sizes.appCount; i++) {
    const own = [`solo${i}-base`, `solo${i}-runtime`, `solo${i}-app`];
    layers.push(
      { name: own[0], sizeBytes: sizes.baseBytes, seed: `hound-bench-solo${i}-base` },
      { name: own[1], sizeBytes: sizes.runtimeBytes, seed: `hound-bench-solo${i}-runtime` },
      { name: own[2], sizeBytes: sizes.appBytes, seed: `hound-bench-solo${i}-app` },
    );
    images.push({ repository: soloRepository(i), tag: 'latest', layers: own });
  }
  return { layers, images };
}

/** Lab node names are node1..nodeN; index 0 is node1. */
export function nodeName(index: number): string {
  return `node${index + 1}`;
}

/**
 * Per node (node1..nodeN, in order), the repositories (`bench/appK:latest`) it must hold.
 * diverse: node i gets app (i mod A) and app ((i+3) mod A); identical: app0 everywhere;
 * noop: the diverse needs, already present before the contender starts; disjoint: node i
 * gets solo (i mod A), whose layers no other image has.
 */
export function nodeNeeds(workload: WorkloadName, nodeCount: number, appCount = DEFAULT_SIZES.appCount): string[][] {
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new RangeError(`node count must be a positive integer, got ${nodeCount}`);
  const needs: string[][] = [];
  for (let i = 0; i < nodeCount; i++) {
    if (workload === 'identical') {
      needs.push([`${appRepository(0)}:latest`]);
    } else if (workload === 'disjoint') {
      // Nothing shared between nodes: the relay can only add a hop (auto must pick direct).
      needs.push([`${soloRepository(i % appCount)}:latest`]);
    } else {
      const first = i % appCount;
      const second = (i + 3) % appCount;
      const refs = [`${appRepository(first)}:latest`];
      if (second !== first) refs.push(`${appRepository(second)}:latest`);
      needs.push(refs);
    }
  }
  return needs;
}

/** The layer names behind `repository:tag`, bottom first. */
export function layersOf(set: BenchImageSet, repoAndTag: string): string[] {
  const image = set.images.find((img) => `${img.repository}:${img.tag}` === repoAndTag);
  if (!image) throw new RangeError(`no image ${repoAndTag} in the benchmark's image set`);
  return image.layers;
}

/**
 * Only the images (and their layers) some node needs in these workloads: generating and
 * pushing the other ones would take seconds of every benchmark for nothing.
 */
export function neededImageSet(set: BenchImageSet, workloads: readonly WorkloadName[], nodeCounts: readonly number[]): BenchImageSet {
  const refs = new Set(workloads.flatMap((w) => nodeCounts.flatMap((n) => nodeNeeds(w, n).flat())));
  const images = set.images.filter((img) => refs.has(`${img.repository}:${img.tag}`));
  const layerNames = new Set(images.flatMap((img) => img.layers));
  return { layers: set.layers.filter((l) => layerNames.has(l.name)), images };
}
