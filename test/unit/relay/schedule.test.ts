import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRelaySchedule, type LayerInfo } from '../../../relay/schedule.js';
import { chooseDistribution, distributionInputOf } from '../../../relay/choose-distribution.js';

const MB = 1_000_000;
const base: LayerInfo = { digest: 'sha256:base', size: 5 * MB };
const runtime: LayerInfo = { digest: 'sha256:runtime', size: 4 * MB };
const app = (i: number): LayerInfo => ({ digest: `sha256:app${i}`, size: 2 * MB });

// The lab's sample set: app i = app layer i on a shared runtime on a shared base.
const layers = new Map<string, LayerInfo[]>(Array.from({ length: 10 }, (_, i) => [`app${i}`, [base, runtime, app(i)]]));
const diverse = Array.from({ length: 10 }, (_, i) => ({ host: `node${i}`, images: [`app${i}`, `app${(i + 3) % 10}`] }));

describe('planRelaySchedule', () => {
  it('prefetches the layers most nodes need first, then by size', () => {
    const schedule = planRelaySchedule({ nodes: diverse, layers });
    expect(schedule.prefetch.slice(0, 2).map((l) => [l.digest, l.nodes])).toEqual([
      ['sha256:base', 10],
      ['sha256:runtime', 10],
    ]);
    expect(schedule.prefetch.slice(2).every((l) => l.nodes === 2)).toBe(true);
    expect(schedule.prefetch).toHaveLength(12);
  });

  it('counts each layer once per node and once overall', () => {
    const schedule = planRelaySchedule({ nodes: diverse, layers });
    // Each node: base + runtime + two app layers = 13 MB.
    expect(schedule.nodeBytes.get('node0')).toBe(13 * MB);
    expect(schedule.totalBytes).toBe(130 * MB);
    expect(schedule.uniqueBytes).toBe(29 * MB);
  });

  it('skips layers a node already holds', () => {
    const present = new Map([['node0', new Set(['sha256:base', 'sha256:app0'])]]);
    const schedule = planRelaySchedule({ nodes: diverse, layers, present });
    expect(schedule.nodeBytes.get('node0')).toBe(6 * MB);
    expect(schedule.prefetch.find((l) => l.digest === 'sha256:base')!.nodes).toBe(9);
    expect(schedule.prefetch.find((l) => l.digest === 'sha256:app0')!.nodes).toBe(1);
  });

  it("puts a node's widely shared images before its private ones", () => {
    const layersWithPrivate = new Map(layers);
    layersWithPrivate.set('private', [{ digest: 'sha256:private', size: 50 * MB }]);
    const nodes = [
      { host: 'a', images: ['private', 'app1'] },
      { host: 'b', images: ['app1'] },
    ];
    const schedule = planRelaySchedule({ nodes, layers: layersWithPrivate });
    expect(schedule.pullOrder.get('a')).toEqual(['app1', 'private']);
    expect(schedule.prefetch[0].nodes).toBe(2);
    expect(schedule.prefetch.at(-1)!.digest).toBe('sha256:private');
  });

  it('keeps every image of every node, and unique ≤ total ≤ nodes × unique (property)', () => {
    const arbitraryLayer = fc.record({ digest: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), size: fc.integer({ min: 1, max: 1000 }) });
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('i1', 'i2', 'i3', 'i4'), fc.array(arbitraryLayer, { maxLength: 4 })),
        fc.array(fc.array(fc.constantFrom('i1', 'i2', 'i3', 'i4'), { maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        (imageLayers, nodeImages) => {
          // A digest names one blob: give every occurrence of a digest the same size.
          const sizes = new Map<string, number>();
          const table = new Map(
            Object.entries(imageLayers).map(([image, ls]) => [
              image,
              ls.map((l) => ({ digest: l.digest, size: sizes.get(l.digest) ?? (sizes.set(l.digest, l.size), l.size) })),
            ]),
          );
          const nodes = nodeImages.map((images, i) => ({ host: `n${i}`, images }));
          const schedule = planRelaySchedule({ nodes, layers: table });
          for (const node of nodes) expect(new Set(schedule.pullOrder.get(node.host))).toEqual(new Set(node.images));
          expect(schedule.uniqueBytes).toBeLessThanOrEqual(schedule.totalBytes);
          expect(schedule.totalBytes).toBeLessThanOrEqual(nodes.length * schedule.uniqueBytes);
          for (let i = 1; i < schedule.prefetch.length; i++) expect(schedule.prefetch[i - 1].nodes).toBeGreaterThanOrEqual(schedule.prefetch[i].nodes);
        },
      ),
    );
  });
});

describe('chooseDistribution', () => {
  const shared = { nodes: 10, totalBytes: 130 * MB, uniqueBytes: 29 * MB, maxNodeBytes: 13 * MB };

  it('honours an explicit choice', () => {
    expect(chooseDistribution({ ...shared, requested: 'direct' })).toEqual({ strategy: 'direct', reason: 'distribution: direct is set' });
    expect(chooseDistribution({ ...shared, nodes: 1, requested: 'relay' }).strategy).toBe('relay');
  });

  it("relays the lab's diverse workload and says why with the figures", () => {
    const choice = chooseDistribution({ ...shared, requested: 'auto' });
    expect(choice.strategy).toBe('relay');
    expect(choice.reason).toContain('130.0 MB in total, 29.0 MB distinct (4.5×)');
  });

  it('goes direct when no layer is shared', () => {
    const choice = chooseDistribution({ nodes: 3, totalBytes: 30 * MB, uniqueBytes: 30 * MB, maxNodeBytes: 10 * MB });
    expect(choice).toEqual({ strategy: 'direct', reason: 'no layer is needed by more than one node: nodes need 30.0 MB in total, 30.0 MB distinct (1.0×)' });
  });

  it('goes direct for a single node or nothing to pull', () => {
    expect(chooseDistribution({ ...shared, nodes: 1 }).strategy).toBe('direct');
    expect(chooseDistribution({ nodes: 5, totalBytes: 0, uniqueBytes: 0, maxNodeBytes: 0 })).toEqual({ strategy: 'direct', reason: 'nothing to pull' });
  });

  it('goes direct on little sharing without rates', () => {
    expect(chooseDistribution({ nodes: 4, totalBytes: 12 * MB, uniqueBytes: 10 * MB, maxNodeBytes: 4 * MB }).strategy).toBe('direct');
  });

  it('uses rates: relay when the registry uplink is the bottleneck', () => {
    // 40 mbit registry, 100 mbit controller, 10 mbit nodes (the benchmark's lab).
    const rates = { registryUplink: 5e6, controllerLink: 12.5e6, nodeLink: 1.25e6 };
    const choice = chooseDistribution({ ...shared, rates });
    expect(choice.strategy).toBe('relay');
    expect(choice.reason).toMatch(/estimated 26\.0 s direct vs 10\.4 s relayed/);
  });

  it('uses rates: direct when node links are the bottleneck anyway', () => {
    // A fast registry: direct is bound by each node's 10 mbit link, which the relay does not change.
    const rates = { registryUplink: 1e9, controllerLink: 12.5e6, nodeLink: 1.25e6 };
    const choice = chooseDistribution({ ...shared, rates });
    expect(choice.strategy).toBe('direct');
    expect(choice.reason).toContain('the registry uplink is not the bottleneck');
  });
});

describe('distributionInputOf', () => {
  it('turns a schedule into chooseDistribution figures, counting only nodes that pull', () => {
    const nodes = [...diverse, { host: 'idle', images: [] }];
    const input = distributionInputOf(planRelaySchedule({ nodes, layers }), 'auto');
    expect(input).toEqual({ requested: 'auto', nodes: 10, totalBytes: 130 * MB, uniqueBytes: 29 * MB, maxNodeBytes: 13 * MB, rates: undefined });
    expect(chooseDistribution(input).strategy).toBe('relay');
  });
});
