import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHostsToml } from '../../../lab/containerd-node.js';
import {
  configPathRoots,
  criRegistryConfig,
  hostIsInsecure,
  hostsTomlEndpoints,
  insecureRegistries,
  LIST_HOSTS_TOML,
  parseHostsTomlListing,
} from '../../../runtime/containerd/registry-hosts.js';

const dir = join(import.meta.dirname, 'fixtures', 'hosts-toml');
const file = (name: string) => readFileSync(join(dir, name), 'utf8');

describe("containerd's hosts.toml, read for plain HTTP and unverified TLS", () => {
  it('reads server and host sections of real files, comments and a bare [host] table included', () => {
    expect(hostsTomlEndpoints(file('containerd-docs-local-mirror.toml'))).toEqual([
      { url: 'https://registry-1.docker.io', skipVerify: false, server: true },
      { url: 'https://public-mirror.example.com', skipVerify: false, server: false },
      { url: 'https://docker-mirror.internal', skipVerify: false, server: false },
    ]);
    expect(hostsTomlEndpoints(file('kube-deploy-k3s-docker-io.toml'))).toEqual([
      { url: 'https://registry-1.docker.io/v2', skipVerify: false, server: true },
      { url: 'https://harbor.svc.lan/v2/docker', skipVerify: false, server: false },
    ]);
    expect(hostsTomlEndpoints(file('containerd-docs-bypass-tls.toml'))).toEqual([
      { url: 'https://registry-1.docker.io', skipVerify: false, server: true },
      { url: 'http://192.168.31.250:5000', skipVerify: true, server: false },
    ]);
  });

  it('counts a registry insecure only when the file says so of the registry itself, not of a mirror elsewhere', () => {
    for (const name of [
      'containerd-docs-docker-io.toml',
      'containerd-docs-local-mirror.toml',
      'mirror-acceleration-docker-io.toml',
      'kube-deploy-k3s-docker-io.toml',
    ]) {
      expect(hostIsInsecure('docker.io', file(name)), name).toBe(false);
    }
    // docs' bypass example: docker.io goes through a plain-HTTP mirror, docker.io itself stays HTTPS...
    expect(hostIsInsecure('docker.io', file('containerd-docs-bypass-tls.toml'))).toBe(false);
    // ...while the same text in the mirror's own dir makes the mirror a plain-HTTP registry.
    expect(hostIsInsecure('192.168.31.250:5000', file('containerd-docs-bypass-tls.toml'))).toBe(true);
    expect(hostIsInsecure('10.1.2.2:5000', renderHostsToml('10.1.2.2:5000'))).toBe(true);
    // containerd 1.6.20 ignores the scheme of a lone `server` (it spoke HTTPS to it on the lab).
    expect(hostIsInsecure('10.1.2.2:5000', 'server = "http://10.1.2.2:5000"\n')).toBe(false);
    expect(hostIsInsecure('10.1.2.2:5000', 'server = "https://10.1.2.2:5000"\nskip_verify = true\n')).toBe(true);
  });

  it('lists insecure registries from a certs.d listing and the older CRI config, leaving _default out', () => {
    const listing = [
      '=== /etc/containerd/certs.d',
      '== 10.1.2.2:5000',
      renderHostsToml('10.1.2.2:5000'),
      '== _default',
      '[host."http://10.9.9.9:5000"]',
      '== docker.io',
      file('containerd-docs-bypass-tls.toml'),
    ].join('\n');
    const files = parseHostsTomlListing(listing);
    expect(files.map((f) => f.host)).toEqual(['10.1.2.2:5000', '_default', 'docker.io']);
    const config = criRegistryConfig({
      config: JSON.stringify({
        registry: {
          configPath: '/etc/containerd/certs.d',
          mirrors: { 'old.local:5000': { endpoint: ['http://old.local:5000'] }, 'docker.io': { endpoint: ['http://mirror.local'] } },
          configs: { 'tls.local': { tls: { insecure_skip_verify: true } } },
        },
      }),
    });
    expect(config?.configPath).toBe('/etc/containerd/certs.d');
    expect(insecureRegistries(files, config)).toEqual(['10.1.2.2:5000', 'old.local:5000', 'tls.local']);
  });

  it('splits a config_path that lists several dirs, in order, as containerd does', () => {
    expect(configPathRoots('/etc/containerd/certs.d')).toEqual(['/etc/containerd/certs.d']);
    expect(configPathRoots('/etc/containerd/certs.d:/etc/docker/certs.d')).toEqual(['/etc/containerd/certs.d', '/etc/docker/certs.d']);
    expect(configPathRoots('/a::/b:')).toEqual(['/a', '/b']);
    expect(configPathRoots('')).toEqual([]);
  });

  it('reads each registry from the first dir of config_path that has it or a _default, as containerd looks them up', () => {
    const root = mkdtempSync(join(tmpdir(), 'hound-hosts-toml-test-'));
    try {
      const put = (dir: string, host: string, text?: string) => {
        mkdirSync(join(root, dir, host), { recursive: true });
        if (text !== undefined) writeFileSync(join(root, dir, host, 'hosts.toml'), text);
      };
      // first: a seed's dir, and 10.1.2.2:5000 in containerd's own HOST_PORT_ form (read before HOST:PORT).
      put('first', '10.0.0.7:20001', 'server = "https://10.0.0.7:20001"\n');
      put('first', '10.1.2.2_5000_', renderHostsToml('10.1.2.2:5000'));
      put('first', '10.1.2.2:5000', 'server = "https://10.1.2.2:5000"\n');
      put('first', '10.5.5.5:5000', 'server = "https://10.5.5.5:5000"\n');
      // second: plain HTTP for 10.5.5.5:5000 (hidden by first's), for 10.3.3.3:5000 (read), and a _default.
      put('second', '10.5.5.5:5000', renderHostsToml('10.5.5.5:5000'));
      put('second', '10.3.3.3:5000', renderHostsToml('10.3.3.3:5000'));
      put('second', '_default', '[host."http://10.9.9.9:5000"]\n');
      put('second', 'certs-only.local'); // no hosts.toml: still the dir containerd picks
      // third: behind second's _default, never read.
      put('third', '10.4.4.4:5000', renderHostsToml('10.4.4.4:5000'));
      const listing = execFileSync('sh', ['-c', LIST_HOSTS_TOML, 'hound-hosts', ...['first', 'second', 'missing', 'third'].map((d) => join(root, d))], {
        encoding: 'utf8',
      });
      const files = parseHostsTomlListing(listing);
      expect(files.map((f) => f.host).sort()).toEqual(['10.0.0.7:20001', '10.1.2.2:5000', '10.3.3.3:5000', '10.5.5.5:5000', '_default', 'certs-only.local']);
      expect(files.find((f) => f.host === '10.1.2.2:5000')?.text).toContain('[host."http://10.1.2.2:5000"]');
      expect(files.find((f) => f.host === 'certs-only.local')?.text.trim()).toBe('');
      expect(insecureRegistries(files)).toEqual(['10.1.2.2:5000', '10.3.3.3:5000']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads no config from a Status without one (CRI-O) or with broken JSON', () => {
    expect(criRegistryConfig({})).toBeUndefined();
    expect(criRegistryConfig({ config: '{' })).toBeUndefined();
  });
});
