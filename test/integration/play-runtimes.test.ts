// One play on a mixed lab of its own: a Docker node, a containerd node (through the CRI) and a
// podman node, logged in as root and as a rootless user, each host with its own images.
// Checked with each runtime's own tools, not with hound: the Docker CLI, containerd's ctr in
// the CRI's namespace and the CRI itself on the node's socket, `podman images` as each user;
// the bytes that really moved come from the lab registry's access log (blob GETs per node).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { pushImageSet } from '../../lab/index.js';
import { CriClient } from '../../runtime/cri/cri-client.js';
import { PAUSE_ENTRYPOINT, PAUSE_REPOSITORY, PAUSE_TAG } from '../../lab/pause-image.js';
import type { HoundEvent } from '../../core/events.js';
import { hound, jsonEvents, summaryOf } from '../fixtures/play/helpers.js';
import { PULL_CPU_SECONDS_PER_BYTE } from '../../relay/distribution-model.js';
import { connect, dropLab, ownLab, registryLayerSizes, registryManifestDigest } from './runtime-helpers.js';

let info: LabInfo;
let registry: string;
let work: string;
let docker: LabNodeInfo;
let containerd: LabNodeInfo;
let podman: LabNodeInfo;

/** Each host's images (repository:tag in the lab registry). */
const WANTED: Record<string, string[]> = {
  node1: ['test/a:v1', 'test/b:v1'],
  // The pod sandbox image too, as a kubelet's node needs it: a container then starts with the registry cut off.
  node2: [`${PAUSE_REPOSITORY}:${PAUSE_TAG}`, 'test/b:v1', 'test/c:v1'],
  node3: ['test/a:v1', 'test/c:v1'],
  'node3-rootless': ['test/d:v1'],
};

const PLAYBOOK = `- name: warm every runtime
  hosts: nodes:podman_rootless
  gather_facts: false
  tasks:
    - name: the host's images
      images:
        names: "{{ node_images | map('regex_replace', '^', lab_registry ~ '/') | list }}"
`;

beforeAll(async () => {
  info = await ownLab('playrt', { runtimes: 'docker,containerd,podman' });
  [docker, containerd, podman] = info.nodes as [LabNodeInfo, LabNodeInfo, LabNodeInfo];
  registry = `${info.registry.ip}:${info.registry.port}`;
  await pushImageSet(info.registry.url, {
    layers: [
      { name: 'base', sizeBytes: 1 << 20, seed: 'playrt/base' },
      { name: 'a', sizeBytes: 2 << 20, seed: 'playrt/a' },
      { name: 'b', sizeBytes: 3 << 20, seed: 'playrt/b' },
      { name: 'c', sizeBytes: 1 << 20, seed: 'playrt/c' },
      { name: 'd', sizeBytes: 1 << 19, seed: 'playrt/d' },
      { name: 'e', sizeBytes: 2 << 20, seed: 'playrt/e' },
      { name: 'f', sizeBytes: 1 << 20, seed: 'playrt/f' },
      { name: 'g', sizeBytes: 3 << 19, seed: 'playrt/g' },
      { name: 'h', sizeBytes: 1 << 19, seed: 'playrt/h' },
      { name: 'i', sizeBytes: 2 << 20, seed: 'playrt/i' },
    ],
    images: [
      { repository: 'test/a', tag: 'v1', layers: ['base', 'a'] },
      { repository: 'test/b', tag: 'v1', layers: ['base', 'b'] },
      { repository: 'test/c', tag: 'v1', layers: ['base', 'c'] },
      { repository: 'test/d', tag: 'v1', layers: ['d'] },
      // For the relayed run only: no node has had any of their layers.
      { repository: 'test/e', tag: 'v1', layers: ['e'] },
      { repository: 'test/f', tag: 'v1', layers: ['e', 'f'] },
      // For the namespace test only: test/h's layers reach containerd's `default` namespace first.
      { repository: 'test/g', tag: 'v1', layers: ['g'] },
      { repository: 'test/h', tag: 'v1', layers: ['g', 'h'] },
      // For the auto test only.
      { repository: 'test/i', tag: 'v1', layers: ['i'] },
    ],
  });
  work = mkdtempSync(path.join(tmpdir(), 'hound-play-runtimes-'));
  mkdirSync(path.join(work, 'host_vars'));
  for (const [host, images] of Object.entries(WANTED)) writeFileSync(path.join(work, 'host_vars', `${host}.yml`), `node_images: ${JSON.stringify(images)}\n`);
  writeFileSync(path.join(work, 'hosts.ini'), readFileSync(info.inventory, 'utf8'));
  writeFileSync(path.join(work, 'warm.yml'), PLAYBOOK);
});

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await dropLab(info);
});

/** Compressed bytes of the distinct layers of `images`: what an empty node downloads for them. */
async function layerBytes(images: string[]): Promise<{ bytes: number; layers: Set<string> }> {
  const layers = new Map<string, number>();
  for (const image of images) {
    const [repository, tag] = image.split(':') as [string, string];
    for (const [digest, size] of await registryLayerSizes(info, repository, tag)) layers.set(digest, size);
  }
  return { bytes: [...layers.values()].reduce((a, b) => a + b, 0), layers: new Set(layers.keys()) };
}

/** Bytes of layer blobs the registry sent to `ip` since the log had `offset` characters (its own access log). */
function blobBytesSentTo(ip: string, offset: number, layers: Set<string>): number {
  const log = readFileSync(path.join(info.dir, 'registry', 'registry.log'), 'utf8').slice(offset);
  let sum = 0;
  for (const m of log.matchAll(/^(\S+) .*"GET \/v2\/\S+\/blobs\/(sha256:[0-9a-f]{64}) HTTP\/[\d.]+" (\d{3}) (\d+)/gm))
    if (m[1] === ip && m[3] === '200' && layers.has(m[2])) sum += Number(m[4]);
  return sum;
}

/** Bytes each host's tasks said they pulled (task_result events). */
function reportedBytes(events: HoundEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) if (e.event === 'task_result') out[e.host] = (out[e.host] ?? 0) + e.bytes;
  return out;
}

const registryLogLength = () => readFileSync(path.join(info.dir, 'registry', 'registry.log'), 'utf8').length;

/** repo:tag names in the lab registry, as a runtime's own listing gives them, sorted. */
function ours(names: string[]): string[] {
  const prefix = `${registry}/`;
  return names
    .filter((n) => n.startsWith(prefix) && !n.includes('@') && !n.endsWith(':<none>'))
    .map((n) => n.slice(prefix.length))
    .sort();
}

function dockerImages(): string[] {
  return execFileSync('docker', ['-H', `unix://${docker.socket.controller}`, 'images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

function ctrImages(namespace = 'k8s.io'): string[] {
  return execFileSync('ctr', ['--address', containerd.socket.controller, '-n', namespace, 'images', 'ls', '-q'], { encoding: 'utf8' }).trim().split('\n');
}

async function podmanImages(user: string): Promise<string[]> {
  const conn = await connect(info, podman, user);
  try {
    const r = await conn.exec("podman images --format '{{.Repository}}:{{.Tag}}'");
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim().split('\n');
  } finally {
    await conn.close();
  }
}

describe('one play on docker, containerd and podman nodes', () => {
  it('plans each host by its own runtime, layer-exact, naming the runtime', async () => {
    const planned = await hound(['plan', 'warm.yml', '-i', 'hosts.ini', '--json'], work);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as { hosts: Record<string, { runtime?: string; bytes: number; platform: string }> };
    expect(plan.hosts.node1.runtime).toMatch(/^Docker \d+\./);
    expect(plan.hosts.node2.runtime).toMatch(/^containerd 1\.6\./);
    expect(plan.hosts.node3.runtime).toBe('podman 4.3.1');
    expect(plan.hosts['node3-rootless'].runtime).toBe('podman 4.3.1');
    for (const [host, images] of Object.entries(WANTED)) expect(plan.hosts[host].bytes, host).toBe((await layerBytes(images)).bytes);
  });

  it('pulls each node its own set, in each runtime where its users look; the registry sent what the plan said', async () => {
    const offset = registryLogLength();
    const run = await hound(['play', '--distribution', 'direct', 'warm.yml', '-i', 'hosts.ini', '--json'], work);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = jsonEvents(run.stdout);
    const summary = summaryOf(events);
    expect(Object.keys(summary.hosts).sort()).toEqual(Object.keys(WANTED).sort());
    for (const [host, recap] of Object.entries(summary.hosts)) expect(recap, host).toMatchObject({ failed: 0, unreachable: 0, changed: 1 });

    expect(ours(dockerImages())).toEqual(WANTED.node1);
    expect(ours(ctrImages())).toEqual(WANTED.node2);
    expect(ours(await podmanImages('root'))).toEqual(WANTED.node3);
    expect(ours(await podmanImages(podman.rootless!.user))).toEqual(WANTED['node3-rootless']);

    // The bytes each node fetched, by the registry's own log (podman's two users share an address).
    for (const [node, hosts] of [
      [docker, ['node1']],
      [containerd, ['node2']],
      [podman, ['node3', 'node3-rootless']],
    ] as const) {
      const planned = await Promise.all(hosts.map((h) => layerBytes(WANTED[h])));
      const layers = new Set(planned.flatMap((p) => [...p.layers]));
      const sent = blobBytesSentTo(node.ip, offset, layers);
      expect(sent, node.name).toBe(planned.reduce((a, p) => a + p.bytes, 0));
      // What hound reported pulling on each runtime is what the registry sent.
      const reported = reportedBytes(events);
      expect(
        hosts.reduce((a, h) => a + reported[h], 0),
        node.name,
      ).toBe(sent);
    }
  });

  it("on containerd, the CRI finds every image by the play's reference with the registry's digest, marked as the CRI's own", async () => {
    const cri = new CriClient(containerd.socket.controller);
    try {
      for (const image of WANTED.node2) {
        const [repository, tag] = image.split(':') as [string, string];
        const status = await cri.imageStatus(`${registry}/${image}`, false);
        expect(status.image?.repoDigests, image).toContain(`${registry}/${repository}@${await registryManifestDigest(info, repository, tag)}`);
      }
    } finally {
      cri.close();
    }
    const labels = execFileSync('ctr', ['--address', containerd.socket.controller, '-n', 'k8s.io', 'images', 'ls'], { encoding: 'utf8' });
    for (const image of WANTED.node2) expect(labels).toMatch(new RegExp(`^${registry}/${image}\\s.*io\\.cri-containerd\\.image=managed`, 'm'));
  });

  it('on containerd, a container starts through the CRI from what the play pulled, with the registry cut off: no pull', async () => {
    const cri = new CriClient(containerd.socket.controller);
    const image = `${registry}/${PAUSE_REPOSITORY}:${PAUSE_TAG}`;
    const blackhole = ['-n', containerd.netns, 'route', 'add', 'blackhole', `${info.registry.ip}/32`];
    execFileSync('ip', blackhole);
    try {
      // The cut is real: an image the play did not pull cannot come now.
      await expect(cri.pullImage(`${registry}/test/a:v1`, undefined, { signal: AbortSignal.timeout(20_000) })).rejects.toThrow();
      const conn = await connect(info, containerd);
      const logDir = path.join(info.dir, 'nodes', containerd.name, 'pod-logs');
      try {
        expect((await conn.exec(`mkdir -p ${logDir}`)).code).toBe(0);
      } finally {
        await conn.close();
      }
      // No CNI in the lab: the pod shares the node's network namespace, as hostNetwork pods do.
      const sandboxConfig = {
        metadata: { name: 'warmed', uid: `warmed-${process.pid}`, namespace: 'hound-play', attempt: 0 },
        logDirectory: logDir,
        linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
      };
      const { podSandboxId } = await cri.runtimeCall<{ podSandboxId: string }>('RunPodSandbox', { config: sandboxConfig });
      try {
        const { containerId } = await cri.runtimeCall<{ containerId: string }>('CreateContainer', {
          podSandboxId,
          config: { metadata: { name: 'app', attempt: 0 }, image: { image }, logPath: 'app.log', linux: {} },
          sandboxConfig,
        });
        await cri.runtimeCall('StartContainer', { containerId });
        const { status, info: verbose } = await cri.runtimeCall<{ status: { state: string; imageRef: string }; info: Record<string, string> }>(
          'ContainerStatus',
          { containerId, verbose: true },
        );
        expect(status.state).toBe('CONTAINER_RUNNING');
        expect(status.imageRef).toBe(`${registry}/${PAUSE_REPOSITORY}@${await registryManifestDigest(info, PAUSE_REPOSITORY, PAUSE_TAG)}`);
        const pid = (JSON.parse(verbose.info) as { pid: number }).pid;
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(PAUSE_ENTRYPOINT);
        expect(await readlink(`/proc/${pid}/ns/net`)).toBe(`net:[${statSync(`/var/run/netns/${containerd.netns}`).ino}]`);
        await cri.runtimeCall('StopContainer', { containerId, timeout: 10 });
        await cri.runtimeCall('RemoveContainer', { containerId });
      } finally {
        await cri.runtimeCall('StopPodSandbox', { podSandboxId });
        await cri.runtimeCall('RemovePodSandbox', { podSandboxId });
      }
    } finally {
      execFileSync(
        'ip',
        blackhole.map((a) => (a === 'add' ? 'del' : a)),
      );
      cri.close();
    }
  });

  it('a second run changes nothing and moves no layer', async () => {
    const offset = registryLogLength();
    const run = await hound(['play', '--distribution', 'direct', 'warm.yml', '-i', 'hosts.ini', '--json'], work);
    expect(run.code).toBe(0);
    const summary = summaryOf(jsonEvents(run.stdout));
    for (const [host, recap] of Object.entries(summary.hosts)) expect(recap, host).toMatchObject({ failed: 0, changed: 0 });
    const all = await layerBytes(['test/a:v1', 'test/b:v1', 'test/c:v1', 'test/d:v1']);
    for (const node of [docker, containerd, podman]) expect(blobBytesSentTo(node.ip, offset, all.layers), node.name).toBe(0);
  });

  it('with the relay, the containerd and podman nodes take their layers from the relay, and end as a direct pull leaves them', async () => {
    // Images no node has had a layer of: containerd skips fetching a layer it still holds in any form.
    const relayed = ['test/e:v1', 'test/f:v1'];
    const conn = await connect(info, podman);
    const configFiles = 'find /etc/containers -type f -exec md5sum {} + | sort';
    const configBefore = (await conn.exec(configFiles)).stdout;
    await conn.close();
    const offset = registryLogLength();
    const run = await hound(
      ['play', 'warm.yml', '-i', 'hosts.ini', '--limit', 'node2,node3', '--distribution', 'relay', '-e', JSON.stringify({ node_images: relayed }), '--json'],
      work,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const reported = reportedBytes(jsonEvents(run.stdout));
    const set = await layerBytes(relayed);
    // The relay (on the controller) fetched each layer once; the nodes themselves fetched none from the registry.
    expect(blobBytesSentTo(containerd.ip, offset, set.layers)).toBe(0);
    expect(blobBytesSentTo(podman.ip, offset, set.layers)).toBe(0);
    expect(blobBytesSentTo(info.controllerIp, offset, set.layers)).toBe(set.bytes);
    // Each node received the layers whole, and hound says so.
    expect(reported.node2).toBe(set.bytes);
    expect(reported.node3).toBe(set.bytes);
    // The end state equals a direct pull's: names and repo digests, and no relay name left.
    expect(ours(ctrImages())).toEqual([...WANTED.node2, ...relayed].sort());
    expect(ctrImages().filter((n) => n.startsWith('127.0.0.1:'))).toEqual([]);
    const cri = new CriClient(containerd.socket.controller);
    try {
      for (const image of relayed) {
        const [repository, tag] = image.split(':') as [string, string];
        const status = await cri.imageStatus(`${registry}/${image}`, false);
        expect(status.image?.repoDigests, image).toEqual([`${registry}/${repository}@${await registryManifestDigest(info, repository, tag)}`]);
      }
    } finally {
      cri.close();
    }
    const rootImages = await podmanImages('root');
    expect(ours(rootImages)).toEqual([...WANTED.node3, ...relayed].sort());
    expect(rootImages.filter((n) => n.startsWith('127.0.0.1:'))).toEqual([]);
    const after = await connect(info, podman);
    try {
      for (const image of relayed) {
        const [repository, tag] = image.split(':') as [string, string];
        const r = await after.exec(`podman image inspect --format '{{json .RepoDigests}}' ${registry}/${image}`);
        expect(JSON.parse(r.stdout) as string[], image).toEqual([`${registry}/${repository}@${await registryManifestDigest(info, repository, tag)}`]);
      }
      // Nothing of the relay left in podman's configuration.
      expect((await after.exec(configFiles)).stdout).toBe(configBefore);
    } finally {
      await after.close();
    }
  });

  it('on containerd, a layer another namespace holds is neither planned nor counted: containerd shares content and does not fetch it', async () => {
    // ctr's own namespace, as `ctr pull` (or nerdctl, or BuildKit) leaves it; the node then holds test/g's one layer.
    execFileSync('ctr', ['--address', containerd.socket.controller, '-n', 'default', 'images', 'pull', '--plain-http', `${registry}/test/h:v1`], {
      stdio: 'ignore',
      timeout: 60_000,
    });
    expect(ours(ctrImages('default'))).toEqual(['test/h:v1']);
    const extra = ['--limit', 'node2', '-e', JSON.stringify({ node_images: ['test/g:v1'] })];
    const planned = await hound(['plan', 'warm.yml', '-i', 'hosts.ini', ...extra, '--json'], work);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { hosts: Record<string, { bytes: number }> };
    expect(plan.hosts.node2.bytes).toBe(0);
    const offset = registryLogLength();
    const run = await hound(['play', '--distribution', 'direct', 'warm.yml', '-i', 'hosts.ini', ...extra, '--json'], work);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const g = await layerBytes(['test/g:v1']);
    expect(blobBytesSentTo(containerd.ip, offset, g.layers)).toBe(0);
    expect(reportedBytes(jsonEvents(run.stdout)).node2).toBe(0);
    expect(ours(ctrImages())).toContain('test/g:v1');
  });

  it('under become, containerd is reached through sudo by a login user outside every group; podman is refused, with what to do instead', async () => {
    const sudoUser = info.users?.sudo;
    if (sudoUser === undefined) throw new Error('this lab has no login users for become: bring it up again with this hound (lab/users.ts)');
    // The login user alone cannot reach containerd's socket: what it pulls comes through sudo.
    const own = await connect(info, containerd, sudoUser);
    try {
      expect((await own.exec(`test -w ${containerd.socket.node} && echo writable || echo refused`)).stdout.trim()).toBe('refused');
    } finally {
      await own.close();
    }
    // node2 logged in as that user; node3-rootless as its own non-root user; both become root (-b).
    const inventory = readFileSync(path.join(work, 'hosts.ini'), 'utf8').replace(/^(node2 .*ansible_user=)root\b/m, `$1${sudoUser}`);
    expect(inventory).toContain(`ansible_user=${sudoUser}`);
    writeFileSync(path.join(work, 'hosts-become.ini'), inventory);
    const rootlessBefore = await podmanImages(podman.rootless!.user);
    const offset = registryLogLength();
    const run = await hound(
      [
        'play',
        '--distribution',
        'direct',
        'warm.yml',
        '-i',
        'hosts-become.ini',
        '--limit',
        'node2,node3-rootless',
        '-b',
        '-e',
        JSON.stringify({ node_images: ['test/d:v1'] }),
        '--json',
      ],
      work,
    );
    expect(run.code, run.stderr).toBe(2);
    const events = jsonEvents(run.stdout);
    const d = await layerBytes(['test/d:v1']);
    expect(ours(ctrImages())).toContain('test/d:v1');
    expect(blobBytesSentTo(containerd.ip, offset, d.layers)).toBe(d.bytes);
    expect(reportedBytes(events).node2).toBe(d.bytes);
    const refused = events.find((e) => e.event === 'task_result' && e.host === 'node3-rootless');
    expect(refused).toMatchObject({
      status: 'failed',
      msg: 'node3-rootless runs podman, and hound does not reach podman through become (to root)',
      result: { hint: expect.stringContaining('log in as the user whose podman images the task warms') as unknown },
    });
    // Nothing pulled into the rootless user's storage, nor by the podman node from the registry.
    expect(await podmanImages(podman.rootless!.user)).toEqual(rootlessBefore);
    expect(blobBytesSentTo(podman.ip, offset, d.layers)).toBe(0);
  });
  it("auto weighs the pulls' processing on the shared cores at each node's own runtime's cost", async () => {
    const run = await hound(
      ['play', 'warm.yml', '-i', 'hosts.ini', '--limit', 'node1,node2,node3', '-e', JSON.stringify({ node_images: ['test/i:v1'] }), '--json', '-v'],
      work,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const decisions = jsonEvents(run.stdout)
      .filter((e) => e.event === 'detail' && e.msg.startsWith('distribution auto: '))
      .map((e) => (e as { msg: string }).msg)
      .filter((msg) => !msg.startsWith('distribution auto: probed'));
    expect(decisions).toHaveLength(1);
    // The lab's nodes share the controller's kernel, so the line weighs their pulls on its cores:
    // here each node pulls the same bytes, one on each runtime, so the cost is the three's mean.
    const m = / where their pulls' processing alone takes [\d.]+ s at (\d+) ms per MB\)/.exec(decisions[0]);
    expect(m, decisions[0]).not.toBeNull();
    const { docker: d, containerd: c, podman: p } = PULL_CPU_SECONDS_PER_BYTE;
    expect(Number(m![1])).toBe(Math.round(((d + c + p) / 3) * 1e9));
    expect(Number(m![1])).not.toBe(Math.round(d * 1e9));
  });
});
