// What `hound inventory` prints, in the shapes ansible-inventory prints: --list (JSON, or
// --yaml), --graph (with --vars), --host. Values are the merged host variables without the
// magic and internal ones, exactly as ansible-inventory omits them. One difference: secrets.
// ansible-inventory prints ansible_password and friends in clear; hound prints that they are
// set (`********`), as everywhere else (docs/guarantees.md: secrets never appear in output,
// and inventory listings end up in tickets and CI logs). Their values are in the files.
import { pythonJsonDumps } from '../base/python-json.js';
import { pythonRepr } from '../base/python-repr.js';
import { isSecretName, SECRET_MASK } from '../base/secrets.js';
import type { Inventory, Vars } from './model.js';
import { groupVars, hostVars, hostsOfGroup } from './vars.js';
import { setVar } from './vars-object.js';
import { appendAll } from '../base/append.js';
import { sortKeys } from '../base/sorted-json.js';
import { replaceUnsafeText, UnsafeText } from '../base/unsafe-text.js';

/** Variables ansible-inventory never prints (magic or run-time ones). */
export const INTERNAL_VARS = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir',
]);

export interface ListOptions {
  /** Only these hosts (a --limit): others are left out of hosts lists and hostvars, as are groups left empty. */
  hosts?: string[];
  /** -e values: ansible-inventory lists them among every host's variables, above the inventory's (not among a group's). */
  extraVars?: Vars;
}

function withoutInternal(vars: Vars): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(vars)) if (!INTERNAL_VARS.has(k)) setVar(out, k, isSecretName(k) ? SECRET_MASK : v);
  return out;
}

/** A host's variables as ansible-inventory --host / --list print them. */
export function printableHostVars(inv: Inventory, host: string, extraVars: Vars = {}): Vars {
  return withoutInternal({ ...hostVars(inv, host), ...extraVars });
}

function hostFilter(inv: Inventory, options: ListOptions): (h: string) => boolean {
  if (!options.hosts) return () => true;
  const keep = new Set(options.hosts);
  return (h) => keep.has(h);
}

/** Groups that still hold a selected host, directly or below (all groups when nothing is limited). */
function visibleGroups(inv: Inventory, options: ListOptions): (g: string) => boolean {
  if (!options.hosts) return () => true;
  const keep = hostFilter(inv, options);
  return (g) => g === 'all' || hostsOfGroup(inv, g).some(keep);
}

/** The object `ansible-inventory --list` prints. */
export function inventoryToListJson(inv: Inventory, options: ListOptions = {}): Record<string, unknown> {
  const keepHost = hostFilter(inv, options);
  const keepGroup = visibleGroups(inv, options);
  const results: Record<string, unknown> = {};
  const seen = new Set<string>();
  const formatGroup = (name: string): void => {
    const group = inv.groups.get(name);
    if (!group) return;
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (name !== 'all') entry.hosts = group.hosts.filter(keepHost);
    entry.children = [];
    // Ansible writes the parent entry after its children; key order is sorted on output anyway.
    for (const child of group.children) {
      if (!keepGroup(child)) continue;
      entry.children.push(child);
      if (!seen.has(child)) {
        formatGroup(child);
        seen.add(child);
      }
    }
    if (entry.hosts && entry.hosts.length === 0) delete entry.hosts;
    if (entry.children.length === 0) delete entry.children;
    if (Object.keys(entry).length > 0) results[name] = entry;
  };
  formatGroup('all');
  const hostvars: Record<string, Vars> = {};
  for (const host of hostsOfGroup(inv, 'all')) {
    if (!keepHost(host)) continue;
    const vars = printableHostVars(inv, host, options.extraVars);
    if (Object.keys(vars).length > 0) hostvars[host] = vars;
  }
  results['_meta'] = { hostvars };
  return results;
}

/** JSON as ansible-inventory writes it: sorted keys, four-space indent. */
export function ansibleJson(value: unknown): string {
  // `!unsafe` text as ansible-inventory's JSON encoder writes it: `{"__ansible_unsafe": "…"}`.
  const encoded = replaceUnsafeText(value, (unsafe) => ({ __ansible_unsafe: unsafe.text }));
  return pythonJsonDumps(sortKeys(encoded), { indent: 4, ensureAscii: false });
}

/** The mapping `ansible-inventory --list --yaml` prints (host vars shown where a host first appears), for PyYAML's dump (cli/inventory.ts). */
export function inventoryToListYamlData(inv: Inventory, options: ListOptions = {}): Record<string, unknown> {
  const keepHost = hostFilter(inv, options);
  const keepGroup = visibleGroups(inv, options);
  const seen = new Set<string>();
  const formatGroup = (name: string): Record<string, unknown> => {
    const group = inv.groups.get(name)!;
    const entry: Record<string, Record<string, unknown>> = { children: {}, hosts: {} };
    for (const child of group.children) {
      if (child !== 'all' && keepGroup(child)) Object.assign(entry.children, formatGroup(child));
    }
    if (name !== 'all') {
      for (const h of group.hosts.filter(keepHost)) {
        let vars: Vars = {};
        if (!seen.has(h)) {
          seen.add(h);
          vars = printableHostVars(inv, h, options.extraVars);
        }
        entry.hosts[h] = vars;
      }
    }
    for (const k of ['hosts', 'children']) if (Object.keys(entry[k]).length === 0) delete entry[k];
    return { [name]: entry };
  };
  return formatGroup('all');
}

/** Python's str(): strings (and `!unsafe` text) as they are, everything else as repr(). */
function pythonStr(v: unknown): string {
  return typeof v === 'string' ? v : v instanceof UnsafeText ? v.text : pythonRepr(v);
}

export interface GraphOptions extends ListOptions {
  /** Also print variables (ansible-inventory --graph --vars). */
  vars?: boolean;
}

/** The tree `ansible-inventory --graph [GROUP]` draws; undefined when the group does not exist. */
export function inventoryGraph(inv: Inventory, group = 'all', options: GraphOptions = {}): string | undefined {
  if (!inv.groups.has(group)) return undefined;
  const keepHost = hostFilter(inv, options);
  const keepGroup = visibleGroups(inv, options);
  const name = (text: string, depth: number) => (depth ? '  |'.repeat(depth) + '--' + text : text);
  const showVars = (vars: Vars, depth: number): string[] =>
    Object.keys(vars)
      .sort()
      .map((k) => name(`{${k} = ${pythonStr(vars[k])}}`, depth));
  const draw = (g: string, depth: number): string[] => {
    const out = [name(`@${g}:`, depth)];
    const group = inv.groups.get(g)!;
    for (const kid of group.children) if (keepGroup(kid)) appendAll(out, draw(kid, depth + 1));
    if (g !== 'all') {
      for (const h of group.hosts.filter(keepHost)) {
        out.push(name(h, depth + 1));
        if (options.vars) appendAll(out, showVars(printableHostVars(inv, h, options.extraVars), depth + 2));
      }
    }
    if (options.vars) appendAll(out, showVars(withoutInternal(groupVars(inv, g)), depth + 1));
    return out;
  };
  return draw(group, 0).join('\n');
}
