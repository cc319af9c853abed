// A host's variables merged with Ansible's precedence, and its magic variables. The order:
// group `all` < other groups by (depth, ansible_group_priority, name) < group_vars/all <
// group_vars/GROUP in the same order < the host's own vars < host_vars/HOST; each level
// replaces top-level keys (Ansible's default hash_behaviour=replace).
import path from 'node:path';
import { isIpAddress } from './host-range.js';
import type { Inventory, Vars } from './model.js';
import { assignVars } from './vars-object.js';

interface InventoryIndex {
  depth: Map<string, number>;
  /** Every group a host belongs to, directly or through a child group, `all` included. */
  groupsOfHost: Map<string, Set<string>>;
  /** Each group's hosts including its descendants' (Ansible's Group.get_hosts()). */
  hostsOfGroup: Map<string, string[]>;
}

// Inventories are not changed after loading, so the derived index is kept beside each one.
const indexes = new WeakMap<Inventory, InventoryIndex>();

function indexOf(inv: Inventory): InventoryIndex {
  const cached = indexes.get(inv);
  if (cached) return cached;
  const parents = new Map<string, string[]>();
  for (const g of inv.groups.values()) {
    for (const c of g.children) {
      const ps = parents.get(c) ?? [];
      ps.push(g.name);
      parents.set(c, ps);
    }
  }
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    let d = 0;
    for (const p of parents.get(name) ?? []) d = Math.max(d, depthOf(p, seen) + 1);
    depth.set(name, d);
    return d;
  };
  for (const name of inv.groups.keys()) depthOf(name, new Set());

  const hostsOfGroup = new Map<string, string[]>();
  for (const g of inv.groups.values()) {
    // Ansible walks the group, then its children, then theirs, level by level.
    const order: string[] = [g.name];
    const seenGroups = new Set(order);
    for (let i = 0; i < order.length; i++) {
      for (const c of inv.groups.get(order[i])?.children ?? []) {
        if (!seenGroups.has(c)) {
          seenGroups.add(c);
          order.push(c);
        }
      }
    }
    const hosts: string[] = [];
    const seenHosts = new Set<string>();
    for (const name of order) {
      for (const h of inv.groups.get(name)?.hosts ?? []) {
        if (!seenHosts.has(h)) {
          seenHosts.add(h);
          hosts.push(h);
        }
      }
    }
    hostsOfGroup.set(g.name, hosts);
  }

  const groupsOfHost = new Map<string, Set<string>>();
  for (const h of inv.hosts.keys()) groupsOfHost.set(h, new Set());
  const ancestorsCache = new Map<string, string[]>();
  const ancestorsOf = (name: string): string[] => {
    const known = ancestorsCache.get(name);
    if (known) return known;
    const out = new Set<string>();
    const todo = [...(parents.get(name) ?? [])];
    while (todo.length) {
      const p = todo.pop()!;
      if (out.has(p)) continue;
      out.add(p);
      todo.push(...(parents.get(p) ?? []));
    }
    const list = [...out];
    ancestorsCache.set(name, list);
    return list;
  };
  for (const g of inv.groups.values()) {
    for (const h of g.hosts) {
      const set = groupsOfHost.get(h) ?? new Set<string>();
      groupsOfHost.set(h, set);
      set.add(g.name);
      for (const a of ancestorsOf(g.name)) set.add(a);
    }
  }
  const index = { depth, groupsOfHost, hostsOfGroup };
  indexes.set(inv, index);
  return index;
}

/** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
export function sortGroups(inv: Inventory, names: Iterable<string>): string[] {
  const { depth } = indexOf(inv);
  return sortGroupsBy(
    names,
    (n) => depth.get(n) ?? 0,
    (n) => inv.groups.get(n)?.priority ?? 1,
  );
}

/** Ansible's sort_groups with the depths and priorities given (a loaded inventory's, or one still being read). */
export function sortGroupsBy(names: Iterable<string>, depthOf: (group: string) => number, priorityOf: (group: string) => number): string[] {
  const key = (n: string) => ({ d: depthOf(n), p: priorityOf(n) });
  return [...names].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka.d !== kb.d) return ka.d - kb.d;
    if (ka.p !== kb.p) return ka.p - kb.p;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Ansible's inventory_hostname_short: the name up to its first dot, an IP address whole. */
export function shortHostname(host: string): string {
  return isIpAddress(host) ? host : host.split('.')[0];
}

/** Every group `host` belongs to (directly or through children), `all` included. */
export function groupsOfHost(inv: Inventory, host: string): Set<string> {
  return indexOf(inv).groupsOfHost.get(host) ?? new Set();
}

// Hosts in the same groups share one sorted list, computed once per set of groups.
const sortedCache = new WeakMap<Inventory, Map<string, string[]>>();

/** The groups of a host except `all`, in precedence order (lowest first). */
export function sortedGroupsOfHost(inv: Inventory, host: string): string[] {
  let cache = sortedCache.get(inv);
  if (!cache) {
    cache = new Map();
    sortedCache.set(inv, cache);
  }
  const groups = [...groupsOfHost(inv, host)].filter((g) => g !== 'all');
  const key = groups.join('\u0000');
  let sorted = cache.get(key);
  if (!sorted) {
    sorted = sortGroups(inv, groups);
    cache.set(key, sorted);
  }
  return sorted;
}

/** The hosts of a group and of all its descendants, in Ansible's order (Group.get_hosts()). */
export function hostsOfGroup(inv: Inventory, group: string): string[] {
  return indexOf(inv).hostsOfGroup.get(group) ?? [];
}

/** The depth of a group below `all` (all = 0). */
export function groupDepth(inv: Inventory, group: string): number {
  return indexOf(inv).depth.get(group) ?? 0;
}

/**
 * The host's variables from the inventory, merged by precedence (what ansible-inventory --host
 * prints), in the order of Ansible's default VARIABLE_PRECEDENCE (vars/manager.py): the
 * inventory's own group variables (all's, then the host's other groups'), each folder's
 * group_vars/all (the inventory's folders, then the playbook's), each folder's group_vars for
 * the host's other groups, then the host's own and each folder's host_vars.
 */
export function hostVars(inv: Inventory, host: string): Vars {
  const h = inv.hosts.get(host);
  if (!h) return {};
  const dirs = inv.varsDirs ?? [];
  const groups = sortedGroupsOfHost(inv, host);
  const out: Vars = {};
  assignVars(out, inv.groups.get('all')?.vars);
  for (const g of groups) assignVars(out, inv.groups.get(g)?.vars);
  for (const d of dirs) assignVars(out, d.groups.get('all'));
  for (const d of dirs) for (const g of groups) assignVars(out, d.groups.get(g));
  assignVars(out, h.vars);
  for (const d of dirs) assignVars(out, d.hosts.get(host));
  return out;
}

/** A group's own variables with its group_vars/ files merged in (what ansible-inventory --graph --vars shows). */
export function groupVars(inv: Inventory, group: string): Vars {
  const g = inv.groups.get(group);
  if (!g) return {};
  const out: Vars = {};
  assignVars(out, g.vars);
  // ansible-inventory shows a playbook folder's group_vars on its groups only when --playbook-dir names it.
  for (const d of inv.varsDirs ?? []) if (!d.onlyInHostVars) assignVars(out, d.groups.get(group));
  if (g.priority !== undefined && g.priority !== 1) out['ansible_group_priority'] = g.priority;
  return out;
}

// `groups` is the same for every host: built once per inventory and shared (read-only).
const groupsMaps = new WeakMap<Inventory, Readonly<Record<string, readonly string[]>>>();

function groupsMap(inv: Inventory): Readonly<Record<string, readonly string[]>> {
  let groups = groupsMaps.get(inv);
  if (!groups) {
    const built: Record<string, readonly string[]> = {};
    for (const g of inv.groups.keys()) built[g] = Object.freeze([...hostsOfGroup(inv, g)]);
    groups = Object.freeze(built);
    groupsMaps.set(inv, groups);
  }
  return groups;
}

/**
 * Ansible's magic variables for a host: inventory_hostname(_short), group_names, groups, and
 * inventory_file/inventory_dir (the file the host was first seen in; null for host lists).
 */
export function magicVars(inv: Inventory, host: string): Vars {
  const groups = groupsMap(inv);
  const source = inv.hosts.get(host)?.source;
  return {
    inventory_hostname: host,
    inventory_hostname_short: shortHostname(host),
    group_names: [...groupsOfHost(inv, host)].filter((g) => g !== 'all').sort(),
    groups,
    inventory_file: source ?? null,
    inventory_dir: source ? path.dirname(source) : null,
  };
}
