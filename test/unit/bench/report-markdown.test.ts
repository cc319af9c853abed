import { describe, expect, it } from 'vitest';
import { markdownReport, type BenchReport } from '../../../bench/report-files.js';

const report: BenchReport = {
  startedAt: '2026-11-30T01:00:00.000Z',
  finishedAt: '2026-11-30T01:06:00.000Z',
  durationSeconds: 360,
  command: 'npm run bench -- --quick',
  quick: true,
  repeats: 1,
  rates: { registry: '40mbit', node: '10mbit', controller: '100mbit' },
  rateBitsPerSecond: { registry: 40e6, node: 10e6, controller: 100e6 },
  lab: { name: 'bench', nodes: 10, upSeconds: 3.2 },
  environment: {
    cores: 2,
    cpuModel: 'cpu',
    memoryBytes: 24 * 2 ** 30,
    kernel: '6.1',
    node: 'v20',
    loadAverageAtStart: [1, 1, 1],
    versions: { docker: '28' },
    houndCommit: 'abc1234',
  },
  imageSet: { layers: [{ name: 'base', sizeBytes: 5e6, blobBytes: 5_002_506, digest: 'sha256:x' }], images: [] },
  needs: [],
  nodeCounts: [10],
  workloads: ['diverse'],
  contenders: [{ id: 'hound-direct', label: 'hound (direct)', isHound: true }],
  runs: [
    { workload: 'diverse', nodes: 10, contender: 'hound-direct', run: 1, seconds: 30, ok: true, loadAverage: 1.5 },
    { workload: 'diverse', nodes: 10, contender: 'hound-direct', run: 2, seconds: 50, ok: false, error: 'node3 lacks bench/app2:latest', loadAverage: 7.25 },
  ],
  bounds: [],
  notes: ['hound relay is not built yet'],
};

describe('latest.md', () => {
  it('states rates, machine, load, failures and notes next to the table', () => {
    const md = markdownReport(report);
    expect(md).toContain('registry uplink 40mbit, node links 10mbit, controller link 100mbit');
    expect(md).toContain('lab-up time (3.2 s) is not in any figure');
    expect(md).toContain("load average at each run's start: 1.5 to 7.3 on 2 cores (1 of 2 runs at or below 2)");
    expect(md).toContain('| hound (direct) | 30.0 s (1.00×) [1/2 failed] |');
    expect(md).toContain('- diverse, 10 nodes, hound-direct, run 2: node3 lacks bench/app2:latest');
    expect(md).toContain('- hound relay is not built yet');
    expect(md).toContain('base 5.00 MB');
  });
});
