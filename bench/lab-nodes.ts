// The part of a running lab a contender works with: the nodes it is given, how to reach
// them over ssh, and the registry address images are pulled from.
import type { LabInfo, LabNodeInfo } from '../lab/info.js';
import { SOCKET_VARIABLE } from '../lab/inventory-file.js';

export interface BenchTarget {
  lab: LabInfo;
  /** The first N nodes of the lab: the benchmark sizes the lab once, for the largest N. */
  nodes: LabNodeInfo[];
  /** Per node (same order), the full references it must hold, `IP:5000/bench/appK:latest`. */
  needs: string[][];
}

/** host:port of the lab registry, as image references name it. */
export function registryHost(lab: LabInfo): string {
  return `${lab.registry.ip}:${lab.registry.port}`;
}

/** ssh argv that runs `remote` on a node as root, with the lab's key and known_hosts only. */
export function sshArgv(lab: LabInfo, node: LabNodeInfo, remote: readonly string[]): string[] {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    lab.privateKey,
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${lab.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-p',
    String(node.sshPort),
    `root@${node.ip}`,
    '--',
    ...remote,
  ];
}

/**
 * An Ansible INI inventory of the target nodes (hound reads the same file), each node's
 * images in `host_vars/NODE.yml` as `bench_images`: the way an Ansible user writes it.
 * Each node names its runtime and socket as the lab's own inventory does.
 */
export function inventoryFiles(target: BenchTarget): Map<string, string> {
  const files = new Map<string, string>();
  const lines = ['[nodes]'];
  for (const node of target.nodes) {
    const runtime = `hound_container_runtime=${node.runtime} ${SOCKET_VARIABLE[node.runtime]}=${node.socket.node}`;
    lines.push(
      `${node.name} ansible_host=${node.ip} ansible_port=${node.sshPort} ansible_user=root ansible_ssh_private_key_file=${target.lab.privateKey} ${runtime}`,
    );
  }
  lines.push('', '[nodes:vars]');
  lines.push(`ansible_ssh_common_args='-o UserKnownHostsFile=${target.lab.knownHosts}'`);
  // The nodes' python3 is Debian's, with python3-docker, which community.docker needs.
  lines.push('ansible_python_interpreter=/usr/bin/python3');
  files.set('inventory.ini', lines.join('\n') + '\n');
  target.nodes.forEach((node, i) => {
    const images = target.needs[i].map((ref) => `  - ${JSON.stringify(ref)}`).join('\n');
    files.set(`host_vars/${node.name}.yml`, `bench_images:\n${images}\n`);
  });
  return files;
}
