import { describe, expect, it } from 'vitest';
import { resultsChart, niceTicks } from '../../../bench/chart-svg.js';
import { resultsTable } from '../../../bench/results-table.js';
import { cellSeconds, median, type BenchResults, type RunRecord } from '../../../bench/results-model.js';

function run(contender: string, nodes: number, seconds: number, extra: Partial<RunRecord> = {}): RunRecord {
  return { workload: 'diverse', nodes, contender, run: 1, seconds, ok: true, ...extra };
}

const bounds = (origin: number, once: number) => ({
  totalBytes: 1,
  uniqueBytes: 1,
  largestNodeBytes: 1,
  originOnlySeconds: origin,
  eachLayerOnceSeconds: once,
});

const results: BenchResults = {
  rates: { registry: '40mbit', node: '10mbit', controller: '100mbit' },
  nodeCounts: [2, 10],
  workloads: ['diverse'],
  contenders: [
    { id: 'docker-pull-parallel', label: 'docker pull, all nodes at once', isHound: false },
    { id: 'hound-direct', label: 'hound (direct)', isHound: true },
  ],
  runs: [
    run('docker-pull-parallel', 2, 9),
    // From before the descriptors and SSH set-up were recorded.
    run('hound-direct', 2, 6, { controller: { maxRssBytes: 70e6, userSeconds: 1, systemSeconds: 0 } }),
    run('docker-pull-parallel', 10, 40, { run: 1 }),
    run('docker-pull-parallel', 10, 38, { run: 2 }),
    run('docker-pull-parallel', 10, 99, { run: 3, ok: false, error: 'node3 lacks bench/app2:latest' }),
    run('hound-direct', 10, 20, {
      controller: {
        maxRssBytes: 80e6,
        userSeconds: 1.5,
        systemSeconds: 0.5,
        peakOpenFds: 41,
        ssh: { connections: 10, spanSeconds: 0.61, medianSeconds: 0.2, maxSeconds: 0.5, longestWaitSeconds: 0, retried: 2, unreachable: 0 },
      },
      machineCpu: { busySeconds: 38.1, busyShare: 0.953, cores: 2 },
    }),
    run('docker-pull-parallel', 6, 30, { prefixOf: 10, machineCpu: { busySeconds: 1, busyShare: 0.1, cores: 2 } }),
    run('docker-pull-parallel', 2, 9, { workload: 'identical', copiedFrom: 'x', controller: { maxRssBytes: 1e6, userSeconds: 1, systemSeconds: 1 } }),
  ],
  bounds: [
    { workload: 'diverse', nodes: 2, bounds: bounds(6.8, 3.4) },
    { workload: 'diverse', nodes: 10, bounds: bounds(34, 13.6) },
  ],
};

describe('results', () => {
  it('takes the median of successful runs only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
    expect(cellSeconds(results, 'diverse', 10, 'docker-pull-parallel')).toBe(39);
  });

  it('tabulates medians, ratios to hound, failures, bounds and controller cost', () => {
    const md = resultsTable(results);
    expect(md).toContain('| contender | 2 nodes | 10 nodes |');
    expect(md).toContain('| docker pull, all nodes at once | 9.0 s (1.50×) | 39.0 s (1.95×) [1/3 failed] |');
    expect(md).toContain('| hound (direct) | 6.0 s (1.00×) | 20.0 s (1.00×) |');
    expect(md).toContain('| *bound: origin registry only* | 6.8 s | 34.0 s |');
    expect(md).toContain('| *bound: each layer once from the origin* | 3.4 s | 13.6 s |');
    expect(md).toContain('| hound (direct) | diverse | 2 | 70 MB | 1.00 s | — | — |');
    expect(md).toContain('| hound (direct) | diverse | 10 | 80 MB | 2.00 s | 41 | 0.20 s, 0.50 s (10, over 0.61 s); 2 handshake(s) tried again |');
    // A copied run (same as another contender's) is not a second controller measurement.
    expect(md).not.toContain('| identical | 2 |');
    // The machine's CPU: measured runs only, not one read off a larger run.
    expect(md).toContain("### the machine's CPU during the runs (/proc/stat: all work on its 2 cores, every node's included)");
    expect(md).toContain('| hound (direct) | diverse | 10 | 38.1 s | 95 % |');
    expect(md).not.toContain('| 6 | 1.0 s |');
  });

  it('draws one line per contender and dashed bounds, with axes and legend', () => {
    const svg = resultsChart(results, ['registry 40mbit', 'one run per point']);
    expect(svg.startsWith('<svg')).toBe(true);
    const lines = [...svg.matchAll(/<polyline class="series" data-label="([^"]+)"[^>]*>/g)];
    expect(lines.map((m) => m[1])).toEqual(['docker pull, all nodes at once', 'hound (direct)', 'bound: origin registry only', 'bound: each layer once']);
    expect(lines.filter((m) => m[0].includes('stroke-dasharray')).length).toBe(2);
    expect(svg).toContain('>makespan (s)</text>');
    expect(svg).toContain('>nodes</text>');
    expect([...svg.matchAll(/class="legend"/g)]).toHaveLength(4);
    expect(svg).toContain('>one run per point</text>');
    // One 440-wide panel: the legend is one column, so no label starts beyond the panel.
    const legendX = [...svg.matchAll(/<text class="legend" x="(\d+)"/g)].map((m) => Number(m[1]));
    expect(new Set(legendX)).toEqual(new Set([52]));
    // hound's two points: 2 nodes at the left edge, 10 nodes at the right edge.
    const hound = lines[1][0];
    expect(hound).toMatch(/points="64\.0,[\d.]+ 424\.0,[\d.]+"/);
  });

  it('marks the cells read off a larger run rather than run', () => {
    const seq = (nodes: number, seconds: number, r: number, prefixOf?: number): RunRecord =>
      run('docker-pull-sequential', nodes, seconds, { run: r, ...(prefixOf ? { prefixOf } : {}) });
    const withSeq: BenchResults = {
      ...results,
      contenders: [{ id: 'docker-pull-sequential', label: 'docker pull, node after node', isHound: false }, ...results.contenders],
      runs: [...results.runs, seq(10, 150, 1), seq(10, 140, 2), seq(10, 160, 3), seq(2, 30, 1, 10), seq(2, 28, 2, 10), seq(2, 31, 3, 10)],
    };
    const md = resultsTable(withSeq);
    // 2 nodes: the median of the three runs' second step; ratio to hound's 6 s.
    expect(md).toContain('| docker pull, node after node | 30.0 s (5.00×) † | 150.0 s (7.50×) |');
  });

  it('draws earlier hound strategies wider, so equal times stay visible', () => {
    const two: BenchResults = {
      ...results,
      contenders: [...results.contenders, { id: 'hound-relay', label: 'hound (relay)', isHound: true }],
      runs: [...results.runs, run('hound-relay', 2, 6), run('hound-relay', 10, 20)],
    };
    const widths = [...resultsChart(two, []).matchAll(/<polyline class="series" data-label="([^"]+)"[^>]*stroke-width="(\d+)"/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(widths.slice(0, 3)).toEqual([
      ['docker pull, all nodes at once', 2],
      ['hound (direct)', 4],
      ['hound (relay)', 2],
    ]);
  });

  it('picks round axis ticks that cover the data', () => {
    expect(niceTicks(34)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(149.6)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
