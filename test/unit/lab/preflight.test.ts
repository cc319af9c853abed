import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../base/errors.js';
import { findBinary, locateBinaries, REQUIRED_BINARIES, RUNTIME_BINARIES } from '../../../lab/preflight.js';

describe('lab prerequisites', () => {
  it('finds binaries on PATH', () => {
    expect(findBinary(path.basename(process.execPath))).toBeDefined();
    expect(locateBinaries([{ binary: 'sh', pkg: 'dash' }]).sh).toMatch(/\/sh$/);
  });

  it('names every missing binary and the one apt-get line that installs them, on one line', () => {
    let err: unknown;
    try {
      locateBinaries([
        { binary: 'sh', pkg: 'dash' },
        { binary: 'hound-no-such-daemon', pkg: 'hound-fake-a' },
        { binary: 'hound-no-such-tool', pkg: 'hound-fake-b' },
        { binary: 'hound-no-such-tool2', pkg: 'hound-fake-b' },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvironmentError);
    const e = err as EnvironmentError;
    expect(e.code).toBe('LAB_MISSING_PACKAGE');
    expect(e.exitCode).toBe(1);
    expect(e.format()).toBe(
      'error LAB_MISSING_PACKAGE: hound lab needs hound-no-such-daemon, hound-no-such-tool, hound-no-such-tool2: install with `apt-get install hound-fake-a hound-fake-b`',
    );
  });

  it('maps each daemon to the Debian package that ships it', () => {
    const pkg = Object.fromEntries(REQUIRED_BINARIES.map((b) => [b.binary, b.pkg]));
    expect(pkg).toMatchObject({
      dockerd: 'docker.io',
      sshd: 'openssh-server',
      'docker-registry': 'docker-registry',
      ip: 'iproute2',
      tc: 'iproute2',
      nsenter: 'util-linux',
      unshare: 'util-linux',
      'ssh-keygen': 'openssh-client',
    });
    const runtimePkg = (r: keyof typeof RUNTIME_BINARIES) => Object.fromEntries(RUNTIME_BINARIES[r].map((b) => [b.binary, b.pkg]));
    expect(runtimePkg('containerd')).toMatchObject({ containerd: 'containerd', ctr: 'containerd', runc: 'runc', catatonit: 'catatonit' });
    expect(runtimePkg('podman')).toMatchObject({ podman: 'podman', runc: 'runc', conmon: 'conmon', newuidmap: 'uidmap' });
  });
});
