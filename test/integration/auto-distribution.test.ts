// `distribution: auto`, the default, on a shaped lab of its own (registry 20 mbit, nodes
// 10 mbit, controller 100 mbit): the run probes the links, the rates it measures are within
// a sane factor of the shaping, and it relays when the nodes share a layer (there four nodes
// pulling a 6 MB layer directly need 9.6 s of the registry's uplink, relayed 4.8 s of each
// node's link); a disjoint workload goes direct without a probe. The unshaped case (auto goes
// direct) is in play.test.ts, on the shared unshaped lab.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimRunLabName, labDown, labUp, pushImageSet, releaseLab, type LabInfo } from '../../lab/index.js';
import { distinctLayerBytes, emptyNode, hound, jsonEvents, nodeTags, summaryOf } from '../fixtures/play/helpers.js';

const MB = 1e6;
// The shaping, in bytes per second.
const REGISTRY = 20e6 / 8;
const NODE = 10e6 / 8;
const CONTROLLER = 100e6 / 8;

let labName = 'autodist';
let lab: LabInfo;
let dir: string;

beforeAll(async () => {
  labName = await claimRunLabName('autodist');
  lab = (await labUp({ name: labName, nodes: 4, registryRate: '20mbit', nodeRate: '10mbit', controllerRate: '100mbit' })).info;
  await pushImageSet(lab.registry.url, {
    layers: [
      { name: 'shared', sizeBytes: 6_000_000, seed: 'autodist/shared' },
      ...lab.nodes.map((n) => ({ name: n.name, sizeBytes: 1_000_000, seed: `autodist/${n.name}` })),
    ],
    images: [
      { repository: 'auto/shared', tag: 'latest', layers: ['shared'] },
      ...lab.nodes.map((n) => ({ repository: `auto/${n.name}`, tag: 'latest', layers: [n.name] })),
    ],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'hound-autodist-'));
  writeFileSync(path.join(dir, 'hosts.ini'), readFileSync(lab.inventory, 'utf8'));
  writeFileSync(
    path.join(dir, 'pull.yml'),
    [
      '- name: pull',
      '  hosts: nodes',
      '  gather_facts: false',
      '  tasks:',
      '    - name: the shared image, or each node its own',
      '      image:',
      `        name: "{{ lab_registry }}/auto/{{ inventory_hostname if (disjoint | default(false)) else 'shared' }}:latest"`,
      '',
    ].join('\n'),
  );
}, 300_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (lab) await labDown(labName);
  await releaseLab(labName);
}, 300_000);

beforeEach(async () => {
  await Promise.all(lab.nodes.map(emptyNode));
});

function detailLines(stdout: string, prefix: string): string[] {
  return jsonEvents(stdout)
    .filter((e) => e.event === 'detail' && e.msg.startsWith(prefix))
    .map((e) => (e as { msg: string }).msg);
}

describe('auto, the default, on a shaped lab', () => {
  it('probes the links, measures them near their shaping, and relays the shared layer', async () => {
    const run = await hound(['play', 'pull.yml', '-i', 'hosts.ini', '--json', '-v'], dir);
    expect(run.code, run.stderr).toBe(0);
    const [probe, ...moreProbes] = detailLines(run.stdout, 'distribution auto: probed the links');
    expect(moreProbes).toEqual([]);
    const decisions = detailLines(run.stdout, 'distribution auto: ').filter((l) => l !== probe);
    expect(decisions).toHaveLength(1);
    const line = decisions[0];
    const m =
      /^distribution auto: relay \(.*; probed origin ([\d.]+) MB\/s, controller (≥ )?([\d.]+) MB\/s, node ([\d.]+) MB\/s, hound's CPU [\d.]+ MB\/s: estimated ([\d.]+) s direct vs ([\d.]+) s relayed; the nodes share the controller's \d+ cores?, where their pulls' processing alone takes [\d.]+ s at 80 ms per MB\)/.exec(
        line,
      );
    expect(m, line).not.toBeNull();
    const [origin, atLeast, controller, node, direct, relayed] = [
      Number(m![1]) * MB,
      m![2],
      Number(m![3]) * MB,
      Number(m![4]) * MB,
      Number(m![5]),
      Number(m![6]),
    ];
    // Within a sane factor of the shaping (the lab machine is shared and loaded).
    expect(origin).toBeGreaterThan(0.5 * REGISTRY);
    expect(origin).toBeLessThan(1.5 * REGISTRY);
    expect(node).toBeGreaterThan(0.5 * NODE);
    expect(node).toBeLessThan(1.5 * NODE);
    // Three 10 mbit nodes (the one probed alone is left out of the group) cannot fill a
    // 100 mbit controller link: the probe sees about their sum (marked a lower bound when each
    // got what one gets alone, which a loaded machine does not always show).
    expect(['≥ ', undefined]).toContain(atLeast);
    expect(controller).toBeGreaterThan(0.5 * 3 * NODE);
    expect(controller).toBeLessThan(1.5 * CONTROLLER);
    expect(direct).toBeGreaterThan(relayed);
    // The probe's cost: bounded in time and bytes.
    const cost = /probed the links in ([\d.]+) s, ([\d.]+) MB moved/.exec(probe);
    expect(cost, probe).not.toBeNull();
    expect(Number(cost![1])).toBeLessThan(8);
    expect(Number(cost![2])).toBeLessThan(15);
    expect(jsonEvents(run.stdout).some((e) => e.event === 'detail' && e.msg.startsWith('distribution relay: serving'))).toBe(true);
    for (const n of lab.nodes) expect(await nodeTags(n, lab), n.name).toEqual(['auto/shared:latest']);
    const layer = await distinctLayerBytes(lab, ['auto/shared']);
    for (const n of lab.nodes) expect(summaryOf(jsonEvents(run.stdout)).hosts[n.name].bytes, n.name).toBe(layer);
  });

  it('goes direct without probing when no layer is shared, and says why at -v', async () => {
    const run = await hound(['play', 'pull.yml', '-i', 'hosts.ini', '--json', '-v', '-e', '{"disjoint": true}'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(detailLines(run.stdout, 'distribution auto: probed')).toEqual([]);
    const lines = detailLines(run.stdout, 'distribution auto: ');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^distribution auto: direct \(no layer is needed by more than one node: nodes need ([\d.]+) MB in total, \1 MB distinct \(1\.0×\)\)$/,
    );
    for (const n of lab.nodes) expect(await nodeTags(n, lab), n.name).toEqual([`auto/${n.name}:latest`]);
    // Without -v the line is not shown: one node's or disjoint pulls need no explaining.
    await Promise.all(lab.nodes.map(emptyNode));
    const quiet = await hound(['play', 'pull.yml', '-i', 'hosts.ini', '--json', '-e', '{"disjoint": true}'], dir);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(detailLines(quiet.stdout, 'distribution auto: ')).toEqual([]);
  });
  it("still weighs the probe's rates when one node's runtime cannot be reached, and that node alone fails", async () => {
    // node4's inventory names a socket nothing listens on: its own pull fails and says why; the
    // others' decision still comes from the probe, with node4's bytes counted at Docker's cost.
    const broken = readFileSync(path.join(dir, 'hosts.ini'), 'utf8').replace(/^(node4 .*hound_docker_socket=)\S+/m, '$1/run/hound-absent.sock');
    expect(broken).toContain('hound_docker_socket=/run/hound-absent.sock');
    writeFileSync(path.join(dir, 'hosts-broken.ini'), broken);
    const run = await hound(['play', 'pull.yml', '-i', 'hosts-broken.ini', '--json', '-v'], dir);
    expect(run.code, run.stdout + run.stderr).not.toBe(0);
    const lines = detailLines(run.stdout, 'distribution auto: ').filter((l) => !l.startsWith('distribution auto: probed'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('the link probe failed');
    expect(lines[0]).toMatch(/; probed origin [\d.]+ MB\/s, .* where their pulls' processing alone takes [\d.]+ s at 80 ms per MB\)/);
    const results = jsonEvents(run.stdout).filter((e) => e.event === 'task_result');
    expect(results.filter((e) => e.host === 'node4').map((e) => (e as { status: string }).status)).toEqual(['failed']);
    for (const n of lab.nodes.filter((x) => x.name !== 'node4')) expect(await nodeTags(n, lab), n.name).toEqual(['auto/shared:latest']);
  });
});
