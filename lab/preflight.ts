// What a lab needs from the machine, checked before anything is created, so that a
// missing piece is one line saying what to install rather than a failure halfway up.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '../base/errors.js';
import type { LabRuntime } from './runtimes.js';

/** A binary a lab runs, with the Debian package that provides it. */
export interface RequiredBinary {
  binary: string;
  pkg: string;
}

/** The binaries of each package, in the order they are checked (and named when missing). */
function binariesOf(packages: Record<string, string[]>): RequiredBinary[] {
  return Object.entries(packages).flatMap(([pkg, binaries]) => binaries.map((binary) => ({ binary, pkg })));
}

/** What every lab runs, by Debian package. */
export const REQUIRED_BINARIES = binariesOf({
  iproute2: ['ip', 'tc'],
  'util-linux': ['nsenter', 'unshare'],
  mount: ['mount'],
  hostname: ['hostname'],
  'docker.io': ['dockerd'],
  'openssh-server': ['sshd'],
  'openssh-client': ['ssh-keygen'],
  'docker-registry': ['docker-registry'],
  openssl: ['openssl'],
  'apache2-utils': ['htpasswd'],
  // Login users other than root, for become (lab/users.ts).
  sudo: ['sudo', 'visudo'],
  passwd: ['useradd', 'usermod', 'chpasswd'],
});

/** What nodes of each other runtime need besides (Docker's binaries stay required: the default lab runs them). */
export const RUNTIME_BINARIES: Record<Exclude<LabRuntime, 'docker'>, RequiredBinary[]> = {
  // catatonit: the pod sandbox ("pause") image is built from it.
  containerd: binariesOf({ containerd: ['containerd', 'containerd-shim-runc-v2', 'ctr'], runc: ['runc'], catatonit: ['catatonit'] }),
  // runc: the lab's podman nodes run containers with it (podman-node.ts renderContainersConf).
  podman: binariesOf({ podman: ['podman'], runc: ['runc'], conmon: ['conmon'], uidmap: ['newuidmap', 'newgidmap'] }),
};

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of a binary, searching PATH and the system dirs (sbin is often off PATH). */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export type BinaryPaths = Record<string, string>;

/** Paths of the binaries, or one EnvironmentError naming the packages to install. */
export function locateBinaries(required: RequiredBinary[] = REQUIRED_BINARIES): BinaryPaths {
  const found: BinaryPaths = {};
  const missing = required.filter(({ binary }) => {
    const p = findBinary(binary);
    if (p) found[binary] = p;
    return !p;
  });
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))];
    throw new EnvironmentError(
      'LAB_MISSING_PACKAGE',
      `hound lab needs ${missing.map((m) => m.binary).join(', ')}: install with \`apt-get install ${pkgs.join(' ')}\``,
    );
  }
  return found;
}

/** Throws one EnvironmentError for the first thing missing: Linux, root, then binaries (those of `runtimes` too). */
export function checkLabPrerequisites(runtimes: readonly LabRuntime[] = []): BinaryPaths {
  if (process.platform !== 'linux') {
    throw new EnvironmentError(
      'LAB_NOT_LINUX',
      `hound lab needs Linux (network namespaces, veth, tc), this is ${process.platform}: run it on a Linux machine or VM`,
    );
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new EnvironmentError('LAB_NOT_ROOT', 'hound lab must run as root (it creates network namespaces, bridges and daemons): run it with sudo');
  }
  const extra = [...new Set(runtimes)].flatMap((r) => (r === 'docker' ? [] : RUNTIME_BINARIES[r]));
  return locateBinaries([...REQUIRED_BINARIES, ...extra]);
}
