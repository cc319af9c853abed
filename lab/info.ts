// lab.json: the machine-readable description of a running lab, written by `up` and read
// by `status`, `down`, `images`, the benchmark and the integration tests.
import type { LabUsers } from './users.js';
import { readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../base/errors.js';
import type { LabRuntime } from './runtimes.js';
import type { SecureRegistriesInfo } from './secure-registries.js';

export interface LabRates {
  registry?: string;
  node?: string;
  controller?: string;
}

/** A unix socket on a node: where the node sees it, and where the controller reaches the same socket directly (bypassing SSH). */
export interface LabSocket {
  node: string;
  controller: string;
}

export interface LabNodeInfo {
  name: string;
  ip: string;
  netns: string;
  sshPort: number;
  /** The container runtime the node runs. */
  runtime: LabRuntime;
  /**
   * The runtime's socket (what the inventory names): Docker's, containerd's (which serves the
   * CRI), or, on a podman node, where root's podman service listens once started (the lab
   * starts none: podman has no daemon).
   */
  socket: LabSocket;
  /** Docker nodes: the node's Docker socket as the controller reaches it, bypassing SSH. */
  dockerSocket?: string;
  /** Podman nodes: the non-root user that runs rootless podman, and where its service listens once started. */
  rootless?: { user: string; uid: number; socket: LabSocket };
  /** The host-side veth (bridge port) of the node. */
  hostInterface: string;
  /** sshd and the runtime's daemon (dockerd or containerd; podman has none). */
  pids: { sshd: number; dockerd?: number; containerd?: number };
  /** The mirrors its dockerd tries first for Docker Hub images (daemon.json registry-mirrors). */
  registryMirrors?: string[];
}

export interface LabInfo {
  name: string;
  dir: string;
  subnet: string;
  controllerIp: string;
  bridge: string;
  registry: { ip: string; port: number; url: string; netns: string; pid: number };
  /** The TLS registries (htpasswd, token auth, pull-through mirror) beside it, and the lab CA. */
  secure: SecureRegistriesInfo;
  rates: LabRates;
  nodes: LabNodeInfo[];
  inventory: string;
  knownHosts: string;
  privateKey: string;
  /** Login users besides root, for become (lab/users.ts); absent in labs made before them. */
  users?: LabUsers;
  createdAt: string;
}

export const LAB_INFO_FILE = 'lab.json';

export async function readLabInfo(dir: string): Promise<LabInfo> {
  const file = path.join(dir, LAB_INFO_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EnvironmentError('LAB_NOT_UP', `no lab at ${dir} (${file} is missing)`, {
      hint: 'start one with `hound lab up`',
    });
  }
  try {
    return withRuntimes(JSON.parse(text) as LabInfo);
  } catch {
    throw new EnvironmentError('LAB_BROKEN', `${file} is not valid JSON`, {
      hint: 'run `hound lab up` again: it cleans what was left and starts afresh',
    });
  }
}

/** A lab.json written before labs had runtimes describes Docker nodes only. */
function withRuntimes(info: LabInfo): LabInfo {
  for (const node of info.nodes) {
    if (node.runtime !== undefined) continue;
    node.runtime = 'docker';
    node.socket = { node: '/run/docker.sock', controller: node.dockerSocket! };
  }
  return info;
}

export async function writeLabInfo(info: LabInfo): Promise<void> {
  const file = path.join(info.dir, LAB_INFO_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(info, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}
