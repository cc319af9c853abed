// The daemons of a lab: per node an sshd and its container runtime's daemon (dockerd,
// containerd; podman has none), and the Distribution registries. Each is started detached (it
// outlives `hound lab up`) inside its host's network namespace; a node's daemons also get a
// private mount namespace in which the node's own directory is bind-mounted over /run, so
// an SSH session sees that node's sockets, and its own /etc/docker (its certs.d: the CAs its
// dockerd trusts per registry), and a UTS namespace, so the node calls itself by its
// inventory name.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../base/errors.js';
import type { BinaryPaths } from './preflight.js';

export interface StartedDaemon {
  pid: number;
  log: string;
  /** Set when the process has exited (with its code), so waiting can stop early. */
  exited(): number | null | undefined;
}

/**
 * A node's own view of the machine: its dir over /run, its own home over the
 * controller's (so the controller's shell start-up files, e.g. a slow `pyenv init` in
 * root's .bashrc, do not run on every SSH command as they would not on a real node),
 * and its own hostname.
 */
export interface NodeView {
  runDir: string;
  homeDir: string;
  hostname: string;
  /** The node's own /etc/docker (certs.d). */
  etcDockerDir: string;
  /** More of the node's own files over the machine's (a podman node's /etc/containers, say). */
  binds?: Bind[];
  /**
   * Makes / a shared mount inside the node's (private) mount namespace, as systemd does on a
   * real host; rootless podman warns without it. Nothing propagates to the machine's mounts.
   */
  sharedRoot?: boolean;
}

/** The machine's /etc/docker, which each node's view replaces with its own. */
export const ETC_DOCKER = '/etc/docker';

/** `source` (in the node's dir) is bind-mounted over `target` in the node's view. */
export interface Bind {
  source: string;
  target: string;
}

/**
 * Sets the hostname, mounts each pair "$1" over "$2", makes / shared if asked, and runs the
 * rest. The pairs come as arguments, not as text inside the script, so no path is ever
 * parsed by the shell.
 */
const NODE_VIEW_SCRIPT =
  'hostname_bin=$1 mount_bin=$2 name=$3 shared=$4 pairs=$5; shift 5; "$hostname_bin" "$name" || exit 1; ' +
  'while [ "$pairs" -gt 0 ]; do "$mount_bin" --bind "$1" "$2" || exit 1; shift 2; pairs=$((pairs - 1)); done; ' +
  'if [ "$shared" = 1 ]; then "$mount_bin" --make-rshared / || exit 1; fi; exec "$@"';

/** Spawns `argv` detached, stdio to `log`, inside netns and, for a node, inside its own view. */
export function startDetached(bins: BinaryPaths, netns: string, argv: string[], log: string, view?: NodeView, env?: NodeJS.ProcessEnv): StartedDaemon {
  const fd = openSync(log, 'a');
  const binds: Bind[] = view
    ? [
        { source: view.runDir, target: '/run' },
        { source: view.homeDir, target: os.homedir() },
        { source: view.etcDockerDir, target: ETC_DOCKER },
        ...(view.binds ?? []),
      ]
    : [];
  const inner = view
    ? [
        bins.unshare,
        '-m',
        '-u',
        '--propagation',
        'private',
        '/bin/sh',
        '-c',
        NODE_VIEW_SCRIPT,
        'hound-node-view',
        bins.hostname,
        bins.mount,
        view.hostname,
        view.sharedRoot ? '1' : '0',
        String(binds.length),
        ...binds.flatMap((b) => [b.source, b.target]),
        ...argv,
      ]
    : argv;
  // nsenter rather than `ip netns exec`: the latter remounts /sys, hiding the cgroup
  // mounts dockerd needs. Neither nsenter (no pid ns) nor unshare (no --fork) forks, so
  // the pid we get is the daemon's own.
  const child = spawn(bins.nsenter, [`--net=/var/run/netns/${netns}`, ...inner], {
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  closeSync(fd);
  let exitCode: number | null | undefined;
  child.on('exit', (code) => {
    exitCode = code;
  });
  child.on('error', () => {
    exitCode = -1;
  });
  child.unref();
  return { pid: child.pid ?? -1, log, exited: () => exitCode };
}

export interface NodeDaemonPaths {
  dir: string;
  runDir: string;
  homeDir: string;
  dataRoot: string;
  sshdConfig: string;
  hostKey: string;
  authorizedKeys: string;
  dockerConfig: string;
  dockerSocket: string;
  /** Mounted over /etc/docker in the node's view. */
  etcDockerDir: string;
}

export function nodePathsOf(labDir: string, node: string): NodeDaemonPaths {
  const dir = path.join(labDir, 'nodes', node);
  const runDir = path.join(dir, 'run');
  return {
    dir,
    runDir,
    etcDockerDir: path.join(dir, 'etc-docker'),
    homeDir: path.join(dir, 'home'),
    dataRoot: path.join(dir, 'docker'),
    sshdConfig: path.join(dir, 'sshd_config'),
    hostKey: path.join(dir, 'ssh_host_ed25519_key'),
    authorizedKeys: path.join(dir, 'authorized_keys'),
    dockerConfig: path.join(dir, 'daemon.json'),
    dockerSocket: path.join(runDir, 'docker.sock'),
  };
}

/** What a node's dockerd is told about registries: the CA it trusts for some, the mirrors it tries first. */
export interface NodeRegistrySettings {
  /** PEM CA certificate written to /etc/docker/certs.d/HOST/ca.crt for each of `trustHosts`. */
  caCertificate: string;
  trustHosts: string[];
  /** The client certificate written as client.cert/client.key (PEM) into certs.d/HOST/ of each of `hosts`. */
  clientCertificate?: { cert: string; key: string; hosts: string[] };
  /** daemon.json's registry-mirrors. */
  registryMirrors: string[];
}

/**
 * Writes a node's sshd config (its host key must already exist) and, on a Docker node, the
 * daemon's, with what it is told about registries. `sshdMatch` is appended as the config's
 * last lines (Match blocks must come last).
 */
export async function prepareNode(
  p: NodeDaemonPaths,
  ip: string,
  clientPublicKey: string,
  o: { docker: boolean; sshdMatch?: string[]; registries?: NodeRegistrySettings },
): Promise<void> {
  // sshd's privilege-separation dir must exist inside the /run the node sees.
  await mkdir(path.join(p.runDir, 'sshd'), { recursive: true, mode: 0o755 });
  if (o.docker) await mkdir(p.dataRoot, { recursive: true });
  await mkdir(p.homeDir, { recursive: true, mode: 0o700 });
  // Readable by all: sshd reads it as the user logging in: root, a node's non-root user or a lab user (lab/users.ts).
  await writeFile(p.authorizedKeys, clientPublicKey, { mode: 0o644 });
  await writeFile(
    p.sshdConfig,
    [
      `ListenAddress ${ip}:22`,
      `HostKey ${p.hostKey}`,
      'PidFile /run/sshd.pid',
      `AuthorizedKeysFile ${p.authorizedKeys}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The lab dir may be world-readable on the way down; StrictModes would refuse the keys.
      'StrictModes no',
      'MaxStartups 200:30:400',
      'MaxSessions 100',
      'UseDNS no',
      'Subsystem sftp internal-sftp',
      'AcceptEnv LANG LC_*',
      ...(o.sshdMatch ?? []),
      '',
    ].join('\n'),
  );
  await mkdir(path.join(p.etcDockerDir, 'certs.d'), { recursive: true, mode: 0o755 });
  if (o.docker) {
    const registries = o.registries;
    for (const host of registries?.trustHosts ?? []) {
      await mkdir(path.join(p.etcDockerDir, 'certs.d', host), { recursive: true, mode: 0o755 });
      await writeFile(path.join(p.etcDockerDir, 'certs.d', host, 'ca.crt'), registries!.caCertificate, { mode: 0o644 });
    }
    const client = registries?.clientCertificate;
    for (const host of client?.hosts ?? []) {
      const dir = path.join(p.etcDockerDir, 'certs.d', host);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await writeFile(path.join(dir, 'client.cert'), client!.cert, { mode: 0o644 });
      await writeFile(path.join(dir, 'client.key'), client!.key, { mode: 0o600 });
    }
    const mirrors = registries?.registryMirrors ?? [];
    await writeFile(p.dockerConfig, JSON.stringify(mirrors.length > 0 ? { 'registry-mirrors': mirrors } : {}) + '\n');
  }
}

export function startSshd(
  bins: BinaryPaths,
  netns: string,
  p: NodeDaemonPaths,
  hostname: string,
  o: { binds?: Bind[]; sharedRoot?: boolean } = {},
): StartedDaemon {
  return startDetached(bins, netns, [bins.sshd, '-D', '-e', '-f', p.sshdConfig], path.join(p.dir, 'sshd.log'), {
    runDir: p.runDir,
    homeDir: p.homeDir,
    hostname,
    etcDockerDir: p.etcDockerDir,
    ...o,
  });
}

/**
 * `controllerIp` is insecure (as a /32) so that a test may put a registry of its own (an
 * auth gate, say) on the controller's lab address and have the nodes pull over plain HTTP.
 * Only that address: the TLS registries must be verified, as in production.
 */
export function startDockerd(bins: BinaryPaths, netns: string, p: NodeDaemonPaths, hostname: string, registry: string, controllerIp?: string): StartedDaemon {
  const argv = [
    bins.dockerd,
    '--config-file',
    p.dockerConfig,
    '--data-root',
    p.dataRoot,
    '--exec-root',
    '/run/docker',
    '--pidfile',
    '/run/docker.pid',
    '--host',
    'unix:///run/docker.sock',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--bridge=none',
    '--userland-proxy=false',
    '--insecure-registry',
    registry,
    ...(controllerIp !== undefined ? ['--insecure-registry', `${controllerIp}/32`] : []),
  ];
  return startDetached(bins, netns, argv, path.join(p.dir, 'dockerd.log'), { runDir: p.runDir, homeDir: p.homeDir, hostname, etcDockerDir: p.etcDockerDir });
}

export interface RegistryPaths {
  dir: string;
  config: string;
  storage: string;
  log: string;
}

export function registryPathsOf(labDir: string): RegistryPaths {
  const dir = path.join(labDir, 'registry');
  return { dir, config: path.join(dir, 'config.yml'), storage: path.join(dir, 'storage'), log: path.join(dir, 'registry.log') };
}

export async function prepareRegistry(p: RegistryPaths, listen: string): Promise<void> {
  await mkdir(p.storage, { recursive: true });
  await writeFile(
    p.config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${p.storage}`,
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      'http:',
      `  addr: ${listen}`,
      '',
    ].join('\n'),
  );
}

export function startRegistry(bins: BinaryPaths, netns: string, p: RegistryPaths): StartedDaemon {
  return startDetached(bins, netns, [bins['docker-registry'], 'serve', p.config], p.log);
}

/** GET over a unix socket; resolves to the status code and body, or undefined if unreachable. */
export function getOverSocket(socketPath: string, urlPath: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: urlPath, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Whether something answers on host:port with an SSH banner. */
export function sshAnswers(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    sock.once('error', () => done(false));
  });
}

export async function registryAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function dockerAnswers(socketPath: string): Promise<boolean> {
  const r = await getOverSocket(socketPath, '/_ping');
  return r?.status === 200 && r.body === 'OK';
}

async function logTail(file: string): Promise<string> {
  try {
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    return lines.slice(-3).join(' / ');
  } catch {
    return '';
  }
}

/** Polls `probe` until it answers; fails early, with the log's tail, if the daemon exits. */
export async function waitReady(what: string, daemon: StartedDaemon, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = daemon.exited();
    if (exited !== undefined) {
      throw new EnvironmentError('LAB_DAEMON_FAILED', `${what} exited (code ${exited}) before it was ready: ${await logTail(daemon.log)}`, {
        hint: `see ${daemon.log}`,
      });
    }
    if (await probe()) return;
    if (Date.now() > deadline) {
      throw new EnvironmentError('LAB_DAEMON_TIMEOUT', `${what} was not ready after ${Math.round(timeoutMs / 1000)} s`, {
        hint: `see ${daemon.log}`,
      });
    }
    await sleep(50);
  }
}
