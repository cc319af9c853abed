import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthorizationCache, parseAuthChallenges, tokenExpiry } from '../../../transport/registry-auth.js';
import { dockerConfigCredentials, normaliseRegistryHost } from '../../../transport/docker-config.js';
import { parsePlatform } from '../../../transport/registry.js';

describe('parseAuthChallenges', () => {
  it("reads Docker Hub's Bearer challenge", () => {
    expect(parseAuthChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
  });

  it('keeps commas inside quoted values (multi-scope), unquoted tokens, escapes, odd spacing', () => {
    const [c] = parseAuthChallenges('bearer  realm = "https://r/t" , scope="repository:a:pull,push",error=insufficient_scope, note="say \\"hi\\""');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://r/t', scope: 'repository:a:pull,push', error: 'insufficient_scope', note: 'say "hi"' } });
  });

  it('reads several challenges in one header', () => {
    expect(parseAuthChallenges('Basic realm="Registry Realm", Bearer realm="https://t/",service="s"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://t/', service: 's' } },
    ]);
  });

  it('an empty header has no challenges', () => {
    expect(parseAuthChallenges('')).toEqual([]);
  });
});

describe('docker config credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hound-dcfg-'));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
        'registry.local:5000': { auth: Buffer.from('u:p').toString('base64'), identitytoken: 'refresh-me' },
        'helped.io': {},
      },
      credHelpers: { 'helped.io': 'secretservice' },
    }),
  );

  it('normalises keys the way Docker writes them', () => {
    expect(normaliseRegistryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normaliseRegistryHost('http://Registry.Local:5000/v2/')).toBe('registry.local:5000');
  });

  it('decodes auth (a password may hold colons) and identity tokens, and hands each secret over', async () => {
    const secrets: string[] = [];
    expect((await dockerConfigCredentials('docker.io', { path: file, onSecret: (v) => secrets.push(v) }))?.auth).toEqual({
      serverAddress: 'docker.io',
      username: 'hubuser',
      password: 'hub:pass',
    });
    expect((await dockerConfigCredentials('registry.local:5000', { path: file, onSecret: (v) => secrets.push(v) }))?.auth).toEqual({
      serverAddress: 'registry.local:5000',
      username: 'u',
      password: 'p',
      identityToken: 'refresh-me',
    });
    expect(secrets).toEqual(['hub:pass', 'p', 'refresh-me']);
  });

  it('a registry kept by a credential helper is asked of that helper only (a missing one is a clear error); no file is no credentials', async () => {
    const failure = await dockerConfigCredentials('helped.io', { path: file, env: { PATH: dir } }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'CREDENTIAL_HELPER_FAILED' });
    expect((failure as Error).message).toContain('docker-credential-secretservice is not installed');
    expect(await dockerConfigCredentials('docker.io', { path: join(dir, 'absent.json') })).toBeUndefined();
  });
});

describe('tokens', () => {
  it("live as long as the token server says, never less than Docker's 60 s floor, from issued_at when given", () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(tokenExpiry({ token: 't', expires_in: 300 }, now)).toBe(now + 300_000);
    expect(tokenExpiry({ token: 't', expires_in: 5 }, now)).toBe(now + 60_000);
    expect(tokenExpiry({ token: 't' }, now)).toBe(now + 60_000);
    expect(tokenExpiry({ token: 't', expires_in: 300, issued_at: '2026-12-01T09:59:00Z' }, now)).toBe(now + 240_000);
  });

  it('a Bearer token is renewed shortly before it expires; Basic holds for the whole endpoint; a refused one is dropped', () => {
    let now = 1_000_000;
    const cache = new AuthorizationCache(() => now);
    cache.setBearer('https://r', 'repository:a:pull', 'tok', now + 60_000);
    expect(cache.get('https://r', 'repository:a:pull')).toBe('Bearer tok');
    expect(cache.get('https://r', 'repository:b:pull')).toBeUndefined();
    now += 54_000;
    expect(cache.get('https://r', 'repository:a:pull')).toBe('Bearer tok');
    now += 2_000;
    expect(cache.get('https://r', 'repository:a:pull')).toBeUndefined();
    cache.setBasic('https://r', 'u', 'p:w');
    expect(cache.get('https://r', 'repository:z:pull')).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    cache.drop('https://r', 'repository:z:pull');
    expect(cache.get('https://r', 'repository:z:pull')).toBeUndefined();
  });
});

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['linux/armhf', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }],
  ])('%s', (text, expected) => {
    expect(parsePlatform(text)).toEqual(expected);
  });
});
