// The registry client against the lab's production-like registries: TLS with the lab's own
// CA (trusted through certs.d or a CA file, refused otherwise), htpasswd, token auth through
// the tests' token server (scopes, tokens refused or expired and renewed, identity tokens),
// credentials from a real credential helper (docker-credential-pass over a real `pass`
// store), the pull-through mirror, a forward proxy, and rate limits as the registry states
// them. The plain registry's answers are the reference: the TLS ones serve its storage.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { HoundError } from '../../base/errors.js';
import { RegistryClient, type RegistryClientOptions } from '../../transport/registry.js';
import { startTokenServer, type TokenServer } from '../fixtures/registry/token-server.js';
import { createPassStore, type PassStore } from '../fixtures/registry/pass-store.js';
import { startConnectProxy } from '../fixtures/registry/connect-proxy.js';
import { FRONT_LIMIT, startRateLimitFront } from '../fixtures/registry/rate-limit-front.js';
import { LAB_RATE_LIMIT } from '../../lab/secure-registries.js';

let lab: LabInfo;
let tokens: TokenServer;
let pass: PassStore;
let work: string;
/** The plain registry's digest of each image: what every other route must agree with. */
const reference = new Map<string, string>();

const NO_PROXY = { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined };
const client = (options: RegistryClientOptions = {}) => new RegistryClient({ dockerConfigPath: false, proxy: NO_PROXY, ...options });
const trusting = (options: RegistryClientOptions = {}) => client({ trust: { caFiles: [lab.secure.caCert] }, ...options });
const credentials = (host: string) => ({ serverAddress: host, username: lab.secure.username, password: lab.secure.password });

async function failure(promise: Promise<unknown>): Promise<HoundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HoundError) return error;
    throw error;
  }
  throw new Error('expected a failure, got success');
}

async function plainDigest(repository: string): Promise<string> {
  let digest = reference.get(repository);
  if (!digest) {
    const plain = client();
    digest = (await plain.resolveImage(`${lab.registry.ip}:${lab.registry.port}/${repository}`, { insecure: true })).manifestDigest;
    plain.close();
    reference.set(repository, digest);
  }
  return digest;
}

beforeAll(async () => {
  lab = await readTestLab();
  work = mkdtempSync(path.join(tmpdir(), 'hound-registry-secure-'));
  [tokens, pass] = await Promise.all([startTokenServer(lab), createPassStore()]);
  // The helper runs as hound's own child, with hound's environment: the store is found there.
  Object.assign(process.env, pass.env);
});

afterAll(async () => {
  for (const key of Object.keys(pass?.env ?? {})) delete process.env[key];
  await Promise.all([tokens?.close(), pass?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the controller's trust", () => {
  it("refuses the lab's TLS registry until told of its CA, and names the ways to tell it", async () => {
    const error = await failure(client({ attempts: 1 }).resolveImage(`${lab.secure.basic.host}/hound/app0`, { auth: credentials(lab.secure.basic.host) }));
    expect(error.code).toBe('REGISTRY_UNTRUSTED_CERTIFICATE');
    expect(error.message).toContain(lab.secure.basic.host);
    expect(error.hint).toContain('--ca-file');
    expect(error.hint).toContain(`/etc/docker/certs.d/${lab.secure.basic.host}/ca.crt`);
  });

  it('trusts it through a certs.d folder read as Docker reads it (HOST:PORT/*.crt), only for that host', async () => {
    const certsDirectory = path.join(work, 'certs.d');
    mkdirSync(path.join(certsDirectory, lab.secure.basic.host), { recursive: true });
    writeFileSync(path.join(certsDirectory, lab.secure.basic.host, 'lab-ca.crt'), readFileSync(lab.secure.caCert));
    const viaCertsD = client({ trust: { certsDirectory }, attempts: 1 });
    const resolved = await viaCertsD.resolveImage(`${lab.secure.basic.host}/hound/app0`, { auth: credentials(lab.secure.basic.host) });
    expect(resolved.manifestDigest).toBe(await plainDigest('hound/app0'));
    // The same CA, under another host's folder, vouches for nothing here.
    const other = await failure(viaCertsD.resolveImage(`${lab.secure.mirror.host}/hound/app0`));
    expect(other.code).toBe('REGISTRY_UNTRUSTED_CERTIFICATE');
    viaCertsD.close();
  });

  it('trusts it through a CA file (--ca-file, hound_registry_ca) for every registry', async () => {
    const c = trusting();
    expect((await c.resolveImage(`${lab.secure.basic.host}/hound/app1`, { auth: credentials(lab.secure.basic.host) })).manifestDigest).toBe(
      await plainDigest('hound/app1'),
    );
    expect((await c.resolveImage(`${lab.secure.mirror.host}/hound/app1`)).manifestDigest).toBe(await plainDigest('hound/app1'));
    c.close();
  });
});

describe('a registry that asks for a client certificate', () => {
  /** A certs.d folder for the client-certificate registry holding `files` (name -> contents). */
  function certsFolder(name: string, files: Record<string, string | Buffer>): string {
    const certsDirectory = path.join(work, name);
    const dir = path.join(certsDirectory, lab.secure.clientCertificate.host);
    mkdirSync(dir, { recursive: true });
    for (const [file, contents] of Object.entries(files)) writeFileSync(path.join(dir, file), contents);
    return certsDirectory;
  }

  it('without one: REGISTRY_CLIENT_CERTIFICATE_REFUSED, naming the certs.d folder Docker reads it from', async () => {
    const error = await failure(trusting({ attempts: 1 }).resolveImage(`${lab.secure.clientCertificate.host}/hound/app2`));
    expect(error.code).toBe('REGISTRY_CLIENT_CERTIFICATE_REFUSED');
    expect(error.message).toContain(`${lab.secure.clientCertificate.host} refused the controller's TLS connection`);
    expect(error.message).toContain('it asks for a client certificate signed by a CA it accepts');
    expect(error.hint).toContain(`/etc/docker/certs.d/${lab.secure.clientCertificate.host}/`);
  });

  it("with client.cert + client.key in the host's certs.d folder (beside its ca.crt), as Docker reads them, it serves what the plain registry serves", async () => {
    const certsDirectory = certsFolder('certs.d-client', {
      'ca.crt': readFileSync(lab.secure.caCert),
      'client.cert': readFileSync(lab.secure.clientCertificate.clientCert),
      'client.key': readFileSync(lab.secure.clientCertificate.clientKey),
    });
    const c = client({ trust: { certsDirectory }, attempts: 1 });
    expect((await c.resolveImage(`${lab.secure.clientCertificate.host}/hound/app2`)).manifestDigest).toBe(await plainDigest('hound/app2'));
    c.close();
  });

  it('a client certificate from a CA the registry does not accept is refused, and said so', async () => {
    const fixtures = path.join(import.meta.dirname, '..', 'unit', 'transport', 'fixtures', 'certs');
    const certsDirectory = certsFolder('certs.d-foreign-client', {
      'ca.crt': readFileSync(lab.secure.caCert),
      'client.cert': readFileSync(path.join(fixtures, 'client.cert')),
      'client.key': readFileSync(path.join(fixtures, 'client.key')),
    });
    const error = await failure(client({ trust: { certsDirectory }, attempts: 1 }).resolveImage(`${lab.secure.clientCertificate.host}/hound/app2`));
    expect(error.code).toBe('REGISTRY_CLIENT_CERTIFICATE_REFUSED');
    expect(error.message).toContain('it asks for a client certificate signed by a CA it accepts');
  });
});

describe('htpasswd', () => {
  it('answers the Basic challenge with the credentials, and without any says what is needed', async () => {
    const c = trusting();
    expect((await c.resolveImage(`${lab.secure.basic.host}/hound/base`, { auth: credentials(lab.secure.basic.host) })).manifestDigest).toBe(
      await plainDigest('hound/base'),
    );
    expect((await failure(c.resolveImage(`${lab.secure.basic.host}/hound/base`))).code).toBe('REGISTRY_AUTH_REQUIRED');
    const wrong = await failure(
      c.resolveImage(`${lab.secure.basic.host}/hound/base`, { auth: { ...credentials(lab.secure.basic.host), password: 'not-it-123' } }),
    );
    expect(wrong.code).toBe('REGISTRY_AUTH_FAILED');
    expect(wrong.format()).not.toContain('not-it-123');
    c.close();
  });
});

describe('token auth', () => {
  it("fetches a token for the repository's pull scope with Basic credentials, reuses it, and hands it over as a secret", async () => {
    const secrets: string[] = [];
    const c = trusting({ onSecret: (s) => secrets.push(s) });
    const before = tokens.requests.length;
    const resolved = await c.resolveImage(`${lab.secure.token.host}/hound/app2`, { auth: credentials(lab.secure.token.host) });
    await c.resolveImage(`${lab.secure.token.host}/hound/app2`, { auth: credentials(lab.secure.token.host) });
    expect(resolved.manifestDigest).toBe(await plainDigest('hound/app2'));
    const asked = tokens.requests.slice(before);
    expect(asked).toMatchObject([
      { method: 'GET', scope: 'repository:hound/app2:pull', service: lab.secure.token.service, user: lab.secure.username, status: 200 },
    ]);
    expect(secrets).toContain(tokens.issued.at(-1));
    c.close();
  });

  it('a token that expires during a long transfer is renewed before the next request (the clock moves past its lifetime)', async () => {
    let now = Date.now();
    const c = trusting({ clock: () => now });
    const origin = c.origin(lab.secure.token.host, { auth: credentials(lab.secure.token.host) });
    const before = tokens.requests.length;
    const manifest = JSON.parse(
      (await origin.getManifest('hound/app4', 'latest', 'application/vnd.docker.distribution.manifest.v2+json')).body.toString('utf8'),
    ) as {
      layers: { digest: string; size: number }[];
    };
    const first = await origin.getBlob('hound/app4', manifest.layers[0].digest);
    now += 301_000;
    first.body.resume();
    const second = await origin.getBlob('hound/app4', manifest.layers[1].digest);
    second.body.resume();
    expect(second.size).toBe(manifest.layers[1].size);
    expect(tokens.requests.length - before).toBe(2);
    c.close();
  });

  it('anonymous tokens grant nothing here: a clear REGISTRY_AUTH_FAILED pointing at registry_login', async () => {
    const error = await failure(trusting().resolveImage(`${lab.secure.token.host}/hound/app5`));
    expect(error.code).toBe('REGISTRY_AUTH_FAILED');
    expect(error.hint).toContain('registry_login');
  });
});

describe('credentials from a real credential helper (docker-credential-pass)', () => {
  it('credsStore: the helper is run with the server URL on stdin, its password is used and handed over as a secret', async () => {
    await pass.store(lab.secure.basic.host, lab.secure.username, lab.secure.password);
    const folder = pass.dockerConfig({ credsStore: 'pass' });
    const secrets: string[] = [];
    const c = new RegistryClient({
      dockerConfigPath: path.join(folder, 'config.json'),
      trust: { caFiles: [lab.secure.caCert] },
      proxy: NO_PROXY,
      onSecret: (s) => secrets.push(s),
    });
    expect((await c.resolveImage(`${lab.secure.basic.host}/hound/app5`)).manifestDigest).toBe(await plainDigest('hound/app5'));
    expect(secrets).toContain(lab.secure.password);
    // A registry the store has nothing for: anonymous, as Docker goes (here: a token that grants nothing).
    const anonymous = await failure(c.resolveImage(`${lab.secure.token.host}/hound/app5`));
    expect(anonymous.code).toBe('REGISTRY_AUTH_FAILED');
    expect(anonymous.message).toContain('without credentials');
    c.close();
  });

  it('credHelpers with an identity token (Username <token>): the OAuth refresh-token grant, as docker login leaves it', async () => {
    // What `docker login` does against a token server that gives refresh tokens.
    const login = await fetchJson(tokens.url, {
      grant_type: 'password',
      username: lab.secure.username,
      password: lab.secure.password,
      service: lab.secure.token.service,
      client_id: 'test',
      access_type: 'offline',
    });
    const refresh = login.refresh_token as string;
    await pass.store(lab.secure.token.host, '<token>', refresh);
    const folder = pass.dockerConfig({ credHelpers: { [lab.secure.token.host]: 'pass' } });
    {
      const secrets: string[] = [];
      const before = tokens.requests.length;
      const c = new RegistryClient({
        dockerConfigPath: path.join(folder, 'config.json'),
        trust: { caFiles: [lab.secure.caCert] },
        proxy: NO_PROXY,
        onSecret: (s) => secrets.push(s),
      });
      expect((await c.resolveImage(`${lab.secure.token.host}/hound/app6`)).manifestDigest).toBe(await plainDigest('hound/app6'));
      expect(tokens.requests.slice(before)).toMatchObject([
        {
          method: 'POST',
          grantType: 'refresh_token',
          scope: 'repository:hound/app6:pull',
          service: lab.secure.token.service,
          user: lab.secure.username,
          status: 200,
        },
      ]);
      expect(secrets).toContain(refresh);
      expect(secrets).toContain(tokens.issued.at(-1));
      c.close();
    }
  });
});

describe('the pull-through mirror', () => {
  it('serves docker.io names as the nodes that list it get them; a dead mirror before it is passed over and named', async () => {
    const c = trusting();
    const dead = `https://${lab.registry.ip}:5999`;
    const resolved = await c.resolveImage('hound/app7', { mirrors: [dead, lab.secure.mirror.url] });
    expect(resolved.reference).toBe('docker.io/hound/app7:latest');
    expect(resolved.manifestDigest).toBe(await plainDigest('hound/app7'));
    expect(resolved.servedBy.endpoint).toBe(lab.secure.mirror.url);
    expect(resolved.servedBy.mirror).toBe(true);
    expect(resolved.servedBy.skipped).toHaveLength(1);
    expect(resolved.servedBy.skipped[0]).toContain(dead);
    expect(resolved.servedBy.skipped[0]).toContain('ECONNREFUSED');
    c.close();
  });
});

describe('HTTPS_PROXY, NO_PROXY', () => {
  it("reaches the registry and its token realm through the proxy's CONNECT tunnels, and around it for NO_PROXY addresses", async () => {
    const proxy = await startConnectProxy();
    try {
      const through = trusting({ proxy: { httpsProxy: proxy.url } });
      expect((await through.resolveImage(`${lab.secure.token.host}/hound/app8`, { auth: credentials(lab.secure.token.host) })).manifestDigest).toBe(
        await plainDigest('hound/app8'),
      );
      expect(new Set(proxy.tunnels)).toEqual(new Set([lab.secure.token.host, `${lab.controllerIp}:${lab.secure.tokenServer.port}`]));
      through.close();
      const around = trusting({ proxy: { httpsProxy: proxy.url, noProxy: `localhost,${lab.subnet}` } });
      const tunnels = proxy.tunnels.length;
      await around.resolveImage(`${lab.secure.token.host}/hound/app8`, { auth: credentials(lab.secure.token.host) });
      expect(proxy.tunnels.length).toBe(tunnels);
      around.close();
      // Plain HTTP goes to HTTP_PROXY as an absolute-URI request.
      const plain = client({ proxy: { httpProxy: proxy.url } });
      await plain.resolveImage(`${lab.registry.ip}:${lab.registry.port}/hound/app8`, { insecure: true });
      expect(proxy.forwarded.some((u) => u.startsWith(`${lab.registry.url}/v2/hound/app8/manifests/`))).toBe(true);
      plain.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('rate limits', () => {
  it("records Docker Hub's ratelimit-limit / ratelimit-remaining headers", async () => {
    const c = trusting();
    await c.resolveImage(`${lab.secure.token.host}/hound/app9`, { auth: credentials(lab.secure.token.host) });
    expect(c.rateLimit(lab.secure.token.host)).toMatchObject({
      endpoint: lab.secure.token.url,
      limit: LAB_RATE_LIMIT.limit,
      remaining: LAB_RATE_LIMIT.remaining,
      windowSeconds: LAB_RATE_LIMIT.windowSeconds,
    });
    c.close();
  });

  it('a 429 is waited out for as long as its Retry-After says, not the shorter backoff; one longer than 120 s fails at once, saying when', async () => {
    const front = await startRateLimitFront(lab);
    try {
      const c = client({ backoffMs: 10, attempts: 4 });
      front.limitFor(3);
      const started = Date.now();
      await c.resolveImage(`${front.host}/hound/base`, { insecure: true });
      const manifests = front.requests.filter((r) => r.path.includes('/manifests/'));
      expect(manifests[0].status).toBe(429);
      const next = manifests.find((r) => r.status === 200)!;
      expect(next.at - manifests[0].at).toBeGreaterThanOrEqual(2_900);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(c.rateLimit(front.host)).toMatchObject({ limit: FRONT_LIMIT });

      front.limitFor(600);
      const refused = await failure(c.resolveImage(`${front.host}/hound/app0`, { insecure: true }));
      expect(refused.code).toBe('REGISTRY_RATE_LIMITED');
      expect(refused.message).toMatch(/retry after (599|600) s/);
      expect(front.requests.filter((r) => r.status === 429 && r.path.includes('hound/app0'))).toHaveLength(1);
      c.close();
    } finally {
      await front.close();
    }
  });
});

function fetchJson(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: 'POST', ca: readFileSync(lab.secure.caCert), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (c: string) => (body += c));
        response.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
      },
    );
    request.on('error', reject);
    request.end(new URLSearchParams(form).toString());
  });
}
