// Fan-out on the shared lab: real seed registries (the lab's Distribution registry image, run
// by each seed node's own dockerd), real TLS with the run's CA and client certificates, nodes
// pulling from their seed. What the origin served is read from the registry's own access log;
// what the nodes hold, and what the run left on them, is read from their Docker sockets and
// the file system, independently of hound.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushImageSet, type LabInfo, type PushedImage } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { pushRegistryImage } from '../../lab/registry-image.js';
import { nodePathsOf } from '../../lab/daemons.js';
import { hound, houndEnv } from '../fixtures/play/helpers.js';
import { connect, dropLab, ownLab } from './runtime-helpers.js';
import { createRunCertificateAuthority } from '../../relay/run-ca.js';
import { createSeedContainer, notePulledImage, prepareSeedFiles, removeLeftovers, startSeedContainer, stopSeed, surveyNode } from '../../relay/seed-node.js';
import { SshDocker } from '../../runtime/docker.js';
import { CriRuntime } from '../../runtime/cri/runtime.js';
import { NODE_DOCKER_CERTS_DIRECTORY } from '../../runtime/docker-registry-routes.js';
import type { SeedHost } from '../../runtime/types.js';

/** The run's closing fan-out line at -v: run id, seeds, bytes pushed, mounts, pulls relayed while seeds filled, pulls through the relay as seeds failed. */
const FANOUT_STATS =
  /fan-out (\S+): seeds ([^;]+); (\d+) bytes pushed to seeds, (\d+) mounts, (\d+) pull\(s\) relayed while seeds filled, (\d+) through the relay as seeds failed/;

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

/** A lab node's Docker as a seed host: its socket as the controller sees it (nodes share the filesystem), its own certs.d. */
function dockerSeedHost(socketPath: string): SeedHost {
  return { kind: 'docker', socketPath, certsDir: NODE_DOCKER_CERTS_DIRECTORY };
}

/**
 * The pulls of the run's images a -vv run's output shows, from the runtime's own Engine API
 * calls (Docker's, or podman's compatible ones): which node pulled from which registry (the
 * relay's forward on the node, 127.0.0.1, or a seed). The seed image, which seed nodes pull
 * through the relay too, is not one of the run's images.
 */
function runImagePulls(output: string, runtime: 'docker' | 'podman' = 'docker'): Array<{ node: string; from: string; path: string }> {
  return [...output.matchAll(new RegExp(`${runtime} (\\S+): POST /images/create fromImage=(\\S+?)/(\\S+)`, 'g'))]
    .filter((m) => !m[3].includes('lab/registry'))
    .map((m) => ({ node: m[1], from: m[2], path: m[3] }));
}

/** The same from a containerd node's CRI calls at -vv (`containerd NODE: PullImage REGISTRY/…`). */
function runCriPulls(output: string): Array<{ node: string; from: string }> {
  return [...output.matchAll(/containerd (\S+): PullImage (\S+?)\/(\S+)/g)]
    .filter((m) => !m[3].includes('lab/registry'))
    .map((m) => ({ node: m[1], from: m[2] }));
}

function dockerCli(info: LabInfo, node: number, ...args: string[]) {
  return run('docker', ['-H', `unix://${info.nodes[node].socket.controller}`, ...args]);
}

async function nodeImages(info: LabInfo, node: number): Promise<NodeImage[]> {
  const r = await run('curl', ['-s', '--unix-socket', info.nodes[node].socket.controller, 'http://docker/images/json']);
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

/**
 * Fan-out runs' work dirs in /tmp that hold a lab node's files (a dir per node, named as the
 * inventory names it, or the files of the layout before that). A unit test of the seed files
 * may run beside this file and write its own run dir (for the host `local`): that is not a
 * lab's.
 */
async function workDirs(): Promise<string[]> {
  const runs = (await readdir('/tmp')).filter((entry) => /^hound-fanout-f[0-9a-f]{10}$/.test(entry));
  const ofLab = await Promise.all(
    runs.map(async (run) =>
      (await readdir(path.join('/tmp', run)).catch(() => [] as string[])).some(
        (e) => /^node\d+(-rootless)?(\.created-dirs)?$/.test(e) || e === 'config.yml' || e === 'pulled-image',
      ),
    ),
  );
  return runs.filter((_, i) => ofLab[i]);
}

/** Pids of the `docker start --attach` clients of a container, on any node (the lab's nodes share the host's processes). */
async function attachClients(container: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      (c) => c.split('\0'),
      (): string[] => [],
    );
    if (argv.includes('start') && argv.includes('--attach') && argv.includes(container) && !argv.includes('-c')) pids.push(Number(entry));
  }
  return pids;
}

/** A process's group (/proc/PID/stat field 5, after the command name, which may hold spaces). */
async function processGroupOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Pids of the watcher scripts (runtime/remote-command.ts) running a container's `docker start --attach`. */
async function watcherScripts(container: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      (c) => c.split('\0'),
      (): string[] => [],
    );
    if (argv[1] === '-c' && argv.includes('hound-command') && argv.includes(container)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * What is left of node 0's seed and its SSH session, for a test that found the seed still
 * there: the session's processes (sshd, the watcher, the attach client, the registry), the
 * node's TCP connections, the seed containers, and the tails of the node's dockerd and sshd
 * logs. A chance failure then says what happened.
 */
async function seedSessionState(info: LabInfo): Promise<string> {
  const node = info.nodes[0];
  // -ww: piped, ps cuts each line at 80 columns, and the filter below reads the whole command.
  const ps = await run('ps', ['-ww', '-eo', 'pid,ppid,stat,etimes,args']);
  const processes = ps.stdout.split('\n').filter((l) => /sshd: |hound-command|docker .*start|registry serve|\bcat$/.test(l));
  const ss = await run('ip', ['netns', 'exec', node.netns, 'ss', '-tnpoe']);
  const containers = await dockerCli(info, 0, 'ps', '-a', '--filter', 'label=io.hound.fanout', '--format', '{{.ID}} {{.Status}} {{.State}}');
  const logs = path.join(info.dir, 'nodes', node.name);
  const tail = async (file: string) => (await readFile(path.join(logs, file), 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
  return [
    '--- processes',
    ...processes,
    '--- tcp',
    ss.stdout,
    '--- containers',
    containers.stdout,
    '--- dockerd.log',
    await tail('dockerd.log'),
    '--- sshd.log',
    await tail('sshd.log'),
  ].join('\n');
}

/**
 * Removes what fan-out runs left on the lab's Docker nodes, by the lab's own means (Docker
 * sockets, the file system), so that a test that failed does not fail the next ones too: seed
 * containers with their volumes, certs.d entries for the nodes' addresses, the work dirs of
 * those runs, and image names that are not the origin's.
 */
async function removeFanoutLeftovers(info: LabInfo, origin: string, dockerNodes = info.nodes.map((_, i) => i)): Promise<void> {
  const ips = new Set(info.nodes.map((n) => n.ip));
  const runs = new Set<string>();
  for (const node of dockerNodes) {
    const listed = await dockerCli(info, node, 'ps', '-a', '--filter', 'label=io.hound.fanout', '--format', '{{.ID}} {{.Label "io.hound.fanout"}}');
    for (const [id, run] of listed.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(' '))) {
      runs.add(run);
      await dockerCli(info, node, 'rm', '-f', '-v', id);
    }
    const dir = path.join(nodePathsOf(info.dir, info.nodes[node].name).etcDockerDir, 'certs.d');
    for (const entry of existsSync(dir) ? await readdir(dir) : []) {
      if (!ips.has(entry.split(':')[0])) continue;
      const marker = await readFile(path.join(dir, entry, 'hound-fanout-run'), 'utf8').catch(() => '');
      if (marker !== '') runs.add(marker.trim());
      await rm(path.join(dir, entry), { recursive: true, force: true });
    }
    for (const image of await nodeImages(info, node)) {
      for (const name of image.RepoTags ?? []) if (!name.startsWith(`${origin}/`) || name.includes('lab/registry')) await dockerCli(info, node, 'rmi', name);
    }
  }
  for (const run of runs) if (/^f[0-9a-f]{10}$/.test(run)) await rm(`/tmp/hound-fanout-${run}`, { recursive: true, force: true });
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

/** The names a direct pull leaves on a node for the run's images (repo:tag and repo@digest, from the origin), sorted. */
function originNames(origin: string, pushed: readonly PushedImage[]): string[] {
  return pushed.flatMap((image) => [`${origin}/${image.repository}:${image.tag}`, `${origin}/${image.repository}@${image.digest}`]).sort();
}

const MiB = 1024 * 1024;

/**
 * What a lab's fan-out runs pull: two images sharing a base layer, with fresh layers (the
 * nodes have never seen these blobs), the lab's seed registry image, and a work dir with
 * warmup.yml pulling both.
 */
async function prepareFanoutRun(info: LabInfo, repository: string): Promise<{ origin: string; seedImage: string; work: string; pushed: PushedImage[] }> {
  const origin = `${info.registry.ip}:${info.registry.port}`;
  const id = `${process.pid}-${Date.now()}`;
  const pushed = await pushImageSet(info.registry.url, {
    layers: [
      { name: 'base', sizeBytes: 3 * MiB, seed: `${repository}/${id}/base` },
      { name: 'one', sizeBytes: 1 * MiB, seed: `${repository}/${id}/one` },
      { name: 'two', sizeBytes: 1 * MiB, seed: `${repository}/${id}/two` },
    ],
    images: [
      { repository: `${repository}/one`, tag: 'v1', layers: ['base', 'one'] },
      { repository: `${repository}/two`, tag: 'v1', layers: ['base', 'two'] },
    ],
  });
  const registry = await pushRegistryImage(info.registry.url);
  const work = await mkdtemp(path.join(tmpdir(), `hound-${repository}-`));
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
  return { origin, seedImage: `${origin}/${registry.repository}:${registry.tag}`, work, pushed };
}

/**
 * hound started on a fan-out play (`args`) in `work` and stopped with `signal` once its seed
 * serves and `trusted()` says a node trusts it; resolves to its exit code and output.
 */
async function stoppedMidFanout(
  work: string,
  args: string[],
  trusted: () => Promise<boolean>,
  signal: 'SIGKILL' | 'SIGINT',
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [HOUND, 'play', 'warmup.yml', ...args, '--reporter', 'plain', '-vv'], {
    cwd: work,
    env: houndEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  await until('the seed to serve and be trusted', async () => /fan-out: seed \S+ serves at/.test(output) && (await trusted()), 120_000).catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${String(error)}\n${output.slice(-3000)}`);
    },
  );
  child.kill(signal);
  const code = await exited;
  return { code, output };
}

describe('fan-out on the lab', () => {
  let info: LabInfo;
  let origin: string;
  let seedImage: string;
  let work: string;
  let pushed: PushedImage[];

  beforeAll(async () => {
    info = await readTestLab();
    ({ origin, seedImage, work, pushed } = await prepareFanoutRun(info, 'fanouttest'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /**
   * A fan-out run's options. No relay lanes unless asked: these tests look at what goes
   * through the seeds, and with lanes a node may pull through the relay while its seed fills.
   */
  function fanout(relayLanes = 0): string[] {
    return ['--distribution', 'fanout', '--fanout-image', seedImage, '-e', `hound_fanout_relay_lanes=${relayLanes}`];
  }

  // Each test starts from a lab without fan-out leftovers, even when the one before failed.
  afterEach(async () => {
    await removeFanoutLeftovers(info, origin);
  });

  it('feeds each seed once, every node pulls from its seed, and the nodes end as after a direct pull', async () => {
    const logOffset = await registryLogSize(info);
    const r = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(), '--reporter', 'plain', '-vv'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    // One seed for the lab's nodes (fewer than 32), up, fed, and no pull fell back to the relay.
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(stats![2]).toMatch(new RegExp(`^${info.nodes[0].ip.replaceAll('.', '\\.')}:\\d+$`));
    expect(Number(stats![5])).toBe(0);
    expect(Number(stats![6])).toBe(0);
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
    // it. Each config blob went to the controller once for the run's planning reads (every
    // host's disk check shares them) and at most once more for the relay, not once per host.
    const gets = await originBlobGets(info, logOffset, info.controllerIp);
    for (const digest of new Set(pushed.flatMap((image) => image.layers.map((layer) => layer.digest)))) expect(gets.get(digest), digest).toBe(1);
    for (const image of pushed) expect(gets.get(image.configDigest), image.configDigest).toBeLessThanOrEqual(2);
    for (const node of info.nodes) expect(await originBlobGets(info, logOffset, node.ip)).toEqual(new Map());

    // Every node holds the images under their origin names only, as a direct pull leaves them.
    for (let node = 0; node < info.nodes.length; node++) {
      const held = await nodeImages(info, node);
      const names = held.flatMap((i) => [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])]).sort();
      const expected = originNames(origin, pushed);
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

  it("pulls from the seeds on every node at once, outside the origin's pull slots (--pulls-per-registry 1)", async () => {
    await dropPushedImages();
    const r = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(), '--pulls-per-registry', '1', '--reporter', 'plain', '-vv'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    // Docker's calls in order: a pull from a seed starts with POST /images/create from the
    // seed's address, and ends when hound tags what it pulled with the origin's name. Held to
    // the origin's one slot, the second pull could only start after the first one's tag.
    const seedAddress = /fan-out: seed \S+ serves at (\S+)/.exec(output)?.[1];
    expect(seedAddress, output.slice(-3000)).toBeDefined();
    const calls = output.split('\n').filter((line) => line.includes(`fromImage=${seedAddress}/`) || line.includes(`/images/${seedAddress}/`));
    const firstTag = calls.findIndex((line) => line.includes('/tag repo='));
    expect(firstTag, calls.join('\n')).toBeGreaterThan(1);
    const startedBeforeFirstEnd = calls.slice(0, firstTag).filter((line) => line.includes('POST /images/create'));
    expect(new Set(startedBeforeFirstEnd.map((line) => /docker (\S+):/.exec(line)?.[1])).size, calls.join('\n')).toBeGreaterThan(1);
    // And every node holds both images.
    for (let node = 0; node < info.nodes.length; node++) {
      const names = (await nodeImages(info, node)).flatMap((i) => i.RepoTags ?? []);
      for (const image of pushed) expect(names).toContain(`${origin}/${image.repository}:${image.tag}`);
    }
  });

  it('runs as many seeds as hound_fanout_seeds says (no more than the nodes), and says so when the value is not a count', async () => {
    await dropPushedImages();
    const two = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(), '-e', 'hound_fanout_seeds=2', '--reporter', 'plain', '-v'], work);
    const output = two.stdout + two.stderr;
    expect(two.code, output.slice(-3000)).toBe(0);
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(stats![2].split(', '), output.slice(-3000)).toHaveLength(2);
    expect(Number(stats![6])).toBe(0);
    expect(output).toContain(`fan-out: 2 seed(s) for ${info.nodes.length} node(s)`);

    // More than the nodes: one seed a node, and the line says how many were asked.
    await dropPushedImages();
    const asked = info.nodes.length + 5;
    const many = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(), '-e', `hound_fanout_seeds=${asked}`, '--reporter', 'plain', '-v'], work);
    const manyOutput = many.stdout + many.stderr;
    expect(many.code, manyOutput.slice(-3000)).toBe(0);
    expect(FANOUT_STATS.exec(manyOutput)?.[2].split(', '), manyOutput.slice(-3000)).toHaveLength(info.nodes.length);
    expect(manyOutput).toContain(
      `fan-out: ${info.nodes.length} seed(s) (${asked} asked; one per node with images to pull at most) for ${info.nodes.length} node(s)`,
    );

    await dropPushedImages();
    const bad = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(), '-e', 'hound_fanout_seeds=0', '--reporter', 'plain', '-v'], work);
    const badOutput = bad.stdout + bad.stderr;
    expect(bad.code, badOutput.slice(-3000)).toBe(0);
    expect(badOutput).toContain('distribution: hound_fanout_seeds="0" is not a whole number of seeds (1 or more); the rates decide instead');
    expect(FANOUT_STATS.exec(badOutput)?.[2].split(', ')).toHaveLength(1);
  });

  it("removes each seed as soon as all its nodes hold their images, before the run's next play", async () => {
    await dropPushedImages();
    // Play 2 looks on every node for a seed container, waiting up to 15 s for it to go: with
    // the seeds removed only when the run ends, it would find one and fail.
    const playbook = path.join(work, 'retire.yml');
    await writeFile(
      playbook,
      [
        (await readFile(path.join(work, 'warmup.yml'), 'utf8')).trimEnd(),
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: no seed is left',
        '      shell: for i in $(seq 75); do [ -z "$(docker -H unix://{{ hound_docker_socket }} ps -aq --filter label=io.hound.fanout)" ] && exit 0; sleep 0.2; done; exit 1',
        '',
      ].join('\n'),
    );
    const r = await hound(['play', 'retire.yml', '-i', info.inventory, ...fanout(), '-e', 'hound_fanout_seeds=2', '--reporter', 'plain', '-v'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    expect(FANOUT_STATS.exec(output)?.[2].split(', '), output.slice(-3000)).toHaveLength(2);
    expect(output).toMatch(/; 2 seed\(s\) removed as soon as their nodes held their images/);
    expect(output.match(/fan-out: seed \S+'s \d+ node\(s\) hold their images; removing the seed/g)).toHaveLength(2);
    for (let node = 0; node < info.nodes.length; node++) expect(await seedContainers(info, node)).toEqual([]);
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);
  });

  it('while the seed fills, other nodes pull through the relay on its lanes, the seed node waits for its own, and all end as after a direct pull', async () => {
    await dropPushedImages();
    const logOffset = await registryLogSize(info);
    const r = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(1), '--reporter', 'plain', '-vv'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    expect(output).toMatch(/fan-out: 1 seed\(s\) for \d+ node\(s\), 1 relay lane\(s\) while they fill/);
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    // The first pulls ask before the seed has even started: one node takes the lane at once.
    expect(Number(stats![5])).toBeGreaterThan(0);
    expect(Number(stats![6])).toBe(0);

    // Docker's own calls say which registry each node pulled from: the relay's forward on the
    // node (127.0.0.1) or the seed. The seed node never pulls through the relay.
    const seedAddress = /fan-out: seed \S+ serves at (\S+)/.exec(output)?.[1];
    expect(seedAddress, output.slice(-3000)).toBeDefined();
    const pulls = runImagePulls(output);
    const relayed = new Set(pulls.filter((p) => p.from.startsWith('127.0.0.1:')).map((p) => p.node));
    const seeded = new Set(pulls.filter((p) => p.from === seedAddress).map((p) => p.node));
    expect(relayed.size, pulls.map((p) => `${p.node} ${p.from}`).join('\n')).toBeGreaterThan(0);
    expect(relayed.has(info.nodes[0].name)).toBe(false);
    expect(seeded.has(info.nodes[0].name)).toBe(true);

    // Lanes add no traffic at the origin: the relay fetched each layer once for the seed and the lanes.
    const gets = await originBlobGets(info, logOffset, info.controllerIp);
    for (const digest of new Set(pushed.flatMap((image) => image.layers.map((layer) => layer.digest)))) expect(gets.get(digest), digest).toBe(1);
    for (const node of info.nodes) expect(await originBlobGets(info, logOffset, node.ip)).toEqual(new Map());

    await expectEndedAsAfterDirectPull();
  });

  it('a node that cannot reach its seed (a firewall between nodes) pulls through the relay instead, from its first failure on, and all end as after a direct pull', async () => {
    await dropPushedImages();
    const seedIp = info.nodes[0].ip;
    const cut = info.nodes.slice(1);
    // Every node but the seed's loses its route to the seed's address: Docker's connect fails there
    // at once, while the node's SSH (hound, the relay's forward) and the seed's feed are untouched.
    // One image at a time on each node, so that its second pull comes after its first one failed.
    await writeFile(
      path.join(work, 'warmup-one-at-a-time.yml'),
      (await readFile(path.join(work, 'warmup.yml'), 'utf8')).replace('      images:\n', '      images:\n        concurrency: 1\n'),
    );
    const route = (node: LabInfo['nodes'][number], verb: 'add' | 'del') =>
      run('ip', ['netns', 'exec', node.netns, 'ip', 'route', verb, 'unreachable', `${seedIp}/32`]);
    const cutOff = async () => {
      for (const node of cut) expect((await route(node, 'add')).code).toBe(0);
    };
    const r = await cutOff()
      .then(() => hound(['play', 'warmup-one-at-a-time.yml', '-i', info.inventory, ...fanout(), '--reporter', 'plain', '-vv'], work))
      .finally(async () => {
        for (const node of cut) await route(node, 'del');
      });
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(stats![2]).toMatch(new RegExp(`^${seedIp.replaceAll('.', '\\.')}:\\d+$`));
    // Each cut node's first pull from the seed failed and went to the relay, and so did its other one,
    // without trying the seed again; the seed's own node pulled from it.
    expect(Number(stats![6])).toBe(cut.length * pushed.length);
    for (const node of cut) {
      expect(output.match(new RegExp(`fan-out: ${node.name} could not pull \\S+ from its seed`, 'g'))?.length, output.slice(-3000)).toBe(1);
    }
    const seedAddress = /fan-out: seed \S+ serves at (\S+)/.exec(output)?.[1];
    const pulls = runImagePulls(output);
    for (const node of cut) {
      expect(pulls.filter((p) => p.node === node.name && p.from === seedAddress).length, pulls.map((p) => `${p.node} ${p.from}`).join('\n')).toBe(1);
    }
    expect(pulls.some((p) => p.node === info.nodes[0].name && p.from === seedAddress)).toBe(true);

    await expectEndedAsAfterDirectPull();
  });

  it('a node cut off from one of two seeds pulls what that seed serves it through the relay, and still pulls from the other seed', async () => {
    // The plan is deterministic (assignSeeds): a first run, every seed in reach, shows which seed serves which image.
    const twoSeeds = ['-i', info.inventory, ...fanout(), '-e', 'hound_fanout_seeds=2', '--reporter', 'plain', '-vv'];
    const servesLines = (output: string) =>
      [...output.matchAll(/fan-out: seed (\S+) serves at (\S+):\d+ \((\S+) to \d+ node\(s\)\)/g)].map((m) => ({ host: m[1], ip: m[2], image: m[3] }));
    await dropPushedImages();
    const first = await hound(['play', 'warmup.yml', ...twoSeeds], work);
    const firstOutput = first.stdout + first.stderr;
    expect(first.code, firstOutput.slice(-3000)).toBe(0);
    const plan = servesLines(firstOutput).sort((a, b) => a.host.localeCompare(b.host));
    // Two images on every node, two seeds: each seed serves one image to every node.
    expect(plan.map((s) => s.image).sort(), firstOutput.slice(-3000)).toEqual(pushed.map((i) => `${origin}/${i.repository}:${i.tag}`).sort());
    const [cutSeed, otherSeed] = plan;
    // Not the seeds' own nodes: a route cut on the other seed's node would also drop its replies to the cut seed's node pulling from it.
    const cut = info.nodes.filter((n) => n.name !== cutSeed.host && n.name !== otherSeed.host);
    expect(cut.length).toBeGreaterThan(0);
    // One image at a time, the cut seed's first: a node's pull from the other seed comes after its failure at the cut one.
    const images = [cutSeed.image, otherSeed.image];
    await writeFile(
      path.join(work, 'warmup-cut-one-seed.yml'),
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: warm up',
        '      images:',
        '        concurrency: 1',
        '        names:',
        ...images.map((i) => `          - "${i}"`),
        '',
      ].join('\n'),
    );
    const route = (node: LabInfo['nodes'][number], verb: 'add' | 'del') =>
      run('ip', ['netns', 'exec', node.netns, 'ip', 'route', verb, 'unreachable', `${cutSeed.ip}/32`]);
    await dropPushedImages();
    const r = await (async () => {
      for (const node of cut) expect((await route(node, 'add')).code).toBe(0);
      return hound(['play', 'warmup-cut-one-seed.yml', ...twoSeeds], work);
    })().finally(async () => {
      for (const node of cut) await route(node, 'del');
    });
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    expect(
      servesLines(output)
        .sort((a, b) => a.host.localeCompare(b.host))
        .map((s) => [s.host, s.image]),
    ).toEqual(plan.map((s) => [s.host, s.image]));
    // Each cut node failed at the cut seed once, for its image, and pulled the other seed's image from that seed.
    const fallbackLines = output
      .split('\n')
      .filter((l) => /fan-out: .*(could not pull|through the relay)/.test(l))
      .join('\n');
    expect(Number(FANOUT_STATS.exec(output)?.[6]), fallbackLines).toBe(cut.length);
    const pulls = runImagePulls(output);
    const repositoryOf = (image: string) => image.slice(origin.length + 1, image.lastIndexOf(':'));
    for (const node of cut) {
      const failed = [...output.matchAll(new RegExp(`fan-out: ${node.name} could not pull (\\S+) from its seed`, 'g'))].map((m) => m[1]);
      expect(failed, output.slice(-3000)).toEqual([cutSeed.image]);
      const fromOther = pulls.filter((p) => p.node === node.name && p.from.startsWith(`${otherSeed.ip}:`));
      expect(
        fromOther.map((p) => p.path.endsWith(repositoryOf(otherSeed.image))),
        pulls.map((p) => `${p.node} ${p.from} ${p.path}`).join('\n'),
      ).toEqual([true]);
    }
    expect(output).not.toMatch(/could not pull from it earlier in the run/);

    await expectEndedAsAfterDirectPull();
  });

  /** Every node holds the run's images under their origin names only, and nothing of the run is left: as after a direct pull. */
  async function expectEndedAsAfterDirectPull(): Promise<void> {
    for (let node = 0; node < info.nodes.length; node++) {
      const names = (await nodeImages(info, node)).flatMap((i) => [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])]);
      for (const image of pushed) {
        expect(names).toContain(`${origin}/${image.repository}:${image.tag}`);
        expect(names).toContain(`${origin}/${image.repository}@${image.digest}`);
      }
    }
    expect(await foreignNames()).toEqual([]);
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);
  }

  /** Volumes on every node (the seed's storage is an anonymous volume). */
  async function volumes(): Promise<string[]> {
    const all: string[] = [];
    for (let node = 0; node < info.nodes.length; node++) {
      const r = await dockerCli(info, node, 'volume', 'ls', '-q');
      all.push(
        ...r.stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((v) => `${info.nodes[node].name}: ${v}`),
      );
    }
    return all.sort();
  }

  /** Image names on any node that are not the origin's: a seed's or the relay's names, or the seed image. */
  async function foreignNames(): Promise<string[]> {
    const foreign: string[] = [];
    for (let node = 0; node < info.nodes.length; node++) {
      for (const image of await nodeImages(info, node)) {
        for (const name of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])]) {
          if (!name.startsWith(`${origin}/`) || name.includes('lab/registry')) foreign.push(`${info.nodes[node].name}: ${name}`);
        }
      }
    }
    return foreign;
  }

  async function dropPushedImages(): Promise<void> {
    for (let node = 0; node < info.nodes.length; node++) {
      for (const image of pushed) await dockerCli(info, node, 'rmi', `${origin}/${image.repository}:${image.tag}`);
    }
  }

  function stopMidFanout(signal: 'SIGKILL' | 'SIGINT') {
    return stoppedMidFanout(work, ['-i', info.inventory, ...fanout()], async () => (await trustEntries(info)).length > 0, signal);
  }

  /** The next fan-out run: it succeeds, and afterwards nothing of either run is left on the nodes. */
  async function nextRunLeavesNothing(volumesBefore: string[]): Promise<string> {
    const again = await hound(['play', 'warmup.yml', '-i', info.inventory, ...fanout(), '--reporter', 'plain', '-vv'], work);
    const againOutput = again.stdout + again.stderr;
    expect(again.code, againOutput.slice(-3000)).toBe(0);
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);
    for (let node = 0; node < info.nodes.length; node++) expect(await seedContainers(info, node)).toEqual([]);
    expect(await foreignNames()).toEqual([]);
    expect(await volumes()).toEqual(volumesBefore);
    return againOutput;
  }

  it('after hound is killed mid-fan-out (SIGKILL), the seed stops at once and the next run removes everything else it had started', async () => {
    await dropPushedImages();
    const volumesBefore = await volumes();
    await stopMidFanout('SIGKILL');
    // The seed's SSH session ended with hound: its watcher stopped the container, and --rm removed it with its volume.
    await until('the seed container to be gone', async () => (await seedContainers(info, 0)).length === 0, 60_000).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await seedSessionState(info)}`);
    });
    // What a killed run cannot take away itself is still there.
    expect((await trustEntries(info)).length).toBeGreaterThan(0);
    expect((await workDirs()).length).toBeGreaterThan(0);

    const againOutput = await nextRunLeavesNothing(volumesBefore);
    expect(againOutput).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
  });

  it('after Ctrl-C mid-fan-out (SIGINT), hound exits 99 having removed everything it had started, and the next run finds nothing to remove', async () => {
    await dropPushedImages();
    const volumesBefore = await volumes();
    const stopped = await stopMidFanout('SIGINT');
    expect(stopped.code, stopped.output.slice(-3000)).toBe(99);
    for (let node = 0; node < info.nodes.length; node++) expect(await seedContainers(info, node)).toEqual([]);
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);
    expect(await foreignNames()).toEqual([]);
    expect(await volumes()).toEqual(volumesBefore);

    const againOutput = await nextRunLeavesNothing(volumesBefore);
    expect(againOutput).not.toMatch(/fan-out: removed \d+ leftover/);
  });

  it("seeds on nodes that share one /tmp (as the lab's do) keep their own files, and the run's directory goes with the last of them", async () => {
    const nodes = [info.nodes[0], info.nodes[1]];
    const connections = await Promise.all(nodes.map((node) => connect(info, node)));
    const runId = `f${randomBytes(5).toString('hex')}`;
    const runDir = `/tmp/hound-fanout-${runId}`;
    try {
      const ca = createRunCertificateAuthority(runId);
      const servers = nodes.map((node) => ca.issueServer(node.ip));
      const dirs = await Promise.all(
        nodes.map((node, i) =>
          prepareSeedFiles(connections[i], runId, `${node.ip}:29995`, 'secret', {
            serverCertPem: servers[i].certificatePem,
            serverKeyPem: servers[i].privateKeyPem,
            caPem: ca.certificatePem,
          }),
        ),
      );
      // One directory per node: each seed keeps its own address's certificate.
      expect(dirs[0]).not.toBe(dirs[1]);
      for (const [i, dir] of dirs.entries()) expect(await readFile(path.join(dir, 'tls/server.crt'), 'utf8')).toBe(servers[i].certificatePem);
      // The first seed's removal leaves the second's files, as its start needs them.
      await stopSeed(connections[0], { runId, host: dockerSeedHost(nodes[0].socket.controller) });
      expect(existsSync(dirs[0])).toBe(false);
      expect(existsSync(path.join(dirs[1], 'config.yml'))).toBe(true);
      await stopSeed(connections[1], { runId, host: dockerSeedHost(nodes[1].socket.controller) });
      expect(existsSync(runDir)).toBe(false);
    } finally {
      await rm(runDir, { recursive: true, force: true });
      await Promise.all(connections.map((connection) => connection.close()));
    }
  });

  it('a run directory written before there was one per node (its files in it) is found and removed whole', async () => {
    const node = info.nodes[0];
    const connection = await connect(info, node);
    const runId = `f${randomBytes(5).toString('hex')}`;
    const runDir = `/tmp/hound-fanout-${runId}`;
    try {
      await mkdir(path.join(runDir, 'tls'), { recursive: true });
      await writeFile(path.join(runDir, 'config.yml'), 'version: 0.1\n');
      const survey = await surveyNode(connection, new SshDocker(connection), dockerSeedHost(node.socket.controller));
      expect(survey.items).toContain(`olddir ${runId}`);
      expect(await removeLeftovers(connection, dockerSeedHost(node.socket.controller), new SshDocker(connection), [`olddir ${runId}`], new Set())).toEqual([
        `olddir ${runId}`,
      ]);
      expect(existsSync(runDir)).toBe(false);
    } finally {
      await rm(runDir, { recursive: true, force: true });
      await connection.close();
    }
  });

  it('a seed container created but never started (hound killed between create and start) is removed by the next run, with its files', async () => {
    const node = info.nodes[0];
    const connection = await connect(info, node);
    const runId = `f${randomBytes(5).toString('hex')}`;
    try {
      await dropPushedImages();
      const volumesBefore = await volumes();
      expect((await dockerCli(info, 0, 'pull', seedImage)).code).toBe(0);
      const ca = createRunCertificateAuthority(runId);
      const server = ca.issueServer(node.ip);
      const dir = await prepareSeedFiles(connection, runId, `${node.ip}:29998`, 'secret', {
        serverCertPem: server.certificatePem,
        serverKeyPem: server.privateKeyPem,
        caPem: ca.certificatePem,
      });
      await createSeedContainer(connection, { runId, host: dockerSeedHost(node.socket.controller), image: seedImage, dir });
      expect((await dockerCli(info, 0, 'ps', '-a', '-q', '--filter', `label=io.hound.fanout=${runId}`)).stdout.trim()).not.toBe('');
      // Untagged (the created container keeps it by id): the next run pulls the seed image itself and removes it again.
      expect((await dockerCli(info, 0, 'rmi', '-f', seedImage)).code).toBe(0);
      const againOutput = await nextRunLeavesNothing(volumesBefore);
      expect(againOutput).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await dockerCli(info, 0, 'rm', '-f', '-v', `hound-seed-${runId}`);
      await connection.close();
    }
  });

  it('a seed whose `docker start --attach` client ends without stopping it (as Docker CLI 27+ may on SIGTERM) is removed by its SSH session', async () => {
    // Since Docker CLI 27 a SIGTERM cancels the client's context, and `docker start --attach`
    // can exit before its signal proxy has told dockerd: the container ran on after hound was
    // killed. Here the client is killed outright, with hound still holding the session open.
    const node = info.nodes[0];
    const connection = await connect(info, node);
    const runId = `f${randomBytes(5).toString('hex')}`;
    let running: ReturnType<typeof startSeedContainer> | undefined;
    try {
      expect((await dockerCli(info, 0, 'pull', seedImage)).code).toBe(0);
      const volumesBefore = await volumes();
      const ca = createRunCertificateAuthority(runId);
      const server = ca.issueServer(node.ip);
      const dir = await prepareSeedFiles(connection, runId, `${node.ip}:29997`, 'secret', {
        serverCertPem: server.certificatePem,
        serverKeyPem: server.privateKeyPem,
        caPem: ca.certificatePem,
      });
      const container = await createSeedContainer(connection, { runId, host: dockerSeedHost(node.socket.controller), image: seedImage, dir });
      running = startSeedContainer(connection, { host: dockerSeedHost(node.socket.controller), container });
      await until('the seed to run', async () => (await dockerCli(info, 0, 'inspect', '-f', '{{.State.Running}}', container)).stdout.trim() === 'true', 60_000);
      const clients = await attachClients(container);
      expect(clients).toHaveLength(1);
      process.kill(clients[0], 'SIGKILL');
      await until('the seed container to be gone', async () => (await seedContainers(info, 0)).length === 0, 30_000);
      // The session ended by itself (the client's exit status), while hound still held it open.
      expect((await running.exited).code).toBe(137);
      expect(await volumes()).toEqual(volumesBefore);
    } finally {
      running?.detach();
      await stopSeed(connection, { runId, host: dockerSeedHost(node.socket.controller) });
      await dockerCli(info, 0, 'rmi', seedImage);
      await connection.close();
    }
  });

  it('a running seed whose watcher is gone (so nothing will stop it) is an orphan: the next run removes it and everything of its run', async () => {
    // However the watcher came to end without removing its container (it is what stops the
    // seed when hound goes away), the next run must not take the seed for a live run's.
    const node = info.nodes[0];
    const connection = await connect(info, node);
    const runId = `f${randomBytes(5).toString('hex')}`;
    try {
      await dropPushedImages();
      expect((await dockerCli(info, 0, 'pull', seedImage)).code).toBe(0);
      const volumesBefore = await volumes();
      const ca = createRunCertificateAuthority(runId);
      const server = ca.issueServer(node.ip);
      const dir = await prepareSeedFiles(connection, runId, `${node.ip}:29996`, 'secret', {
        serverCertPem: server.certificatePem,
        serverKeyPem: server.privateKeyPem,
        caPem: ca.certificatePem,
      });
      const container = await createSeedContainer(connection, { runId, host: dockerSeedHost(node.socket.controller), image: seedImage, dir });
      const running = startSeedContainer(connection, { host: dockerSeedHost(node.socket.controller), container });
      await until('the seed to run', async () => (await dockerCli(info, 0, 'inspect', '-f', '{{.State.Running}}', container)).stdout.trim() === 'true', 60_000);
      // The script and its stdin watcher (a subshell of it, with the same arguments).
      const watchers = await watcherScripts(container);
      expect(watchers.length).toBeGreaterThan(0);
      // All at once, by process group (sshd starts the command in a session of its own): killed
      // one by one, the script outlived its watcher by a moment under load and removed the
      // seed itself, as it should when only the watcher dies (CI, 2026-12-03).
      const groups = new Set(await Promise.all(watchers.map(processGroupOf)));
      expect(groups.size).toBe(1);
      for (const group of groups) process.kill(-group, 'SIGKILL');
      // With the script gone nothing reacts to its client's end: one outside the group goes too.
      for (const client of await attachClients(container)) process.kill(client, 'SIGKILL');
      await running.exited;
      // Nothing of the session is left to stop it: the seed runs on.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect((await dockerCli(info, 0, 'inspect', '-f', '{{.State.Running}}', container)).stdout.trim()).toBe('true');
      expect(await watcherScripts(container)).toEqual([]);
      // Untagged (the container keeps it by id), as the test pulled it, not a run.
      expect((await dockerCli(info, 0, 'rmi', '-f', seedImage)).code).toBe(0);

      const againOutput = await nextRunLeavesNothing(volumesBefore);
      expect(againOutput).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await dockerCli(info, 0, 'rm', '-f', '-v', `hound-seed-${runId}`);
      await connection.close();
    }
  });

  it('a seed removed while Docker is still starting it leaves nothing, and nothing comes back', async () => {
    // The cause of work dirs left under load: the seed ran as one `docker run`; when hound
    // removed it (a start that timed out, or an interrupted run) before Docker had created the
    // container, the container was created afterwards and -v recreated the removed work dir
    // as its bind mounts' missing sources. Here removal follows the start at once, and after
    // delays up to the time Docker takes to start it.
    const node = info.nodes[0];
    const connection = await connect(info, node);
    try {
      expect((await dockerCli(info, 0, 'pull', seedImage)).code).toBe(0);
      const ca = createRunCertificateAuthority('f0000000000');
      const server = ca.issueServer(node.ip);
      for (const delayMs of [0, 0, 50, 100, 200, 400, 800]) {
        const runId = `f${randomBytes(5).toString('hex')}`;
        const dir = await prepareSeedFiles(connection, runId, `${node.ip}:29999`, 'secret', {
          serverCertPem: server.certificatePem,
          serverKeyPem: server.privateKeyPem,
          caPem: ca.certificatePem,
        });
        const container = await createSeedContainer(connection, { runId, host: dockerSeedHost(node.socket.controller), image: seedImage, dir });
        const running = startSeedContainer(connection, { host: dockerSeedHost(node.socket.controller), container });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        running.detach();
        await stopSeed(connection, { runId, host: dockerSeedHost(node.socket.controller) });
        await running.exited;
        // Long enough for a late start to have shown.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        expect((await dockerCli(info, 0, 'ps', '-a', '-q', '--filter', `label=io.hound.fanout=${runId}`)).stdout.trim(), `delay ${delayMs} ms`).toBe('');
        expect(existsSync(dir), `delay ${delayMs} ms`).toBe(false);
      }
    } finally {
      await dockerCli(info, 0, 'rmi', seedImage);
      await connection.close();
    }
  });
});

// Fan-out on containerd nodes, in this file so that no two fan-out runs of the suite share the
// machine's /tmp at once (a node's work dir is named after its inventory name, which labs
// share). A lab of its own: three containerd 1.6 nodes with the CRI, as Kubernetes workers run
// it, then two Docker nodes for a cluster that mixes them (the other tests limit their runs to
// the containerd nodes). What the nodes hold and what the run left is read with `ctr` on each
// node's socket, Docker's, and the file system, independently of hound.
const CRI_NODES = [0, 1, 2];
const DOCKER_NODES = [3, 4];

describe('fan-out on containerd nodes', () => {
  let info: LabInfo;
  let origin: string;
  let seedImage: string;
  let work: string;
  let pushed: PushedImage[];

  beforeAll(async () => {
    info = await ownLab('focri', { runtimes: 'containerd=3,docker=2' });
    ({ origin, seedImage, work, pushed } = await prepareFanoutRun(info, 'fanoutcri'));
  });

  afterAll(async () => {
    await dropLab(info);
    await rm(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    await removeFanoutLeftovers(info, origin, DOCKER_NODES);
    for (const node of DOCKER_NODES) for (const image of await nodeImages(info, node)) await dockerCli(info, node, 'rmi', '-f', image.Id);
    for (const node of CRI_NODES) {
      for (const c of await ctrSeeds(node)) {
        await ctr(node, 'tasks', 'rm', '-f', c);
        await ctr(node, 'containers', 'rm', c);
      }
      for (const name of await imageNames(node)) await ctr(node, 'images', 'rm', name);
      const dir = certsDir(node);
      for (const entry of await readdir(dir)) if (nodeIps().has(entry.split(':')[0])) await rm(path.join(dir, entry), { recursive: true, force: true });
    }
    for (const entry of await workDirs()) await rm(path.join('/tmp', entry), { recursive: true, force: true });
  });

  const fanoutArgs = () => ['--distribution', 'fanout', '--fanout-image', seedImage, '-e', 'hound_fanout_relay_lanes=0'];
  /** fanoutArgs on the containerd nodes only. */
  const criFanoutArgs = () => ['-l', CRI_NODES.map((n) => info.nodes[n].name).join(','), ...fanoutArgs()];
  const nodeIps = () => new Set(info.nodes.map((n) => n.ip));
  const certsDir = (node: number) => path.join(nodePathsOf(info.dir, info.nodes[node].name).dir, 'etc-containerd', 'certs.d');

  function ctr(node: number, ...args: string[]) {
    return run('ctr', ['--address', info.nodes[node].socket.controller, '--namespace', 'k8s.io', ...args]);
  }

  /** The names of the node's images in the CRI's namespace, without the image ids the CRI adds. */
  async function imageNames(node: number): Promise<string[]> {
    const r = await ctr(node, 'images', 'ls', '-q');
    expect(r.code, r.stderr).toBe(0);
    return r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('sha256:'))
      .sort();
  }

  async function ctrSeeds(node: number): Promise<string[]> {
    const r = await ctr(node, 'containers', 'ls', '-q');
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.split('\n').filter((l) => l.startsWith('hound-seed-'));
  }

  /** Entries for the lab's node addresses in each node's containerd certs.d (its config_path). */
  async function trust(): Promise<string[]> {
    const entries: string[] = [];
    for (const node of CRI_NODES) {
      for (const entry of await readdir(certsDir(node))) if (nodeIps().has(entry.split(':')[0])) entries.push(`${info.nodes[node].name}: ${entry}`);
    }
    return entries;
  }

  /** Every node holds the run's images under their origin names only (no seed's or relay's name, no seed image); no seed, trust or work dir is left. */
  async function expectEndedAsAfterDirectPull(): Promise<void> {
    const expected = originNames(origin, pushed);
    for (const node of CRI_NODES) {
      expect(await imageNames(node), info.nodes[node].name).toEqual(expected);
      expect(await ctrSeeds(node)).toEqual([]);
    }
    expect(await trust()).toEqual([]);
    expect(await workDirs()).toEqual([]);
  }

  it('seeds run with ctr, the nodes trust them through hosts.toml and pull from them through the CRI, and all end as after a direct pull', async () => {
    const r = await hound(['play', 'warmup.yml', '-i', info.inventory, ...criFanoutArgs(), '--reporter', 'plain', '-vv'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(stats![2]).toMatch(new RegExp(`^${info.nodes[0].ip.replaceAll('.', '\\.')}:\\d+$`));
    // No pull fell back to the relay: every node got both images from the seed, as the CRI's own calls say.
    expect(Number(stats![6])).toBe(0);
    const seedAddress = /fan-out: seed \S+ serves at (\S+)/.exec(output)?.[1];
    expect(seedAddress, output.slice(-3000)).toBeDefined();
    for (const node of CRI_NODES.map((n) => info.nodes[n])) {
      const fromSeed = runCriPulls(output).filter((p) => p.node === node.name && p.from === seedAddress);
      expect(fromSeed.length, `${node.name}\n${output.slice(-3000)}`).toBe(pushed.length);
    }
    await expectEndedAsAfterDirectPull();
  });

  it('after hound is killed mid-fan-out (SIGKILL), the seed stops at once and the next run removes everything else it had started', async () => {
    await stoppedMidFanout(work, ['-i', info.inventory, ...criFanoutArgs()], async () => (await trust()).length > 0, 'SIGKILL');
    // The seed's SSH session ended with hound: its watcher stopped `ctr tasks start`, and the session removed the task and the container.
    await until('the seed container to be gone', async () => (await ctrSeeds(0)).length === 0, 60_000);
    expect((await trust()).length).toBeGreaterThan(0);
    expect((await workDirs()).length).toBeGreaterThan(0);

    const again = await hound(['play', 'warmup.yml', '-i', info.inventory, ...criFanoutArgs(), '--reporter', 'plain', '-vv'], work);
    const againOutput = again.stdout + again.stderr;
    expect(again.code, againOutput.slice(-3000)).toBe(0);
    expect(againOutput).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
    await expectEndedAsAfterDirectPull();
  });

  it("a running seed whose watcher is gone is an orphan: the next run finds it through containerd's containers and tasks services and removes it, with its files and the image its run pulled", async () => {
    const node = info.nodes[1];
    const connection = await connect(info, node);
    const runId = `f${randomBytes(5).toString('hex')}`;
    const host: SeedHost = { kind: 'containerd', socketPath: node.socket.node, namespace: 'k8s.io', certsDir: '/etc/containerd/certs.d' };
    const runtime = new CriRuntime(connection, { flavor: 'containerd', socketPath: node.socket.node });
    try {
      // What an earlier run on node2 left: the seed image it pulled (noted as such), the seed's files and its container, started with no watcher.
      expect((await ctr(1, 'images', 'pull', '--plain-http', seedImage)).code).toBe(0);
      await notePulledImage(connection, runId, seedImage);
      const ca = createRunCertificateAuthority(runId);
      const server = ca.issueServer(node.ip);
      const dir = await prepareSeedFiles(connection, runId, `${node.ip}:29994`, 'secret', {
        serverCertPem: server.certificatePem,
        serverKeyPem: server.privateKeyPem,
        caPem: ca.certificatePem,
      });
      const running = (container: string) => async () =>
        /\s+\d+\s+RUNNING/.test((await ctr(1, 'tasks', 'ls')).stdout.split('\n').find((l) => l.startsWith(`${container} `)) ?? '');

      // Started as a run starts it, under its watcher: the survey takes it for a live run's seed.
      let container = await createSeedContainer(connection, { runId, host, image: seedImage, dir });
      expect(container).toBe(`hound-seed-${runId}`);
      const watched = startSeedContainer(connection, { host, container });
      await until('the watched seed to run', running(container), 30_000);
      const whileWatched = await surveyNode(connection, runtime, host);
      expect([...whileWatched.live]).toEqual([runId]);
      expect(whileWatched.items.filter((item) => item.startsWith('container '))).toEqual([]);
      // Its session ended (as when hound dies), the watcher stops `ctr tasks start`, and the session removes the task and the container.
      watched.detach();
      await watched.exited;
      await until('the watched seed to be removed', async () => (await ctrSeeds(1)).length === 0, 30_000);

      // Created again and started with no watcher: what a run leaves when its watcher is gone.
      container = await createSeedContainer(connection, { runId, host, image: seedImage, dir });
      // Detached, its output to /dev/null: no FIFO of this machine's /run for the node's containerd to open.
      const started = await ctr(1, 'tasks', 'start', '--detach', '--null-io', container);
      expect(started.code, started.stderr).toBe(0);
      expect((await ctr(1, 'tasks', 'ls')).stdout).toMatch(new RegExp(`${container}\\s+\\d+\\s+RUNNING`));
      // The survey weighs it as an orphan (running, no watcher) and reads the run's files.
      const survey = await surveyNode(connection, runtime, host);
      expect(survey.live.has(runId)).toBe(false);
      expect(survey.items).toEqual(expect.arrayContaining([`container ${runId} ${container}`, `dir ${runId}`, `image ${runId} ${seedImage}`]));

      const r = await hound(['play', 'warmup.yml', '-i', info.inventory, ...criFanoutArgs(), '--reporter', 'plain', '-vv'], work);
      const output = r.stdout + r.stderr;
      expect(r.code, output.slice(-3000)).toBe(0);
      expect(output).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
      await expectEndedAsAfterDirectPull();
    } finally {
      await runtime.close();
      await connection.close();
    }
  });

  it("an image a killed run left named by its seed beside the origin's tag, without its repo digest, is pulled again and left as a direct pull leaves it", async () => {
    // What node1 held after a SIGKILL that came between its tag of the origin's name and its
    // clean-up: the origin's tag (ctr pulls record no repo digest) and the seed's names.
    const seedName = (image: PushedImage) => `${info.nodes[0].ip}:25913/h${'e'.repeat(24)}/${origin.replace(':', '_')}/${image.repository}:${image.tag}`;
    for (const image of pushed) {
      expect((await ctr(0, 'images', 'pull', '--plain-http', `${origin}/${image.repository}:${image.tag}`)).code).toBe(0);
      expect((await ctr(0, 'images', 'tag', `${origin}/${image.repository}:${image.tag}`, seedName(image))).code).toBe(0);
    }
    expect((await imageNames(0)).filter((n) => n.includes('25913/'))).toHaveLength(pushed.length);
    const r = await hound(
      ['play', 'warmup.yml', '-i', info.inventory, '-l', info.nodes[0].name, '--distribution', 'direct', '--reporter', 'plain', '-v'],
      work,
    );
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    const expected = originNames(origin, pushed);
    expect(await imageNames(0)).toEqual(expected);
  });

  it('in a cluster mixing containerd and Docker nodes, a seed on either runtime serves nodes on the other, each trusting it through its own runtime, and all end as after a direct pull', async () => {
    const [one, two] = pushed;
    const name = (n: number) => info.nodes[n].name;
    // Each image has a seed (seed-plan.ts), on the node that pulls least beside it: node4
    // (Docker) needs only the first image and seeds it to all five nodes; node1 (containerd)
    // seeds the second to node1–node3 and node5 (Docker).
    await writeFile(
      path.join(work, 'mixed.yml'),
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        `    - images: { names: ["${origin}/${one.repository}:${one.tag}"] }`,
        `- hosts: "all:!${name(3)}"`,
        '  gather_facts: false',
        '  tasks:',
        `    - images: { names: ["${origin}/${two.repository}:${two.tag}"] }`,
        '',
      ].join('\n'),
    );
    const r = await hound(['play', 'mixed.yml', '-i', info.inventory, ...fanoutArgs(), '-e', 'hound_fanout_seeds=2', '--reporter', 'plain', '-vv'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(Number(stats![6]), 'pulls that fell back to the relay').toBe(0);
    const seeds = new Map([...output.matchAll(/fan-out: seed (\S+) serves at (\S+)/g)].map((m) => [m[1], m[2]]));
    expect([...seeds.keys()].sort()).toEqual([name(0), name(3)]);
    // Where each node's runtime pulled the run's images' layers from, by its own calls: a seed,
    // never the relay's forward (127.0.0.1). Each image's origin name is pulled afterwards too,
    // for its manifest only (the layers are in by then), as a relayed pull ends.
    const notOrigin = (from: string) => from !== origin;
    const criPulls = (n: number) =>
      runCriPulls(output)
        .filter((p) => p.node === name(n))
        .map((p) => p.from)
        .filter(notOrigin);
    const dockerPulls = (n: number) =>
      runImagePulls(output)
        .filter((p) => p.node === name(n))
        .map((p) => p.from)
        .filter(notOrigin);
    const bothSeeds = [seeds.get(name(0)), seeds.get(name(3))].sort();
    for (const n of [0, 1, 2]) expect(criPulls(n).sort(), name(n)).toEqual(bothSeeds);
    expect(dockerPulls(3), name(3)).toEqual([seeds.get(name(3))]);
    expect(dockerPulls(4).sort(), name(4)).toEqual(bothSeeds);

    // Every node holds what it needs under the origin's names only, and nothing of the seeds is left on either runtime.
    await expectEndedAsAfterDirectPull();
    const dockerNames = async (n: number) => (await nodeImages(info, n)).flatMap((image) => [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])]).sort();
    const namesOf = (image: PushedImage) => [`${origin}/${image.repository}:${image.tag}`, `${origin}/${image.repository}@${image.digest}`];
    expect(await dockerNames(3), name(3)).toEqual(namesOf(one).sort());
    expect(await dockerNames(4), name(4)).toEqual([...namesOf(one), ...namesOf(two)].sort());
    for (const n of DOCKER_NODES) expect(await seedContainers(info, n), name(n)).toEqual([]);
    expect(await trustEntries(info)).toEqual([]);
  });
});

// Fan-out with podman nodes (runtime/podman/runtime.ts seedHost): a lab of its own, two Docker
// nodes and two podman nodes, one taking part as root and one as its rootless user. podman
// nodes run seeds as their user's containers and trust seeds in their own certs.d. What the
// podman nodes hold, run and trust is read over SSH with their own `podman` and file system,
// independently of hound.
describe('fan-out with podman nodes', () => {
  let info: LabInfo;
  let origin: string;
  let seedImage: string;
  let work: string;
  let pushed: PushedImage[];
  const DOCKER_SEED_NODES = [0, 1];
  /** The podman nodes as the run names them: node3 as root, node4 as its rootless user. */
  const podmanHosts = () => [
    { node: 2, user: 'root', host: info.nodes[2].name },
    { node: 3, user: 'rootless', host: `${info.nodes[3].name}-rootless` },
  ];

  beforeAll(async () => {
    info = await ownLab('fopod', { runtimes: 'docker=2,podman=2' });
    ({ origin, seedImage, work, pushed } = await prepareFanoutRun(info, 'fanoutpod'));
  });

  afterAll(async () => {
    await dropLab(info);
    await rm(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    await removeFanoutLeftovers(info, origin, DOCKER_SEED_NODES);
    for (const node of DOCKER_SEED_NODES) for (const image of await nodeImages(info, node)) await dockerCli(info, node, 'rmi', '-f', image.Id);
    for (const p of podmanHosts())
      await onNode(
        p.node,
        p.user,
        `podman rm -f -v $(podman ps -a -q --filter label=io.hound.fanout) >/dev/null 2>&1; podman rmi -af >/dev/null 2>&1; rm -rf ${CERTS_D[p.user]}/${info.nodes[0].ip.split('.').slice(0, 3).join('.')}.*; rmdir ${CERTS_D[p.user]} 2>/dev/null; true`,
      );
    for (const entry of await workDirs()) await rm(path.join('/tmp', entry), { recursive: true, force: true });
  });

  /** Where each user's podman reads a registry's certificates. */
  const CERTS_D: Record<string, string> = { root: '/etc/containers/certs.d', rootless: '"$HOME"/.config/containers/certs.d' };

  async function onNode(node: number, user: string, command: string): Promise<string> {
    const connection = await connect(info, info.nodes[node], user);
    try {
      const r = await connection.exec(command);
      expect(r.code, `${command}: ${r.stderr}`).toBe(0);
      return r.stdout;
    } finally {
      await connection.close();
    }
  }

  /** Every name the podman node's images carry (repo:tag and repo@digest), as its user's `podman images` lists them. */
  async function podmanNames(node: number, user: string): Promise<string[]> {
    const out = await onNode(node, user, "podman images --format '{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}'");
    return [...new Set(out.split(/\s+/).filter((n) => n !== ''))].sort();
  }

  /** Containers of any fan-out run in the podman host's user's storage, running or not. */
  async function podmanSeedContainers(p: { node: number; user: string }): Promise<string[]> {
    return (await onNode(p.node, p.user, 'podman ps -a -q --filter label=io.hound.fanout')).split('\n').filter((l) => l.trim() !== '');
  }

  /** The entries for the lab's node addresses in each podman node's certs.d, as its user's podman reads it. */
  async function podmanTrust(): Promise<string[]> {
    const ips = new Set(info.nodes.map((n) => n.ip));
    const entries: string[] = [];
    for (const p of podmanHosts()) {
      const out = await onNode(p.node, p.user, `ls ${CERTS_D[p.user]} 2>/dev/null; true`);
      for (const entry of out.split('\n').filter((e) => ips.has(e.split(':')[0]))) entries.push(`${p.host}: ${entry}`);
    }
    return entries;
  }

  /** The lab's inventory with hound_fanout_seed_node=false on `hosts`, written into the work dir. */
  async function inventoryWithoutSeedsOn(hosts: string[]): Promise<string> {
    const lines = (await readFile(info.inventory, 'utf8')).split('\n');
    const file = path.join(work, 'no-seeds-on.ini');
    await writeFile(file, lines.map((line) => (hosts.includes(line.split(' ')[0]) ? `${line} hound_fanout_seed_node=false` : line)).join('\n'));
    return file;
  }

  const everyHost = () => [info.nodes[0].name, info.nodes[1].name, ...podmanHosts().map((p) => p.host)];
  const fanoutArgs = () => ['--distribution', 'fanout', '--fanout-image', seedImage, '-e', 'hound_fanout_relay_lanes=0', '-e', 'hound_fanout_seeds=4'];

  /** Every node holds the run's images under their origin names only (no seed image); no seed, trust or work dir is left. */
  async function expectEndedAsAfterDirectPull(): Promise<void> {
    const expected = originNames(origin, pushed);
    for (const p of podmanHosts()) {
      expect(await podmanNames(p.node, p.user), p.host).toEqual(expected);
      expect(await podmanSeedContainers(p), p.host).toEqual([]);
    }
    for (const node of DOCKER_SEED_NODES) {
      const names = (await nodeImages(info, node)).flatMap((image) => [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])]).sort();
      expect(names, info.nodes[node].name).toEqual(expected);
      expect(await seedContainers(info, node)).toEqual([]);
    }
    expect(await podmanTrust()).toEqual([]);
    // Nor the certs.d dirs the run's trust made: the lab's podman nodes have none of their own.
    for (const p of podmanHosts()) expect((await onNode(p.node, p.user, `[ -e ${CERTS_D[p.user]} ] && echo there || echo gone`)).trim(), p.host).toBe('gone');
    expect(await trustEntries(info)).toEqual([]);
    expect(await workDirs()).toEqual([]);
  }

  /** The seeds a -vv run's output says served: seed host → its address. */
  const seedsOf = (output: string) => new Map([...output.matchAll(/fan-out: seed (\S+) serves at (\S+)/g)].map((m) => [m[1], m[2]]));

  /** A fan-out run over every host that succeeds with no pull falling back to the relay: its output and its seeds. */
  async function fannedOut(inventory: string): Promise<{ output: string; seeds: Map<string, string> }> {
    const r = await hound(['play', 'warmup.yml', '-i', inventory, '-l', everyHost().join(','), ...fanoutArgs(), '--reporter', 'plain', '-vv'], work);
    const output = r.stdout + r.stderr;
    expect(r.code, output.slice(-3000)).toBe(0);
    const stats = FANOUT_STATS.exec(output);
    expect(stats, output.slice(-3000)).not.toBeNull();
    expect(Number(stats![6]), 'pulls that fell back to the relay').toBe(0);
    return { output, seeds: seedsOf(output) };
  }

  it('podman nodes, root and rootless, run seeds as their own containers beside Docker seeds; every node pulls from seeds and all end as after a direct pull', async () => {
    const { output, seeds } = await fannedOut(info.inventory);
    expect(output).toContain('fan-out: 4 seed(s) for 4 node(s)');
    expect([...seeds.keys()].sort()).toEqual(everyHost().sort());
    // The podman seeds were created by the user's own podman, the seed image pulled into that user's storage.
    for (const p of podmanHosts())
      expect(output).toMatch(
        new RegExp(`ssh ${p.host}: exec podman create --rm --name hound-seed-f[0-9a-f]{10} ${seedImage.replace(/[.]/g, '\\.')} \\(fan-out seed\\)`),
      );
    // Each podman node got each image from a seed, by podman's own calls.
    for (const p of podmanHosts()) {
      const fromSeeds = runImagePulls(output, 'podman').filter((pull) => pull.node === p.host && pull.from !== origin);
      expect(fromSeeds.length, `${p.host}\n${output.slice(-3000)}`).toBe(pushed.length);
      for (const pull of fromSeeds) expect([...seeds.values()], p.host).toContain(pull.from);
    }
    await expectEndedAsAfterDirectPull();
  });

  it('with hound_fanout_seed_node=false on the podman nodes, seeds run on the Docker nodes only; the podman nodes trust them in their own certs.d and pull from them', async () => {
    const { output, seeds } = await fannedOut(await inventoryWithoutSeedsOn(podmanHosts().map((p) => p.host)));
    // Four seeds asked, two nodes that may run one.
    expect(output).toContain('fan-out: 2 seed(s) (4 asked; one per node with images to pull at most, on the 2 node(s) that may run one) for 4 node(s)');
    expect([...seeds.keys()].sort()).toEqual(DOCKER_SEED_NODES.map((n) => info.nodes[n].name));
    // Each podman node got each image from a seed, by podman's own calls (then the origin name, for its manifest only).
    for (const p of podmanHosts()) {
      const fromSeeds = runImagePulls(output, 'podman')
        .filter((pull) => pull.node === p.host && pull.from !== origin)
        .map((pull) => pull.from)
        .sort();
      expect(fromSeeds, `${p.host}\n${output.slice(-3000)}`).toEqual([...seeds.values()].sort());
    }
    expect(output).toMatch(new RegExp(`trust fan-out seed \\S+ in /etc/containers/certs.d/`));
    expect(output).toMatch(new RegExp(`trust fan-out seed \\S+ in /\\S+/\\.config/containers/certs\\.d/`));
    expect(output).not.toMatch(/exec podman create/);
    await expectEndedAsAfterDirectPull();
  });

  it('after hound is killed mid-fan-out (SIGKILL) with seeds on the podman nodes, their containers go with the SSH sessions and the next run removes the rest (seed image, files, trust)', async () => {
    const inventory = await inventoryWithoutSeedsOn(DOCKER_SEED_NODES.map((n) => info.nodes[n].name));
    const args = ['-i', inventory, '-l', everyHost().join(','), ...fanoutArgs()];
    const killed = await stoppedMidFanout(work, args, async () => (await podmanTrust()).length > 0, 'SIGKILL');
    expect(
      [...seedsOf(killed.output).keys()].every((h) => podmanHosts().some((p) => p.host === h)),
      killed.output.slice(-3000),
    ).toBe(true);
    await until('the podman seed containers to be gone', async () => (await Promise.all(podmanHosts().map(podmanSeedContainers))).flat().length === 0, 60_000);
    expect((await podmanTrust()).length).toBeGreaterThan(0);
    expect((await workDirs()).length).toBeGreaterThan(0);

    const again = await hound(['play', 'warmup.yml', ...args, '--reporter', 'plain', '-vv'], work);
    const againOutput = again.stdout + again.stderr;
    expect(again.code, againOutput.slice(-3000)).toBe(0);
    expect(againOutput).toMatch(/fan-out: removed \d+ leftover\(s\) of earlier runs/);
    await expectEndedAsAfterDirectPull();
  });

  it("creates a podman seed from the image in its user's storage only: with none there, creating it fails and pulls nothing", async () => {
    const p = podmanHosts()[0];
    const host: SeedHost = { kind: 'podman', certsDir: '/etc/containers/certs.d' };
    const connection = await connect(info, info.nodes[p.node], p.user);
    const runId = `f${randomBytes(5).toString('hex')}`;
    try {
      const dir = await prepareSeedFiles(connection, runId, `${info.nodes[p.node].ip}:25000`, 'secret', { serverCertPem: 'C', serverKeyPem: 'K', caPem: 'A' });
      // Without --pull never, podman would pull it from the lab registry, which its registries.conf allows.
      await expect(createSeedContainer(connection, { runId, host, image: seedImage, dir })).rejects.toThrow(/creating the seed container failed/);
      expect(await podmanNames(p.node, p.user)).toEqual([]);
      expect(await podmanSeedContainers(p)).toEqual([]);
    } finally {
      await stopSeed(connection, { runId, host });
      await connection.close();
    }
  });

  it('with no node that may run a seed, or a hound_fanout_seed_node that is neither true nor false, says so plainly and pulls through the relay', async () => {
    const hosts = podmanHosts().map((p) => p.host);
    const expected = originNames(origin, pushed);
    const cases: Array<[string, string]> = [
      ['false', 'no node of the run may run a seed: hound_fanout_seed_node is false on each of its 2 node(s)'],
      ['maybe', `${hosts[0]}'s 'hound_fanout_seed_node' must be true or false, got "maybe"`],
    ];
    for (const [value, why] of cases) {
      const r = await hound(
        [
          'play',
          'warmup.yml',
          '-i',
          info.inventory,
          '-l',
          hosts.join(','),
          ...fanoutArgs(),
          '-e',
          `hound_fanout_seed_node=${value}`,
          '--reporter',
          'plain',
          '-v',
        ],
        work,
      );
      const output = r.stdout + r.stderr;
      expect(r.code, output.slice(-3000)).toBe(0);
      expect(output).toContain(`distribution fanout: relay (fan-out is not possible: ${why})`);
      expect(output).not.toMatch(/fan-out: seed/);
      for (const p of podmanHosts()) {
        expect(await podmanNames(p.node, p.user), p.host).toEqual(expected);
        await onNode(p.node, p.user, 'podman rmi -af >/dev/null');
      }
    }
  });
});
