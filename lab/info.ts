// lab.json: the machine-readable description of a running lab, written by `up` and read
// by `status`, `down`, `images`, the benchmark and the integration tests.
import { readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../base/errors.js';
import type { SecureRegistriesInfo } from './secure-registries.js';

export interface LabRates {
  registry?: string;
  node?: string;
  controller?: string;
}

export interface LabNodeInfo {
  name: string;
  ip: string;
  netns: string;
  sshPort: number;
  /** The node's Docker socket as the controller reaches it, bypassing SSH. */
  dockerSocket: string;
  /** The host-side veth (bridge port) of the node. */
  hostInterface: string;
  pids: { sshd: number; dockerd: number };
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
    return JSON.parse(text) as LabInfo;
  } catch {
    throw new EnvironmentError('LAB_BROKEN', `${file} is not valid JSON`, {
      hint: 'run `hound lab up` again: it cleans what was left and starts afresh',
    });
  }
}

export async function writeLabInfo(info: LabInfo): Promise<void> {
  const file = path.join(info.dir, LAB_INFO_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(info, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}
