// The podman client (runtime/podman) on podman nodes of a lab of its own: Debian's podman
// 4.3.1, no daemon, rootful and rootless. What the client says is checked against the lab
// registry's HTTP API, the podman CLI and df on the node, and /proc on the controller
// (which processes run in the node's namespace, before and after the client is done).
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../base/errors.js';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { pushImageSet } from '../../lab/index.js';
import { processesInNetns } from '../../lab/processes.js';
import { PodmanRuntime } from '../../runtime/podman/runtime.js';
import type { SshHostConnection } from '../../transport/ssh-connection.js';
import type { PullProgress } from '../../runtime/types.js';
import { connect, dropLab, ownLab, registryLayerSizes, registryManifestDigest } from './runtime-helpers.js';

const BIG_BYTES = 40 << 20;
let info: LabInfo;
let node: LabNodeInfo;
let registry: string;
let small: string;
let big: string;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  info = await ownLab('rtpod', { runtimes: 'podman=2', nodeRate: '100mbit' });
  node = info.nodes[0]!;
  registry = `${info.registry.ip}:${info.registry.port}`;
  await pushImageSet(info.registry.url, {
    layers: [
      { name: 'payload', sizeBytes: 1 << 20, seed: 'rtpod/payload' },
      { name: 'big', sizeBytes: BIG_BYTES, seed: 'rtpod/big' },
    ],
    images: [
      { repository: 'test/small', tag: 'v1', layers: ['payload'] },
      { repository: 'test/big', tag: 'v1', layers: ['payload', 'big'] },
    ],
  });
  small = `${registry}/test/small:v1`;
  big = `${registry}/test/big:v1`;
});

afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => {});
  await dropLab(info);
});

async function session(user = 'root', n = node): Promise<{ conn: SshHostConnection; podman: PodmanRuntime }> {
  const conn = await connect(info, n, user);
  const podman = new PodmanRuntime(conn);
  open.push(conn, podman);
  return { conn, podman };
}

/** Command lines of the processes in the node's network namespace, by owner uid. */
function nodeProcesses(n: LabNodeInfo): Promise<{ uid: number; cmdline: string }[]> {
  return processesInNetns(n.netns).then((pids) =>
    pids.flatMap((pid) => {
      try {
        const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
        return [{ uid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() }];
      } catch {
        return [];
      }
    }),
  );
}

/** `podman images` on the node, as the connection's user sees them: repo:tag → full id (sha256:…). */
async function podmanImages(conn: SshHostConnection): Promise<Map<string, string>> {
  const r = await conn.exec("podman images --format '{{.Repository}}:{{.Tag}} {{.ID}}' --no-trunc");
  expect(r.code).toBe(0);
  return new Map(
    r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
}

async function failure(promise: Promise<unknown>): Promise<HoundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HoundError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('podman client, rootful', () => {
  it("starts podman's API service for the run when none answers, and stops it leaving nothing", async () => {
    const { conn, podman } = await session();
    const socket = await podman.socketPath();
    expect(socket).toMatch(/^\/tmp\/hound-podman\.[A-Za-z0-9]+\/podman\.sock$/);
    const i = await podman.info();
    expect(i.serverVersion).toBe('4.3.1');
    expect(i.dockerRootDir).toBe('/var/lib/containers/storage');
    expect(i.insecureRegistries).toEqual([registry]);
    const running = (await nodeProcesses(node)).filter((p) => p.cmdline.includes(`unix://${socket}`));
    expect(running.map((p) => p.cmdline)).toContain(`podman system service --time=0 unix://${socket}`);
    const free = await podman.freeBytes();
    // The node's /var/lib/containers is its own dir in the lab: df there, from the controller.
    const storage = path.join(info.dir, 'nodes', node.name, 'var-lib-containers', 'storage');
    const df = Number(execFileSync('df', ['-B1', '--output=avail', storage], { encoding: 'utf8' }).trim().split('\n').pop());
    expect(Math.abs(free - df)).toBeLessThan(256 << 20);

    await podman.close();
    expect((await nodeProcesses(node)).filter((p) => p.cmdline.includes('podman'))).toEqual([]);
    expect((await conn.exec(`test -e ${path.dirname(socket)}`)).code).toBe(1);
  });

  it("pulls into the node's own storage: the registry's manifest digest, what `podman images` lists, nothing on the other node", async () => {
    const { conn, podman } = await session();
    const result = await podman.pull(small);
    const digest = await registryManifestDigest(info, 'test/small', 'v1');
    // The 1 MiB layer comes in under a second, with no Downloading line to size it: containers/storage's record of it does.
    const [[payloadDigest, payloadSize]] = [...(await registryLayerSizes(info, 'test/small', 'v1'))];
    expect(result).toEqual({
      digest,
      layersDownloaded: 1,
      layersPresent: 0,
      bytesDownloaded: payloadSize,
      fetchedLayers: new Map([[payloadDigest.slice(7, 19), payloadSize]]),
      accounting: 'exact',
      unsizedLayers: 0,
    });
    const image = await podman.inspectImage(small);
    expect(image?.repoDigests).toEqual([`${registry}/test/small@${digest}`]);
    expect((await podmanImages(conn)).get(small)).toBe(image!.id);
    expect(existsSync(path.join(info.dir, 'nodes', node.name, 'var-lib-containers', 'storage', 'overlay-images', image!.id.replace(/^sha256:/, '')))).toBe(
      true,
    );
    const other = await connect(info, info.nodes[1]);
    try {
      expect((await other.exec('podman images -q')).stdout).toBe('');
    } finally {
      await other.close();
    }
  });

  it('reports byte progress while pulling, with the registry sizes; a present layer is counted as such', async () => {
    const { podman } = await session();
    await podman.pull(small); // holds the payload layer big shares
    const events: PullProgress[] = [];
    const result = await podman.pull(big, { onProgress: (p) => events.push(p) });
    const sizes = await registryLayerSizes(info, 'test/big', 'v1');
    const [bigDigest, bigSize] = [...sizes.entries()].find(([, size]) => size > BIG_BYTES)!;
    expect(result).toMatchObject({ layersDownloaded: 1, layersPresent: 1, bytesDownloaded: bigSize, unsizedLayers: 0 });
    const id = bigDigest.slice(7, 19);
    const downloading = events.filter((e) => e.id === id && e.status === 'Downloading');
    expect(downloading.length).toBeGreaterThanOrEqual(2);
    for (const e of downloading) expect(e.total).toBe(bigSize);
    expect(events.find((e) => e.status === 'Already exists')?.id).toBe([...sizes.keys()][0].slice(7, 19));
  });

  it("pulls from a plain-HTTP registry on the node's loopback (as the relay serves), changing nothing on the node", async () => {
    const { conn, podman } = await session();
    const forward = await conn.forwardRemote(0, (stream) => {
      const upstream = net.connect(info.registry.port, info.registry.ip);
      stream.pipe(upstream).pipe(stream);
      upstream.on('error', () => stream.destroy());
      stream.on('error', () => upstream.destroy());
    });
    const configFiles = 'find /etc/containers -type f -exec md5sum {} + | sort';
    const configBefore = (await conn.exec(configFiles)).stdout;
    try {
      const loopback = `127.0.0.1:${forward.port}/test/big:v1`;
      // podman itself refuses it: it treats no loopback registry as insecure, unlike Docker.
      const cli = await conn.exec(`podman pull ${loopback}`);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain('server gave HTTP response to HTTPS client');
      // small holds the payload layer big shares; big's own layer is not on the node.
      await podman.pull(small);
      await podman.removeImage(big);
      const result = await podman.pull(loopback);
      const sizes = await registryLayerSizes(info, 'test/big', 'v1');
      expect(result.digest).toBe(await registryManifestDigest(info, 'test/big', 'v1'));
      // Only the big layer came; the payload layer was there.
      const [bigDigest, bigSize] = [...sizes.entries()].find(([, size]) => size > BIG_BYTES)!;
      expect(result).toMatchObject({ layersDownloaded: 1, layersPresent: 1, bytesDownloaded: bigSize, accounting: 'exact', unsizedLayers: 0 });
      expect(result.fetchedLayers).toEqual(new Map([[bigDigest.slice(7, 19), bigSize]]));
      expect((await podmanImages(conn)).has(loopback)).toBe(true);
      await podman.removeImage(loopback);
    } finally {
      await forward.close();
    }
    expect((await conn.exec(configFiles)).stdout).toBe(configBefore);
  });

  it('uses a service already running on the socket, and leaves it running', async () => {
    const { conn } = await session();
    const start = await conn.exec('mkdir -p /run/podman && setsid -f podman system service --time=0 unix:///run/podman/podman.sock </dev/null >/dev/null 2>&1');
    expect(start.code).toBe(0);
    for (let i = 0; i < 50 && !existsSync(node.socket.controller); i++) await new Promise((r) => setTimeout(r, 100));
    const podman = new PodmanRuntime(conn, { socketPath: node.socket.node });
    expect(await podman.socketPath()).toBe('/run/podman/podman.sock');
    await podman.pull(small);
    expect((await podman.listImageSummaries()).map((i) => i.repoTags).flat()).toContain(small);
    await podman.close();
    const service = (await nodeProcesses(node)).filter((p) => p.cmdline === 'podman system service --time=0 unix:///run/podman/podman.sock');
    expect(service).toHaveLength(1);
    await conn.exec('pkill -f "[p]odman system service --time=0 unix:///run/podman/podman.sock"');
  });

  it('tags, removes, and loads a `podman save` tarball', async () => {
    const { conn, podman } = await session();
    await podman.pull(small);
    const before = await podman.inspectImage(small);
    await podman.tagImage(small, `${registry}/test/renamed`, 'v2');
    expect((await podmanImages(conn)).get(`${registry}/test/renamed:v2`)).toBe(before!.id);
    await podman.removeImage(`${registry}/test/renamed:v2`);
    expect((await podmanImages(conn)).has(`${registry}/test/renamed:v2`)).toBe(false);
    expect((await podmanImages(conn)).has(small)).toBe(true);

    const tarball = path.join(info.dir, 'nodes', node.name, 'small.tar');
    expect((await conn.exec(`podman save -o ${tarball} ${small}`)).code).toBe(0);
    await podman.removeImage(small);
    expect(await podman.inspectImage(small)).toBeUndefined();
    const loaded = await podman.loadImage(createReadStream(tarball));
    expect(loaded.join(' ')).toContain(small);
    expect((await podman.inspectImage(small))?.id).toBe(before!.id);
  });

  it('fails clearly, naming podman: an image the registry lacks', async () => {
    const { podman } = await session();
    const e = await failure(podman.pull(`${registry}/test/nothing:v1`));
    expect(e.code).toBe('DOCKER_PULL_FAILED');
    expect(e.message).toMatch(new RegExp(`^podman on ${node.name} could not pull`));
  });
});

describe('podman client, rootless', () => {
  it("pulls into the user's own storage through a service it starts as that user, then leaves no process of the user behind", async () => {
    const { conn, podman } = await session('rootless');
    const socket = await podman.socketPath();
    expect(socket).toMatch(/^\/run\/user\/2300\/hound-podman\.[A-Za-z0-9]+\/podman\.sock$/);
    const i = await podman.info();
    expect(i.dockerRootDir).toBe(path.join(info.dir, 'nodes', node.name, 'users', 'rootless', '.local', 'share', 'containers', 'storage'));
    const result = await podman.pull(big);
    expect(result.digest).toBe(await registryManifestDigest(info, 'test/big', 'v1'));
    expect([...(await podmanImages(conn)).keys()]).toEqual([big]);
    // In the user's own storage, under its home in the node's dir, owned by the user.
    const id = (await podman.inspectImage(big))!.id.replace(/^sha256:/, '');
    const stored = path.join(i.dockerRootDir, 'overlay-images', id);
    expect(existsSync(stored)).toBe(true);
    expect(statSync(stored).uid).toBe(2300);
    const mine = (await nodeProcesses(node)).filter((p) => p.uid === 2300);
    expect(mine.some((p) => p.cmdline.includes(`unix://${socket}`))).toBe(true);
    // podman keeps the user namespace with a pause process, which would outlive the service.
    expect(mine.map((p) => p.cmdline)).toContain('catatonit -P');

    await podman.close();
    // The service, its watcher and podman's pause process (catatonit -P) are all gone; what
    // the user still runs is this test's own SSH session.
    const usersOwn = async () => (await nodeProcesses(node)).filter((p) => p.uid === 2300 && !p.cmdline.startsWith('sshd: rootless'));
    let left = await usersOwn();
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await usersOwn();
    }
    expect(left).toEqual([]);
    expect(existsSync(path.join(path.dirname(node.rootless!.socket.controller), '..', path.basename(path.dirname(socket))))).toBe(false);
  });
});
