// Ansible's `constructed` inventory plugin (ansible-core 2.14's plugins/inventory/constructed.py
// and Constructable): a YAML source, read after the sources before it, that sets variables
// (`compose`) and adds hosts to groups (`groups`, `keyed_groups`) from Jinja2 expressions over
// each host's inventory variables. It lives here, beside the templating it needs; the inventory
// loader is handed it (inventory/load.ts, `plugins`).
import path from 'node:path';
import type { Node } from 'yaml';
import { isMap, isSeq } from 'yaml';
import { HoundError, ParseError } from '../base/errors.js';
import { isPlainObject } from '../base/python-repr.js';
import { InventoryRuleError, type InventoryBuilder } from '../inventory/builder.js';
import type { PluginContext } from '../inventory/load.js';
import type { InventoryVarsDir, Vars } from '../inventory/model.js';
import { loadVarsDir } from '../inventory/vars-dirs.js';
import { shortHostname, sortGroupsBy } from '../inventory/vars.js';
import { assignVars, setVar } from '../inventory/vars-object.js';
import { keyNode, keyString, nodePosition, plainValue, valueNode, type YamlFile } from '../inventory/yaml-file.js';
import { pythonStr, pythonTruthy, pythonTypeName } from './template-values.js';
import { renderValue, renderValueKeepingData, withoutLookups } from './templating.js';

const CODE = 'INVENTORY_CONSTRUCTED';
const TOP_OPTIONS = ['plugin', 'strict', 'compose', 'groups', 'keyed_groups', 'leading_separator', 'use_extra_vars', 'use_vars_plugins'];
const KEYED_OPTIONS = ['key', 'prefix', 'separator', 'parent_group', 'default_value', 'trailing_separator'];
// Ansible's boolean() (module_utils/parsing/convert_bool.py) as its config reads a `boolean` option.
const TRUE_WORDS = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE_WORDS = ['n', 'no', 'off', '0', 'false', 'f'];
// Ansible's INVALID_VARIABLE_NAMES (`^[\d\W]|[^\w]`, Unicode), which constructed's group names
// are cleaned of silently (plugins/inventory/__init__.py: to_safe_group_name(force=True, silent=True)).
const UNSAFE_GROUP_CHARS = /^\p{Nd}|[^\p{L}\p{N}_]/gu;

interface KeyedGroup {
  node: Node | undefined;
  /** The expression, as Ansible formats it into `{{ … }}` ('%s'). */
  key: string;
  /** What the entry names: Ansible reads a key written as `null` as the text None. */
  prefix: unknown;
  separator: unknown;
  parentGroup: unknown;
  defaultValue: unknown;
  trailingSeparator: unknown;
  has: (option: string) => boolean;
}

interface ConstructedConfig {
  strict: boolean;
  compose: { name: string; expression: string; node: Node | undefined }[];
  groups: { name: string; expression: string; node: Node | undefined }[];
  keyedGroups: KeyedGroup[];
  leadingSeparator: boolean;
  useExtraVars: boolean;
  /** Also the group_vars/ and host_vars/ beside the sources read before (Ansible's host_group_vars vars plugin). */
  useVarsPlugins: boolean;
}

export interface ConstructedOptions {
  /** -e values, for `use_extra_vars: true` (ansible-inventory's -e; `hound inventory` has none). */
  extraVars?: Vars;
}

/** Runs one constructed config over the hosts read so far, as ansible-inventory does when it meets it among the -i sources. */
export async function runConstructed(y: YamlFile, inv: InventoryBuilder, context: PluginContext, options: ConstructedOptions = {}): Promise<void> {
  const config = readConfig(y, context.warn);
  const varsDirs = config.useVarsPlugins ? await sourcesVarsDirs(inv, context) : [];
  for (const host of inv.hosts.keys()) constructHost(y, inv, config, host, options.extraVars ?? {}, varsDirs);
}

/**
 * use_vars_plugins: the group_vars/ and host_vars/ beside each source read before this one, one
 * entry per source (two files in one folder read it twice, as Ansible's loop does).
 */
async function sourcesVarsDirs(inv: InventoryBuilder, context: PluginContext): Promise<InventoryVarsDir[]> {
  const loaded = new Map<string, Promise<InventoryVarsDir>>();
  const dirs = context.sourcesBefore.map((source) => path.dirname(source));
  for (const dir of dirs) {
    if (!loaded.has(dir)) loaded.set(dir, loadVarsDir(dir, [...inv.groups.keys()], [...inv.hosts.keys()], context.warn, context.vault));
  }
  return Promise.all(dirs.map((dir) => loaded.get(dir)!));
}

function constructHost(y: YamlFile, inv: InventoryBuilder, config: ConstructedConfig, host: string, extraVars: Vars, varsDirs: InventoryVarsDir[]): void {
  const fail = (node: Node | undefined, message: string, hint?: string): never => {
    throw new ParseError(CODE, `failed to parse ${y.file}: ${message}`, { position: nodePosition(y, node), hint });
  };
  const strictFail = (node: Node | undefined, message: string, err: unknown): void => {
    if (!config.strict) return;
    fail(
      node,
      `${message}: ${(err as Error).message}`,
      'with strict: true a failed expression stops the inventory; strict: false (the default) skips it for that host',
    );
  };
  // Ansible's _compose: `{{ expression }}` without lookups (a variable it reads is rendered with
  // them), -e values on top when use_extra_vars; what read a lookup's result stays data, listed
  // as {"__ansible_unsafe": …} as ansible-inventory lists it.
  const compose = (expression: string, vars: Vars): unknown =>
    withoutLookups(() => renderValueKeepingData(`{{${expression}}}`, config.useExtraVars ? { ...vars, ...extraVars } : vars));
  const groupChange = (node: Node | undefined, change: () => void): void => {
    try {
      change();
    } catch (err) {
      if (err instanceof InventoryRuleError) fail(node, err.message, err.hint);
      throw err;
    }
  };

  let vars = hostVarsSoFar(inv, host, varsDirs);
  for (const { name, expression, node } of config.compose) {
    let value: unknown;
    try {
      value = compose(expression, vars);
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      strictFail(node, `Could not set ${name} for host ${host}`, err);
      continue;
    }
    inv.setVariable(host, name, value);
  }
  // As Ansible: every compose entry saw the variables from before the first; the groups see them all.
  vars = hostVarsSoFar(inv, host, varsDirs);

  for (const { name, expression, node } of config.groups) {
    const group = safeGroupName(name);
    let member: boolean;
    try {
      // Ansible's own wording of the test, so the expression is read as Jinja2 reads an `if`.
      // Lookups run here, as in parent_group: Ansible disables them only where it composes (compose, keyed_groups' key).
      member = String(renderValue(`{% if ${expression} %} True {% else %} False {% endif %}`, vars)).trim() === 'True';
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      strictFail(node, `Could not add host ${host} to group ${group}`, err);
      continue;
    }
    if (member)
      groupChange(node, () => {
        inv.addGroup(group);
        inv.addChild(group, host);
      });
  }

  for (const keyed of config.keyedGroups) {
    let key: unknown;
    const available = config.useExtraVars ? { ...vars, ...extraVars } : vars;
    try {
      key = compose(keyed.key, vars);
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      strictFail(keyed.node, `Could not generate group for host ${host} from ${keyed.key} entry`, err);
      continue;
    }
    const hasDefault = keyed.has('default_value');
    if (!(pythonTruthy(key) || (key === '' && hasDefault))) {
      // An empty list or mapping names no group, which is no error even when strict.
      const emptyCollection = Array.isArray(key) ? key.length === 0 : isPlainObject(key);
      if (config.strict && !emptyCollection) fail(keyed.node, `No key or key resulted empty for ${keyed.key} in host ${host}, invalid entry`);
      continue;
    }
    let parent: string | undefined;
    if (pythonTruthy(keyed.parentGroup)) {
      try {
        parent = safeGroupName(pythonStr(renderValue(keyed.parentGroup, available)));
      } catch (err) {
        if (!(err instanceof HoundError)) throw err;
        strictFail(keyed.node, `Could not generate parent group ${pythonStr(keyed.parentGroup)} for group ${pythonStr(key)}`, err);
        continue;
      }
    }
    let separator = keyed.separator;
    const names: unknown[] = [];
    if (typeof key === 'string') names.push(key === '' && hasDefault ? keyed.defaultValue : key);
    else if (Array.isArray(key)) for (const item of key) names.push(item === '' && hasDefault ? keyed.defaultValue : item);
    else if (isPlainObject(key)) {
      for (const [name, value] of Object.entries(key)) {
        let bare = `${name}${pythonStr(separator)}${pythonStr(value)}`;
        if (value === '') {
          if (hasDefault) bare = `${name}${pythonStr(separator)}${pythonStr(keyed.defaultValue)}`;
          else if (keyed.trailingSeparator === false) bare = name;
        }
        names.push(bare);
      }
    } else {
      fail(
        keyed.node,
        `Invalid group name format, expected a string or a list of them or dictionary, got: <class '${pythonTypeName(key)}'>`,
        `the key \`${keyed.key}\` gave ${pythonStr(key)}; make it text, for example \`${keyed.key} | string\``,
      );
    }
    for (const bare of names) {
      if (keyed.prefix === '' && !config.leadingSeparator) separator = '';
      const group = safeGroupName(`${pythonStr(keyed.prefix)}${pythonStr(separator)}${pythonStr(bare)}`);
      groupChange(keyed.node, () => {
        inv.addGroup(group);
        inv.addHost(host, group);
        if (parent !== undefined) {
          inv.addGroup(parent);
          inv.addChild(parent, group);
        }
      });
    }
  }
}

/**
 * What constructed templates a host's expressions with (Ansible's get_all_host_vars): the
 * variables of the groups it is in so far, by depth, priority and name, then its own, then
 * inventory_hostname(_short) and group_names. Neither group_vars/ nor host_vars/ (those come
 * after the last source), nor `all`'s unless a parent puts the host under it before then.
 */
function hostVarsSoFar(inv: InventoryBuilder, host: string, varsDirs: InventoryVarsDir[]): Vars {
  // use_vars_plugins: each source's group_vars for the host's groups in the order it joined them, then its host_vars, after the inventory's own.
  const joined = inv.groupsOfHostSoFar(host);
  const memo = new Map<string, number>();
  const groups = sortGroupsBy(
    joined,
    (name) => inv.depthSoFar(name, memo),
    (name) => inv.groups.get(name)?.priority ?? 1,
  );
  const vars: Vars = {};
  for (const g of groups) assignVars(vars, inv.groups.get(g)?.vars);
  for (const d of varsDirs) for (const g of joined) assignVars(vars, d.groups.get(g));
  assignVars(vars, inv.hosts.get(host)?.vars);
  setVar(vars, 'inventory_hostname', host);
  setVar(vars, 'inventory_hostname_short', shortHostname(host));
  setVar(
    vars,
    'group_names',
    groups.filter((g) => g !== 'all').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  for (const d of varsDirs) assignVars(vars, d.hosts.get(host));
  return vars;
}

function safeGroupName(name: string): string {
  return name.replace(UNSAFE_GROUP_CHARS, '_');
}

function readConfig(y: YamlFile, warn: (message: string) => void): ConstructedConfig {
  const data = y.value as Map<unknown, unknown>;
  const top = y.doc.contents;
  const fail = (node: Node | undefined, message: string, hint: string): never => {
    throw new ParseError(CODE, `${y.file}: ${message}`, { position: nodePosition(y, node), hint });
  };
  for (const key of data.keys()) {
    if (!TOP_OPTIONS.includes(String(key)))
      warn(`${y.file}: the constructed plugin has no option '${keyString(key)}'; it is ignored, as ansible-inventory ignores it`);
  }
  const bool = (name: string, fallback: boolean): boolean => {
    if (!data.has(name) || data.get(name) === null) return fallback;
    const value = data.get(name);
    if (typeof value === 'boolean') return value;
    const word = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().toLowerCase() : undefined;
    if (word !== undefined && TRUE_WORDS.includes(word)) return true;
    if (word !== undefined && FALSE_WORDS.includes(word)) return false;
    return fail(valueNode(y.doc, top, name), `${name} must be true or false, got ${pythonStr(plainValue(value))}`, `write ${name}: true or ${name}: false`);
  };
  // A mapping option: `name: expression` pairs, each expression formatted as Ansible's '%s' does.
  const expressions = (name: 'compose' | 'groups'): ConstructedConfig['compose'] => {
    const node = valueNode(y.doc, top, name);
    const value = data.get(name);
    if (value === undefined || value === null) return [];
    if (!(value instanceof Map))
      fail(
        node,
        `${name} must be a mapping of names to Jinja2 expressions, got a ${pythonTypeName(plainValue(value))}`,
        `write it as a mapping, for example ${name}: {NAME: EXPRESSION}`,
      );
    const out: ConstructedConfig['compose'] = [];
    for (const [k, v] of value as Map<unknown, unknown>) {
      out.push({ name: keyString(k), expression: pythonStr(plainValue(v)), node: valueNode(y.doc, node, k) ?? keyNode(node, k) });
    }
    return out;
  };
  const keyedGroups = (): KeyedGroup[] => {
    const node = valueNode(y.doc, top, 'keyed_groups');
    const value = data.get('keyed_groups');
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value))
      fail(
        node,
        `keyed_groups must be a list of mappings, got a ${pythonTypeName(plainValue(value))}`,
        'write it as a list of mappings, for example keyed_groups: [{key: EXPRESSION, prefix: TEXT}]',
      );
    return (value as unknown[]).map((entry, index) => {
      const entryNode = isSeq(node) ? (node.items[index] as Node | undefined) : undefined;
      if (!(entry instanceof Map) || entry.size === 0)
        fail(
          entryNode,
          `Invalid keyed group entry, it must be a dictionary: ${pythonStr(plainValue(entry))}`,
          'each keyed_groups entry is a mapping with key: and optionally prefix:, separator:, parent_group:, default_value: or trailing_separator:',
        );
      const map = entry as Map<unknown, unknown>;
      for (const k of map.keys()) {
        if (!KEYED_OPTIONS.includes(String(k)))
          warn(`${y.file}: a keyed_groups entry has no option '${keyString(k)}'; it is ignored, as ansible-inventory ignores it`);
      }
      const has = (k: string): boolean => map.has(k) && map.get(k) !== null;
      if (has('default_value') && has('trailing_separator')) {
        fail(
          isMap(entryNode) ? keyNode(entryNode, 'trailing_separator') : entryNode,
          'parameters are mutually exclusive for keyed groups: default_value|trailing_separator',
          'keep one: default_value names the group of an empty value, trailing_separator: false drops the separator before it',
        );
      }
      const get = (k: string, fallback: unknown): unknown => (map.has(k) ? plainValue(map.get(k)) : fallback);
      return {
        node: entryNode,
        // Ansible formats the key into `{{ %s }}`: a missing key is None, which renders empty.
        key: pythonStr(get('key', null)),
        prefix: get('prefix', ''),
        separator: get('separator', '_'),
        parentGroup: get('parent_group', null),
        defaultValue: get('default_value', null),
        trailingSeparator: get('trailing_separator', null),
        has,
      };
    });
  };
  return {
    useVarsPlugins: bool('use_vars_plugins', false),
    strict: bool('strict', false),
    compose: expressions('compose'),
    groups: expressions('groups'),
    keyedGroups: keyedGroups(),
    leadingSeparator: bool('leading_separator', true),
    useExtraVars: bool('use_extra_vars', false),
  };
}
