import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lowerBounds } from '../../../bench/bounds.js';
import { buildImageSet, layersOf, nodeNeeds } from '../../../bench/workload.js';

const MBIT = 1e6;

function defaultBounds(workload: 'diverse' | 'identical', nodes: number) {
  const set = buildImageSet();
  const layerBytes = new Map(set.layers.map((l) => [l.name, l.sizeBytes]));
  const nodeLayers = nodeNeeds(workload, nodes).map((refs) => refs.flatMap((r) => layersOf(set, r)));
  return lowerBounds({ nodeLayers, layerBytes, registryBitsPerSecond: 40 * MBIT, nodeBitsPerSecond: 10 * MBIT });
}

describe('lowerBounds', () => {
  it('gives the reference figures for the diverse workload at 10 nodes', () => {
    // Each node: base 5 + runtime-a 4 + runtime-b 4 + two apps 2+2 = 17 MB; 10 nodes = 170 MB
    // through 5 MB/s = 34 s; unique 5+4+4+10×2 = 33 MB → 6.6 s, but a node link of 1.25 MB/s
    // needs 17/1.25 = 13.6 s.
    const b = defaultBounds('diverse', 10);
    expect(b.totalBytes).toBe(170e6);
    expect(b.uniqueBytes).toBe(33e6);
    expect(b.largestNodeBytes).toBe(17e6);
    expect(b.originOnlySeconds).toBeCloseTo(34, 9);
    expect(b.eachLayerOnceSeconds).toBeCloseTo(13.6, 9);
  });

  it("adds the machine's CPU bound only when the pull cost is measured: all nodes' bytes at that cost over the cores", () => {
    const set = buildImageSet();
    const layerBytes = new Map(set.layers.map((l) => [l.name, l.sizeBytes]));
    const nodeLayers = nodeNeeds('diverse', 50).map((refs) => refs.flatMap((r) => layersOf(set, r)));
    const input = { nodeLayers, layerBytes, registryBitsPerSecond: 40 * MBIT, nodeBitsPerSecond: 10 * MBIT };
    expect(lowerBounds(input).cpuSeconds).toBeUndefined();
    // 50 nodes × 17 MB = 850 MB at 0.2 s of CPU per MB over 2 cores = 85 s.
    expect(lowerBounds({ ...input, cpu: { secondsPerByte: 0.2e-6, cores: 2 } }).cpuSeconds).toBeCloseTo(85, 6);
    expect(lowerBounds({ ...input, cpu: { secondsPerByte: 0.2e-6, cores: 0 } }).cpuSeconds).toBeUndefined();
  });

  it('gives the reference figures for the identical workload at 10 nodes', () => {
    const b = defaultBounds('identical', 10);
    expect(b.totalBytes).toBe(110e6);
    expect(b.uniqueBytes).toBe(11e6);
    expect(b.originOnlySeconds).toBeCloseTo(22, 9);
    expect(b.eachLayerOnceSeconds).toBeCloseTo(8.8, 9);
  });

  it('lets the registry uplink dominate when it is the slow link', () => {
    const b = lowerBounds({
      nodeLayers: [['a'], ['a', 'b']],
      layerBytes: new Map([
        ['a', 1000],
        ['b', 3000],
      ]),
      registryBitsPerSecond: 800, // 100 B/s
      nodeBitsPerSecond: 8e6,
    });
    expect(b.totalBytes).toBe(5000);
    expect(b.uniqueBytes).toBe(4000);
    expect(b.originOnlySeconds).toBeCloseTo(50, 9);
    expect(b.eachLayerOnceSeconds).toBeCloseTo(40, 9);
  });

  it('counts a layer a node needs twice only once', () => {
    const b = lowerBounds({ nodeLayers: [['a', 'a']], layerBytes: new Map([['a', 10]]), registryBitsPerSecond: 8, nodeBitsPerSecond: 8 });
    expect(b.totalBytes).toBe(10);
    expect(b.originOnlySeconds).toBe(10);
  });

  it('rejects an unknown layer and non-positive rates', () => {
    expect(() => lowerBounds({ nodeLayers: [['x']], layerBytes: new Map(), registryBitsPerSecond: 8, nodeBitsPerSecond: 8 })).toThrow(/layer x/);
    expect(() => lowerBounds({ nodeLayers: [], layerBytes: new Map(), registryBitsPerSecond: 0, nodeBitsPerSecond: 8 })).toThrow(/positive/);
  });

  it('never puts the each-layer-once bound above the origin-only bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 1e7 }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 1, max: 1e9 }),
        (needs, sizes, registry, node) => {
          const layerBytes = new Map(sizes.map((s, i) => [`l${i}`, s]));
          const b = lowerBounds({ nodeLayers: needs.map((n) => n.map((i) => `l${i}`)), layerBytes, registryBitsPerSecond: registry, nodeBitsPerSecond: node });
          expect(b.eachLayerOnceSeconds).toBeLessThanOrEqual(b.originOnlySeconds + 1e-9);
          expect(b.uniqueBytes).toBeLessThanOrEqual(b.totalBytes);
          expect(b.largestNodeBytes).toBeLessThanOrEqual(b.uniqueBytes);
        },
      ),
    );
  });
});
