import { describe, expect, it } from 'vitest';
import { nodePlatform } from '../../../runtime/platform.js';
import { isInsecureRegistry } from '../../../runtime/docker-registry-routes.js';

describe('nodePlatform', () => {
  it("maps Docker's architecture names to OCI platforms", () => {
    expect(nodePlatform({ os: 'linux', architecture: 'x86_64' })).toBe('linux/amd64');
    expect(nodePlatform({ os: 'linux', architecture: 'aarch64' })).toBe('linux/arm64');
    expect(nodePlatform({ os: 'linux', architecture: 'armv7l' })).toBe('linux/arm/v7');
    expect(nodePlatform({ os: 'linux', architecture: 'mips64' })).toBe('linux/mips64');
  });
});

describe('isInsecureRegistry', () => {
  it('matches listed host:port entries and hosts', () => {
    expect(isInsecureRegistry('10.1.0.1:5000', ['10.1.0.1:5000'])).toBe(true);
    expect(isInsecureRegistry('reg.lab:5000', ['reg.lab'])).toBe(true);
    expect(isInsecureRegistry('reg.lab:5001', ['reg.lab:5000'])).toBe(false);
  });

  it("matches IP literals inside listed CIDRs, like Docker's default 127.0.0.0/8", () => {
    expect(isInsecureRegistry('127.0.0.1:5000', ['127.0.0.0/8'])).toBe(true);
    expect(isInsecureRegistry('localhost:5000', ['127.0.0.0/8'])).toBe(true);
    expect(isInsecureRegistry('10.200.3.4:5000', ['10.200.0.0/16'])).toBe(true);
    expect(isInsecureRegistry('10.201.3.4:5000', ['10.200.0.0/16'])).toBe(false);
    expect(isInsecureRegistry('docker.io', ['127.0.0.0/8'])).toBe(false);
    expect(isInsecureRegistry('ghcr.io', [])).toBe(false);
  });
});
