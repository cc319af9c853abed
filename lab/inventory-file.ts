// The files an Ansible user (or hound) points at the lab: inventory.ini and known_hosts.
import type { LabRuntime } from './runtimes.js';

export interface InventoryNode {
  name: string;
  ip: string;
  runtime: LabRuntime;
  /** The runtime's socket as the node sees it. */
  socket: string;
  /** Podman nodes: the non-root user and its podman socket. */
  rootless?: { user: string; socket: string };
  /** Its dockerd's registry-mirrors: such nodes are also in group `mirrored`. */
  registryMirrors?: string[];
}

export interface InventoryRegistries {
  /** The plain registry, host:port. */
  registry: string;
  /** The TLS registries (htpasswd, token auth, mirror), host:port each, and the lab CA file. */
  secure?: { basic: string; token: string; mirror: string; clientCertificate: string; caCert: string };
}

/** The inventory variable that names each runtime's socket. */
export const SOCKET_VARIABLE: Record<LabRuntime, string> = {
  docker: 'hound_docker_socket',
  containerd: 'hound_containerd_socket',
  podman: 'hound_podman_socket',
};

/** The group of podman nodes' rootless logins (`nodeI-rootless`, same address, the non-root user). */
export const ROOTLESS_GROUP = 'podman_rootless';

/**
 * Ansible INI: group `nodes`, key + known_hosts per lab, per host its runtime and socket, the
 * registries as group vars (and the lab CA as hound_registry_ca, so hound trusts the TLS
 * ones), and group `mirrored` for the nodes whose dockerd has a registry mirror. Podman nodes
 * appear again in ROOTLESS_GROUP, logged in as their non-root user.
 */
export function renderInventory(nodes: InventoryNode[], opts: { privateKey: string; knownHosts: string } & InventoryRegistries): string {
  const host = (name: string, ip: string, user: string, runtime: LabRuntime, socket: string) =>
    `${name} ansible_host=${ip} ansible_user=${user} ansible_ssh_private_key_file=${opts.privateKey} hound_container_runtime=${runtime} ${SOCKET_VARIABLE[runtime]}=${socket}`;
  const groupVars = [`ansible_ssh_common_args='-o UserKnownHostsFile=${opts.knownHosts}'`, `lab_registry=${opts.registry}`];
  if (opts.secure) {
    groupVars.push(`lab_basic_registry=${opts.secure.basic}`);
    groupVars.push(`lab_token_registry=${opts.secure.token}`);
    groupVars.push(`lab_mirror=${opts.secure.mirror}`);
    groupVars.push(`lab_client_certificate_registry=${opts.secure.clientCertificate}`);
    groupVars.push(`hound_registry_ca=${opts.secure.caCert}`);
  }
  const lines = ['[nodes]', ...nodes.map((n) => host(n.name, n.ip, 'root', n.runtime, n.socket))];
  const mirrored = nodes.filter((n) => (n.registryMirrors ?? []).length > 0);
  if (mirrored.length > 0) lines.push('', '[mirrored]', ...mirrored.map((n) => n.name));
  lines.push('', '[nodes:vars]', ...groupVars);
  const rootless = nodes.filter((n) => n.rootless !== undefined);
  if (rootless.length > 0) {
    lines.push('', `[${ROOTLESS_GROUP}]`, ...rootless.map((n) => host(`${n.name}-rootless`, n.ip, n.rootless!.user, n.runtime, n.rootless!.socket)));
    lines.push('', `[${ROOTLESS_GROUP}:vars]`, ...groupVars);
  }
  return lines.join('\n') + '\n';
}

/** One line per node: its address and its real host key (`TYPE BASE64`, comment dropped). */
export function renderKnownHosts(entries: { ip: string; publicKey: string }[]): string {
  return (
    entries
      .map((e) => {
        const [type, key] = e.publicKey.trim().split(/\s+/);
        return `${e.ip} ${type} ${key}`;
      })
      .join('\n') + '\n'
  );
}
