// Pushing with the one registry client, against real Distribution registries (Debian's
// docker-registry, as the lab runs it) on loopback: plain HTTP, TLS with htpasswd (Basic),
// TLS with token auth from a token server that grants push, and TLS asking for a client
// certificate, reached as a fan-out seed is (SeedClient, a stream per request, the run's CA).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImageSet, MEDIA_TYPES, type ImageSetSpec } from '../../../lab/image-builder.js';
import { pushImageSet, type PushStats } from '../../../lab/registry-push.js';
import { createRunCertificateAuthority } from '../../../relay/run-ca.js';
import { SeedClient, SeedError } from '../../../relay/seed-client.js';
import { LocalConnection } from '../../../transport/local-connection.js';
import { RegistryClient } from '../../../transport/registry.js';
import { serveTokens, type TokenServer } from '../../fixtures/registry/token-server.js';

const dir = mkdtempSync(join(tmpdir(), 'hound-push-'));
const ca = createRunCertificateAuthority('push-test');
const server = ca.issueServer('127.0.0.1');
const client = ca.issueClient();
const signer = ca.issueClient();
const USER = 'pusher';
const PASSWORD = 'pw-never-shown-1f3a';
const caFile = join(dir, 'ca.crt');
// An empty certs.d: the machine's /etc/docker/certs.d is not this test's.
const trust = { caFiles: [caFile], certsDirectory: join(dir, 'certs.d') };
const running: ChildProcess[] = [];
let tokens: TokenServer;
const registries = { plain: '', basic: '', token: '', clientCertificate: '' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function listening(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not listen on ${port}`);
}

/** A docker-registry on 127.0.0.1 with its own storage; resolves to host:port once it listens. */
async function startRegistry(name: string, options: { tls?: boolean; clientCas?: boolean; auth?: string[] }): Promise<string> {
  const port = await freePort();
  const storage = join(dir, name);
  mkdirSync(storage);
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(options.tls ? ['  tls:', `    certificate: ${join(dir, 'server.crt')}`, `    key: ${join(dir, 'server.key')}`] : []),
    ...(options.clientCas ? ['    clientcas:', `      - ${caFile}`] : []),
    ...(options.auth ? ['auth:', ...options.auth.map((line) => `  ${line}`)] : []),
  ];
  writeFileSync(join(dir, `${name}.yml`), config.join('\n') + '\n');
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, `${name}.yml`)], { stdio: 'ignore' });
  running.push(child);
  await listening(port, Date.now() + 10_000);
  return `127.0.0.1:${port}`;
}

beforeAll(async () => {
  writeFileSync(caFile, ca.certificatePem);
  writeFileSync(join(dir, 'server.crt'), server.certificatePem);
  writeFileSync(join(dir, 'server.key'), server.privateKeyPem);
  mkdirSync(join(dir, 'certs.d'));
  writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-niB', USER], { input: `${PASSWORD}\n`, encoding: 'utf8' }));
  tokens = await serveTokens({
    address: '127.0.0.1',
    port: 0,
    cert: server.certificatePem,
    key: server.privateKeyPem,
    signerCert: signer.certificatePem,
    signerKey: signer.privateKeyPem,
    issuer: 'push-test-issuer',
    service: 'push-test-registry',
    username: USER,
    password: PASSWORD,
    actions: ['pull', 'push'],
  });
  [registries.plain, registries.basic, registries.token, registries.clientCertificate] = await Promise.all([
    startRegistry('plain', {}),
    startRegistry('basic', { tls: true, auth: ['htpasswd:', '  realm: push-test', `  path: ${join(dir, 'htpasswd')}`] }),
    startRegistry('token', {
      tls: true,
      auth: ['token:', `  realm: ${tokens.url}`, '  service: push-test-registry', '  issuer: push-test-issuer', `  rootcertbundle: ${caFile}`],
    }),
    startRegistry('client-certificate', { tls: true, clientCas: true }),
  ]);
}, 30_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await tokens?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two images sharing their bottom layer: the second mounts it from the first's repository. */
const SET: ImageSetSpec = {
  layers: [
    { name: 'base', sizeBytes: 300_000, seed: 'push-base' },
    { name: 'one', sizeBytes: 20_000, seed: 'push-one' },
    { name: 'two', sizeBytes: 30_000, seed: 'push-two' },
  ],
  images: [
    { repository: 'push/one', tag: 'v1', layers: ['base', 'one'] },
    { repository: 'push/two', tag: 'v1', layers: ['base', 'two'] },
  ],
};
const [one, two] = buildImageSet(SET);
const uploadedBytes = [...one.layers, one.config, two.layers[1], two.config].reduce((sum, blob) => sum + blob.size, 0);

async function pushSet(registryUrl: string, access?: Parameters<typeof pushImageSet>[3]): Promise<PushStats> {
  let stats: PushStats | undefined;
  await pushImageSet(registryUrl, SET, (s) => (stats = s), access);
  return stats!;
}

/** What the registry now serves for the pushed images, read back with the same client. */
async function readBack(registry: string, route: Parameters<RegistryClient['resolveImage']>[1]): Promise<string[]> {
  const reader = new RegistryClient({ dockerConfigPath: false, proxy: {}, trust });
  try {
    const resolved = await Promise.all([one, two].map((image) => reader.resolveImage(`${registry}/${image.repository}:${image.tag}`, route)));
    return resolved.map((r) => r.manifestDigest);
  } finally {
    reader.close();
  }
}

function failureOf(pending: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string }> {
  return pending.then(
    () => ({ message: 'it succeeded' }),
    (error: { code?: string; message: string; hint?: string }) => error,
  );
}

describe('pushing to a plain-HTTP registry (the lab)', () => {
  it('uploads each blob once, mounts the shared layer, skips what is there; the registry serves the exact manifests', async () => {
    const url = `http://${registries.plain}`;
    expect(await pushSet(url)).toEqual({ uploadedBlobs: 5, uploadedBytes, mountedBlobs: 1, skippedBlobs: 0 });
    expect(await pushSet(url)).toEqual({ uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0, skippedBlobs: 6 });
    expect(await readBack(registries.plain, { insecure: true })).toEqual([one.manifest.digest, two.manifest.digest]);
  });

  it('an unreachable registry is one lab error naming it', async () => {
    const port = await freePort();
    const error = await failureOf(pushImageSet(`http://127.0.0.1:${port}`, SET));
    expect(error.code).toBe('LAB_REGISTRY_UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('pushing over TLS with Basic auth (htpasswd)', () => {
  it('pushes with the credentials and the CA', async () => {
    const url = `https://${registries.basic}`;
    const auth = { username: USER, password: PASSWORD, serverAddress: registries.basic };
    expect(await pushSet(url, { auth, trust })).toEqual({ uploadedBlobs: 5, uploadedBytes, mountedBlobs: 1, skippedBlobs: 0 });
    expect(await readBack(registries.basic, { auth })).toEqual([one.manifest.digest, two.manifest.digest]);
  });

  it('refuses without the CA, asks for credentials without them, and never shows a wrong password', async () => {
    const url = `https://${registries.basic}`;
    const untrusted = await failureOf(pushImageSet(url, SET, undefined, { auth: { username: USER, password: PASSWORD, serverAddress: registries.basic } }));
    expect(untrusted.code).toBe('LAB_PUSH_FAILED');
    expect(untrusted.message).toMatch(/does not trust .*certificate/);
    const anonymous = await failureOf(pushImageSet(url, SET, undefined, { trust }));
    expect(anonymous.message).toContain('needs a username and password');
    const wrong = 'wrong-pw-9c2e';
    const denied = await failureOf(pushImageSet(url, SET, undefined, { trust, auth: { username: USER, password: wrong, serverAddress: registries.basic } }));
    expect(denied.message).toMatch(/denied .*HTTP 401/);
    expect(denied.hint).toContain('push access');
    expect(JSON.stringify([untrusted, anonymous, denied, denied.message, denied.hint])).not.toMatch(new RegExp(`${wrong}|${PASSWORD}`));
  });
});

describe('pushing over TLS with token auth', () => {
  it('asks the token server for pull,push (and the mount source pull) and pushes', async () => {
    tokens.requests.length = 0;
    const url = `https://${registries.token}`;
    const auth = { username: USER, password: PASSWORD, serverAddress: registries.token };
    expect(await pushSet(url, { auth, trust })).toEqual({ uploadedBlobs: 5, uploadedBytes, mountedBlobs: 1, skippedBlobs: 0 });
    const scopes = tokens.requests.map((r) => r.scope);
    expect(scopes).toContain('repository:push/one:pull,push');
    expect(scopes).toContain('repository:push/two:pull,push repository:push/one:pull');
    expect(tokens.requests.every((r) => r.status === 200 && r.user === USER)).toBe(true);
    expect(await readBack(registries.token, { auth })).toEqual([one.manifest.digest, two.manifest.digest]);
  });

  it('a token without push is refused with one error, and no token is shown', async () => {
    const url = `https://${registries.token}`;
    const error = await failureOf(pushImageSet(url, SET, undefined, { trust, auth: { username: USER, password: 'not-it', serverAddress: registries.token } }));
    expect(error.code).toBe('LAB_PUSH_FAILED');
    expect(error.message).toMatch(/refused a token for repository:push\/one:pull,push/);
    expect(tokens.issued.some((token) => JSON.stringify(error).includes(token) || error.message.includes(token))).toBe(false);
  });
});

describe('a fan-out seed: TLS with the run CA and client certificate, over a stream per request', () => {
  const seedTls = { caPem: ca.certificatePem, clientCertPem: client.certificatePem, clientKeyPem: client.privateKeyPem };
  const seedOf = (tls: typeof seedTls) => {
    const [ip, port] = registries.clientCertificate.split(':');
    return new SeedClient(new LocalConnection('seed'), { ip, port: Number(port) }, tls);
  };

  it('answers, takes streamed blobs, mounts across repositories and stores the exact manifest', async () => {
    const seed = seedOf(seedTls);
    expect(await seed.answers()).toBe(true);
    for (const blob of [...one.layers, one.config]) {
      expect(await seed.pushBlob(one.repository, blob, () => Promise.resolve(Readable.from([blob.data])))).toBe('uploaded');
    }
    await seed.pushManifest(one.repository, one.tag, { body: one.manifest.data, contentType: MEDIA_TYPES.manifest, digest: one.manifest.digest });
    const base = two.layers[0];
    expect(await seed.pushBlob(two.repository, base, () => Promise.reject(new Error('a mount reads nothing')), one.repository)).toBe('mounted');
    const reader = new RegistryClient({ dockerConfigPath: false, proxy: {}, trust: { pinned: seedTls } });
    try {
      expect((await reader.resolveImage(`${registries.clientCertificate}/${one.repository}:${one.tag}`)).manifestDigest).toBe(one.manifest.digest);
      expect(await reader.hasBlob(registries.clientCertificate, two.repository, base.digest)).toBe(true);
      expect(await reader.hasBlob(registries.clientCertificate, two.repository, two.config.digest)).toBe(false);
    } finally {
      reader.close();
    }
  });

  it("a manifest whose blobs are missing is the seed's error, in the registry's words", async () => {
    const error = await failureOf(
      seedOf(seedTls).pushManifest(two.repository, two.tag, { body: two.manifest.data, contentType: MEDIA_TYPES.manifest, digest: two.manifest.digest }),
    );
    expect(error).toBeInstanceOf(SeedError);
    expect(error.code).toBe('FANOUT_SEED_FAILED');
    expect(error.message).toContain(`seed ${registries.clientCertificate}:`);
    expect(error.message).toMatch(/HTTP 400 .*MANIFEST_BLOB_UNKNOWN/);
  });

  it('a client certificate of another run is refused: the seed does not answer, a push fails as SeedError', async () => {
    const other = createRunCertificateAuthority('other-run').issueClient();
    const stranger = seedOf({ ...seedTls, clientCertPem: other.certificatePem, clientKeyPem: other.privateKeyPem });
    expect(await stranger.answers()).toBe(false);
    const blob = one.config;
    const error = await failureOf(stranger.pushBlob('push/three', blob, () => Promise.resolve(Readable.from([blob.data]))));
    expect(error).toBeInstanceOf(SeedError);
    expect(error.message).toContain('client certificate');
  });
});

describe('resolving each image once for a run (reuse)', () => {
  /** A client on the plain registry, and the GETs it sends, as its logger reports them. */
  function counted(): { client: RegistryClient; gets: string[] } {
    const gets: string[] = [];
    const client = new RegistryClient({
      dockerConfigPath: false,
      proxy: {},
      trust,
      logger: (_level, msg) => {
        const get = /^registry: GET \S+?(\/v2\/\S+) → \d+$/.exec(msg);
        if (get) gets.push(get[1]);
      },
    });
    return { client, gets };
  }
  const reference = () => `${registries.plain}/${one.repository}:${one.tag}`;

  it('asks the registry once for the manifest and the config, however many hosts ask and when; another platform is another question', async () => {
    await pushSet(`http://${registries.plain}`);
    const { client, gets } = counted();
    try {
      const first = await Promise.all([1, 2, 3, 4].map(() => client.resolveImage(reference(), { insecure: true, platform: 'linux/amd64', reuse: true })));
      const later = await client.resolveImage(reference(), { insecure: true, platform: 'linux/x86_64', reuse: true });
      expect(new Set([...first, later].map((r) => r.manifestDigest))).toEqual(new Set([one.manifest.digest]));
      expect(gets.sort()).toEqual([`/v2/${one.repository}/blobs/${one.config.digest}`, `/v2/${one.repository}/manifests/${one.tag}`]);
      await client.resolveImage(reference(), { insecure: true, platform: 'linux/arm64', reuse: true });
      expect(gets.filter((g) => g.includes('/manifests/'))).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('a call without it asks again, and its answer is not kept for later reuse', async () => {
    const { client, gets } = counted();
    try {
      for (let i = 0; i < 3; i++) await client.resolveImage(reference(), { insecure: true });
      await client.resolveImage(reference(), { insecure: true, reuse: true });
      expect(gets.filter((g) => g.includes('/manifests/'))).toHaveLength(4);
    } finally {
      client.close();
    }
  });

  it('keeps no failure (the next caller asks again), and one caller giving up does not fail the others', async () => {
    const { client, gets } = counted();
    const repository = `push/later-${process.pid}-${Date.now()}`;
    const later = `${registries.plain}/${repository}:v1`;
    try {
      expect((await failureOf(client.resolveImage(later, { insecure: true, reuse: true }))).code).toBe('REGISTRY_NOT_FOUND');
      await pushImageSet(`http://${registries.plain}`, { layers: SET.layers, images: [{ repository, tag: 'v1', layers: ['base', 'one'] }] });
      const giveUp = new AbortController();
      const [kept, abandoned] = [
        client.resolveImage(later, { insecure: true, reuse: true }),
        client.resolveImage(later, { insecure: true, reuse: true, signal: giveUp.signal }),
      ];
      giveUp.abort(new Error('this caller stopped waiting'));
      expect((await failureOf(abandoned)).message).toBe('this caller stopped waiting');
      expect((await kept).manifestDigest).toMatch(/^sha256:/);
      expect(gets.filter((g) => g.startsWith(`/v2/${repository}/manifests/`))).toHaveLength(2);
    } finally {
      client.close();
    }
  });
});
