// The files an Ansible user (or hound) points at the lab: inventory.ini and known_hosts.

export interface InventoryNode {
  name: string;
  ip: string;
  /** Its dockerd's registry-mirrors: such nodes are also in group `mirrored`. */
  registryMirrors?: string[];
}

export interface InventoryRegistries {
  /** The plain registry, host:port. */
  registry: string;
  /** The TLS registries (htpasswd, token auth, mirror), host:port each, and the lab CA file. */
  secure?: { basic: string; token: string; mirror: string; clientCertificate: string; caCert: string };
}

/**
 * Ansible INI: group `nodes`, key + known_hosts per lab, the registries as group vars (and
 * the lab CA as hound_registry_ca, so hound trusts the TLS ones), and group `mirrored` for
 * the nodes whose dockerd has a registry mirror.
 */
export function renderInventory(nodes: InventoryNode[], opts: { privateKey: string; knownHosts: string } & InventoryRegistries): string {
  const lines = ['[nodes]'];
  for (const n of nodes) {
    lines.push(`${n.name} ansible_host=${n.ip} ansible_user=root ansible_ssh_private_key_file=${opts.privateKey}`);
  }
  const mirrored = nodes.filter((n) => (n.registryMirrors ?? []).length > 0);
  if (mirrored.length > 0) lines.push('', '[mirrored]', ...mirrored.map((n) => n.name));
  lines.push('', '[nodes:vars]');
  lines.push(`ansible_ssh_common_args='-o UserKnownHostsFile=${opts.knownHosts}'`);
  lines.push(`lab_registry=${opts.registry}`);
  if (opts.secure) {
    lines.push(`lab_basic_registry=${opts.secure.basic}`);
    lines.push(`lab_token_registry=${opts.secure.token}`);
    lines.push(`lab_mirror=${opts.secure.mirror}`);
    lines.push(`lab_client_certificate_registry=${opts.secure.clientCertificate}`);
    lines.push(`hound_registry_ca=${opts.secure.caCert}`);
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
