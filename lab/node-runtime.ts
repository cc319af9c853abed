// What differs between a Docker, a containerd and a podman node: the files it is given,
// the binds of its view, the daemon it runs (if any), the sockets lab.json and the
// inventory name, and how `status` sees that the daemon answers.
import path from 'node:path';
import type { Bind, NodeDaemonPaths, StartedDaemon } from './daemons.js';
import { dockerAnswers, startDockerd } from './daemons.js';
import { CONTAINERD_NODE_SOCKET, containerdAnswers, containerdPathsOf, prepareContainerdNode, startContainerd } from './containerd-node.js';
import type { LabNodeInfo, LabSocket } from './info.js';
import type { BinaryPaths } from './preflight.js';
import { PODMAN_ROOTFUL_SOCKET, PODMAN_ROOTLESS_SOCKET, podmanPathsOf, preparePodmanNode, ROOTLESS_USER } from './podman-node.js';
import type { LabRuntime } from './runtimes.js';

export const DOCKER_NODE_SOCKET = '/run/docker.sock';

export interface LabNode {
  name: string;
  ip: string;
  netns: string;
  runtime: LabRuntime;
  paths: NodeDaemonPaths;
}

export interface PreparedRuntime {
  /** Binds of the node's view (sshd and the daemon alike). */
  binds: Bind[];
  /** Lines ending the node's sshd_config. */
  sshdMatch: string[];
  /** Whether / is shared in the node's view (see NodeView.sharedRoot). */
  sharedRoot: boolean;
}

export interface RuntimeDaemon {
  name: 'dockerd' | 'containerd';
  daemon: StartedDaemon;
  answers: () => Promise<boolean>;
}

/** A node's own view of a socket under its /run, and the same socket from the controller. */
function runSocket(n: LabNode, nodePath: string): LabSocket {
  return { node: nodePath, controller: path.join(n.paths.runDir, path.relative('/run', nodePath)) };
}

export async function prepareRuntime(n: LabNode, o: { registry: string; sandboxImage: string }): Promise<PreparedRuntime> {
  switch (n.runtime) {
    case 'docker':
      return { binds: [], sshdMatch: [], sharedRoot: false };
    case 'containerd':
      return { binds: await prepareContainerdNode(containerdPathsOf(n.paths), o), sshdMatch: [], sharedRoot: false };
    case 'podman':
      return { ...(await preparePodmanNode(podmanPathsOf(n.paths), o)), sharedRoot: true };
  }
}

/**
 * Starts the node's runtime daemon; podman has none (hound starts `podman system service`
 * for a run when it needs one). `controllerIp` is insecure for Docker, see startDockerd.
 */
export function startRuntime(
  bins: BinaryPaths,
  n: LabNode,
  prepared: PreparedRuntime,
  o: { registry: string; controllerIp: string },
): RuntimeDaemon | undefined {
  switch (n.runtime) {
    case 'docker': {
      const daemon = startDockerd(bins, n.netns, n.paths, n.name, o.registry, o.controllerIp);
      return { name: 'dockerd', daemon, answers: () => dockerAnswers(n.paths.dockerSocket) };
    }
    case 'containerd': {
      const c = containerdPathsOf(n.paths);
      const daemon = startContainerd(bins, n.netns, n.paths, c, n.name, prepared.binds);
      return { name: 'containerd', daemon, answers: () => containerdAnswers(c.socket) };
    }
    case 'podman':
      return undefined;
  }
}

/** What lab.json says of a node's runtime: its socket(s) and, on podman, its rootless user. */
export function runtimeInfo(n: LabNode): Pick<LabNodeInfo, 'runtime' | 'socket' | 'dockerSocket' | 'rootless'> {
  switch (n.runtime) {
    case 'docker':
      return { runtime: 'docker', socket: runSocket(n, DOCKER_NODE_SOCKET), dockerSocket: n.paths.dockerSocket };
    case 'containerd':
      return { runtime: 'containerd', socket: runSocket(n, CONTAINERD_NODE_SOCKET) };
    case 'podman':
      return {
        runtime: 'podman',
        socket: runSocket(n, PODMAN_ROOTFUL_SOCKET),
        rootless: { user: ROOTLESS_USER.name, uid: ROOTLESS_USER.uid, socket: runSocket(n, PODMAN_ROOTLESS_SOCKET) },
      };
  }
}

/** The runtime daemon `status` checks, with its pid from lab.json; none on podman nodes. */
export function runtimeDaemonOf(node: LabNodeInfo): { name: 'dockerd' | 'containerd'; pid: number; answers: () => Promise<boolean> } | undefined {
  switch (node.runtime) {
    case 'docker':
      return { name: 'dockerd', pid: node.pids.dockerd ?? -1, answers: () => dockerAnswers(node.socket.controller) };
    case 'containerd':
      return { name: 'containerd', pid: node.pids.containerd ?? -1, answers: () => containerdAnswers(node.socket.controller) };
    case 'podman':
      return undefined;
  }
}
