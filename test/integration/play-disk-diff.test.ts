// `hound play` and the planner together: the disk precheck refuses a host before any
// pull starts on it, and `--check --diff` prints the layer-level plan of `hound plan`.
import { describe, expect, it } from 'vitest';
import { emptyNode, hound, jsonEvents, nodeTags, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir({ emptyNodesAfter: true });
const node = (name: string) => work.node(name);

describe('play with the planner', () => {
  it('refuses to pull on hosts whose plan does not fit their disk, unless --ignore-disk-check', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    // A factor of 1e12 makes any pull "need" far more than any disk has.
    const refused = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--json', '--disk-factor', '1e12', '--limit', 'node1'], work.dir);
    expect(refused.code).toBe(2);
    const events = jsonEvents(refused.stdout);
    const failure = events.find((e) => e.event === 'task_result' && e.host === 'node1') as { status: string; msg: string } | undefined;
    expect(failure?.status).toBe('failed');
    expect(failure?.msg).toMatch(/not enough disk space/);
    expect(await nodeTags(node('node1'), work.lab)).toEqual([]);

    const forced = await hound(
      ['play', 'warmup.yml', '-i', 'hosts.ini', '--json', '--disk-factor', '1e12', '--ignore-disk-check', '--limit', 'node1'],
      work.dir,
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(summaryOf(jsonEvents(forced.stdout)).hosts.node1.changed).toBe(1);
    expect((await nodeTags(node('node1'), work.lab)).length).toBeGreaterThan(0);
  });

  it('a run whose every host is refused says nothing of a distribution it never used', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    // The nodes share layers, so `auto` weighs the relay (and probes the links) while each
    // host's plan is checked; no pull uses that decision here.
    const refused = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--json', '-v', '--disk-factor', '1e12'], work.dir);
    expect(refused.code).toBe(2);
    const events = jsonEvents(refused.stdout);
    const statuses = Object.fromEntries(events.filter((e) => e.event === 'task_result').map((e) => [e.host, (e as { status: string }).status]));
    // node4's images are none (its host_vars): it pulls nothing, and is not checked.
    expect(statuses).toEqual({ node1: 'failed', node2: 'failed', node3: 'failed', node4: 'ok' });
    const said = events.filter((e) => e.event === 'detail' && /^distribution|^relay:|^fan-out/.test((e as { msg: string }).msg));
    expect(said).toEqual([]);
    for (const n of work.lab.nodes) expect(await nodeTags(n, work.lab), n.name).toEqual([]);
  });

  it('--check --diff shows the layer-level plan and changes nothing', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const run = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--check', '--diff', '--reporter', 'plain'], work.dir);
    expect(run.code, run.stderr).toBe(0);
    // The node, its platform and its runtime as the runtime reports itself (Docker Engine on the lab).
    expect(run.stdout).toMatch(/^node1 \(linux\/amd64, Docker \d+\.\d+\.\d+\S*\)$/m);
    expect(run.stdout).toMatch(/^\s+\+ \S+hound\/app\d:latest sha256:[0-9a-f]{12}\s+\d new, \d present layer\(s\)/m);
    expect(run.stdout).toMatch(/^Plan: \d+ to pull, 0 to remove on \d+ host\(s\)\.$/m);
    expect(run.stdout).toMatch(/PLAY RECAP/);
    for (const n of work.lab.nodes) expect(await nodeTags(n, work.lab), n.name).toEqual([]);
  });
});
