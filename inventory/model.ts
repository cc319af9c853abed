// The inventory as hound uses it after loading: the same groups, members and variables
// that ansible-inventory reports. Parsers (INI, YAML) fill it; patterns and the compiler read it.

export type Vars = Record<string, unknown>;

export interface InventoryHost {
  name: string;
  /** Variables set on the host itself (inline INI vars, YAML host vars, host_vars/). */
  vars: Vars;
}

export interface InventoryGroup {
  name: string;
  /** Hosts listed directly in this group, in order of first appearance. */
  hosts: string[];
  /** Child group names, in order of first appearance. */
  children: string[];
  /** Variables set on this group ([g:vars], YAML vars, group_vars/). */
  vars: Vars;
}

export interface Inventory {
  /** Every host in order of first appearance. */
  hosts: Map<string, InventoryHost>;
  /** Every group, including `all` and `ungrouped`. */
  groups: Map<string, InventoryGroup>;
  /** The files the inventory was read from. */
  sources: string[];
}
