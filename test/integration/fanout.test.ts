// Fan-out on the shared lab: real seed registries (the lab's Distribution registry image, run
// by each seed node's own dockerd), real TLS with the run's CA and client certificates, nodes
// pulling from their seed. What the origin served is read from the registry's own access log;
// what the nodes hold, and what the run left on them, is read from their Docker sockets and
// the file system, independently of hound.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pushImageSet, readLabInfo, type LabInfo, type PushedImage } from '../../lab/index.js';
import { pushRegistryImage } from '../../lab/registry-image.js';
import { nodePathsOf } from '../../lab/daemons.js';
import { hound, houndEnv } from '../fixtures/play/helpers.js';

const HOUND = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../dist/cli/hound.js');

interface NodeImage {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function dockerCli(info: LabInfo, node: number, ...args: string[]) {
  return run('docker', ['-H', `unix://${info.nodes[node].dockerSocket}`, ...args]);
}

async function nodeImages(info: LabInfo, node: number): Promise<NodeImage[]> {
  const r = await run('curl', ['-s', '--unix-socket', info.nodes[node].dockerSocket, 'http://docker/images/json']);
  return JSON.parse(r.stdout) as NodeImage[];
}

/** Containers of any fan-out run on a node, running or not. */
async function seedContainers(info: LabInfo, node: number): Promise<string[]> {
  const r = await dockerCli(info, node, 'ps', '-a', '-q', '--filter', 'label=io.hound.fanout');
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/** certs.d entries for the lab's node addresses, in every node's own /etc/docker (lab/daemons.ts mounts one per node). */
async function trustEntries(info: LabInfo): Promise<string[]> {
  const ips = new Set(info.nodes.map((n) => n.ip));
  const entries: string[] = [];
  for (const node of info.nodes) {
    const dir = path.join(nodePathsOf(info.dir, node.name).etcDockerDir, 'certs.d');
    if (!existsSync(dir)) continue;
    for (const entry of await readdir(dir)) if (ips.has(entry.split(':')[0])) entries.push(`${node.name}: ${entry}`);
  }
  return entries;
}

async function workDirs(): Promise<string[]> {
  return (await readdir('/tmp')).filter((entry) => entry.startsWith('hound-fanout-'));
}

/** GET lines for blobs that the registry logged after `offset`, per digest, from `client` only. */
async function originBlobGets(info: LabInfo, offset: number, client: string): Promise<Map<string, number>> {
  const log = (await readFile(path.join(info.dir, 'registry', 'registry.log'), 'utf8')).slice(offset);
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    const match = /^(\S+) .*"GET \/v2\/\S+\/blobs\/(sha256:[a-f0-9]{64}) HTTP/.exec(line);
    if (match && match[1] === client) counts.set(match[2], (counts.get(match[2]) ?? 0) + 1);
  }
  return counts;
}

async function registryLogSize(info: LabInfo): Promise<number> {
  return (await readFile(path.join(info.dir, 'registry', 'registry.log'), 'utf8')).length;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const MiB = 1024 * 1024;

describe('fan-out on the lab', () => {
  let info: LabInfo;
  let origin: string;
  let seedImage: string;
  let work: string;
  let pushed: PushedImage[];

  beforeAll(async () => {
    info = await readLabInfo(inject('labDir') ?? process.env.HOUND_TEST_LAB_DIR!);
    origin = `${info.registry.ip}:${info.registry.port}`;
    // Fresh layers each run: the nodes have never seen these blobs.
    const id = `${process.pid}-${Date.now()}`;
    pushed = await pushImageSet(info.registry.url, {
      layers: [
        { name: 'base', sizeBytes: 3 * MiB, seed: `fanout-test/${id}/base` },
        { name: 'one', sizeBytes: 1 * MiB, seed: `fanout-test/${id}/one` },
        { name: 'two', sizeBytes: 1 * MiB, seed: `fanout-test/${id}/two` },
      ],
      images: [
        { repository: 'fanouttest/one', tag: 'v1', layers: ['base', 'one'] },
        { repository: 'fanouttest/two', tag: 'v1', layers: ['base', 'two'] },
      ],
    });
    const registry = await pushRegistryImage(info.registry.url);
    seedImage = `${origin}/${registry.repository}:${registry.tag}`;
    work = await mkdtemp(path.join(tmpdir(), 'hound-fo-test-'));
    await writeFile(
      path.join(work, 'warmup.yml'),
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: warm up',
        '      images:',
        '        names:',
        ...pushed.map((image) => `          - "${origin}/${image.repository}:${image.tag}"`),
        '',
      ].join('\n'),
    );
  });

  it('feeds each seed once, every node pulls from its seed, and the nodes end as after a direct pull', async () => {
    const logOffset = await registryLogSize(info);
    const r = await hound(
      ['play', 'warmup.yml', '-i', info.inventory, '--distribution', 'fanout', '--fanout-image', seedImage, '--reporter', 'plain', '-vv'],
      work,
    );
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    // One seed for the lab's nodes (fewer than 32), up, fed, and no pull fell back to the relay.
    const stats = /fan-out (\S+): seeds (\S+); (\d+) bytes pushed to seeds, (\d+) mounts, (\d+) pull\(s\) through the relay/.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(stats![2]).toMatch(new RegExp(`^${info.nodes[0].ip.replaceAll('.', '\\.')}:\\d+$`));
    expect(Number(stats![5])).toBe(0);
    // The seed received each distinct blob once: the shared base layer, both app layers, two configs.
    const distinct = new Map<string, number>();
    for (const image of pushed) {
      distinct.set(image.configDigest, 0);
      for (const layer of image.layers) distinct.set(layer.digest, layer.size);
    }
    const layerBytes = [...distinct.values()].reduce((a, b) => a + b, 0);
    expect(Number(stats![3])).toBeGreaterThan(layerBytes);
    expect(Number(stats![3])).toBeLessThan(layerBytes + 64 * 1024);

    // The origin sent each layer once, to the controller (the relay); no node fetched a blob from
    // it. (Config blobs are also read by each host's precheck, so they are not counted here.)
    const gets = await originBlobGets(info, logOffset, info.controllerIp);
    for (const digest of new Set(pushed.flatMap((image) => image.layers.map((layer) => layer.digest)))) expect(gets.get(digest), digest).toBe(1);
    for (const node of info.nodes) expect(await originBlobGets(info, logOffset, node.ip)).toEqual(new Map());

    // Every node holds the images under their origin names only, as a direct pull leaves them.
    for (let node = 0; node < info.nodes.length; node++) {
      const held = await nodeImages(info, node);
      const names = held.flatMap((i) => [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])]).sort();
      const expected = pushed.flatMap((image) => [`${origin}/${image.repository}:${image.tag}`, `${origin}/${image.repository}@${image.digest}`]);
      for (const name of expected) expect(names).toContain(name);
      expect(names.filter((name) => !name.startsWith(`${origin}/`) || name.includes('lab/registry'))).toEqual([]);
      expect(await seedContainers(info, node)).toEqual([]);
    }
    // Nothing of the run is left: no trust of the seed, no seed files, no seed image.
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);

    // And the images match a real direct pull on a node that has just dropped one.
    const reference = `${origin}/${pushed[0].repository}:${pushed[0].tag}`;
    const viaSeed = (await nodeImages(info, 1)).find((i) => i.RepoTags?.includes(reference));
    expect((await dockerCli(info, 1, 'rmi', reference)).code).toBe(0);
    expect((await dockerCli(info, 1, 'pull', reference)).code).toBe(0);
    const direct = (await nodeImages(info, 1)).find((i) => i.RepoTags?.includes(reference));
    expect({ id: viaSeed?.Id, tags: viaSeed?.RepoTags, digests: viaSeed?.RepoDigests }).toEqual({
      id: direct?.Id,
      tags: direct?.RepoTags,
      digests: direct?.RepoDigests,
    });
  });

  it('after hound is killed mid-fan-out, the seed stops at once and the next run removes everything else it had started', async () => {
    for (let node = 0; node < info.nodes.length; node++) {
      for (const image of pushed) await dockerCli(info, node, 'rmi', `${origin}/${image.repository}:${image.tag}`);
    }
    const child = spawn(
      process.execPath,
      [HOUND, 'play', 'warmup.yml', '-i', info.inventory, '--distribution', 'fanout', '--fanout-image', seedImage, '--reporter', 'plain', '-vv'],
      { cwd: work, env: houndEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    // Killed once the seed answers and a node trusts it.
    await until(
      'the seed to serve and be trusted',
      async () => /fan-out: seed \S+ serves at/.test(output) && (await trustEntries(info)).length > 0,
      120_000,
    ).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${String(error)}\n${output.slice(-3000)}`);
    });
    child.kill('SIGKILL');
    await exited;
    // The seed's SSH session ended with hound: its watcher stopped the container, and --rm removed it.
    await until('the seed container to be gone', async () => (await seedContainers(info, 0)).length === 0, 60_000);
    // What a killed run cannot take away itself is still there.
    const leftTrust = await trustEntries(info);
    expect(leftTrust.length).toBeGreaterThan(0);
    expect((await workDirs()).length).toBeGreaterThan(0);

    const again = await hound(
      ['play', 'warmup.yml', '-i', info.inventory, '--distribution', 'fanout', '--fanout-image', seedImage, '--reporter', 'plain', '-vv'],
      work,
    );
    const againOutput = again.stdout + again.stderr;
    expect(again.code, againOutput.slice(-3000)).toBe(0);
    expect(againOutput).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);
    for (let node = 0; node < info.nodes.length; node++) {
      expect(await seedContainers(info, node)).toEqual([]);
      const names = (await nodeImages(info, node)).flatMap((i) => i.RepoTags ?? []);
      expect(names.filter((name) => name.includes('lab/registry'))).toEqual([]);
    }
  });
});
