// The model of docs/scale.md, evaluated: for the benchmark's diverse workload, the time each
// way of moving images takes by relay/distribution-model.ts, on this lab's rates at the node
// counts the lab runs, and on a datacentre's rates at 1,000 and 10,000 nodes. Prints Markdown
// tables; nothing is measured here (docs/scale.md sets the measured figures beside them).
//
//   node dist/bench/scale-model.js
import { parseLinkRate } from '../base/link-rate.js';
import { DEFAULT_SEED_START_SECONDS, fanoutShapeOf } from '../relay/choose-distribution.js';
import { estimateDirect, estimateFanout, estimatePeerToPeer, estimateRelay, sharedPullCpuRate, type LinkRates } from '../relay/distribution-model.js';
import { buildRegistryImage } from '../lab/registry-image.js';
import { diverseWorkload } from './model-workload.js';
import { DEFAULT_SIZES, type ImageSetSizes } from './workload.js';

interface Setting {
  title: string;
  rates: { registry: string; node: string; controller: string };
  sizes: ImageSetSizes;
  nodeCounts: number[];
  /** The nodes share these cores with the controller (the lab): their pulls' processing counts (docs/scale.md). */
  sharedCores?: number;
}

const SETTINGS: Setting[] = [
  {
    title: "This lab's rates, the benchmark's diverse workload (17 MB per node)",
    rates: { registry: '40mbit', node: '10mbit', controller: '100mbit' },
    sizes: DEFAULT_SIZES,
    nodeCounts: [10, 25, 50, 100],
  },
  {
    title: "This lab's rates with its nodes on the controller's 2 cores, as `auto` weighs them there",
    rates: { registry: '40mbit', node: '10mbit', controller: '100mbit' },
    sizes: DEFAULT_SIZES,
    nodeCounts: [10, 25, 50, 100],
    sharedCores: 2,
  },
  {
    title: 'A datacentre (10 Gbit registry uplink, 25 Gbit nodes, 1 Gbit controller), the diverse workload ×100 (1.7 GB per node)',
    rates: { registry: '10gbit', node: '25gbit', controller: '1gbit' },
    sizes: { baseBytes: 500_000_000, runtimeBytes: 400_000_000, appBytes: 200_000_000, appCount: 10 },
    nodeCounts: [1000, 10000],
  },
];

function bytesPerSecond(text: string): number {
  const rate = parseLinkRate(text);
  if (!rate) throw new RangeError(`not a link rate: ${text}`);
  return rate.bitsPerSecond / 8;
}

function cell(e: { seconds: number; bound: string }): string {
  return `${e.seconds.toFixed(1)} s (${e.bound})`;
}

function main(): void {
  const registryImage = buildRegistryImage();
  const seedImageBytes = registryImage.layers.reduce((sum, l) => sum + l.size, 0) + registryImage.config.data.length;
  for (const s of SETTINGS) {
    const rates: LinkRates = {
      registryUplink: bytesPerSecond(s.rates.registry),
      nodeLink: bytesPerSecond(s.rates.node),
      controllerLink: bytesPerSecond(s.rates.controller),
      ...(s.sharedCores === undefined ? {} : { sharedPullCpu: sharedPullCpuRate(s.sharedCores) }),
    };
    console.log(`### ${s.title}\n`);
    console.log('| nodes | total / unique bytes | direct | relay | fan-out (seeds) | P2P engine |');
    console.log('|---|---|---|---|---|---|');
    for (const nodes of s.nodeCounts) {
      const w = diverseWorkload(nodes, s.sizes);
      // The seeds and lanes chooseDistribution would weigh (on shared cores: the estimates' count, no lanes).
      const shape = fanoutShapeOf(w, rates, seedImageBytes);
      const fanout = estimateFanout(w, rates, shape);
      console.log(
        `| ${nodes} | ${(w.totalBytes / 1e6).toFixed(0)} MB / ${(w.uniqueBytes / 1e6).toFixed(0)} MB | ${cell(estimateDirect(w, rates))} | ${cell(estimateRelay(w, rates))} | ${cell(fanout)} (${shape.seeds}) | ${cell(estimatePeerToPeer(w, rates))} |`,
      );
    }
    console.log('');
  }
  console.log(`Seed image: ${(seedImageBytes / 1e6).toFixed(1)} MB (the lab's registry image); seed start: ${DEFAULT_SEED_START_SECONDS} s.`);
}

main();
