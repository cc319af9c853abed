// The runtime client for one host: the runtime its inventory names (hound_container_runtime
// and the socket variables), or for `auto` the first one the node has, in this order:
// Docker (its socket), CRI-O (its socket), containerd (its socket), podman (a service
// socket, or the podman binary: hound then starts the service for the run). Docker comes
// first because a Docker host also runs containerd, for Docker's own use.
import { TaskFailedError } from '../base/errors.js';
import { shlexQuote } from '../base/shlex.js';
import { DEFAULT_DOCKER_SOCKET, type ContainerRuntimeKind, type RuntimeTarget } from '../transport/connection-target.js';
import type { TransportLogger } from '../transport/ssh-connection.js';
import type { HostConnection } from '../transport/types.js';
import { CriRuntime, DEFAULT_CRI_SOCKETS } from './cri/runtime.js';
import { SshDocker } from './docker.js';
import { PodmanRuntime } from './podman/runtime.js';
import type { NodeRuntime } from './types.js';

export interface OpenRuntimeOptions {
  logger?: TransportLogger;
  stallTimeoutMs?: number;
}

/**
 * Prints the runtime `auto` picks: the first of the sockets $1..$3 (Docker, CRI-O, containerd)
 * that exists, then podman's ($4, or the user's default), then a podman binary; else `none`.
 */
const DETECT_SCRIPT = [
  '[ -S "$1" ] && { echo docker; exit 0; }',
  '[ -S "$2" ] && { echo cri-o; exit 0; }',
  '[ -S "$3" ] && { echo containerd; exit 0; }',
  'p="$4"; u=$(id -u); if [ -z "$p" ]; then if [ "$u" = 0 ]; then p=/run/podman/podman.sock; else p="${XDG_RUNTIME_DIR:-/run/user/$u}/podman/podman.sock"; fi; fi',
  '[ -S "$p" ] && { echo podman; exit 0; }',
  'command -v podman >/dev/null && { echo podman; exit 0; }',
  'echo none',
].join('; ');

/** Which runtime `auto` finds on the node (one command over SSH). */
export async function detectRuntime(connection: HostConnection, target: RuntimeTarget): Promise<ContainerRuntimeKind> {
  const sockets = [
    target.sockets.docker ?? DEFAULT_DOCKER_SOCKET,
    target.sockets['cri-o'] ?? DEFAULT_CRI_SOCKETS['cri-o'],
    target.sockets.containerd ?? DEFAULT_CRI_SOCKETS.containerd,
    target.sockets.podman ?? '',
  ];
  const r = await connection.exec(`sh -c ${shlexQuote(DETECT_SCRIPT)} hound-detect ${sockets.map(shlexQuote).join(' ')}`);
  const found = r.stdout.trim();
  if (r.code === 0 && (found === 'docker' || found === 'cri-o' || found === 'containerd' || found === 'podman')) return found;
  throw new TaskFailedError(
    connection.host,
    'RUNTIME_NOT_FOUND',
    `no container runtime found on ${connection.host}: no socket at ${sockets.slice(0, 3).join(', ')}, no podman service and no podman command` +
      (r.code !== 0 ? ` (the check failed: ${r.stderr.trim() || `exit ${r.code}`})` : ''),
    {
      hint: 'start the runtime on the node, or set hound_container_runtime (docker, containerd, cri-o, podman) and its socket variable (hound_docker_socket, hound_containerd_socket, hound_crio_socket, hound_podman_socket) for the host',
    },
  );
}

/** The runtime the target names, or for `auto` the one the node has. */
export async function runtimeKindOf(connection: HostConnection, target: RuntimeTarget, logger?: TransportLogger): Promise<ContainerRuntimeKind> {
  if (target.setting !== 'auto') return target.setting;
  const kind = await detectRuntime(connection, target);
  logger?.(1, `${kind} ${connection.host}: found by hound_container_runtime=auto`);
  return kind;
}

/** The client for the host's runtime of `kind`; nothing is asked of the runtime itself until it is used. */
export function openNodeRuntime(connection: HostConnection, kind: ContainerRuntimeKind, target: RuntimeTarget, options: OpenRuntimeOptions = {}): NodeRuntime {
  const socketPath = target.sockets[kind];
  const common = { logger: options.logger, ...(options.stallTimeoutMs !== undefined ? { stallTimeoutMs: options.stallTimeoutMs } : {}) };
  switch (kind) {
    case 'docker':
      return new SshDocker(connection, { ...common, socketPath: socketPath ?? DEFAULT_DOCKER_SOCKET });
    case 'containerd':
    case 'cri-o':
      return new CriRuntime(connection, { ...common, flavor: kind, ...(socketPath !== undefined ? { socketPath } : {}) });
    case 'podman':
      return new PodmanRuntime(connection, { ...common, ...(socketPath !== undefined ? { socketPath } : {}) });
  }
}
