// The files an Ansible user (or hound) points at the lab: inventory.ini and known_hosts.

export interface InventoryNode {
  name: string;
  ip: string;
}

/** Ansible INI: group `nodes`, key + known_hosts per lab, the registry as a group var. */
export function renderInventory(nodes: InventoryNode[], opts: { privateKey: string; knownHosts: string; registry: string }): string {
  const lines = ['[nodes]'];
  for (const n of nodes) {
    lines.push(`${n.name} ansible_host=${n.ip} ansible_user=root ansible_ssh_private_key_file=${opts.privateKey}`);
  }
  lines.push('', '[nodes:vars]');
  lines.push(`ansible_ssh_common_args='-o UserKnownHostsFile=${opts.knownHosts}'`);
  lines.push(`lab_registry=${opts.registry}`);
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
