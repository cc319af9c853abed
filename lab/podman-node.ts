// A podman node: Debian's podman (with crun and conmon), no daemon. The node's view gives it
// its own containers configuration and storage, as a fresh install on its own machine has:
// /etc/containers (storage.conf, registries.conf with the lab registry as insecure,
// containers.conf, policy.json) and /var/lib/containers (graphroot, and the blob-info cache
// that podman writes there whatever storage.conf says) are the node's dirs; /run (runroot)
// already is. It also has a non-root user for rootless podman, known only inside the node:
// its own /etc/passwd, /etc/group, /etc/subuid and /etc/subgid are bound over the machine's,
// and sshd gives the user the XDG_RUNTIME_DIR that logind would (/run/user/UID).
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../base/errors.js';
import type { Bind, NodeDaemonPaths } from './daemons.js';

/** The node's non-root user, for rootless podman. */
export const ROOTLESS_USER = { name: 'rootless', uid: 2300, gid: 2300, subidStart: 100000, subidCount: 65536 } as const;

/** The rootful service socket where Debian's podman.socket puts it (nothing listens there until someone starts the service). */
export const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';
export const PODMAN_ROOTLESS_SOCKET = `/run/user/${ROOTLESS_USER.uid}/podman/podman.sock`;

/** Machine paths a podman node's view covers; each must exist as a mount point. */
const MOUNT_POINTS = ['/etc/containers', '/var/lib/containers', '/etc/passwd', '/etc/group', '/etc/subuid', '/etc/subgid'];

export interface PodmanPaths {
  etcContainers: string;
  varLibContainers: string;
  etcDir: string;
  rootlessHome: string;
  rootlessRuntimeDir: string;
}

export function podmanPathsOf(p: NodeDaemonPaths): PodmanPaths {
  return {
    etcContainers: path.join(p.dir, 'etc-containers'),
    varLibContainers: path.join(p.dir, 'var-lib-containers'),
    etcDir: path.join(p.dir, 'etc'),
    rootlessHome: path.join(p.dir, 'users', ROOTLESS_USER.name),
    rootlessRuntimeDir: path.join(p.runDir, 'user', String(ROOTLESS_USER.uid)),
  };
}

/**
 * The machine must have the mount points. /var/lib/containers is podman's own dir, which any
 * podman run as root creates; it is made here (empty, 0700, as podman makes it) if missing.
 */
export async function checkPodmanMountPoints(): Promise<void> {
  await mkdir('/var/lib/containers', { recursive: true, mode: 0o700 });
  const missing = MOUNT_POINTS.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new EnvironmentError('LAB_PODMAN_SETUP', `podman nodes bind their own files over ${missing.join(', ')}, which this machine lacks`, {
      hint: 'install podman and uidmap (scripts/install-system-deps.sh); /etc/subuid and /etc/subgid come with the passwd package',
    });
  }
}

export function renderRegistriesConf(registry: string): string {
  return ['unqualified-search-registries = []', '', '[[registry]]', `location = ${JSON.stringify(registry)}`, 'insecure = true', ''].join('\n');
}

/** The hard limits the lab runs under, per resource as /proc/self/limits names it ("Max open files"). */
export function hardLimits(procLimits: string): Map<string, number> {
  const limits = new Map<string, number>();
  for (const m of procLimits.matchAll(/^(Max [a-z ]+?)\s{2,}\S+\s+(\d+)\s/gm)) limits.set(m[1], Number(m[2]));
  return limits;
}

/**
 * The node's containers.conf. Without systemd there is no systemd cgroup manager and no
 * journald for events. The rest lets a container start at all (fan-out seeds run as podman
 * containers), which on this machine's kind it does not with podman's defaults:
 * - runc, not crun: crun refuses this machine's cgroups, v1 controllers beside a v2 mount
 *   ("cgroups in hybrid mode not supported");
 * - open files and processes the lab may set: a rootful container asks for more than the hard
 *   limits, which root here may not raise (setrlimit: operation not permitted). Open files at
 *   the hard limit start; processes at 32768 do, at 65536 runc is refused below the hard limit
 *   of 96367, hence the cap (found by trying, on podman 4.3.1 with runc 1.1).
 */
export function renderContainersConf(limits: ReadonlyMap<string, number>): string {
  const nofile = Math.min(limits.get('Max open files') ?? 1024, 1_048_576);
  const nproc = Math.min(limits.get('Max processes') ?? 32_768, 32_768);
  return [
    '[containers]',
    `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
    '',
    '[engine]',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    'runtime = "runc"',
    '',
  ].join('\n');
}
// The defaults, written out: in the node's view they are the node's own dirs.
const STORAGE_CONF = ['[storage]', 'driver = "overlay"', 'runroot = "/run/containers/storage"', 'graphroot = "/var/lib/containers/storage"', ''].join('\n');
// Debian's own policy.json.
const POLICY_JSON = JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }, null, 2) + '\n';

/** Appends the rootless user to a copy of the machine's account files; refuses if its name or ids are taken. */
async function accountFiles(dir: string, home: string): Promise<void> {
  const u = ROOTLESS_USER;
  const [passwd, group] = await Promise.all([readFile('/etc/passwd', 'utf8'), readFile('/etc/group', 'utf8')]);
  const taken = (text: string, id: number) => text.split('\n').some((line) => line.split(':')[0] === u.name || line.split(':')[2] === String(id));
  if (taken(passwd, u.uid) || taken(group, u.gid)) {
    throw new EnvironmentError('LAB_PODMAN_SETUP', `the lab's rootless user ${u.name} (uid ${u.uid}, gid ${u.gid}) clashes with an account of this machine`, {
      hint: 'remove or renumber that account, or run podman nodes on another machine',
    });
  }
  const withNewline = (text: string) => (text.endsWith('\n') || text === '' ? text : `${text}\n`);
  const subids = `${u.name}:${u.subidStart}:${u.subidCount}\n`;
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(path.join(dir, 'passwd'), `${withNewline(passwd)}${u.name}:x:${u.uid}:${u.gid}:hound lab rootless podman:${home}:/bin/sh\n`),
    writeFile(path.join(dir, 'group'), `${withNewline(group)}${u.name}:x:${u.gid}:\n`),
    writeFile(path.join(dir, 'subuid'), subids),
    writeFile(path.join(dir, 'subgid'), subids),
  ]);
}

/** Writes the node's files; returns the binds of its view and the lines its sshd_config ends with. */
export async function preparePodmanNode(c: PodmanPaths, o: { registry: string }): Promise<{ binds: Bind[]; sshdMatch: string[] }> {
  await Promise.all([mkdir(c.etcContainers, { recursive: true }), mkdir(c.varLibContainers, { recursive: true, mode: 0o700 })]);
  await Promise.all([
    writeFile(path.join(c.etcContainers, 'registries.conf'), renderRegistriesConf(o.registry)),
    readFile('/proc/self/limits', 'utf8').then((limits) => writeFile(path.join(c.etcContainers, 'containers.conf'), renderContainersConf(hardLimits(limits)))),
    writeFile(path.join(c.etcContainers, 'storage.conf'), STORAGE_CONF),
    writeFile(path.join(c.etcContainers, 'policy.json'), POLICY_JSON),
    accountFiles(c.etcDir, c.rootlessHome),
  ]);
  for (const dir of [c.rootlessHome, c.rootlessRuntimeDir]) {
    // Parents open to all (the user must get through them), the dir itself the user's alone.
    await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, ROOTLESS_USER.uid, ROOTLESS_USER.gid);
  }
  return {
    binds: [
      { source: c.etcContainers, target: '/etc/containers' },
      { source: c.varLibContainers, target: '/var/lib/containers' },
      ...['passwd', 'group', 'subuid', 'subgid'].map((f) => ({ source: path.join(c.etcDir, f), target: `/etc/${f}` })),
    ],
    sshdMatch: [`Match User ${ROOTLESS_USER.name}`, `  SetEnv XDG_RUNTIME_DIR=/run/user/${ROOTLESS_USER.uid}`],
  };
}
