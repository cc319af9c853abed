// `hound play` for real: the built CLI on the lab. What the nodes hold is checked through
// each node's own Docker socket (host side, not through hound), and byte counts against
// the layer sizes the lab registry states.
import { describe, expect, it } from 'vitest';
import { pushImageSet } from '../../lab/index.js';
import type { TaskResultEvent, TaskStartEvent } from '../../core/events.js';
import { schemaErrors } from '../fixtures/schemas.js';
import { distinctLayerBytes, emptyNode, hound, jsonEvents, nodeDocker, nodeTags, registryLayers, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir();
const node = (name: string) => work.node(name);

/** What warmup.yml gives each node through group_vars and host_vars. */
const EXPECTED: Record<string, string[]> = {
  node1: ['hound/app0:latest', 'hound/app1:latest'],
  node2: ['hound/app0:latest', 'hound/app3:latest', 'hound/runtime-a:latest'],
  node3: ['hound/app2:latest'],
  node4: [],
};

describe('hound play on the lab', () => {
  it('gives every node exactly its images, in parallel, with exact byte counts; a second run changes nothing', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const first = await hound(['play', '--distribution', 'direct', 'warmup.yml', '-i', 'hosts.ini', '--json'], work.dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const events = jsonEvents(first.stdout);
    // Every line is what docs/schemas/events.schema.json says an event is.
    for (const e of events) expect(schemaErrors('events', e), JSON.stringify(e)).toEqual([]);
    expect(events[0]).toMatchObject({ event: 'run_start', schema_version: 2 });

    for (const [name, tags] of Object.entries(EXPECTED)) expect(await nodeTags(node(name), work.lab), name).toEqual(tags);

    // Bytes: each node started empty, so it downloaded each distinct layer of its images once.
    const summary = summaryOf(events);
    for (const [name, tags] of Object.entries(EXPECTED)) {
      const expected = await distinctLayerBytes(
        work.lab,
        tags.map((t) => t.replace(/:latest$/, '')),
      );
      expect(summary.hosts[name].bytes, `${name} bytes`).toBe(expected);
    }
    expect(summary.hosts).toMatchObject({
      node1: { ok: 1, changed: 1, failed: 0, unreachable: 0, skipped: 0 },
      node2: { ok: 1, changed: 1 },
      node3: { ok: 1, changed: 1 },
      node4: { ok: 1, changed: 0 },
    });
    expect(typeof summary.duration_s).toBe('number');

    // Parallel across nodes: every pulling node started before any of them finished.
    const pulling = ['node1', 'node2', 'node3'];
    const starts = pulling.map((h) => events.find((e): e is TaskStartEvent => e.event === 'task_start' && e.host === h)!.time);
    const ends = pulling.map((h) => events.find((e): e is TaskResultEvent => e.event === 'task_result' && e.host === h)!.time);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    // and the pulls themselves overlapped: progress from two nodes interleaves.
    const progressHosts = events.filter((e) => e.event === 'pull_progress').map((e) => (e as { host: string }).host);
    const firstDone = Math.min(...pulling.map((h) => progressHosts.lastIndexOf(h)));
    expect(new Set(progressHosts.slice(0, firstDone)).size).toBeGreaterThan(1);

    const second = await hound(['play', '--distribution', 'direct', 'warmup.yml', '-i', 'hosts.ini', '--json'], work.dir);
    expect(second.code).toBe(0);
    const again = summaryOf(jsonEvents(second.stdout));
    for (const name of Object.keys(EXPECTED)) expect(again.hosts[name], name).toMatchObject({ changed: 0, failed: 0, bytes: 0 });
  });

  it('--distribution relay leaves every node exactly as a direct pull would, with the same byte counts', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const run = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--json', '--distribution', 'relay', '-v'], work.dir);
    expect(run.code, run.stderr).toBe(0);
    const events = jsonEvents(run.stdout);
    expect(events.some((e) => e.event === 'detail' && e.msg.startsWith('distribution relay: serving'))).toBe(true);
    // No relay names (127.0.0.1:PORT/…) are left behind: only the origin tags.
    for (const [name, tags] of Object.entries(EXPECTED)) expect(await nodeTags(node(name), work.lab), name).toEqual(tags);
    const summary = summaryOf(events);
    for (const [name, tags] of Object.entries(EXPECTED)) {
      expect(summary.hosts[name].bytes, `${name} bytes`).toBe(
        await distinctLayerBytes(
          work.lab,
          tags.map((t) => t.replace(/:latest$/, '')),
        ),
      );
    }
    const again = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--json', '--distribution', 'relay'], work.dir);
    expect(again.code).toBe(0);
    for (const name of Object.keys(EXPECTED)) expect(summaryOf(jsonEvents(again.stdout)).hosts[name], name).toMatchObject({ changed: 0, bytes: 0 });
  });

  it('auto, the default, probes the links of this unshaped lab, says why in one line, and goes direct', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const run = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--json', '-v'], work.dir);
    expect(run.code, run.stderr).toBe(0);
    const events = jsonEvents(run.stdout);
    // 45 MiB to the nodes, 21 MiB of it distinct: shared, so the links decide. Unshaped, the
    // registry answers fast and the relay would put every byte through hound's CPU (on this
    // lab the relay took 78 s where direct took 44 s, docs/distribution.md). The lab's nodes
    // run on the controller's kernel: the line names its cores.
    const lines = events
      .filter((e) => e.event === 'detail' && e.msg.startsWith('distribution auto:') && !e.msg.startsWith('distribution auto: probed'))
      .map((e) => (e as { msg: string }).msg);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^distribution auto: direct \(nodes need .+; probed origin [\d.]+ MB\/s, controller (≥ )?[\d.]+ MB\/s, node [\d.]+ MB\/s.*: estimated [\d.]+ s direct vs [\d.]+ s relayed; the nodes share the controller's \d+ cores?, where their pulls' processing alone takes [\d.]+ s at 80 ms per MB\)$/,
    );
    expect(events.some((e) => e.event === 'detail' && e.msg.startsWith('distribution auto: probed the links in'))).toBe(true);
    // and it did not relay.
    expect(events.some((e) => e.event === 'detail' && e.msg.startsWith('distribution relay: serving'))).toBe(false);
    for (const [name, tags] of Object.entries(EXPECTED)) expect(await nodeTags(node(name), work.lab), name).toEqual(tags);
  });

  it('--check changes nothing on any node and says what it would do', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const result = await hound(['play', 'warmup.yml', '-i', 'hosts.ini', '--check', '--diff', '--reporter', 'plain'], work.dir);
    expect(result.code).toBe(0);
    for (const n of work.lab.nodes) expect(await nodeTags(n, work.lab), n.name).toEqual([]);
    expect(result.stdout).toMatch(/changed: \[node1\] => would pull \S+\/hound\/app0:latest \(not present\); would pull \S+\/hound\/app1:latest/);
    expect(result.stdout).toMatch(/ok: \[node4\]/);
    // --diff: the images each node would gain.
    expect(result.stdout).toMatch(/changed: \[node3\] => would pull \S+\/hound\/app2:latest \(not present\)\n\+ \S+\/hound\/app2:latest\n/);
    expect(result.stdout).not.toMatch(/\x1b\[/);
    expect(result.stdout).toMatch(/node1 +: ok=1 +changed=1 .*pulled=0 B/);
  });

  it('state: absent and exclusive remove what they should and nothing else', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    const setup = await hound(
      [
        'play',
        '--distribution',
        'direct',
        'warmup.yml',
        '-i',
        'hosts.ini',
        '--json',
        '-e',
        '{"node_images": ["hound/app0:latest", "hound/app1:latest", "hound/app2:latest", "hound/runtime-a:latest"]}',
      ],
      work.dir,
    );
    expect(setup.code).toBe(0);
    const before = await nodeTags(node('node2'), work.lab);
    // A stopped container keeps app2 in use; it is created by image id, as `docker run <id>` does.
    const app2 = await nodeDocker(node('node1')).getImage(`${work.lab.registry.ip}:${work.lab.registry.port}/hound/app2:latest`).inspect();
    await nodeDocker(node('node1')).createContainer({ Image: app2.Id, Cmd: ['true'] });

    const absent = await hound(['play', '--distribution', 'direct', 'absent.yml', '-i', 'hosts.ini', '--json'], work.dir);
    expect(absent.code).toBe(0);
    const results = jsonEvents(absent.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result');
    expect(results.map((r) => [r.task, r.status])).toEqual([
      ['app1 goes', 'changed'],
      ['app9 was never there', 'ok'],
    ]);
    expect(await nodeTags(node('node1'), work.lab)).toEqual(['hound/app0:latest', 'hound/app2:latest', 'hound/runtime-a:latest']);

    const exclusive = await hound(['play', '--distribution', 'direct', 'exclusive.yml', '-i', 'hosts.ini', '--json'], work.dir);
    expect(exclusive.code).toBe(0);
    expect(await nodeTags(node('node1'), work.lab)).toEqual(['hound/app0:latest', 'hound/app2:latest']);
    const kept = jsonEvents(exclusive.stdout).find((e): e is TaskResultEvent => e.event === 'task_result')!;
    expect(kept.status).toBe('changed');
    expect(JSON.stringify(kept.result)).toContain('kept');
    // Other nodes were not touched.
    expect(await nodeTags(node('node2'), work.lab)).toEqual(before);

    // Removing the in-use image is refused with a clear message (exit 2), the other host goes on.
    const refused = await hound(['play', '--distribution', 'direct', 'failures.yml', '-i', 'hosts.ini', '--reporter', 'plain'], work.dir);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(
      /fatal: \[node1\]: FAILED! => \S+\/hound\/app2:latest is used by container [0-9a-f]{12}; not removed \(set force: true to remove it anyway\)/,
    );
    expect(refused.stdout).toContain("ok: [node2] => it's node2");
    expect(refused.stdout).toMatch(/node1 +: ok=0 +changed=0 +unreachable=0 +failed=1/);
    expect(await nodeTags(node('node1'), work.lab)).toEqual(['hound/app0:latest', 'hound/app2:latest']);
  });

  it('keeps registry passwords out of every line of output, even at -vvv', async () => {
    const password = 'pw-' + Math.random().toString(36).slice(2);
    const result = await hound(
      ['play', '--distribution', 'direct', 'login.yml', '-i', 'hosts.ini', '-vvv', '--reporter', 'plain', '-e', `registry_password=${password}`],
      work.dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('password is ********');
    expect(result.stdout + result.stderr).not.toContain(password);
    const json = await hound(
      ['play', '--distribution', 'direct', 'login.yml', '-i', 'hosts.ini', '-vvv', '--json', '-e', `registry_password=${password}`],
      work.dir,
    );
    expect(json.code).toBe(0);
    expect(json.stdout + json.stderr).not.toContain(password);
    const login = jsonEvents(json.stdout).find((e): e is TaskResultEvent => e.event === 'task_result' && e.module === 'registry_login')!;
    expect(login.result).toMatchObject({ registry: `${work.lab.registry.ip}:${work.lab.registry.port}`, username: 'warmer' });
  });

  it('state: latest pulls only when the tag moved in the registry, and only the new layer', async () => {
    await emptyNode(node('node3'));
    const push = (seed: string) =>
      pushImageSet(work.lab.registry.url, {
        layers: [
          { name: 'base', sizeBytes: 5 * 1024 * 1024, seed: 'sample/base' },
          { name: 'top', sizeBytes: 1024 * 1024, seed },
        ],
        images: [{ repository: 'hound/moving', tag: 'latest', layers: ['base', 'top'] }],
      });
    const run = async () => {
      const r = await hound(['play', '--distribution', 'direct', 'moving.yml', '-i', 'hosts.ini', '--json'], work.dir);
      expect(r.code, r.stderr).toBe(0);
      return summaryOf(jsonEvents(r.stdout)).hosts.node3;
    };
    await push(`moving-${Date.now()}-1`);
    const first = await run();
    expect(first).toMatchObject({ changed: 1, bytes: await distinctLayerBytes(work.lab, ['hound/moving']) });
    expect(await run()).toMatchObject({ changed: 0, bytes: 0 });
    const [pushed] = await push(`moving-${Date.now()}-2`);
    const layers = await registryLayers(work.lab, 'hound/moving');
    const moved = await run();
    // Only the new top layer came over: the base was already on the node.
    expect(moved).toMatchObject({ changed: 1, bytes: [...layers.values()][1] });
    const repoDigests = (await nodeDocker(node('node3')).getImage(`${work.lab.registry.ip}:${work.lab.registry.port}/hound/moving:latest`).inspect())
      .RepoDigests;
    expect(repoDigests).toContain(`${work.lab.registry.ip}:${work.lab.registry.port}/hound/moving@${pushed.digest}`);
  });

  it('an unreachable host ends the run with exit 3 and counts in the recap', async () => {
    const result = await hound(
      ['play', '--distribution', 'direct', 'warmup.yml', '-i', 'hosts.ini', '--limit', 'node3', '--json', '-e', 'ansible_port=1'],
      work.dir,
    );
    expect(result.code).toBe(3);
    const summary = summaryOf(jsonEvents(result.stdout));
    expect(summary.hosts.node3).toMatchObject({ unreachable: 1, ok: 0, failed: 0 });
    expect(summary.exit_code).toBe(3);
  });
});
