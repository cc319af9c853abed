// The benchmark's diverse workload as relay/distribution-model.ts takes it: the byte counts
// (bench/bounds.ts counts them as the benchmark does) and what each seed would be fed
// (relay/seed-plan.ts). For bench/scale-model.ts and the tests of `auto`'s choice on the lab.
import type { Workload } from '../relay/distribution-model.js';
import { seedFeedBytes } from '../relay/seed-plan.js';
import { lowerBounds } from './bounds.js';
import { buildImageSet, DEFAULT_SIZES, layersOf, nodeNeeds, type ImageSetSizes } from './workload.js';

export function diverseWorkload(nodes: number, sizes: ImageSetSizes = DEFAULT_SIZES): Workload {
  const set = buildImageSet(sizes);
  const layerBytes = new Map(set.layers.map((l) => [l.name, l.sizeBytes]));
  const needs = nodeNeeds('diverse', nodes, sizes.appCount);
  const nodeLayers = needs.map((refs) => refs.flatMap((ref) => layersOf(set, ref)));
  const b = lowerBounds({ nodeLayers, layerBytes, registryBitsPerSecond: 1, nodeBitsPerSecond: 1 });
  const imageLayers = new Map(
    [...new Set(needs.flat())].map((ref) => [ref, layersOf(set, ref).map((name) => ({ digest: name, size: layerBytes.get(name)! }))]),
  );
  const hosts = needs.map((images, i) => ({ host: `node${i + 1}`, images }));
  return {
    nodes,
    totalBytes: b.totalBytes,
    uniqueBytes: b.uniqueBytes,
    maxNodeBytes: b.largestNodeBytes,
    seedFeed: (seeds) => seedFeedBytes(hosts, imageLayers, seeds),
  };
}
