import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsFromDockerConfig, parseAuthChallenges } from '../../../transport/registry-auth.js';
import { normaliseRegistryHost } from '../../../transport/docker-config.js';
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

  it('decodes auth (a password may hold colons) and identity tokens', async () => {
    expect(await credentialsFromDockerConfig('docker.io', { path: file })).toEqual({ serverAddress: 'docker.io', username: 'hubuser', password: 'hub:pass' });
    expect(await credentialsFromDockerConfig('registry.local:5000', { path: file })).toEqual({
      serverAddress: 'registry.local:5000',
      username: 'u',
      password: 'p',
      identityToken: 'refresh-me',
    });
  });

  it('skips credential helpers with a warning that names no secret, and missing files quietly', async () => {
    const logged: string[] = [];
    expect(await credentialsFromDockerConfig('helped.io', { path: file, logger: (_l, m) => logged.push(m) })).toBeUndefined();
    expect(logged.join('\n')).toContain('docker-credential-secretservice');
    expect(logged.join('\n')).not.toContain('hub:pass');
    expect(await credentialsFromDockerConfig('docker.io', { path: join(dir, 'absent.json') })).toBeUndefined();
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
