// The relay on the shared lab: real sshd remote forwards, real dockerd on each node pulling
// from 127.0.0.1:PORT, a real registry as origin. What the origin served is read from the
// registry's own access log; what the nodes hold is read from their Docker sockets with
// curl and the docker CLI, independently of hound.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImageSet, type LabInfo, type PushedImage } from '../../lab/index.js';
import type { SshHostConnection } from '../../transport/ssh-connection.js';
import { connect } from './runtime-helpers.js';
import { SshDocker } from '../../runtime/docker.js';
import { startRelay, type Relay } from '../../relay/relay.js';
import { readTestLab } from '../fixtures/test-lab.js';

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

/** The image as the node's Docker reports it, asked on its own socket (no SSH, no hound). */
async function inspectOnNode(info: LabInfo, node: number, reference: string): Promise<NodeImage | undefined> {
  const r = await run('curl', ['-s', '--unix-socket', info.nodes[node].socket.controller, `http://docker/images/${reference}/json`]);
  const parsed = JSON.parse(r.stdout) as NodeImage & { message?: string };
  return parsed.message ? undefined : parsed;
}

function dockerCli(info: LabInfo, node: number, ...args: string[]) {
  return run('docker', ['-H', `unix://${info.nodes[node].socket.controller}`, ...args]);
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

const MiB = 1024 * 1024;

describe('relay on the lab', () => {
  let info: LabInfo;
  let origin: string;
  let connections: SshHostConnection[];
  let dockers: SshDocker[];
  let pushed: PushedImage[];
  let relay: Relay;
  let logged: string[];

  beforeAll(async () => {
    info = await readTestLab();
    origin = `${info.registry.ip}:${info.registry.port}`;
    // Fresh seeds each run: the nodes have never seen these blobs.
    const run = `${process.pid}-${Date.now()}`;
    pushed = await pushImageSet(info.registry.url, {
      layers: [
        { name: 'base', sizeBytes: 3 * MiB, seed: `relay-test/${run}/base` },
        { name: 'app', sizeBytes: 1 * MiB, seed: `relay-test/${run}/app` },
        { name: 'tool', sizeBytes: 1 * MiB, seed: `relay-test/${run}/tool` },
      ],
      images: [
        { repository: 'relaytest/app', tag: 'v1', layers: ['base', 'app'] },
        { repository: 'relaytest/tool', tag: 'v1', layers: ['base', 'tool'] },
      ],
    });
    connections = await Promise.all(info.nodes.map((node) => connect(info, node)));
    dockers = connections.map((connection) => new SshDocker(connection));
    logged = [];
    relay = startRelay({ origins: [{ host: origin, plainHttp: true }], logger: (line) => logged.push(line) });
    for (const connection of connections) await relay.attach(connection);
  });

  afterAll(async () => {
    await relay?.close();
    await Promise.all((connections ?? []).map((connection) => connection.close()));
  });

  it('serves each blob to four nodes pulling at once while fetching it from the origin exactly once', async () => {
    const image = pushed[0];
    const reference = `${origin}/${image.repository}:${image.tag}`;
    const logOffset = await registryLogSize(info);
    const results = await Promise.all(dockers.map((docker, i) => relay.pullThroughRelay(info.nodes[i].name, docker, reference)));

    const gets = await originBlobGets(info, logOffset, info.controllerIp);
    const blobs = [image.configDigest, ...image.layers.map((layer) => layer.digest)];
    expect(new Map([...gets].sort())).toEqual(new Map(blobs.map((digest) => [digest, 1] as const).sort()));
    // No node went to the origin for a blob itself: the final pull from the origin only moves the manifest.
    for (const node of info.nodes) expect(await originBlobGets(info, logOffset, node.ip)).toEqual(new Map());

    for (const result of results) expect(result.digest).toBe(image.digest);
    const stats = relay.stats();
    const layerBytes = image.layers.reduce((sum, layer) => sum + layer.size, 0);
    expect(stats.blobs).toBe(3);
    expect(stats.originBytes).toBeGreaterThan(layerBytes);
    expect(stats.originBytes).toBeLessThan(layerBytes + 64 * 1024);
    expect(stats.servedBytes).toBeGreaterThanOrEqual(4 * layerBytes);
    expect(stats.failedBlobs).toBe(0);

    // Every node holds it exactly as a direct `docker pull` leaves it.
    const expected = { RepoTags: [reference], RepoDigests: [`${origin}/${image.repository}@${image.digest}`], Id: image.configDigest };
    for (let node = 0; node < info.nodes.length; node++) {
      const held = await inspectOnNode(info, node, reference);
      expect({ RepoTags: held?.RepoTags, RepoDigests: held?.RepoDigests, Id: held?.Id }).toEqual(expected);
    }
    // And against a real direct pull on a node that has just dropped it.
    expect((await dockerCli(info, 3, 'rmi', reference)).code).toBe(0);
    const direct = await dockerCli(info, 3, 'pull', reference);
    expect(direct.code, direct.stderr).toBe(0);
    const directImage = await inspectOnNode(info, 3, reference);
    const relayed = await inspectOnNode(info, 0, reference);
    expect({ tags: relayed?.RepoTags, digests: relayed?.RepoDigests, id: relayed?.Id }).toEqual({
      tags: directImage?.RepoTags,
      digests: directImage?.RepoDigests,
      id: directImage?.Id,
    });
  });

  it('pulls a digest-pinned reference and leaves no relay names behind', async () => {
    const image = pushed[1];
    const reference = `${origin}/${image.repository}@${image.digest}`;
    await relay.pullThroughRelay(info.nodes[0].name, dockers[0], reference);
    const held = await inspectOnNode(info, 0, reference);
    expect(held?.RepoTags).toEqual([]);
    expect(held?.RepoDigests).toEqual([`${origin}/${image.repository}@${image.digest}`]);
    const all = JSON.parse((await run('curl', ['-s', '--unix-socket', info.nodes[0].socket.controller, 'http://docker/images/json'])).stdout) as NodeImage[];
    const names = all.flatMap((i) => [...(i.RepoTags ?? []), ...(i.RepoDigests ?? [])]);
    expect(names.filter((name) => name.startsWith('127.0.0.1:'))).toEqual([]);
  });

  it('answers only requests under its run token, and only on the node loopback', async () => {
    const { port } = await relay.attach(connections[1]);
    const curl = (url: string) => connections[1].exec(`curl -s -o /dev/null -w '%{http_code}' ${url}`);
    expect((await curl(`http://127.0.0.1:${port}/v2/`)).stdout).toBe('200');
    expect((await curl(`http://127.0.0.1:${port}/v2/${relay.token}/bogus_5000/relaytest/app/manifests/v1`)).stdout).toBe('404');
    expect((await curl(`http://127.0.0.1:${port}/v2/someoneelse/${origin.replace(':', '_')}/relaytest/app/manifests/v1`)).stdout).toBe('404');
    const slug = origin.replace(':', '_');
    expect((await curl(`http://127.0.0.1:${port}/v2/${relay.token}/${slug}/relaytest/app/manifests/v1`)).stdout).toBe('200');
    expect((await curl(`-X DELETE http://127.0.0.1:${port}/v2/${relay.token}/${slug}/relaytest/app/manifests/v1`)).stdout).toBe('405');
    // The forward is bound to the node's loopback: its LAN address refuses.
    expect((await curl(`--max-time 5 http://${info.nodes[1].ip}:${port}/v2/`)).stdout).toBe('000');
  });

  it("serves byte ranges (how Docker resumes a cut layer) equal to the origin's", async () => {
    const layer = pushed[0].layers[0];
    const { port } = await relay.attach(connections[2]);
    const url = `http://127.0.0.1:${port}/v2/${relay.token}/${origin.replace(':', '_')}/relaytest/app/blobs/${layer.digest}`;
    for (const range of ['1000-1999', `${layer.size - 10}-`]) {
      const relayed = await connections[2].exec(`curl -s -r ${range} '${url}' | sha256sum | cut -c1-64`);
      const status = await connections[2].exec(`curl -s -r ${range} -o /dev/null -w '%{http_code} %{size_download}' '${url}'`);
      const direct = await run('sh', ['-c', `curl -s -r ${range} '${info.registry.url}/v2/relaytest/app/blobs/${layer.digest}' | sha256sum | cut -c1-64`]);
      expect(relayed.stdout).toBe(direct.stdout);
      const expectedLength = range === '1000-1999' ? 1000 : 10;
      expect(status.stdout).toBe(`206 ${expectedLength}`);
    }
    const beyond = await connections[2].exec(`curl -s -r ${layer.size}- -o /dev/null -w '%{http_code}' '${url}'`);
    expect(beyond.stdout).toBe('416');
  });

  it('prefetches the most shared layers once, while nodes pull the same blobs, each node its images in schedule order', async () => {
    const second = startRelay({ origins: [{ host: origin, plainHttp: true }] });
    try {
      // Nodes 3 and 4 have the images from the first test or not at all: drop them so all pull.
      for (let node = 0; node < info.nodes.length; node++) {
        for (const image of pushed) await dockerCli(info, node, 'rmi', '-f', `${origin}/${image.repository}:${image.tag}`);
        await dockerCli(info, node, 'rmi', '-f', `${origin}/${pushed[1].repository}@${pushed[1].digest}`);
      }
      for (const connection of connections) await second.attach(connection);
      const [app, tool] = pushed.map((image) => `${origin}/${image.repository}:${image.tag}`) as [string, string];
      const needs = info.nodes.map((node, i) => ({ host: node.name, images: i % 2 === 0 ? [app, tool] : [app] }));
      const logOffset = await registryLogSize(info);
      const schedule = await second.prepare(needs);
      // Base is in both images and needed by every node: fetched first.
      expect(schedule.prefetch[0].digest).toBe(pushed[0].layers[0].digest);
      expect(schedule.prefetch[0].nodes).toBe(4);
      expect(schedule.pullOrder.get(info.nodes[0].name)).toEqual([app, tool]);
      await Promise.all(
        needs.map(async (need, i) => {
          const order = schedule.pullOrder.get(need.host)!;
          const results = await second.pullImagesThroughRelay(need.host, dockers[i], order);
          expect(results.map((result) => result.digest)).toEqual(order.map((reference) => pushed[reference === app ? 0 : 1].digest));
        }),
      );
      const gets = await originBlobGets(info, logOffset, info.controllerIp);
      const everyBlob = new Set(pushed.flatMap((image) => [image.configDigest, ...image.layers.map((layer) => layer.digest)]));
      expect([...gets.keys()].sort()).toEqual([...everyBlob].sort());
      expect([...gets.values()].every((count) => count === 1)).toBe(true);
      for (let node = 0; node < info.nodes.length; node++) {
        const held = await inspectOnNode(info, node, tool);
        if (node % 2 === 0) expect(held?.RepoDigests).toEqual([`${origin}/${pushed[1].repository}@${pushed[1].digest}`]);
        else expect(held).toBeUndefined();
      }
    } finally {
      await second.close();
    }
  });

  it('cuts every node short and reports it when the origin serves a blob that does not match its digest', async () => {
    const run = `${process.pid}-${Date.now()}`;
    const [bad] = await pushImageSet(info.registry.url, {
      layers: [{ name: 'bad', sizeBytes: 2 * MiB, seed: `relay-test/${run}/bad` }],
      images: [{ repository: 'relaytest/bad', tag: 'v1', layers: ['bad'] }],
    });
    const layer = bad.layers[0];
    // Same length, different bytes: the registry still serves it, with the original digest's name.
    const hex = layer.digest.slice('sha256:'.length);
    const file = path.join(info.dir, 'registry', 'storage', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const content = await readFile(file);
    content.fill(0x55, 1000, 5000);
    await writeFile(file, content);

    const slug = origin.replace(':', '_');
    const url = `http://127.0.0.1:${(await relay.attach(connections[0])).port}/v2/${relay.token}/${slug}/relaytest/bad/blobs/${layer.digest}`;
    const failedBefore = relay.stats().failedBlobs;
    // Each node through its own forward, all at once.
    const results = await Promise.all(
      connections.map(async (connection) => {
        const { port } = await relay.attach(connection);
        const nodeUrl = url.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
        return (await connection.exec(`curl -s -o /dev/null -w '%{size_download}' --max-time 60 '${nodeUrl}'; echo " $?"`)).stdout.trim().split(' ');
      }),
    );
    for (const [downloaded, curlExit] of results) {
      // 18: "transfer closed with outstanding read data remaining": the body was cut short.
      expect(curlExit).toBe('18');
      expect(Number(downloaded)).toBeLessThan(layer.size);
    }
    expect(relay.stats().failedBlobs).toBeGreaterThan(failedBefore);
    expect(logged.some((line) => line.includes(layer.digest.slice(0, 19)) && line.includes('hashed to'))).toBe(true);
  });

  it('closes the forwards when the run ends', async () => {
    const third = startRelay({ origins: [{ host: origin, plainHttp: true }] });
    const { port } = await third.attach(connections[2]);
    const before = await connections[2].exec(`curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:${port}/v2/`);
    expect(before.stdout).toBe('200');
    await third.close();
    const after = await connections[2].exec(`curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:${port}/v2/`);
    expect(after.stdout).toBe('000');
    await expect(third.attach(connections[2])).rejects.toMatchObject({ code: 'RELAY_USAGE' });
  });
});
