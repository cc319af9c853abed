// The benchmark on containerd and podman nodes: which contenders run where, how they are
// named, the nodes each gets, and how the results are split by runtime.
import { describe, expect, it } from 'vitest';
import type { LabInfo } from '../../../lab/info.js';
import type { LabRuntime } from '../../../lab/runtimes.js';
import { resultsChart } from '../../../bench/chart-svg.js';
import { buildRoster, CONTENDER_IDS } from '../../../bench/contenders/roster.js';
import { CTR_PULL, PODMAN_PULL } from '../../../bench/contenders/runtime-pulls.js';
import { inventoryFiles } from '../../../bench/lab-nodes.js';
import { targetOf } from '../../../bench/matrix.js';
import { resolveBenchOptions } from '../../../bench/options.js';
import { markdownReport, type BenchReport } from '../../../bench/report-files.js';
import { houndSeconds, type BenchResults, type RunRecord } from '../../../bench/results-model.js';
import { resultsTable } from '../../../bench/results-table.js';
import { errorOf } from '../error-of.js';

const SOCKETS: Record<LabRuntime, string> = {
  docker: '/run/docker.sock',
  containerd: '/run/containerd/containerd.sock',
  podman: '/run/podman/podman.sock',
};

const node = (i: number, runtime: LabRuntime) => ({
  name: `node${i}`,
  ip: `10.1.2.${10 + i}`,
  netns: `hound-bench.node${i}`,
  sshPort: 22,
  runtime,
  socket: { node: SOCKETS[runtime], controller: `/var/tmp/hound-lab/bench/nodes/node${i}/run/x.sock` },
  hostInterface: `hb-n${i}`,
  pids: { sshd: 1 },
});

// As `lab up --runtimes docker=2,containerd=2,podman=2` numbers them.
const lab = {
  name: 'bench',
  registry: { ip: '10.1.2.2', port: 5000, url: 'http://10.1.2.2:5000', netns: 'r', pid: 1 },
  nodes: [node(1, 'docker'), node(2, 'docker'), node(3, 'containerd'), node(4, 'containerd'), node(5, 'podman'), node(6, 'podman')],
  privateKey: '/k',
  knownHosts: '/kh',
} as unknown as LabInfo;

describe('the benchmark on each runtime', () => {
  it("runs each runtime's own tools and hound on it, Docker's rows first and with their old ids", () => {
    const o = resolveBenchOptions({
      runtimes: 'podman,containerd,docker',
      contenders: 'docker-pull-parallel,ctr-pull,cri-pull,podman-pull,hound',
      strategies: 'direct,relay',
    });
    const roster = buildRoster(o.contenders, o.strategies, o.runtimes);
    expect(roster.map((c) => [c.id, c.runtime])).toEqual([
      ['docker-pull-parallel', 'docker'],
      ['hound-direct', 'docker'],
      ['hound-relay', 'docker'],
      ['ctr-pull@containerd', 'containerd'],
      ['cri-pull@containerd', 'containerd'],
      ['hound-direct@containerd', 'containerd'],
      ['hound-relay@containerd', 'containerd'],
      ['podman-pull@podman', 'podman'],
      ['hound-direct@podman', 'podman'],
      ['hound-relay@podman', 'podman'],
    ]);
    expect(new Set(roster.map((c) => c.id)).size).toBe(roster.length);
  });

  it('keeps the Docker-only default, and with all contenders on one runtime runs only those that fit it', () => {
    expect(resolveBenchOptions({}).runtimes).toEqual(['docker']);
    const o = resolveBenchOptions({ runtimes: 'containerd' });
    expect(o.contenders).toEqual([...CONTENDER_IDS]);
    expect(buildRoster(o.contenders, ['auto'], o.runtimes).map((c) => c.id)).toEqual(['ctr-pull@containerd', 'cri-pull@containerd', 'hound-auto@containerd']);
  });

  it('refuses a contender that would silently not run, and a runtime without contenders, exit 5', () => {
    const cases: [Parameters<typeof resolveBenchOptions>[0], RegExp, RegExp][] = [
      [{ runtimes: 'docker,cri-o' }, /--runtimes: unknown 'cri-o'/, /docker, containerd, podman/],
      [{ contenders: 'ctr-pull,hound' }, /ctr-pull runs on containerd nodes, and --runtimes is docker/, /add containerd to --runtimes/],
      [{ contenders: 'docker-pull-parallel', runtimes: 'docker,podman' }, /no contender asked for runs on podman nodes/, /podman-pull, hound/],
    ];
    for (const [raw, message, hint] of cases) {
      const err = errorOf(() => resolveBenchOptions(raw));
      expect(err.message).toMatch(message);
      expect(err.hint ?? '').toMatch(hint);
      expect(err.exitCode).toBe(5);
    }
    // fanout runs on every runtime's nodes: each runs seeds.
    expect(resolveBenchOptions({ strategies: 'fanout' }).strategies).toEqual(['fanout']);
    expect(resolveBenchOptions({ strategies: 'fanout', runtimes: 'docker,containerd,podman' }).runtimes).toEqual(['docker', 'containerd', 'podman']);
  });

  it("gives each contender the first N nodes of its runtime, and hound an inventory naming each node's runtime and socket", () => {
    expect(targetOf(lab, 'diverse', 2, 'containerd').nodes.map((n) => n.name)).toEqual(['node3', 'node4']);
    expect(targetOf(lab, 'diverse', 1, 'podman').nodes.map((n) => n.name)).toEqual(['node5']);
    expect(targetOf(lab, 'diverse', 2).nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
    // Node i of every runtime needs the same images.
    expect(targetOf(lab, 'diverse', 2, 'podman').needs).toEqual(targetOf(lab, 'diverse', 2).needs);
    expect(() => targetOf(lab, 'diverse', 3, 'podman')).toThrow(/has 2 podman nodes, the benchmark needs 3/);
    const ini = inventoryFiles(targetOf(lab, 'diverse', 2, 'containerd')).get('inventory.ini')!;
    expect(ini).toContain(
      'node3 ansible_host=10.1.2.13 ansible_port=22 ansible_user=root ansible_ssh_private_key_file=/k hound_container_runtime=containerd hound_containerd_socket=/run/containerd/containerd.sock\n',
    );
    const podmanIni = inventoryFiles(targetOf(lab, 'diverse', 1, 'podman')).get('inventory.ini')!;
    expect(podmanIni).toContain('hound_container_runtime=podman hound_podman_socket=/run/podman/podman.sock');
  });

  it("pulls with ctr in the CRI's namespace through the node's registry hosts, and with podman as root", () => {
    expect(CTR_PULL.argv('r:5000/bench/app0:latest')).toEqual([
      'ctr',
      '-n',
      'k8s.io',
      'images',
      'pull',
      '--hosts-dir',
      '/etc/docker/certs.d',
      'r:5000/bench/app0:latest',
    ]);
    expect(PODMAN_PULL.argv('r:5000/bench/app0:latest')).toEqual(['podman', 'pull', '--quiet', 'r:5000/bench/app0:latest']);
  });
});

function run(contender: string, nodes: number, seconds: number, extra: Partial<RunRecord> = {}): RunRecord {
  return { workload: 'diverse', nodes, contender, run: 1, seconds, ok: true, ...extra };
}

const results: BenchResults = {
  rates: { registry: '40mbit', node: '10mbit', controller: '100mbit' },
  nodeCounts: [2, 10],
  workloads: ['diverse'],
  contenders: [
    { id: 'docker-pull-parallel', label: 'docker pull, all nodes at once', isHound: false, runtime: 'docker' },
    { id: 'hound-relay', label: 'hound (relay)', isHound: true, runtime: 'docker' },
    { id: 'ctr-pull@containerd', label: 'ctr images pull, all nodes at once', isHound: false, runtime: 'containerd' },
    { id: 'hound-relay@containerd', label: 'hound (relay)', isHound: true, runtime: 'containerd' },
  ],
  runs: [
    run('docker-pull-parallel', 2, 15),
    run('hound-relay', 2, 10),
    run('docker-pull-parallel', 10, 40),
    run('hound-relay', 10, 20, { controller: { maxRssBytes: 200e6, userSeconds: 6, systemSeconds: 2 } }),
    run('ctr-pull@containerd', 2, 12),
    run('hound-relay@containerd', 2, 24),
    run('ctr-pull@containerd', 10, 36),
    run('hound-relay@containerd', 10, 18, { controller: { maxRssBytes: 150e6, userSeconds: 3, systemSeconds: 1 } }),
  ],
  bounds: [
    { workload: 'diverse', nodes: 2, bounds: { totalBytes: 1, uniqueBytes: 1, largestNodeBytes: 1, originOnlySeconds: 13.6, eachLayerOnceSeconds: 13.6 } },
    { workload: 'diverse', nodes: 10, bounds: { totalBytes: 1, uniqueBytes: 1, largestNodeBytes: 1, originOnlySeconds: 34, eachLayerOnceSeconds: 13.6 } },
  ],
};

describe('results split by runtime', () => {
  it("tabulates each runtime's rows on their own, each ratio to hound on the same runtime", () => {
    const md = resultsTable(results);
    const docker = md.slice(md.indexOf('### diverse, docker nodes'), md.indexOf('### diverse, containerd nodes'));
    const containerd = md.slice(md.indexOf('### diverse, containerd nodes'), md.indexOf('### cost on the controller'));
    expect(docker).toContain('| docker pull, all nodes at once | 15.0 s (1.50×) | 40.0 s (2.00×) |');
    expect(docker).not.toContain('ctr images pull');
    // On containerd, hound at 2 nodes is slower than ctr: below 1 means faster than hound.
    expect(containerd).toContain('| ctr images pull, all nodes at once | 12.0 s (0.50×) | 36.0 s (2.00×) |');
    expect(containerd).toContain('| hound (relay) | 24.0 s (1.00×) | 18.0 s (1.00×) |');
    expect(containerd).toContain('| *bound: origin registry only* | 13.6 s | 34.0 s |');
    expect(houndSeconds(results, 'diverse', 10, 'containerd')).toBe(18);
    expect(houndSeconds(results, 'diverse', 10)).toBe(20);
    // The controller cost names the runtime, since the labels repeat.
    expect(md).toContain('| hound (relay), docker | diverse | 10 | 200 MB | 8.00 s |');
    expect(md).toContain('| hound (relay), containerd | diverse | 10 | 150 MB | 4.00 s |');
  });

  it('draws a panel per runtime, a contender in the same colour on each, each line once in the legend', () => {
    const svg = resultsChart(results, []);
    expect([...svg.matchAll(/font-weight="bold">([^<]+)</g)].map((m) => m[1])).toEqual(['diverse, docker nodes', 'diverse, containerd nodes']);
    expect(svg).toContain('width="880"');
    const colors = [...svg.matchAll(/<polyline class="series" data-label="hound \(relay\)"[^>]*stroke="(#[0-9a-f]+)"/g)].map((m) => m[1]);
    expect(colors).toHaveLength(2);
    expect(colors[0]).toBe(colors[1]);
    expect([...svg.matchAll(/<text class="legend"[^>]*>([^<]+)</g)].map((m) => m[1])).toEqual([
      'docker pull, all nodes at once',
      'hound (relay)',
      'bound: origin registry only',
      'bound: each layer once',
      'ctr images pull, all nodes at once',
    ]);
  });

  it("says each runtime's nodes were checked through that runtime", () => {
    const report = {
      ...results,
      startedAt: '2026-12-02T01:00:00.000Z',
      finishedAt: '2026-12-02T01:30:00.000Z',
      durationSeconds: 1800,
      command: 'npm run bench -- --runtimes docker,containerd',
      quick: false,
      repeats: 1,
      rateBitsPerSecond: { registry: 40e6, node: 10e6, controller: 100e6 },
      lab: { name: 'bench', nodes: 20, upSeconds: 30, runtimes: 'docker=10,containerd=10' },
      environment: {
        cores: 2,
        cpuModel: 'cpu',
        memoryBytes: 2 ** 30,
        kernel: '6.1',
        node: 'v20',
        loadAverageAtStart: [1, 1, 1],
        versions: {},
        houndCommit: 'abc',
      },
      imageSet: { layers: [], images: [] },
      needs: [],
      notes: [],
    } satisfies BenchReport;
    const md = markdownReport(report);
    expect(md).toContain(
      "checked afterwards through each node's Docker socket, each containerd node's CRI (namespace k8s.io, on its socket); one run per cell.",
    );
    expect(md).toContain('fastest strategy in the same cell, on the same runtime');
  });
});
