import { describe, expect, it } from 'vitest';
import { buildImageSet, layersOf, nodeName, nodeNeeds } from '../../../bench/workload.js';

describe('benchmark workloads', () => {
  it('builds ten apps on two runtimes on one base', () => {
    const set = buildImageSet();
    expect(set.images.filter((i) => i.repository.startsWith('bench/app'))).toHaveLength(10);
    expect(set.layers.slice(0, 13).map((l) => l.name)).toEqual(['base', 'runtime-a', 'runtime-b', ...Array.from({ length: 10 }, (_, i) => `app${i}`)]);
    expect(layersOf(set, 'bench/app4:latest')).toEqual(['base', 'runtime-a', 'app4']);
    expect(layersOf(set, 'bench/app7:latest')).toEqual(['base', 'runtime-b', 'app7']);
    expect(new Set(set.layers.map((l) => l.seed)).size).toBe(set.layers.length);
  });

  it('disjoint: each node one image whose layers no other image has', () => {
    const set = buildImageSet();
    const needs = nodeNeeds('disjoint', 10);
    expect(needs[3]).toEqual(['bench/solo3:latest']);
    const layerLists = needs.map(([ref]) => layersOf(set, ref));
    const all = layerLists.flat();
    expect(new Set(all).size).toBe(all.length);
    // as large as an app image: 5 + 4 + 2 MB
    const size = (names: string[]) => names.reduce((n, name) => n + set.layers.find((l) => l.name === name)!.sizeBytes, 0);
    expect(size(layerLists[0])).toBe(size(layersOf(set, 'bench/app0:latest')));
  });

  it('gives node i app i and app i+3 (mod 10) in the diverse workload', () => {
    const needs = nodeNeeds('diverse', 12);
    expect(needs[0]).toEqual(['bench/app0:latest', 'bench/app3:latest']);
    expect(needs[8]).toEqual(['bench/app8:latest', 'bench/app1:latest']);
    expect(needs[11]).toEqual(['bench/app1:latest', 'bench/app4:latest']);
    expect(new Set(nodeNeeds('diverse', 10).map((n) => n.join())).size).toBe(10);
  });

  it('gives every node app0 in the identical workload, and the diverse needs to noop', () => {
    expect(nodeNeeds('identical', 3)).toEqual([['bench/app0:latest'], ['bench/app0:latest'], ['bench/app0:latest']]);
    expect(nodeNeeds('noop', 4)).toEqual(nodeNeeds('diverse', 4));
  });

  it('names nodes as the lab does and refuses a bad node count', () => {
    expect(nodeName(0)).toBe('node1');
    expect(() => nodeNeeds('diverse', 0)).toThrow(RangeError);
    expect(() => layersOf(buildImageSet(), 'bench/app99:latest')).toThrow(/app99/);
  });
});
