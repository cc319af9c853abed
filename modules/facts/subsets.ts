// gather_subset as ansible-core's setup module reads it (get_collector_names): `min` is
// always gathered unless `!min`; `all` adds every collector; `!NAME` removes one (`!all`
// everything beyond min); a fact's name stands for its collector. hound gathers the
// collectors below; the others are accepted and gather nothing (their facts stay undefined).
import { ModuleFailure } from '../implementation.js';

/** The collectors hound implements, `hound` being its own (the container runtime). */
export type Collector = 'platform' | 'distribution' | 'env' | 'user' | 'date_time' | 'hardware' | 'network' | 'hound';
export const HOUND_COLLECTORS: readonly Collector[] = ['platform', 'distribution', 'env', 'user', 'date_time', 'hardware', 'network', 'hound'];

const MINIMAL = [
  'apparmor',
  'caps',
  'cmdline',
  'date_time',
  'distribution',
  'dns',
  'env',
  'fips',
  'local',
  'lsb',
  'pkg_mgr',
  'platform',
  'python',
  'selinux',
  'service_mgr',
  'ssh_pub_keys',
  'user',
  'hound',
];
const OTHER_COLLECTORS = ['chroot', 'facter', 'hardware', 'iscsi', 'loadavg', 'network', 'nvme', 'ohai', 'fibre_channel_wwn', 'virtual'];

/** Fact names Ansible accepts as subsets, and the collector each stands for. */
const FACT_ALIASES: Record<string, string> = {
  all_ipv4_addresses: 'network',
  all_ipv6_addresses: 'network',
  default_ipv4: 'network',
  default_ipv6: 'network',
  interfaces: 'network',
  architecture: 'platform',
  kernel: 'platform',
  kernel_version: 'platform',
  machine: 'platform',
  machine_id: 'platform',
  python_version: 'platform',
  system: 'platform',
  distribution_major_version: 'distribution',
  distribution_release: 'distribution',
  distribution_version: 'distribution',
  os_family: 'distribution',
  devices: 'hardware',
  mounts: 'hardware',
  processor: 'hardware',
  processor_cores: 'hardware',
  processor_count: 'hardware',
  effective_group_ids: 'user',
  effective_user_id: 'user',
  real_user_id: 'user',
  user_dir: 'user',
  user_gecos: 'user',
  user_gid: 'user',
  user_id: 'user',
  user_shell: 'user',
  user_uid: 'user',
  is_chroot: 'chroot',
  ssh_host_key_dsa_public: 'ssh_pub_keys',
  ssh_host_key_ecdsa_public: 'ssh_pub_keys',
  ssh_host_key_ed25519_public: 'ssh_pub_keys',
  ssh_host_key_rsa_public: 'ssh_pub_keys',
  ssh_host_pub_keys: 'ssh_pub_keys',
  system_capabilities: 'caps',
  system_capabilities_enforced: 'caps',
  virtualization_role: 'virtual',
  virtualization_tech_guest: 'virtual',
  virtualization_tech_host: 'virtual',
  virtualization_type: 'virtual',
};

const COLLECTORS = new Set([...MINIMAL, ...OTHER_COLLECTORS]);
/** Collectors that need others' facts (required_facts): those are gathered, and returned, too. */
const REQUIRES: Record<string, string[]> = {
  hardware: ['platform'],
  network: ['distribution', 'platform'],
  pkg_mgr: ['distribution'],
  service_mgr: ['platform', 'distribution'],
};
const VALID = new Set([...COLLECTORS, ...Object.keys(FACT_ALIASES)]);

/** gather_subset as written: a list, or one comma-separated string. */
export function subsetList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : value === undefined || value === null ? ['all'] : String(value).split(',');
  const list = items.map((s) => s.trim()).filter((s) => s !== '');
  return list.length > 0 ? list : ['all'];
}

/** The collectors a gather_subset asks for, or a ModuleFailure with Ansible's message for a bad name. */
export function collectorsFor(subsets: readonly string[]): Set<Collector> {
  const added = new Set<string>();
  const excluded = new Set<string>();
  const explicit = new Set<string>();
  for (const subset of ['min', ...subsets]) {
    if (subset === 'min') MINIMAL.forEach((c) => added.add(c));
    else if (subset === 'all') COLLECTORS.forEach((c) => added.add(c));
    else if (subset === '!min') MINIMAL.forEach((c) => excluded.add(c));
    else if (subset === '!all') COLLECTORS.forEach((c) => MINIMAL.includes(c) || excluded.add(c));
    else if (subset.startsWith('!')) excluded.add(FACT_ALIASES[subset.slice(1)] ?? subset.slice(1));
    else {
      if (!VALID.has(subset)) {
        throw new ModuleFailure(`Bad subset '${subset}' given to Ansible. gather_subset options allowed: all, ${[...VALID].sort().join(', ')}`);
      }
      const collector = FACT_ALIASES[subset] ?? subset;
      explicit.add(collector);
      added.add(collector);
    }
  }
  for (const c of excluded) if (!explicit.has(c)) added.delete(c);
  for (const c of [...added]) for (const required of REQUIRES[c] ?? []) added.add(required);
  return new Set(HOUND_COLLECTORS.filter((c) => added.has(c)));
}
