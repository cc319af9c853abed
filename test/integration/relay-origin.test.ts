// The relay's origin side (the registry client bound to one origin) against the lab
// registry behind an auth gate on 127.0.0.1 (Bearer tokens or Basic, and a blob store on
// another port that the gate redirects to, as registries on a CDN do). The registry's
// answers, fetched with curl, are the reference.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import type { SshHostConnection } from '../../transport/ssh-connection.js';
import { connect } from './runtime-helpers.js';
import { RegistryClient, MANIFEST_ACCEPT } from '../../transport/registry.js';
import { startRelay } from '../../relay/relay.js';
import { readTestLab } from '../fixtures/test-lab.js';

const USER = 'hound';
const PASSWORD = 'relay-pa55-secret';

interface Gate {
  host: string;
  requests: { path: string; authorization?: string }[];
  storageRequests: { path: string; authorization?: string; range?: string }[];
  close(): Promise<void>;
}

function proxyTo(info: LabInfo, req: http.IncomingMessage, res: http.ServerResponse): void {
  const upstream = http.request(`${info.registry.url}${req.url}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } }, (up) => {
    res.writeHead(up.statusCode!, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502).end());
  upstream.end();
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startGate(info: LabInfo, mode: 'bearer' | 'basic' | 'none', failFirst = 0, cutFirstBlobAfter?: number): Promise<Gate> {
  let failuresLeft = failFirst;
  let cutPending = cutFirstBlobAfter !== undefined;
  const token = 'tok-' + createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16);
  const basic = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const requests: Gate['requests'] = [];
  const storageRequests: Gate['storageRequests'] = [];
  // Blob bodies come from "storage" on another port, as after a CDN redirect.
  const storage = http.createServer((req, res) => {
    storageRequests.push({ path: req.url!, authorization: req.headers.authorization, range: req.headers.range });
    if (cutPending) {
      // The first blob body breaks off after a few bytes, as a dropped connection does.
      cutPending = false;
      http.get(`${info.registry.url}${req.url}`, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          const room = cutFirstBlobAfter! - sent;
          if (room > 0) res.write(chunk.subarray(0, room));
          sent += chunk.length;
          if (sent >= cutFirstBlobAfter!) {
            up.destroy();
            res.socket?.destroy();
          }
        });
      });
      return;
    }
    const upstream = http.request(`${info.registry.url}${req.url}`, { headers: { ...(req.headers.range ? { range: req.headers.range } : {}) } }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.end();
  });
  const storagePort = await listen(storage);
  const gate = http.createServer((req, res) => {
    requests.push({ path: req.url!, authorization: req.headers.authorization });
    const url = new URL(req.url!, 'http://gate');
    const port = (gate.address() as AddressInfo).port;
    if (url.pathname === '/token') {
      if (req.headers.authorization !== basic) return res.writeHead(401).end();
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ token }));
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      return res.writeHead(503).end('busy');
    }
    if (mode === 'bearer' && req.headers.authorization !== `Bearer ${token}`) {
      res.setHeader('www-authenticate', `Bearer realm="http://127.0.0.1:${port}/token",service="gate",scope="repository:hound/app1:pull"`);
      return res.writeHead(401).end();
    }
    if (mode === 'basic' && req.headers.authorization !== basic) {
      res.setHeader('www-authenticate', 'Basic realm="gate"');
      return res.writeHead(401).end();
    }
    if (url.pathname.includes('/blobs/')) return res.writeHead(307, { location: `http://127.0.0.1:${storagePort}${req.url}` }).end();
    proxyTo(info, req, res);
  });
  const port = await listen(gate);
  return {
    host: `127.0.0.1:${port}`,
    requests,
    storageRequests,
    close: async () => {
      await new Promise((resolve) => gate.close(resolve));
      await new Promise((resolve) => storage.close(resolve));
    },
  };
}

/** The registry client as the relay uses it: bound to one origin (plain HTTP on loopback). */
function originOf(host: string, auth?: { serverAddress: string; username: string; password: string }) {
  const registry = new RegistryClient({ dockerConfigPath: false });
  return Object.assign(registry.origin(host, { insecure: true, auth }), { close: () => registry.close() });
}

function curl(...args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sf', ...args], { encoding: 'buffer', maxBuffer: 64 << 20 }, (error, stdout) =>
      error ? reject(new Error(error.message, { cause: error })) : resolve(stdout),
    );
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('relay origins behind auth', () => {
  let info: LabInfo;
  let manifestBytes: Buffer;
  let manifest: { config: { digest: string }; layers: { digest: string; size: number }[] };

  beforeAll(async () => {
    info = await readTestLab();
    manifestBytes = await curl('-H', `Accept: ${MANIFEST_ACCEPT}`, `${info.registry.url}/v2/hound/app1/manifests/latest`);
    manifest = JSON.parse(manifestBytes.toString('utf8'));
  });

  it('Bearer: asks anonymously, gets a token with Basic credentials once, and never sends credentials to the blob store', async () => {
    const gate = await startGate(info, 'bearer');
    const client = originOf(gate.host, { serverAddress: gate.host, username: USER, password: PASSWORD });
    try {
      const got = await client.getManifest('hound/app1', 'latest', MANIFEST_ACCEPT);
      expect(got.body.equals(manifestBytes)).toBe(true);
      expect(got.digest).toBe('sha256:' + createHash('sha256').update(manifestBytes).digest('hex'));
      expect(got.contentType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      const layer = manifest.layers[2];
      const blob = await client.getBlob('hound/app1', layer.digest);
      expect(blob.size).toBe(layer.size);
      const bytes = await readAll(blob.body);
      expect('sha256:' + createHash('sha256').update(bytes).digest('hex')).toBe(layer.digest);

      expect(gate.requests[0].authorization).toBeUndefined();
      expect(gate.requests.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
      expect(
        gate.requests
          .filter((r) => r.path.startsWith('/v2/'))
          .slice(1)
          .every((r) => r.authorization?.startsWith('Bearer ')),
      ).toBe(true);
      expect(gate.storageRequests).toHaveLength(1);
      expect(gate.storageRequests[0].authorization).toBeUndefined();
    } finally {
      client.close();
      await gate.close();
    }
  });

  it('Basic: answers the challenge with the credentials', async () => {
    const gate = await startGate(info, 'basic');
    const client = originOf(gate.host, { serverAddress: gate.host, username: USER, password: PASSWORD });
    try {
      const got = await client.getManifest('hound/app1', 'latest', MANIFEST_ACCEPT);
      expect(got.body.equals(manifestBytes)).toBe(true);
      expect(gate.requests.at(-1)!.authorization).toBe('Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    } finally {
      client.close();
      await gate.close();
    }
  });

  it('a wrong password is one clear error that does not contain it', async () => {
    const gate = await startGate(info, 'bearer');
    const wrong = 'wr0ng-secret-value';
    const client = originOf(gate.host, { serverAddress: gate.host, username: USER, password: wrong });
    try {
      const error = await client.getManifest('hound/app1', 'latest', MANIFEST_ACCEPT).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'REGISTRY_AUTH_FAILED', status: 401 });
      const text = `${(error as Error).message} ${(error as { hint?: string }).hint}`;
      expect(text).toContain('credentials');
      expect(text).not.toContain(wrong);
      expect((error as { format(): string }).format()).not.toContain(wrong);
    } finally {
      client.close();
      await gate.close();
    }
  });

  it('retries a busy registry, then gives up with its status', async () => {
    const flaky = await startGate(info, 'none', 2);
    const down = await startGate(info, 'none', 100);
    const clients = [originOf(flaky.host), originOf(down.host)];
    try {
      const got = await clients[0].getManifest('hound/app1', 'latest', MANIFEST_ACCEPT);
      expect(got.body.equals(manifestBytes)).toBe(true);
      expect(flaky.requests).toHaveLength(3);
      await expect(clients[1].getManifest('hound/app1', 'latest', MANIFEST_ACCEPT)).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE', status: 503 });
      expect(down.requests).toHaveLength(4);
    } finally {
      for (const client of clients) client.close();
      await flaky.close();
      await down.close();
    }
  });

  it('resumes a blob whose origin body breaks off with a Range request, and the node gets it whole', async () => {
    const gate = await startGate(info, 'none', 0, 1_500_000);
    const logged: string[] = [];
    const relay = startRelay({ origins: [{ host: gate.host }], logger: (line) => logged.push(line) });
    const layer = manifest.layers[0];
    try {
      const node = info.nodes[1];
      const connection = await connect(info, node);
      try {
        const { port } = await relay.attach(connection);
        const url = `http://127.0.0.1:${port}/v2/${relay.token}/${gate.host.replace(':', '_')}/hound/app1/blobs/${layer.digest}`;
        const got = await connection.exec(`curl -sf '${url}' | sha256sum | cut -c1-64`);
        expect('sha256:' + got.stdout.trim()).toBe(layer.digest);
      } finally {
        await relay.close();
        await connection.close();
      }
      // The second request asks for the rest: from what arrived before the cut (what the
      // gate had written, less what the socket had not yet sent when it was destroyed).
      const ranges = gate.storageRequests.map((r) => r.range);
      expect(ranges).toHaveLength(2);
      expect(ranges[0]).toBeUndefined();
      const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
      expect(resumedAt).toBeGreaterThan(0);
      expect(resumedAt).toBeLessThanOrEqual(1_500_000);
      expect(logged.some((line) => line.includes(`resuming ${layer.digest.slice(0, 19)}`) && line.includes(`from byte ${resumedAt}`))).toBe(true);
    } finally {
      await gate.close();
    }
  });

  describe('through a node', () => {
    let connection: SshHostConnection;
    beforeAll(async () => {
      const node = info.nodes[0];
      connection = await connect(info, node);
    });
    afterAll(async () => {
      await connection?.close();
    });

    it('serves the node what the authenticated origin has, and a registry error for what it refuses or lacks', async () => {
      const gate = await startGate(info, 'bearer');
      const logged: string[] = [];
      const good = startRelay({
        origins: [{ host: gate.host, auth: { serverAddress: gate.host, username: USER, password: PASSWORD } }],
        logger: (line) => logged.push(line),
      });
      const bad = startRelay({
        origins: [{ host: gate.host, auth: { serverAddress: gate.host, username: USER, password: 'nope-' + PASSWORD } }],
        logger: (line) => logged.push(line),
      });
      try {
        const slug = gate.host.replace(':', '_');
        const fetchOnNode = async (relay: typeof good, path: string) => {
          const { port } = await relay.attach(connection);
          const out = await connection.exec(
            `curl -s -H 'Accept: ${MANIFEST_ACCEPT}' -D /dev/stderr http://127.0.0.1:${port}/v2/${relay.token}/${slug}/${path}`,
          );
          return { body: out.stdout, headers: out.stderr };
        };
        const ok = await fetchOnNode(good, 'hound/app1/manifests/latest');
        expect(ok.body).toBe(manifestBytes.toString('utf8'));
        expect(ok.headers).toMatch(/^HTTP\/1\.1 200/);
        expect(ok.headers.toLowerCase()).toContain(`docker-content-digest: sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`);
        expect(ok.headers.toLowerCase()).toContain(`content-length: ${manifestBytes.length}`);

        const missing = await fetchOnNode(good, 'hound/app1/manifests/no-such-tag');
        expect(missing.headers).toMatch(/^HTTP\/1\.1 404/);
        expect(JSON.parse(missing.body).errors[0].code).toBe('MANIFEST_UNKNOWN');

        const denied = await fetchOnNode(bad, 'hound/app1/manifests/latest');
        expect(denied.headers).toMatch(/^HTTP\/1\.1 403/);
        expect(JSON.parse(denied.body).errors[0].code).toBe('DENIED');
        expect(denied.body + logged.join('\n')).not.toContain(PASSWORD);
      } finally {
        await good.close();
        await bad.close();
        await gate.close();
      }
    });
  });
});
