// The CRI client (runtime/cri) on containerd nodes of a lab of its own: containerd 1.6 with
// its CRI plugin, reached through hound's SSH connection to the node. What the client says
// is checked against the lab registry's HTTP API (manifest digests and layer sizes), the
// node's own ctr and df, /proc, and the CRI itself (a pod started with the registry cut off).
// CRI-O is not packaged in Debian 12: the same client serves it (flavor 'cri-o'), but only
// containerd's CRI is tested here.
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { readlink } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../base/errors.js';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { pushImageSet } from '../../lab/index.js';
import { renderHostsToml } from '../../lab/containerd-node.js';
import { catatonitLayer, PAUSE_ENTRYPOINT, PAUSE_REPOSITORY, PAUSE_TAG } from '../../lab/pause-image.js';
import { findBinary } from '../../lab/preflight.js';
import { ContentClient } from '../../runtime/containerd/content-client.js';
import { CriClient } from '../../runtime/cri/cri-client.js';
import { CriRuntime } from '../../runtime/cri/runtime.js';
import type { SshHostConnection } from '../../transport/ssh-connection.js';
import type { PullProgress } from '../../runtime/types.js';
import { startBasicAuthGate } from '../fixtures/library/helpers.js';
import { startRegistryFront } from '../fixtures/play/registry-front.js';
import { bridgeDirs, connect, dropLab, ownLab, registryLayerSizes, registryManifestDigest } from './runtime-helpers.js';

const BIG_BYTES = 40 << 20;
let info: LabInfo;
let node: LabNodeInfo;
let conn: SshHostConnection;
let runtime: CriRuntime;
let registry: string;
let runnable: string;
let big: string;

beforeAll(async () => {
  info = await ownLab('rtcri', { runtimes: 'containerd=2', nodeRate: '100mbit' });
  node = info.nodes[0]!;
  registry = `${info.registry.ip}:${info.registry.port}`;
  await pushImageSet(info.registry.url, {
    layers: [
      catatonitLayer(findBinary('catatonit')!),
      { name: 'payload', sizeBytes: 1 << 20, seed: 'rtcri/payload' },
      { name: 'big', sizeBytes: BIG_BYTES, seed: 'rtcri/big' },
      { name: 'shared', sizeBytes: 8 << 20, seed: 'rtcri/shared' },
      { name: 'own-a', sizeBytes: 1 << 20, seed: 'rtcri/own-a' },
      { name: 'own-b', sizeBytes: 2 << 20, seed: 'rtcri/own-b' },
    ],
    images: [
      { repository: 'test/runnable', tag: 'v1', layers: ['catatonit', 'payload'], entrypoint: PAUSE_ENTRYPOINT },
      { repository: 'test/big', tag: 'v1', layers: ['payload', 'big'] },
      { repository: 'test/pair-a', tag: 'v1', layers: ['shared', 'own-a'] },
      { repository: 'test/pair-b', tag: 'v1', layers: ['shared', 'own-b'] },
    ],
  });
  runnable = `${registry}/test/runnable:v1`;
  big = `${registry}/test/big:v1`;
  conn = await connect(info, node);
  runtime = new CriRuntime(conn, { flavor: 'containerd', socketPath: node.socket.node, progressIntervalMs: 200 });
});

afterAll(async () => {
  await runtime?.close();
  await conn?.close();
  await dropLab(info);
});

/** `ctr -n k8s.io images ls` on the node: name → manifest digest and labels. */
async function ctrImages(): Promise<Map<string, { digest: string; labels: string }>> {
  const r = await conn.exec('ctr -n k8s.io images ls');
  expect(r.code).toBe(0);
  const images = new Map<string, { digest: string; labels: string }>();
  for (const line of r.stdout.trim().split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    images.set(f[0], { digest: f[2], labels: f[f.length - 1] });
  }
  return images;
}

/** containerd on `n` speaks plain HTTP to `host` only if its hosts.toml says so, as for the lab registry; returns the dir to remove. */
function allowPlainHttp(n: LabNodeInfo, host: string): string {
  const hostDir = path.join(info.dir, 'nodes', n.name, 'etc-containerd', 'certs.d', host);
  mkdirSync(hostDir, { recursive: true });
  writeFileSync(path.join(hostDir, 'hosts.toml'), renderHostsToml(host));
  return hostDir;
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

describe('CRI client on containerd, through SSH', () => {
  it("reads the runtime: containerd 1.6, the node's image filesystem and free space (as df says), the lab registry as plain HTTP", async () => {
    const before = bridgeDirs();
    const fresh = new CriRuntime(conn, { flavor: 'containerd' });
    const i = await fresh.info();
    expect(i.serverVersion).toMatch(/^containerd 1\.6\./);
    expect(i.architecture).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    expect(i.dockerRootDir).toBe(path.join(info.dir, 'nodes', node.name, 'containerd', 'io.containerd.snapshotter.v1.overlayfs'));
    expect(i.insecureRegistries).toEqual([registry]);
    const free = await fresh.freeBytes();
    const df = Number(execFileSync('df', ['-B1', '--output=avail', i.dockerRootDir], { encoding: 'utf8' }).trim().split('\n').pop());
    // One disk shared with everything else on this machine: the two readings are close, not equal.
    expect(Math.abs(free - df)).toBeLessThan(256 << 20);
    const own = bridgeDirs().filter((d) => !before.includes(d));
    expect(own).toHaveLength(1);
    expect(existsSync(path.join(tmpdir(), own[0]))).toBe(true);
    await fresh.close();
    // The bridge's private dir goes with it.
    expect(existsSync(path.join(tmpdir(), own[0]))).toBe(false);
    expect(bridgeDirs()).toEqual(before);
  });

  it('pulls through the CRI: ImageStatus finds the named reference with the registry manifest digest, ctr sees a CRI-managed image', async () => {
    const result = await runtime.pull(runnable);
    const expectedDigest = await registryManifestDigest(info, 'test/runnable', 'v1');
    const sizes = await registryLayerSizes(info, 'test/runnable', 'v1');
    expect(result).toEqual({
      digest: expectedDigest,
      bytesDownloaded: [...sizes.values()].reduce((a, b) => a + b, 0),
      layersDownloaded: 2,
      layersPresent: 0,
      fetchedLayers: new Map([...sizes].map(([digest, size]) => [digest.slice(7, 19), size])),
      accounting: 'exact',
      unsizedLayers: 0,
    });

    // The kubelet's view: ImageStatus by the reference the play names, straight on the node's socket.
    const cri = new CriClient(node.socket.controller);
    try {
      const status = await cri.imageStatus(runnable, false);
      expect(status.image?.repoTags).toEqual([runnable]);
      expect(status.image?.repoDigests).toEqual([`${registry}/test/runnable@${expectedDigest}`]);
      const config = await (
        await fetch(`${info.registry.url}/v2/test/runnable/manifests/v1`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })
      ).json();
      expect(status.image?.id).toBe((config as { config: { digest: string } }).config.digest);
    } finally {
      cri.close();
    }
    const ctr = await ctrImages();
    expect(ctr.get(runnable)).toEqual({ digest: expectedDigest, labels: 'io.cri-containerd.image=managed' });
    expect(ctr.get(`${registry}/test/runnable@${expectedDigest}`)?.digest).toBe(expectedDigest);

    const inspected = await runtime.inspectImage(runnable);
    expect(inspected).toMatchObject({ repoTags: [runnable], architecture: 'amd64', os: 'linux' });
    expect(inspected?.layers).toHaveLength(2);
    // The other node has its own containerd: nothing there.
    const other = new CriClient(info.nodes[1].socket.controller);
    try {
      expect((await other.imageStatus(runnable, false)).image).toBeNull();
    } finally {
      other.close();
    }
  });

  it("reports byte progress from containerd's ingests during a pull, and counts a shared layer as present", async () => {
    const events: PullProgress[] = [];
    const started = Date.now();
    const result = await runtime.pull(big, { onProgress: (p) => events.push(p) });
    const elapsed = Date.now() - started;
    const sizes = await registryLayerSizes(info, 'test/big', 'v1');
    const bigLayer = [...sizes.entries()].find(([, size]) => size > BIG_BYTES)!;
    expect(result).toMatchObject({ bytesDownloaded: bigLayer[1], layersDownloaded: 1, layersPresent: 1, accounting: 'exact' });
    // 40 MiB at 100 mbit: over 3 s, so several polls saw it moving.
    expect(elapsed).toBeGreaterThan(3000);
    const id = bigLayer[0].slice('sha256:'.length, 'sha256:'.length + 12);
    const downloading = events.filter((e) => e.id === id && e.status === 'Downloading');
    expect(downloading.length).toBeGreaterThanOrEqual(5);
    for (const e of downloading) expect(e.total).toBe(bigLayer[1]);
    const currents = downloading.map((e) => e.current!);
    expect(currents).toEqual([...currents].sort((a, b) => a - b));
    expect(currents[currents.length - 1]).toBeLessThanOrEqual(bigLayer[1]);
    expect(events.at(-1)).toEqual({ id, status: 'Download complete', current: bigLayer[1], total: bigLayer[1] });
  });

  it('pulls with credentials from a registry that demands them, and never shows the password', async () => {
    const gate = await startBasicAuthGate(info, 'hound', 's3cret-pw');
    const hostDir = allowPlainHttp(node, gate.host);
    try {
      const ref = `${gate.host}/test/runnable:v1`;
      const refused = await failure(runtime.pull(ref, { auth: { serverAddress: gate.host, username: 'hound', password: 'wrong-pw' } }));
      expect(refused.code).toBe('CRI_PULL_FAILED');
      expect(refused.message).toMatch(/401|unauthorized/i);
      expect(refused.message + refused.hint).not.toContain('wrong-pw');
      const result = await runtime.pull(ref, { auth: { serverAddress: gate.host, username: 'hound', password: 's3cret-pw' } });
      expect(result.digest).toBe(await registryManifestDigest(info, 'test/runnable', 'v1'));
      expect(gate.passed).toBeGreaterThan(0);
      // The same image as the lab registry's: one id, now with both names.
      const both = await runtime.inspectImage(ref);
      expect(both?.repoTags.sort()).toEqual([ref, runnable].sort());
      expect(both?.repoDigests).toContain(`${gate.host}/test/runnable@${result.digest}`);
      // Removing the gate's name leaves the other, and takes the gate's digest name with it (as Docker does).
      await runtime.removeImage(ref);
      const left = await runtime.inspectImage(runnable);
      expect(left?.repoTags).toEqual([runnable]);
      expect(left?.repoDigests).toEqual([`${registry}/test/runnable@${result.digest}`]);
    } finally {
      await gate.close();
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it("gives up on a pull whose bytes stop moving (PULL_STALLED); the partial layer it leaves is not the next pull's progress", async () => {
    const other = info.nodes[1];
    const sizes = await registryLayerSizes(info, 'test/big', 'v1');
    const [bigDigest] = [...sizes.entries()].find(([, size]) => size > BIG_BYTES)!;
    // A front that sends the first MiB of the big layer, then nothing more, holding the connection.
    const hung: http.ServerResponse[] = [];
    const front = await startRegistryFront(info, (req, res) => {
      if (!req.url?.endsWith(`/blobs/${bigDigest}`)) return false;
      res.writeHead(200, { 'content-length': String(sizes.get(bigDigest)), 'docker-content-digest': bigDigest });
      res.write(Buffer.alloc(1 << 20));
      hung.push(res);
      return true;
    });
    const hostDir = allowPlainHttp(other, front.host);
    const otherConn = await connect(info, other);
    const stalling = new CriRuntime(otherConn, { flavor: 'containerd', socketPath: other.socket.node, progressIntervalMs: 200, stallTimeoutMs: 3000 });
    try {
      const content = new ContentClient(other.socket.controller);
      try {
        // containerd keeps the half-written layer listed as an ingest (no expected digest, offset
        // 1 MiB) until its garbage collector takes it, which it may once the pull's lease is
        // gone (seen once in CI: listed nothing right after the stall). Then the pull stalls
        // again, for a partial layer to be there when the next pull starts.
        let left: Array<[string, number]> = [];
        for (let attempt = 0; attempt < 3 && left.length === 0; attempt++) {
          const events: PullProgress[] = [];
          const started = Date.now();
          const stalled = await failure(stalling.pull(`${front.host}/test/big:v1`, { onProgress: (p) => events.push(p) }));
          expect(stalled.code).toBe('PULL_STALLED');
          expect(stalled.message).toMatch(new RegExp(`^containerd on ${other.name} made no progress pulling .* for \\d+ s; gave up$`));
          expect(Date.now() - started).toBeLessThan(15_000);
          expect(events.some((e) => e.status === 'Downloading' && e.current === 1 << 20)).toBe(true);
          left = (await content.listStatuses()).map((st) => [st.ref, st.offset]);
        }
        expect(left).toEqual([[`layer-${bigDigest}`, 1 << 20]]);
      } finally {
        content.close();
      }
      // ...and a later pull of another image does not report it as its own.
      const after: PullProgress[] = [];
      await stalling.pull(runnable, { onProgress: (p) => after.push(p) });
      expect(after.filter((e) => e.id === bigDigest.slice(7, 19))).toEqual([]);
    } finally {
      for (const res of hung) res.destroy();
      await front.close();
      rmSync(hostDir, { recursive: true, force: true });
      await stalling.close();
      await otherConn.close();
    }
  });

  it('starts a container through the CRI, on the host network, without pulling: the registry is cut off meanwhile', async () => {
    const sandboxImage = `${registry}/${PAUSE_REPOSITORY}:${PAUSE_TAG}`;
    await runtime.pull(sandboxImage);
    const cri = new CriClient(node.socket.controller);
    const blackhole = ['-n', node.netns, 'route', 'add', 'blackhole', `${info.registry.ip}/32`];
    execFileSync('ip', blackhole);
    try {
      // The cut is real: a pull of something not yet on the node fails.
      const cut = await failure(runtime.pull(`${registry}/${PAUSE_REPOSITORY}:missing`));
      expect(cut.code).toBe('CRI_PULL_FAILED');

      const logDir = path.join(info.dir, 'nodes', node.name, 'pod-logs');
      expect((await conn.exec(`mkdir -p ${logDir}`)).code).toBe(0);
      const sandboxConfig = {
        metadata: { name: 'warm', uid: `warm-${process.pid}`, namespace: 'hound-test', attempt: 0 },
        logDirectory: logDir,
        linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
      };
      const { podSandboxId } = await cri.runtimeCall<{ podSandboxId: string }>('RunPodSandbox', { config: sandboxConfig });
      try {
        const { containerId } = await cri.runtimeCall<{ containerId: string }>('CreateContainer', {
          podSandboxId,
          config: { metadata: { name: 'app', attempt: 0 }, image: { image: runnable }, logPath: 'app.log', linux: {} },
          sandboxConfig,
        });
        await cri.runtimeCall('StartContainer', { containerId });
        const { status, info: verbose } = await cri.runtimeCall<{ status: { state: string; imageRef: string }; info: Record<string, string> }>(
          'ContainerStatus',
          {
            containerId,
            verbose: true,
          },
        );
        expect(status.state).toBe('CONTAINER_RUNNING');
        expect(status.imageRef).toBe(`${registry}/test/runnable@${await registryManifestDigest(info, 'test/runnable', 'v1')}`);
        // The process is the image's entrypoint, in the node's network namespace (host network).
        const pid = (JSON.parse(verbose.info) as { pid: number }).pid;
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(PAUSE_ENTRYPOINT);
        expect(await readlink(`/proc/${pid}/ns/net`)).toBe(`net:[${statSync(`/var/run/netns/${node.netns}`).ino}]`);
        const listed = (await runtime.listContainers()).find((c) => c.id === containerId);
        expect(listed).toEqual({ id: containerId, image: runnable, imageId: (await runtime.inspectImage(runnable))!.id, state: 'running' });
        await cri.runtimeCall('StopContainer', { containerId, timeout: 10 });
        await cri.runtimeCall('RemoveContainer', { containerId });
      } finally {
        await cri.runtimeCall('StopPodSandbox', { podSandboxId });
        await cri.runtimeCall('RemovePodSandbox', { podSandboxId });
      }
      expect(await runtime.listContainers()).toEqual([]);
    } finally {
      execFileSync(
        'ip',
        blackhole.map((a) => (a === 'add' ? 'del' : a)),
      );
      cri.close();
    }
  });

  it("tags through containerd's image store and loads with ctr, in the CRI namespace, and the CRI sees both", async () => {
    const before = await runtime.inspectImage(runnable);
    await runtime.tagImage(runnable, `${registry}/test/retagged`, 'v2');
    const tagged = await runtime.inspectImage(`${registry}/test/retagged:v2`);
    expect(tagged?.id).toBe(before!.id);
    // With the source's labels, as `ctr images tag` gives them: the CRI's own image.
    expect((await ctrImages()).get(`${registry}/test/retagged:v2`)?.labels).toBe('io.cri-containerd.image=managed');
    // A name already taken is given to the source again, as `ctr images tag --force` does.
    const pause = `${registry}/${PAUSE_REPOSITORY}:${PAUSE_TAG}`;
    await runtime.pull(pause);
    await runtime.tagImage(pause, `${registry}/test/retagged`, 'v2');
    expect((await runtime.inspectImage(`${registry}/test/retagged:v2`))?.id).toBe((await runtime.inspectImage(pause))?.id);
    await runtime.tagImage(runnable, `${registry}/test/retagged`, 'v2');
    expect((await runtime.inspectImage(`${registry}/test/retagged:v2`))?.id).toBe(before!.id);
    // A source of no image is one clear failure.
    await expect(runtime.tagImage(`${registry}/test/absent:v1`, `${registry}/test/retagged`, 'v3')).rejects.toThrow(/no image is named/);

    // A tarball made by containerd itself, on the node; the node's filesystem is the controller's here.
    const tarball = path.join(info.dir, 'nodes', node.name, 'runnable.tar');
    expect((await conn.exec(`ctr -n k8s.io images export ${tarball} ${runnable}`)).code).toBe(0);
    await runtime.removeImage(`${registry}/test/retagged:v2`, { force: true });
    expect(await runtime.inspectImage(runnable)).toBeUndefined();
    const loaded = await runtime.loadImage(createReadStream(tarball));
    expect(loaded).toEqual([runnable]);
    expect((await runtime.inspectImage(runnable))?.id).toBe(before!.id);
    expect((await ctrImages()).get(runnable)?.labels).toBe('io.cri-containerd.image=managed');
  });

  it('removes an image: only the name given while it has others, then whole; its layers leave the content store', async () => {
    await runtime.tagImage(runnable, `${registry}/test/second`, 'v1');
    await runtime.removeImage(runnable);
    expect(await runtime.inspectImage(runnable)).toBeUndefined();
    const remaining = await runtime.inspectImage(`${registry}/test/second:v1`);
    expect(remaining?.repoTags).toEqual([`${registry}/test/second:v1`]);
    await runtime.removeImage(`${registry}/test/second:v1`);
    expect(await runtime.inspectImage(remaining!.id)).toBeUndefined();
    // Removing what is gone is no error.
    await runtime.removeImage(`${registry}/test/second:v1`);
    // Its layers are shared (with the pause and big images); its manifest is its own.
    const manifest = await registryManifestDigest(info, 'test/runnable', 'v1');
    // containerd's garbage collector runs right after a removal; give it a moment.
    let content = '';
    for (let i = 0; i < 50; i++) {
      content = (await conn.exec('ctr -n k8s.io content ls -q')).stdout;
      if (!content.includes(manifest)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(content).not.toContain(manifest);
    expect(content).toContain((await registryLayerSizes(info, 'test/big', 'v1')).keys().next().value);
  });

  it('counts a layer two pulls running at once both need once, in one of them: the totals equal what the registry sent', async () => {
    const other = info.nodes[1];
    const otherConn = await connect(info, other);
    const pairs = new CriRuntime(otherConn, { flavor: 'containerd', socketPath: other.socket.node, progressIntervalMs: 200 });
    try {
      const [a, b] = await Promise.all([pairs.pull(`${registry}/test/pair-a:v1`), pairs.pull(`${registry}/test/pair-b:v1`)]);
      const sizesA = await registryLayerSizes(info, 'test/pair-a', 'v1');
      const sizesB = await registryLayerSizes(info, 'test/pair-b', 'v1');
      const union = new Map([...sizesA, ...sizesB]);
      expect(union.size).toBe(3);
      // Each layer in exactly one of the two results, with its registry size.
      const fetched = [...a.fetchedLayers!, ...b.fetchedLayers!];
      expect(new Map(fetched)).toEqual(new Map([...union].map(([digest, size]) => [digest.slice(7, 19), size])));
      expect(fetched).toHaveLength(3);
      expect(a.bytesDownloaded + b.bytesDownloaded).toBe([...union.values()].reduce((x, y) => x + y, 0));
      expect(a.layersDownloaded + b.layersDownloaded).toBe(3);
      expect(a.layersPresent + b.layersPresent).toBe(1);
    } finally {
      await pairs.close();
      await otherConn.close();
    }
  });

  it('fails clearly: no socket there, a platform the node is not, an image the registry lacks, what CRI-O cannot do', async () => {
    const wrong = new CriRuntime(conn, { flavor: 'containerd', socketPath: '/run/containerd/nothing.sock' });
    try {
      const e = await failure(wrong.listImageSummaries());
      expect(e.code).toBe('CRI_UNREACHABLE');
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain(`containerd on ${node.name} cannot be reached at /run/containerd/nothing.sock`);
    } finally {
      await wrong.close();
    }
    const platform = await failure(runtime.pull(runnable, { platform: 'linux/arm64' }));
    expect(platform.code).toBe('RUNTIME_UNSUPPORTED');
    expect(platform.message).toMatch(/a CRI pull fetches the node's own platform, linux\/amd64/);
    const missing = await failure(runtime.pull(`${registry}/test/nothing:v1`));
    expect(missing.code).toBe('CRI_PULL_FAILED');
    expect(missing.message).toMatch(/not found/);
    // CRI-O speaks the same CRI but has no tag or import; the client says so before calling anything.
    const crio = new CriRuntime(conn, { flavor: 'cri-o', socketPath: node.socket.node });
    try {
      const tag = await failure(crio.tagImage(runnable, 'x', 'y'));
      expect(tag.code).toBe('RUNTIME_UNSUPPORTED');
      expect(tag.message).toBe(`CRI-O on ${node.name} cannot tag ${runnable} as x:y: the CRI has no tag operation`);
      // Its pulls report completion only: nothing to count from the CRI alone.
      expect(await crio.pull(runnable)).toMatchObject({
        accounting: 'none',
        bytesDownloaded: 0,
        digest: await registryManifestDigest(info, 'test/runnable', 'v1'),
      });
    } finally {
      await crio.close();
    }
    expect(existsSync(node.socket.controller)).toBe(true);
  });
});
