// Shared by the runtime client tests: a lab of their own (named NAME-PID, so a dead run's lab
// is reaped by the next), hound SSH connections to its nodes, and oracles independent of
// hound: the registry's HTTP API for manifest digests, and the node's own tools over SSH.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LabInfo, LabNodeInfo } from '../../lab/index.js';
import { labDown, labUp } from '../../lab/index.js';
import { claimLab, reapAbandonedLabs } from '../../lab/ownership.js';
import { resolveConnectionTarget } from '../../transport/connection-target.js';
import { connectHost, type SshHostConnection } from '../../transport/ssh-connection.js';

export async function ownLab(base: string, options: { runtimes: string; nodeRate?: string }): Promise<LabInfo> {
  await reapAbandonedLabs(base);
  const name = `${base}-${process.pid}`;
  const { info } = await labUp({ name, runtimes: options.runtimes, ...(options.nodeRate ? { nodeRate: options.nodeRate } : {}) });
  await claimLab(name);
  return info;
}

export async function dropLab(info: LabInfo | undefined): Promise<void> {
  if (info && process.env.HOUND_TEST_KEEP_LAB !== '1') await labDown(info.name);
}

/** A hound SSH connection to a lab node, as `user` (root, or a podman node's rootless user). */
export function connect(info: LabInfo, node: LabNodeInfo, user = 'root'): Promise<SshHostConnection> {
  const vars = {
    ansible_host: node.ip,
    ansible_user: user,
    ansible_ssh_private_key_file: info.privateKey,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${info.knownHosts}`,
  };
  return connectHost(resolveConnectionTarget(node.name, vars, { env: {} }));
}

const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'].join(', ');

/**
 * The manifest digest the registry serves for repo:tag, computed here from the bytes of its
 * HTTP answer (and checked against its Docker-Content-Digest header), not taken from hound.
 */
export async function registryManifestDigest(info: LabInfo, repository: string, tag: string): Promise<string> {
  const res = await fetch(`${info.registry.url}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_TYPES } });
  if (res.status !== 200) throw new Error(`registry answered ${res.status} for ${repository}:${tag}`);
  const body = Buffer.from(await res.arrayBuffer());
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (res.headers.get('docker-content-digest') !== digest) throw new Error(`registry's digest header disagrees with its body for ${repository}:${tag}`);
  return digest;
}

/** The compressed layer sizes of repo:tag, from the registry's manifest. */
export async function registryLayerSizes(info: LabInfo, repository: string, tag: string): Promise<Map<string, number>> {
  const res = await fetch(`${info.registry.url}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_TYPES } });
  const manifest = (await res.json()) as { layers: { digest: string; size: number }[] };
  return new Map(manifest.layers.map((l) => [l.digest, l.size]));
}

/** The controller's bridge dirs (runtime/socket-bridge.ts) that exist now. */
/**
 * The socket bridges' dirs (runtime/socket-bridge.ts) whose socket this process listens on:
 * another test file running beside this one (vitest runs two at a time), or a hound it
 * started, opens and removes bridges of its own in the same tmpdir. Found by the inode of each
 * socket this process holds (/proc/self/fd) in the kernel's table of unix sockets.
 */
export function bridgeDirs(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // closed since the listing
      }
    })();
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]);
  }
  const prefix = path.join(os.tmpdir(), 'hound-socket-');
  const dirs = new Set<string>();
  // Num RefCount Protocol Flags Type St Inode Path
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [inode, socketPath] = [fields[6], fields[7]];
    if (inode !== undefined && socketPath?.startsWith(prefix) && inodes.has(inode)) dirs.add(path.basename(path.dirname(socketPath)));
  }
  return [...dirs].sort();
}
