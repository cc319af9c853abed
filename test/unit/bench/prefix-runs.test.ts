import { describe, expect, it } from 'vitest';
import { needsArePrefixes, prefixRecords } from '../../../bench/prefix-runs.js';
import type { RunRecord } from '../../../bench/results-model.js';
import { buildImageSet, neededImageSet, nodeNeeds, WORKLOAD_NAMES } from '../../../bench/workload.js';

const source: RunRecord = {
  workload: 'diverse',
  nodes: 10,
  contender: 'docker-pull-sequential',
  run: 2,
  seconds: 150.5,
  ok: true,
  loadAverage: 0.4,
};
const steps = [14, 29, 43.5, 58, 72, 87, 101, 116, 130, 150.5];

describe('node-after-node runs read off the largest run', () => {
  it('derives each smaller node count from the end of its last step', () => {
    const derived = prefixRecords(source, steps, [2, 4, 6, 8, 10]);
    expect(derived.map((r) => [r.nodes, r.seconds, r.run, r.prefixOf])).toEqual([
      [2, 29, 2, 10],
      [4, 58, 2, 10],
      [6, 87, 2, 10],
      [8, 116, 2, 10],
    ]);
    expect(derived.every((r) => r.contender === 'docker-pull-sequential' && r.workload === 'diverse' && r.ok)).toBe(true);
  });

  it('carries a failure of the source run, and no controller or machine cost', () => {
    const failed = {
      ...source,
      ok: false,
      error: 'node9 lacks x',
      controller: { maxRssBytes: 1, userSeconds: 1, systemSeconds: 1 },
      machineCpu: { busySeconds: 200, busyShare: 0.9, cores: 2 },
    };
    const [derived] = prefixRecords(failed, steps, [3, 10]);
    expect(derived).toMatchObject({ nodes: 3, seconds: 43.5, ok: false, error: 'node9 lacks x' });
    expect(derived).not.toHaveProperty('controller');
    expect(derived).not.toHaveProperty('machineCpu');
  });

  it('refuses step times that do not match the node count', () => {
    expect(() => prefixRecords(source, steps.slice(0, 9), [2])).toThrow(/9 step times for 10 nodes/);
  });

  it('holds for every workload the benchmark has, and not for needs that depend on the count', () => {
    for (const w of WORKLOAD_NAMES)
      expect(
        needsArePrefixes((n) => nodeNeeds(w, n), [2, 4, 6, 8, 10]),
        w,
      ).toBe(true);
    // node i needs something that changes with the node count: not a prefix.
    const shifting = (n: number) => Array.from({ length: n }, (_, i) => [`app${(i + n) % 10}`]);
    expect(needsArePrefixes(shifting, [2, 10])).toBe(false);
    expect(needsArePrefixes(shifting, [10])).toBe(true);
  });
});

describe('the pushed image set', () => {
  it('holds only what the chosen workloads need, with their layers', () => {
    const set = neededImageSet(buildImageSet(), ['diverse'], [2, 10]);
    expect(set.images.map((i) => i.repository)).toEqual(Array.from({ length: 10 }, (_, i) => `bench/app${i}`));
    expect(set.layers.map((l) => l.name)).toEqual(['base', 'runtime-a', 'runtime-b', ...Array.from({ length: 10 }, (_, i) => `app${i}`)]);
    const identical = neededImageSet(buildImageSet(), ['identical'], [4]);
    expect(identical.images.map((i) => i.repository)).toEqual(['bench/app0']);
    expect(identical.layers.map((l) => l.name)).toEqual(['base', 'runtime-a', 'app0']);
    expect(neededImageSet(buildImageSet(), ['disjoint'], [2]).images.map((i) => i.repository)).toEqual(['bench/solo0', 'bench/solo1']);
  });
});
