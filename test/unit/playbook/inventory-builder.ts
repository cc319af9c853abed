// Inventories for compiler tests, built by hand from a compact description.
import type { Inventory, InventoryGroup, Vars } from '../../../inventory/model.js';

export interface GroupSpec {
  hosts?: Record<string, Vars>;
  children?: string[];
  vars?: Vars;
}

/** `groups` in order; every host also lands in `all`, hosts in no group in `ungrouped`. */
export function buildInventory(groups: Record<string, GroupSpec>, allVars: Vars = {}): Inventory {
  const inv: Inventory = { hosts: new Map(), groups: new Map(), sources: [] };
  const all: InventoryGroup = { name: 'all', hosts: [], children: ['ungrouped'], vars: allVars };
  inv.groups.set('all', all);
  inv.groups.set('ungrouped', { name: 'ungrouped', hosts: [], children: [], vars: {} });
  for (const [name, spec] of Object.entries(groups)) {
    inv.groups.set(name, { name, hosts: Object.keys(spec.hosts ?? {}), children: spec.children ?? [], vars: spec.vars ?? {} });
    for (const [host, vars] of Object.entries(spec.hosts ?? {})) {
      const existing = inv.hosts.get(host);
      if (existing) Object.assign(existing.vars, vars);
      else inv.hosts.set(host, { name: host, vars: { ...vars } });
    }
  }
  const children = new Set(Object.values(groups).flatMap((g) => g.children ?? []));
  for (const name of Object.keys(groups)) if (!children.has(name)) all.children.push(name);
  return inv;
}
