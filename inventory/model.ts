// The inventory as hound uses it after loading: the same groups, members and variables
// that ansible-inventory reports. Parsers (INI, YAML) fill it; patterns and the compiler read it.

export type Vars = Record<string, unknown>;

export interface InventoryHost {
  name: string;
  /** Variables set on the host itself (inline INI vars, YAML host vars, host_vars/). */
  vars: Vars;
  /** The inventory file the host was first seen in (Ansible's inventory_file); absent for host lists. */
  source?: string;
}

export interface InventoryGroup {
  name: string;
  /** Hosts listed directly in this group, in order of first appearance. */
  hosts: string[];
  /** Child group names, in order of first appearance. */
  children: string[];
  /** Variables set on this group ([g:vars], YAML vars, group_vars/). */
  vars: Vars;
  /**
   * `ansible_group_priority` (default 1): among groups at the same depth, higher priority
   * merges later and so wins. Ansible keeps it apart from the vars; so does hound.
   */
  priority?: number;
}

/**
 * The group_vars/ and host_vars/ found beside one inventory source. Kept per source (not
 * merged into the groups) because Ansible merges them at their own precedence levels:
 * all < group_vars/all < inventory group vars < group_vars/GROUP < inventory host vars < host_vars/HOST.
 */
export interface InventoryVarsDir {
  /** The directory holding group_vars/ and host_vars/. */
  dir: string;
  groups: Map<string, Vars>;
  hosts: Map<string, Vars>;
  /**
   * The working folder's, which ansible-inventory reads as the playbook folder by default: in
   * the hosts' variables, not shown on the groups (it shows those of a --playbook-dir only).
   */
  onlyInHostVars?: boolean;
}

export interface Inventory {
  /** Every host in order of first appearance. */
  hosts: Map<string, InventoryHost>;
  /** Every group, including `all` and `ungrouped`. */
  groups: Map<string, InventoryGroup>;
  /** The files the inventory was read from. */
  sources: string[];
  /** group_vars/ and host_vars/ beside each source, in source order (absent: none). */
  varsDirs?: InventoryVarsDir[];
  /** Warnings met while loading (Ansible prints these as [WARNING]); the CLI shows them. */
  warnings?: string[];
}
