// The registry client against the lab's real registry (plain HTTP inside the lab network),
// checked against what the registry itself answers to curl; and, for authentication,
// retries and multi-platform indexes, through a small gate on 127.0.0.1 that forwards to it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { HoundError } from '../../base/errors.js';
import { MEDIA_TYPES, RegistryClient } from '../../transport/registry.js';
import { readTestLab } from '../fixtures/test-lab.js';

let info: LabInfo;
let origin: string;

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'buffer', maxBuffer: 64 << 20 }, (error, stdout) =>
      error ? reject(new Error(error.message, { cause: error })) : resolve(stdout.toString('latin1')),
    );
  });
}

/** Response headers of a HEAD request, lowercased names. */
async function head(url: string, accept?: string): Promise<Record<string, string>> {
  const text = await curl(['-I', ...(accept ? ['-H', `Accept: ${accept}`] : []), url]);
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

async function failure(promise: Promise<unknown>): Promise<HoundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HoundError) return error;
    throw error;
  }
  throw new Error('expected a failure, got success');
}

beforeAll(async () => {
  info = await readTestLab();
  origin = `${info.registry.ip}:${info.registry.port}`;
});

describe('resolveImage on the lab registry', () => {
  const client = new RegistryClient({ dockerConfigPath: false });

  it.each(['hound/base', 'hound/runtime-a', 'hound/app0', 'hound/app7'])('%s: digests and sizes are what the registry serves', async (repository) => {
    const resolved = await client.resolveImage(`${origin}/${repository}:latest`, { insecure: true, platform: 'linux/x86_64' });
    const manifestHead = await head(
      `${info.registry.url}/v2/${repository}/manifests/latest`,
      `${MEDIA_TYPES.ociManifest}, ${MEDIA_TYPES.dockerManifest}, ${MEDIA_TYPES.ociIndex}, ${MEDIA_TYPES.dockerList}`,
    );
    expect(resolved.manifestDigest).toBe(manifestHead['docker-content-digest']);
    expect(resolved.platformManifestDigest).toBe(resolved.manifestDigest);
    expect(resolved.reference).toBe(`${origin}/${repository}:latest`);
    expect(resolved.layers.length).toBeGreaterThan(0);
    for (const layer of resolved.layers) {
      const blobHead = await head(`${info.registry.url}/v2/${repository}/blobs/${layer.digest}`);
      expect(layer.size).toBe(Number(blobHead['content-length']));
    }
    const config = JSON.parse(await curl([`${info.registry.url}/v2/${repository}/blobs/${resolved.config.digest}`])) as {
      rootfs: { diff_ids: string[] };
      architecture: string;
      os: string;
    };
    expect(resolved.diffIds).toEqual(config.rootfs.diff_ids);
    expect(resolved.layers.map((l) => l.diffId)).toEqual(config.rootfs.diff_ids);
    expect([resolved.os, resolved.architecture]).toEqual([config.os, config.architecture]);
  });

  it('pins by digest, and fetchBlob streams the exact bytes', async () => {
    const byTag = await client.resolveImage(`${origin}/hound/app1`, { insecure: true });
    const byDigest = await client.resolveImage(`${origin}/hound/app1@${byTag.manifestDigest}`, { insecure: true });
    expect(byDigest.layers).toEqual(byTag.layers);
    const layer = byTag.layers[byTag.layers.length - 1];
    const { body: stream, size } = await client.getBlob(origin, 'hound/app1', layer.digest, 0, { insecure: true });
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
    expect(bytes).toBe(layer.size);
    expect(size).toBe(layer.size);
  });

  it('an unknown repository or tag is REGISTRY_NOT_FOUND', async () => {
    expect((await failure(client.resolveImage(`${origin}/hound/nope:latest`, { insecure: true }))).code).toBe('REGISTRY_NOT_FOUND');
    expect((await failure(client.resolveImage(`${origin}/hound/app0:nope`, { insecure: true }))).code).toBe('REGISTRY_NOT_FOUND');
  });

  it('does not speak plain HTTP unless told the registry is insecure', async () => {
    const strict = new RegistryClient({ dockerConfigPath: false, attempts: 1 });
    const error = await failure(strict.resolveImage(`${origin}/hound/base`, { insecure: false }));
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
  });
});

/** A gate on 127.0.0.1 in front of the lab registry: auth, failures and a synthetic index. */
interface Gate {
  url: string;
  host: string;
  requests: { method: string; path: string; authorization?: string }[];
  /** From now on only a new token is accepted: the ones handed out are refused, as expired or revoked ones are. */
  rotateToken(): void;
  close(): Promise<void>;
}

async function startGate(options: {
  mode: 'bearer' | 'basic' | 'none';
  failFirst?: number;
  index?: { tag: string; amd64Digest: string; amd64Size: number };
}): Promise<Gate> {
  const USER = 'hound';
  const PASSWORD = 'pa55-w0rd-secret';
  const newToken = () => 'tok-' + createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16);
  let TOKEN = newToken();
  const requests: Gate['requests'] = [];
  let failuresLeft = options.failFirst ?? 0;
  let indexBody: Buffer | undefined;
  if (options.index) {
    indexBody = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociIndex,
        manifests: [
          {
            mediaType: MEDIA_TYPES.ociManifest,
            digest: 'sha256:' + 'e'.repeat(64),
            size: 500,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: MEDIA_TYPES.ociManifest,
            digest: options.index.amd64Digest,
            size: options.index.amd64Size,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          { mediaType: MEDIA_TYPES.ociManifest, digest: 'sha256:' + 'f'.repeat(64), size: 500, platform: { os: 'unknown', architecture: 'unknown' } },
        ],
      }),
    );
  }
  const basic = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization });
    const url = new URL(req.url!, 'http://gate');
    if (url.pathname === '/token') {
      if (req.headers.authorization !== basic) return res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ token: TOKEN, scope: url.searchParams.get('scope'), service: url.searchParams.get('service') }));
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      return res.writeHead(503).end('busy');
    }
    const { port } = server.address() as AddressInfo;
    if (options.mode === 'bearer' && req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.setHeader(
        'www-authenticate',
        `Bearer realm="http://127.0.0.1:${port}/token",service="gate",scope="repository:${url.pathname.split('/').slice(2, 4).join('/')}:pull"`,
      );
      return res.writeHead(401).end();
    }
    if (options.mode === 'basic' && req.headers.authorization !== basic) {
      res.setHeader('www-authenticate', 'Basic realm="gate"');
      return res.writeHead(401).end();
    }
    if (indexBody && url.pathname.endsWith(`/manifests/${options.index!.tag}`)) {
      res.setHeader('content-type', MEDIA_TYPES.ociIndex);
      return res.end(indexBody);
    }
    const upstream = http.request(`${info.registry.url}${req.url}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    rotateToken: () => {
      TOKEN = newToken();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('registry authentication, retries and platforms (gate on 127.0.0.1)', () => {
  const gates: Gate[] = [];
  const gate = async (options: Parameters<typeof startGate>[0]) => {
    const g = await startGate(options);
    gates.push(g);
    return g;
  };
  afterAll(async () => {
    await Promise.all(gates.map((g) => g.close()));
  });

  it('Bearer: anonymous first, then a token fetched with Basic credentials, reused afterwards', async () => {
    const g = await gate({ mode: 'bearer' });
    const client = new RegistryClient({ dockerConfigPath: false });
    const auth = { serverAddress: g.host, username: 'hound', password: 'pa55-w0rd-secret' };
    const resolved = await client.resolveImage(`${g.host}/hound/app2`, { insecure: true, auth });
    const direct = await new RegistryClient({ dockerConfigPath: false }).resolveImage(`${origin}/hound/app2`, { insecure: true });
    expect(resolved.layers).toEqual(direct.layers);
    expect(resolved.manifestDigest).toBe(direct.manifestDigest);
    expect(g.requests[0].authorization).toBeUndefined();
    const tokenRequest = g.requests.find((r) => r.path.startsWith('/token'))!;
    expect(tokenRequest.path).toContain('service=gate');
    expect(decodeURIComponent(tokenRequest.path)).toContain('scope=repository:hound/app2:pull');
    expect(g.requests.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
    const before = g.requests.length;
    await client.resolveImage(`${g.host}/hound/app2`, { insecure: true, auth });
    expect(g.requests.slice(before).every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('Bearer: a held token the registry stops accepting (expired, revoked) is replaced once, without failing', async () => {
    const g = await gate({ mode: 'bearer' });
    const client = new RegistryClient({ dockerConfigPath: false });
    const auth = { serverAddress: g.host, username: 'hound', password: 'pa55-w0rd-secret' };
    await client.resolveImage(`${g.host}/hound/app3`, { insecure: true, auth });
    g.rotateToken();
    const before = g.requests.length;
    await client.resolveImage(`${g.host}/hound/app3`, { insecure: true, auth });
    const after = g.requests.slice(before);
    expect(after.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
    // refused with the held token, then the new one for every request that follows
    expect(after[0].authorization).toMatch(/^Bearer /);
    expect(
      after
        .filter((r) => !r.path.startsWith('/token'))
        .slice(1)
        .every((r) => r.authorization === after.at(-1)!.authorization),
    ).toBe(true);
  });

  it('Bearer with wrong or no credentials: REGISTRY_AUTH_FAILED, and the password is nowhere in the error', async () => {
    const g = await gate({ mode: 'bearer' });
    const client = new RegistryClient({ dockerConfigPath: false });
    const wrong = await failure(
      client.resolveImage(`${g.host}/hound/app2`, { insecure: true, auth: { serverAddress: g.host, username: 'hound', password: 'not-the-password-xyz' } }),
    );
    expect(wrong.code).toBe('REGISTRY_AUTH_FAILED');
    expect(wrong.format()).not.toContain('not-the-password-xyz');
    expect(JSON.stringify(wrong)).not.toContain('not-the-password-xyz');
    expect(wrong.message).toContain('hound');
    const anonymous = await failure(client.resolveImage(`${g.host}/hound/app2`, { insecure: true }));
    expect(anonymous.code).toBe('REGISTRY_AUTH_FAILED');
    expect(anonymous.hint).toContain('registry_login');
  });

  it('Basic challenge, with credentials found in a docker config.json', async () => {
    const g = await gate({ mode: 'basic' });
    const dir = mkdtempSync(join(tmpdir(), 'hound-dockercfg-'));
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ auths: { [`http://${g.host}`]: { auth: Buffer.from('hound:pa55-w0rd-secret').toString('base64') } } }));
    const resolved = await new RegistryClient({ dockerConfigPath: configPath }).resolveImage(`${g.host}/hound/base`, { insecure: true });
    expect(resolved.layers.length).toBe(1);
    const error = await failure(new RegistryClient({ dockerConfigPath: false }).resolveImage(`${g.host}/hound/base`, { insecure: true }));
    expect(error.code).toBe('REGISTRY_AUTH_REQUIRED');
  });

  it('retries 503s with backoff, then succeeds; gives up with REGISTRY_UNREACHABLE when nothing listens', async () => {
    const g = await gate({ mode: 'none', failFirst: 2 });
    const logged: string[] = [];
    const client = new RegistryClient({ dockerConfigPath: false, attempts: 4, backoffMs: 20, logger: (_l, m) => logged.push(m) });
    await client.resolveImage(`${g.host}/hound/base`, { insecure: true });
    expect(logged.filter((m) => m.includes('retrying'))).toHaveLength(2);
    const closed = await startGate({ mode: 'none' });
    await closed.close();
    const error = await failure(
      new RegistryClient({ dockerConfigPath: false, attempts: 3, backoffMs: 10 }).resolveImage(`${closed.host}/hound/base`, { insecure: true }),
    );
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('3 attempts');
  });

  it('a multi-platform index resolves to the platform asked for; its digest is the repo digest', async () => {
    const direct = await new RegistryClient({ dockerConfigPath: false }).resolveImage(`${origin}/hound/app4`, { insecure: true });
    const manifest = Buffer.from(
      await curl(['-H', `Accept: ${MEDIA_TYPES.ociManifest}, ${MEDIA_TYPES.dockerManifest}`, `${info.registry.url}/v2/hound/app4/manifests/latest`]),
      'latin1',
    );
    const g = await gate({ mode: 'none', index: { tag: 'multi', amd64Digest: direct.manifestDigest, amd64Size: manifest.length } });
    const client = new RegistryClient({ dockerConfigPath: false, attempts: 1 });
    const resolved = await client.resolveImage(`${g.host}/hound/app4:multi`, { insecure: true, platform: 'linux/x86_64' });
    expect(resolved.platformManifestDigest).toBe(direct.manifestDigest);
    expect(resolved.manifestDigest).not.toBe(direct.manifestDigest);
    expect(resolved.manifestDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(resolved.layers).toEqual(direct.layers);
    const missing = await failure(client.resolveImage(`${g.host}/hound/app4:multi`, { insecure: true, platform: 'linux/s390x' }));
    expect(missing.code).toBe('REGISTRY_PLATFORM_NOT_FOUND');
    expect(missing.message).toContain('linux/arm64');
    expect(missing.message).toContain('linux/amd64');
    expect(missing.message).not.toContain('unknown');
    // aarch64 picks the arm64 entry, which this gate does not hold.
    expect((await failure(client.resolveImage(`${g.host}/hound/app4:multi`, { insecure: true, platform: 'linux/aarch64' }))).code).toBe('REGISTRY_NOT_FOUND');
  });
});
