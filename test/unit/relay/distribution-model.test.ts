import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RELAY_LANES,
  estimateDirect,
  estimateFanout,
  estimatePeerToPeer,
  estimateRelay,
  MAX_NODES_PER_SEED,
  PULL_CPU_SECONDS_PER_BYTE,
  relayLaneCount,
  seedCount,
  sharedPullCpuRate,
  pullCpuSecondsPerByte,
  sharedSeedCount,
} from '../../../relay/distribution-model.js';
import { assignSeeds, feedOrder, seedFeedBytes } from '../../../relay/seed-plan.js';
import { parseLinkRate } from '../../../base/link-rate.js';

const MB = 1_000_000;
// The benchmark lab: registry 40 mbit, controller 100 mbit, nodes 10 mbit (bytes/s).
const lab = { registryUplink: 5e6, controllerLink: 12.5e6, nodeLink: 1.25e6 };
// 50 nodes of the diverse workload: 17 MB each, 35 MB distinct.
const diverse50 = { nodes: 50, totalBytes: 850 * MB, uniqueBytes: 35 * MB, maxNodeBytes: 17 * MB };

describe('the distribution model', () => {
  it('bounds direct by the registry uplink carrying every node’s bytes', () => {
    expect(estimateDirect(diverse50, lab)).toEqual({ seconds: 170, bound: 'the registry uplink' });
  });

  it("bounds the relay by the controller's link once nodes are many", () => {
    expect(estimateRelay(diverse50, lab)).toEqual({ seconds: 68, bound: "the controller's link" });
    // At 9 nodes the relay is held by the node links: 17 MB over 10 mbit (at 10, the controller ties).
    expect(estimateRelay({ ...diverse50, nodes: 9, totalBytes: 153 * MB }, lab)).toEqual({ seconds: 13.6, bound: 'the node links' });
  });

  it('bounds fan-out by the seeds: layers once per seed over the controller and the seed’s downlink, every node’s bytes over the seeds’ uplinks', () => {
    const shape = { seeds: 5, seedImageBytes: 0, seedStartSeconds: 0 };
    // 5 seeds: 175 MB over the controller (14 s); 170 MB per seed uplink at 10 mbit (136 s).
    expect(estimateFanout(diverse50, lab, shape)).toEqual({ seconds: 136, bound: "the seeds' uplinks" });
    // With fast uplinks (the lab shapes node downlinks only), each seed receiving the 35 MB
    // of distinct layers over its 10 mbit downlink sets the time.
    expect(estimateFanout(diverse50, { ...lab, nodeUplink: 125e6 }, shape)).toEqual({ seconds: 28, bound: "the seeds' downlinks" });
    // With fast node links too, the controller's link (35 MB per seed) does.
    expect(estimateFanout(diverse50, { ...lab, nodeLink: 125e6 }, shape)).toEqual({ seconds: 14, bound: "the controller's link" });
    // The seeds' start-up comes first: their image once from the registry, once per seed over
    // the controller, into each seed over its downlink (10 MB at 10 mbit: 8 s), then the start.
    const withSetup = estimateFanout(diverse50, { ...lab, nodeUplink: 125e6 }, { seeds: 5, seedImageBytes: 10 * MB, seedStartSeconds: 3 });
    expect(withSetup.seconds).toBeCloseTo(8 + 3 + 28, 6);
  });

  it("counts the relay's lanes: nodes served at their link's rate until the seeds are fed, which the seeds then need not serve", () => {
    const shape = { seeds: 2, seedImageBytes: 0, seedStartSeconds: 0 };
    // 2 seeds fed in 28 s; 8 lanes carry 8 × 1.25 MB/s × 28 s = 280 MB meanwhile, so the
    // seeds' 10 mbit uplinks serve 570 MB (228 s) rather than 850 MB (340 s).
    expect(estimateFanout(diverse50, lab, shape).seconds).toBeCloseTo(340, 6);
    expect(estimateFanout(diverse50, lab, { ...shape, relayLanes: 8 }).seconds).toBeCloseTo(228, 6);
    // Never more than the nodes that are not seeds, and never more bytes than theirs: 3 nodes,
    // one a seed, leave the seed's own 17 MB to its uplink (13.6 s), behind its feed.
    const few = { nodes: 3, totalBytes: 51 * MB, uniqueBytes: 17 * MB, maxNodeBytes: 17 * MB };
    expect(estimateFanout(few, lab, { ...shape, seeds: 1, relayLanes: 100 }).seconds).toBeCloseTo(13.6, 6);
  });

  it('bounds a peer-to-peer engine by the node links, plus a little per tree level', () => {
    const p2p = estimatePeerToPeer(diverse50, lab, 0);
    expect(p2p).toEqual({ seconds: 13.6, bound: 'the node uplinks' });
    expect(estimatePeerToPeer(diverse50, lab, 0.1).seconds).toBeCloseTo(13.6 + 0.1 * Math.log2(50), 6);
  });

  it('leaves out links whose rate is unknown', () => {
    expect(estimateRelay(diverse50, { registryUplink: 5e6 })).toEqual({ seconds: 7, bound: 'the registry uplink' });
    expect(estimateDirect(diverse50, {})).toEqual({ seconds: 0, bound: 'nothing' });
  });

  it('balances the seed count between the controller link and the seeds’ uplinks', () => {
    // √(850·12.5 / (35·1.25)) = 15.6 → 16
    expect(seedCount(diverse50, lab)).toBe(16);
    // Without rates: one seed per MAX_NODES_PER_SEED nodes.
    expect(seedCount(diverse50, {})).toBe(Math.ceil(50 / MAX_NODES_PER_SEED));
    expect(seedCount({ ...diverse50, nodes: 3 }, {})).toBe(1);
    // Never more seeds than nodes.
    expect(seedCount({ nodes: 2, totalBytes: 2 * MB, uniqueBytes: MB, maxNodeBytes: MB }, { controllerLink: 1e12, nodeLink: 1 })).toBe(2);
  });

  it('never estimates fan-out below the node links nor the unique bytes over the registry (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (nodes, unique, sharing, seeds) => {
          const maxNodeBytes = unique;
          const w = { nodes, uniqueBytes: unique, totalBytes: Math.min(nodes * unique, unique * sharing), maxNodeBytes };
          const f = estimateFanout(w, lab, { seeds, seedImageBytes: 0, seedStartSeconds: 0 }).seconds;
          expect(f).toBeGreaterThanOrEqual(maxNodeBytes / lab.nodeLink - 1e-9);
          // A seed is a node: every distinct byte crosses its downlink.
          expect(f).toBeGreaterThanOrEqual(unique / lab.nodeLink - 1e-9);
          expect(f).toBeGreaterThanOrEqual(unique / lab.registryUplink - 1e-9);
          expect(seedCount(w, lab)).toBeGreaterThanOrEqual(1);
          expect(seedCount(w, lab)).toBeLessThanOrEqual(nodes);
        },
      ),
    );
  });
});

describe('assignSeeds', () => {
  // The benchmark's diverse workload: node i needs app (i mod 10) and app ((i+3) mod 10); each
  // app is a 5 MB base, a 4 MB runtime (a for even apps, b for odd) and its own 2 MB.
  const diverse = Array.from({ length: 50 }, (_, i) => ({ host: `node${i + 1}`, images: [`app${i % 10}`, `app${(i + 3) % 10}`] }));
  const appLayers = new Map(
    Array.from({ length: 10 }, (_, k) => [
      `app${k}`,
      [
        { digest: 'base', size: 5 * MB },
        { digest: k % 2 === 0 ? 'runtime-a' : 'runtime-b', size: 4 * MB },
        { digest: `layer${k}`, size: 2 * MB },
      ],
    ]),
  );
  const imagesOf = (block: { serves: Map<string, string[]> }) => new Set([...block.serves.values()].flat());

  it('gives each image a seed of its own when there are as many seeds as images: 11 MB fed per seed, not a pair of apps (17 MB)', () => {
    const blocks = assignSeeds(diverse, 10, appLayers);
    expect(blocks).toHaveLength(10);
    for (const block of blocks) {
      expect(imagesOf(block).size).toBe(1);
      expect(block.serves.size).toBe(10);
      expect(block.serves.has(block.seed)).toBe(true);
    }
    expect(new Set(blocks.map((b) => b.seed)).size).toBe(10);
    expect(seedFeedBytes(diverse, appLayers, 10)).toEqual(new Array<number>(10).fill(11 * MB));
  });

  it('puts neighbouring images, by their lower layers, on one seed when seeds are fewer than images', () => {
    const blocks = assignSeeds(diverse, 5, appLayers);
    const runtimes = blocks.map((block) => new Set([...imagesOf(block)].map((image) => appLayers.get(image)![1].digest)).size);
    // Five even apps (runtime-a) then five odd (runtime-b), two by two: one pair straddles.
    expect(runtimes).toEqual([1, 1, 2, 1, 1]);
    expect(seedFeedBytes(diverse, appLayers, 5)).toEqual([13, 13, 17, 13, 13].map((n) => n * MB));
    // Without layers, by name: app0+app1 then app2+app3…, each pair on both runtimes.
    expect(assignSeeds(diverse, 5).map((block) => [...imagesOf(block)].sort())).toEqual([
      ['app0', 'app1'],
      ['app2', 'app3'],
      ['app4', 'app5'],
      ['app6', 'app7'],
      ['app8', 'app9'],
    ]);
  });

  it('splits one image among several seeds, nodes in natural order, seeds by the most bytes to serve', () => {
    const hosts = Array.from({ length: 10 }, (_, i) => ({ host: `node${i + 1}`, images: ['app:1'] })).reverse();
    expect(assignSeeds(hosts, 3).map((b) => [b.seed, [...b.serves.keys()]])).toEqual([
      ['node1', ['node1', 'node2', 'node3']],
      ['node4', ['node4', 'node5', 'node6']],
      ['node7', ['node7', 'node8', 'node9', 'node10']],
    ]);
    // 8 nodes need a 1 MB image, 2 nodes a 10 MB one: 8 MB against 20 MB to serve.
    const layers = new Map([
      ['small', [{ digest: 's', size: 1 * MB }]],
      ['big', [{ digest: 't', size: 10 * MB }]],
    ]);
    const mixed = Array.from({ length: 10 }, (_, i) => ({ host: `n${i + 1}`, images: [i < 8 ? 'small' : 'big'] }));
    const seedsPer = (count: number) => assignSeeds(mixed, count, layers).map((b) => [...imagesOf(b)][0]);
    expect(seedsPer(3)).toEqual(['small', 'big', 'big']);
    expect(seedsPer(4)).toEqual(['small', 'small', 'big', 'big']);
  });

  it("seeds each block on the node that pulls least outside it, so the block's feed is most of what its downlink carries", () => {
    // n1–n3 need a and b, n4 only a: n4 seeds a; b goes to n1, the first of its equals.
    const nodes = [
      { host: 'n1', images: ['a', 'b'] },
      { host: 'n2', images: ['a', 'b'] },
      { host: 'n3', images: ['a', 'b'] },
      { host: 'n4', images: ['a'] },
    ];
    expect(assignSeeds(nodes, 2).map((b) => b.seed)).toEqual(['n4', 'n1']);
    // One seed for a lone node's image, when that node seeds another block already: the first free node seeds it.
    expect(
      assignSeeds(
        [
          { host: 'n1', images: ['a', 'b'] },
          { host: 'n2', images: [] },
        ],
        2,
      ).map((b) => b.seed),
    ).toEqual(['n1', 'n2']);
  });

  it('places seeds only on nodes that may run one (the others pull from seeds on them: hound_fanout_seed_node=false), one per such node at most', () => {
    // The diverse workload with seeds kept off every node but node1 and node2: ten images, two seeds.
    const mixed = diverse.map((n) => ({ ...n, runsSeeds: n.host === 'node1' || n.host === 'node2' }));
    const blocks = assignSeeds(mixed, 10, appLayers);
    expect(blocks.map((b) => b.seed).sort()).toEqual(['node1', 'node2']);
    expect(blocks.reduce((sum, b) => sum + [...b.serves.values()].flat().length, 0)).toBe(100);
    expect(seedFeedBytes(mixed, appLayers, 10)).toHaveLength(2);
    // A block whose own nodes may all run none is seeded from outside it, by a free node that may.
    const nodes = [
      { host: 'n1', images: ['a'] },
      { host: 'n2', images: ['b'], runsSeeds: false },
      { host: 'n3', images: [] },
    ];
    expect(assignSeeds(nodes, 2).map((b) => [b.seed, [...b.serves.keys()]])).toEqual([
      ['n1', ['n1']],
      ['n3', ['n2']],
    ]);
    // No node that can: no seeds.
    expect(assignSeeds([{ host: 'n1', images: ['a'], runsSeeds: false }], 3)).toEqual([]);
  });

  it('with some nodes unable to run a seed, still serves every pull once, each seed on a node that can (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.subarray(['a', 'b', 'c', 'd'], { minLength: 0 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        (spec, seeds) => {
          const nodes = spec.map(([images, runs], i) => ({ host: `n${i + 1}`, images, runsSeeds: runs }));
          const runners = new Set(nodes.filter((n) => n.runsSeeds).map((n) => n.host));
          const pulls = nodes.flatMap((n) => n.images.map((image) => `${n.host} ${image}`));
          const blocks = assignSeeds(nodes, seeds);
          if (runners.size === 0 || pulls.length === 0) {
            expect(blocks).toEqual([]);
            return;
          }
          const served = blocks.flatMap((b) => [...b.serves].flatMap(([host, images]) => images.map((image) => `${host} ${image}`)));
          expect(served.sort()).toEqual(pulls.sort());
          for (const block of blocks) expect(runners.has(block.seed), block.seed).toBe(true);
          expect(new Set(blocks.map((b) => b.seed)).size).toBe(blocks.length);
          expect(blocks.length).toBeLessThanOrEqual(Math.min(seeds, runners.size));
        },
      ),
    );
  });

  it('serves every pull exactly once, from at most one seed per node, with between 1 and the count asked seeds (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,3}\d{0,3}$/), { minLength: 1, maxLength: 60 }),
        fc.array(fc.subarray(['a', 'b', 'c', 'd', 'e'], { minLength: 1 }), { minLength: 60, maxLength: 60 }),
        fc.integer({ min: -2, max: 80 }),
        (hosts, needs, seeds) => {
          const nodes = hosts.map((host, i) => ({ host, images: needs[i] }));
          const blocks = assignSeeds(nodes, seeds);
          const pulls = nodes.flatMap((n) => n.images.map((image) => `${n.host} ${image}`));
          const served = blocks.flatMap((b) => [...b.serves].flatMap(([host, images]) => images.map((image) => `${host} ${image}`)));
          expect(served.sort()).toEqual(pulls.sort());
          expect(new Set(blocks.map((b) => b.seed)).size).toBe(blocks.length);
          expect(blocks.length).toBeGreaterThanOrEqual(1);
          expect(blocks.length).toBeLessThanOrEqual(Math.max(1, Math.min(seeds, hosts.length, pulls.length)));
          for (const block of blocks) expect(block.serves.size).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('seedFeedBytes', () => {
  it("counts each seed's distinct layers once, from the same blocks assignSeeds gives", () => {
    // Two images sharing a 5 MB base; a third alone.
    const layers = new Map([
      [
        'a',
        [
          { digest: 'base', size: 5 * MB },
          { digest: 'a1', size: 2 * MB },
        ],
      ],
      [
        'b',
        [
          { digest: 'base', size: 5 * MB },
          { digest: 'b1', size: 3 * MB },
        ],
      ],
      ['c', [{ digest: 'c1', size: 7 * MB }]],
    ]);
    const nodes = [
      { host: 'n1', images: ['a', 'b'] },
      { host: 'n2', images: ['a', 'b'] },
      { host: 'n3', images: ['c'] },
      { host: 'n4', images: ['c'] },
    ];
    expect(seedFeedBytes(nodes, layers, 1)).toEqual([17 * MB]);
    // a and b share their base and one seed (the base once); c has the other.
    expect(seedFeedBytes(nodes, layers, 2)).toEqual([10 * MB, 7 * MB]);
    expect(seedFeedBytes(nodes, layers, 2)).toHaveLength(assignSeeds(nodes, 2, layers).length);
  });
});

describe('the model when the nodes share one machine’s CPUs', () => {
  // The lab as `auto` probes it, on its 2 cores.
  const probed = { registryUplink: 4.3e6, controllerLink: 10.3e6, nodeLink: 1.4e6, relayCpu: 28.2e6, sharedPullCpu: sharedPullCpuRate(2) };
  const shape = { seedImageBytes: 7.6 * MB, seedStartSeconds: 3, relayLanes: 0 };

  it("processes every node's bytes at the cores' rate, after the seeds are up and fed", () => {
    expect(sharedPullCpuRate(2)).toBeCloseTo(2 / PULL_CPU_SECONDS_PER_BYTE.docker, 6);
    const fed = { ...diverse50, seedFeed: (seeds: number) => new Array<number>(seeds).fill(17 * MB) };
    // 10 seeds: their image over the controller's link (76 MB at 10.3 MB/s), the start, 17 MB
    // for each seed over the controller's link (170 MB at 10.3 MB/s, slower than 17 MB into
    // each seed at 1.4 MB/s); then 850 MB at 25 MB/s.
    const expected = (7.6 * 10) / 10.3 + 3 + 170 / 10.3 + 850 / 25;
    expect(estimateFanout(fed, probed, { ...shape, seeds: 10 })).toEqual({
      seconds: expect.closeTo(expected, 6) as number,
      bound: "the seeds' start and feed, then the nodes' shared CPU",
    });
    // Without the shared CPU, the seeds' uplinks (the node link, unstated) hold it: 85 MB each at 1.4 MB/s.
    const { sharedPullCpu: _, ...linksOnly } = probed;
    expect(estimateFanout(fed, linksOnly, { ...shape, seeds: 10 }).bound).toBe("the seeds' uplinks");
    // The relay and direct are bounded by the same cores, here below their links.
    expect(estimateRelay(diverse50, { ...probed, sharedPullCpu: 5 * MB }).bound).toBe("the nodes' shared CPU");
    expect(estimateDirect(diverse50, { ...probed, registryUplink: 100 * MB, sharedPullCpu: 5 * MB }).seconds).toBeCloseTo(170, 6);
  });

  it("weighs each node's bytes at its runtime's processing cost", () => {
    const { docker, podman, containerd } = PULL_CPU_SECONDS_PER_BYTE;
    expect(pullCpuSecondsPerByte([{ bytes: 17 * MB, runtime: 'docker' }])).toBeCloseTo(docker, 15);
    // 1 MB at Docker's cost and 3 MB at podman's: three quarters of the bytes at podman's.
    const mixed = pullCpuSecondsPerByte([
      { bytes: 1 * MB, runtime: 'docker' },
      { bytes: 3 * MB, runtime: 'podman' },
      { bytes: 0, runtime: 'containerd' },
    ]);
    expect(mixed).toBeCloseTo(0.25 * docker + 0.75 * podman, 15);
    expect(pullCpuSecondsPerByte([{ bytes: 5 * MB, runtime: 'containerd' }])).toBeCloseTo(containerd, 15);
    // Nothing to pull: Docker's, whatever the nodes run.
    expect(pullCpuSecondsPerByte([{ bytes: 0, runtime: 'podman' }])).toBe(docker);
    // The rate the cores give falls as the cost rises.
    expect(sharedPullCpuRate(2, podman)).toBeCloseTo(2 / podman, 6);
    expect(sharedPullCpuRate(2, podman) < sharedPullCpuRate(2) === podman > docker).toBe(true);
  });

  it('feeds each seed only what its nodes need, when the plan gives it', () => {
    const all = estimateFanout(diverse50, probed, { ...shape, seeds: 10 });
    const less = estimateFanout({ ...diverse50, seedFeed: (seeds) => new Array<number>(seeds).fill(17 * MB) }, probed, { ...shape, seeds: 10 });
    // 10 × 35 MB against 10 × 17 MB over the controller's link at 10.3 MB/s.
    expect(all.seconds - less.seconds).toBeCloseTo((10 * (35 - 17)) / 10.3, 6);
  });

  it('takes the most seeds among the counts within 10% of the best estimate', () => {
    const fed = { ...diverse50, seedFeed: (seeds: number) => new Array<number>(seeds).fill(seeds >= 10 ? 17 * MB : 21 * MB) };
    const chosen = sharedSeedCount(fed, probed, shape);
    const estimate = (seeds: number) => estimateFanout(fed, probed, { ...shape, seeds }).seconds;
    const best = Math.min(...Array.from({ length: 50 }, (_, i) => estimate(i + 1)));
    expect(estimate(chosen)).toBeLessThanOrEqual(best * 1.1);
    expect(estimate(chosen + 1)).toBeGreaterThan(best * 1.1);
    expect(chosen).toBeGreaterThan(Array.from({ length: 50 }, (_, i) => i + 1).find((s) => estimate(s) === best)!);
  });
});

describe('relayLaneCount', () => {
  const w = { nodes: 50, totalBytes: 850e6, uniqueBytes: 33e6, maxNodeBytes: 17e6 };

  it("is the controller's link left after feeding the seeds, in node links", () => {
    // The lab: 100 mbit controller, 10 mbit nodes, 2 seeds fed at 10 mbit each: 8 lanes.
    expect(relayLaneCount(w, { controllerLink: 12.5e6, nodeLink: 1.25e6 }, 2)).toBe(8);
    // Hound's CPU lower than the link holds it instead.
    expect(relayLaneCount(w, { controllerLink: 12.5e6, nodeLink: 1.25e6, relayCpu: 5e6 }, 2)).toBe(2);
    // Seeds that take the whole link leave none; never below zero.
    expect(relayLaneCount(w, { controllerLink: 12.5e6, nodeLink: 1.25e6 }, 12)).toBe(0);
  });

  it('never exceeds the nodes that are not seeds, and without rates is none', () => {
    expect(relayLaneCount({ ...w, nodes: 5 }, { controllerLink: 1e9, nodeLink: 1e6 }, 2)).toBe(3);
    expect(DEFAULT_RELAY_LANES).toBe(0);
    expect(relayLaneCount(w, {}, 2)).toBe(0);
    expect(relayLaneCount({ ...w, nodes: 3 }, { registryUplink: 5e6 }, 1)).toBe(0);
  });
});

describe('feedOrder', () => {
  const blob = (digest: string, size: number) => ({ digest, size });

  it("feeds blobs most-needed first by the seed's nodes, configs with the layers, each once", () => {
    const order = feedOrder([
      { reference: 'app1', demand: 2, blobs: [blob('c1', 1), blob('base', 50), blob('rt-b', 40), blob('l1', 20)] },
      { reference: 'app0', demand: 5, blobs: [blob('c0', 1), blob('base', 50), blob('rt-a', 40), blob('l0', 20)] },
      { reference: 'app3', demand: 3, blobs: [blob('c3', 1), blob('base', 50), blob('rt-b', 40), blob('l3', 20)] },
    ]);
    expect(order.map((b) => b.digest)).toEqual(['base', 'rt-b', 'c0', 'rt-a', 'l0', 'c3', 'l3', 'c1', 'l1']);
    // A shared blob goes under the first image that holds it: that repository is where it is pushed.
    expect(order.find((b) => b.digest === 'base')?.image).toBe('app1');
    expect(order.find((b) => b.digest === 'rt-a')).toEqual({ digest: 'rt-a', size: 40, image: 'app0' });
  });

  it('is empty for no images', () => {
    expect(feedOrder([])).toEqual([]);
  });
});

describe('parseLinkRate', () => {
  it('reads tc units, bits and bytes', () => {
    expect(parseLinkRate('40mbit')).toEqual({ text: '40mbit', bitsPerSecond: 40e6 });
    expect(parseLinkRate(' 25MBps ')).toEqual({ text: '25mbps', bitsPerSecond: 200e6 });
    expect(parseLinkRate('1.5gbit')?.bitsPerSecond).toBe(1.5e9);
  });

  it('refuses what is not a rate', () => {
    for (const text of ['', '40', 'mbit', '0mbit', '40 parsecs', '-3mbit']) expect(parseLinkRate(text)).toBeUndefined();
  });
});
