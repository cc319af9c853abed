// Builds an Inventory with the same rules as Ansible's InventoryData: groups `all` and
// `ungrouped` exist from the start, hosts keep their first-seen order, a host's port comes
// from the first time it is seen, and after every source is read, groups without a parent
// join `all` and hosts without a group join `ungrouped`.
import type { Inventory, InventoryGroup, InventoryHost, InventoryVarsDir, Vars } from './model.js';
import { setVar } from './vars-object.js';

/** A rule of the inventory was broken (e.g. a group made its own ancestor); the parser adds the position. */
export class InventoryRuleError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

// Characters Ansible calls invalid in group names (it warns but keeps them by default).
const INVALID_GROUP_CHARS = /^\p{N}|[^\p{L}\p{N}_]/u;

const LOOP_HINT = 'a group cannot contain itself, directly or through its children; remove one of the children entries';

export class InventoryBuilder {
  readonly hosts = new Map<string, InventoryHost>();
  readonly groups = new Map<string, InventoryGroup>();
  readonly sources: string[] = [];
  readonly varsDirs: InventoryVarsDir[] = [];
  readonly warnings: string[] = [];
  /** The file being read, recorded on the hosts it introduces. */
  currentSource: string | undefined;
  private readonly parents = new Map<string, string[]>();
  /** Groups each host is directly in. */
  private readonly groupsOfHost = new Map<string, Set<string>>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  addGroup(name: string): string {
    if (!name) throw new InventoryRuleError(`Invalid empty/false group name provided: ${name}`);
    if (!this.groups.has(name)) {
      // As Ansible's Group(): every plugin's new group is checked, and kept as named.
      if (INVALID_GROUP_CHARS.test(name)) this.warn('Invalid characters were found in group names but not replaced, use -vvvv to see details');
      this.groups.set(name, { name, hosts: [], children: [], vars: {} });
      this.parents.set(name, []);
    }
    return name;
  }

  addHost(name: string, group?: string, port?: number | null): void {
    if (!name) throw new InventoryRuleError('Invalid empty host name provided');
    if (group !== undefined && !this.groups.has(group)) throw new InventoryRuleError(`Could not find group ${group} in inventory`);
    if (!this.hosts.has(name)) {
      const host: InventoryHost = { name, vars: {} };
      if (this.currentSource !== undefined) host.source = this.currentSource;
      if (port) host.vars['ansible_port'] = port;
      this.hosts.set(name, host);
      this.groupsOfHost.set(name, new Set());
    }
    if (group !== undefined) this.addHostToGroup(group, name);
  }

  private addHostToGroup(group: string, host: string): void {
    const mine = this.groupsOfHost.get(host)!;
    if (!mine.has(group)) {
      this.groups.get(group)!.hosts.push(host);
      mine.add(group);
    }
  }

  private removeHostFromGroup(group: string, host: string): void {
    const g = this.groups.get(group)!;
    g.hosts = g.hosts.filter((h) => h !== host);
    this.groupsOfHost.get(host)!.delete(group);
  }

  private ancestors(group: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...(this.parents.get(group) ?? [])];
    while (todo.length) {
      const g = todo.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      todo.push(...(this.parents.get(g) ?? []));
    }
    return seen;
  }

  /**
   * The groups `host` is in, directly or through their parents, as the graph stands while the
   * sources are read (Ansible's Host.get_groups() then): `all` only through a parent, since
   * orphan groups join it after the last source.
   */
  groupsOfHostSoFar(host: string): string[] {
    const out = new Set<string>();
    for (const g of this.groupsOfHost.get(host) ?? []) {
      out.add(g);
      for (const a of this.ancestors(g)) out.add(a);
    }
    return [...out];
  }

  /**
   * Ansible's Group.depth as the graph stands: the longest chain of parents above the group (0
   * for a group without one). `memo` may be shared by calls while the graph does not change.
   */
  depthSoFar(group: string, memo = new Map<string, number>()): number {
    const known = memo.get(group);
    if (known !== undefined) return known;
    // addChild refuses loops, so the walk ends.
    let depth = 0;
    for (const p of this.parents.get(group) ?? []) depth = Math.max(depth, this.depthSoFar(p, memo) + 1);
    memo.set(group, depth);
    return depth;
  }

  /** Ansible's add_child: `child` may be a group or a host. */
  addChild(parent: string, child: string): void {
    const p = this.groups.get(parent);
    if (!p) throw new InventoryRuleError(`${parent} is not a known group`);
    if (this.groups.has(child)) {
      if (parent === child) throw new InventoryRuleError(`can't add group to itself: ${child}`, LOOP_HINT);
      if (p.children.includes(child)) return;
      if (this.ancestors(parent).has(child)) {
        throw new InventoryRuleError(`Adding group '${child}' as child to '${parent}' creates a recursive dependency loop.`, LOOP_HINT);
      }
      p.children.push(child);
      const ps = this.parents.get(child)!;
      if (!ps.includes(parent)) ps.push(parent);
    } else if (this.hosts.has(child)) {
      this.addHostToGroup(parent, child);
    } else {
      throw new InventoryRuleError(`${child} is not a known host nor group`);
    }
  }

  /**
   * Ansible's set_variable: groups are looked up before hosts. (Ansible "merges" a mapping set
   * twice through combine_vars, which under the default hash_behaviour=replace replaces it.)
   */
  setVariable(entity: string, key: string, value: unknown): void {
    const group = this.groups.get(entity);
    if (group && key === 'ansible_group_priority') {
      const n = typeof value === 'number' ? Math.trunc(value) : Number.parseInt(String(value).trim(), 10);
      if (!Number.isFinite(n) || (typeof value === 'string' && !/^\s*[+-]?\d+\s*$/.test(value))) {
        throw new InventoryRuleError(
          `ansible_group_priority must be an integer, got: ${String(value)}`,
          'set ansible_group_priority to a whole number, e.g. 10',
        );
      }
      group.priority = n;
      return;
    }
    const target = group ?? this.hosts.get(entity);
    if (!target) throw new InventoryRuleError(`Could not identify group or host named ${entity}`);
    setVar(target.vars, key, value);
  }

  /** reconcile_inventory: orphans join `all`, groupless hosts join `ungrouped`. */
  reconcile(): void {
    for (const name of this.groups.keys()) {
      if (name !== 'all' && this.ancestors(name).size === 0) this.addChild('all', name);
    }
    for (const host of this.hosts.keys()) {
      const mine = this.groupsOfHost.get(host)!;
      if (mine.has('ungrouped')) {
        if ([...mine].some((g) => g !== 'all' && g !== 'ungrouped')) this.removeHostFromGroup('ungrouped', host);
      } else if (mine.size === 0 || (mine.size === 1 && mine.has('all'))) {
        this.addHostToGroup('ungrouped', host);
      }
    }
    for (const name of this.groups.keys()) {
      if (this.hosts.has(name)) this.warn(`Found both group and host with same name: ${name}`);
    }
  }

  build(): Inventory {
    return {
      hosts: this.hosts,
      groups: this.groups,
      sources: this.sources,
      varsDirs: this.varsDirs,
      warnings: this.warnings,
    };
  }
}

/** Ansible's combine_vars with the default hash_behaviour=replace: later top-level keys win. */
export function combineVars(a: Vars, b: Vars): Vars {
  return { ...a, ...b };
}
