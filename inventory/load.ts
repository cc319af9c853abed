// Loading the inventory from the -i sources, as ansible-core's InventoryManager does: each
// source is a file (run when it is an inventory script, else tried as YAML, then INI), a
// directory (every inventory file in it, sorted, skipping what Ansible skips), or a
// comma-separated host list; then orphans are reconciled and group_vars/host_vars beside each
// source are read.
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, OptionsError, ParseError } from '../base/errors.js';
import { readInputText } from '../base/input-file.js';
import { registerSecret, registerSecretVariables } from '../base/secrets.js';
import { InventoryBuilder, InventoryRuleError } from './builder.js';
import { parseAddress } from './host-range.js';
import { parseIniInventory } from './ini.js';
import { parseTomlInventory } from './toml-inventory.js';
import { notExecutableError, parseInventoryScript, scriptKind } from './script-inventory.js';
import type { Inventory, InventoryVarsDir } from './model.js';
import { loadVarsDir, unreadableDirectory } from './vars-dirs.js';
import { MAX_YAML_BYTES, readYaml, type YamlFile } from './yaml-file.js';
import { parseYamlInventory } from './yaml-inventory.js';
import { openVaultedText, revealValues, type VaultReading } from '../vault/vaulted-yaml.js';

export const DEFAULT_INVENTORY = '/etc/ansible/hosts';

// Ansible's IGNORED_ALWAYS + INVENTORY_IGNORE_EXTS (note: `.ini` files inside a directory are skipped).
const IGNORED_IN_DIRECTORY = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;
const YAML_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export interface LoadOptions {
  /** Called for each warning as it is met (they are also kept in `inventory.warnings`). */
  warn?: (message: string) => void;
  /** How vault-encrypted inventory files, group_vars and host_vars, and `!vault` values are opened. */
  vault?: VaultReading;
  /** Inventory plugins a YAML source may name in `plugin:` (Ansible's auto plugin), given by rooms above this one. */
  plugins?: InventoryPlugins;
}

/**
 * Runs one plugin config over the inventory read so far, as ansible-inventory runs the plugin a
 * `.yml`/`.yaml` source names. `constructed` needs templating, which lives above this room.
 */
export type InventoryPlugin = (config: YamlFile, inv: InventoryBuilder, context: PluginContext) => void | Promise<void>;

export interface PluginContext {
  vault?: VaultReading;
  /** The files read before this one (Ansible's processed_sources): their folders' group_vars/ and host_vars/ are what use_vars_plugins reads. */
  sourcesBefore: string[];
  warn: (message: string) => void;
}

/** The plugins by every name `plugin:` may give them (`constructed`, `ansible.builtin.constructed`). */
export type InventoryPlugins = ReadonlyMap<string, InventoryPlugin>;

interface ReadContext {
  vault?: VaultReading;
  plugins?: InventoryPlugins;
}

/** Reads and merges the inventory sources (the -i values). */
export async function loadInventory(sources: string[], options: LoadOptions = {}): Promise<Inventory> {
  const inv = new InventoryBuilder();
  let list = sources;
  if (list.length === 0) {
    if (existsSync(DEFAULT_INVENTORY)) list = [DEFAULT_INVENTORY];
    else inv.warn('No inventory was parsed, only implicit localhost is available');
  }
  const varsDirs: string[] = [];
  for (const source of list) {
    if (source.includes(',') && !existsSync(source)) {
      parseHostList(source, inv);
      continue;
    }
    const full = path.resolve(source);
    const st = await stat(full).catch(() => null);
    if (!st) {
      throw new OptionsError('INVENTORY_NOT_FOUND', `inventory source ${source} does not exist`, {
        hint: 'give -i an inventory file, a directory of them, or a comma-separated host list ending in a comma',
      });
    }
    if (st.isDirectory()) {
      await parseDirectory(full, inv, options);
      varsDirs.push(full);
    } else {
      inv.sources.push(full);
      await parseFile(full, inv, options);
      varsDirs.push(path.dirname(full));
    }
  }
  inv.reconcile();
  const cache = new Map<string, Promise<InventoryVarsDir>>();
  for (const dir of varsDirs) {
    let loaded = cache.get(dir);
    if (!loaded) {
      loaded = loadVarsDir(dir, inv.groups.keys(), inv.hosts.keys(), (m) => inv.warn(m), options.vault);
      cache.set(dir, loaded);
    }
    // The same directory twice (two files beside each other) is read once but merged at each place.
    inv.varsDirs.push(await loaded);
  }
  const built = inv.build();
  registerInventorySecrets(built);
  if (options.warn) for (const w of built.warnings ?? []) options.warn(w);
  return built;
}

/**
 * The inventory with the group_vars/ and host_vars/ beside a playbook (Ansible's "playbook
 * group_vars", read from the playbook's folder, or ansible-inventory's --playbook-dir, the
 * working folder by default), which merge above the inventory's own at each level: all, the
 * groups, the host. The same inventory when the folder holds neither, or is already one of the
 * inventory's own (read again there, they would change nothing).
 */
export async function withPlaybookVarsDir(
  inv: Inventory,
  dir: string,
  options: Pick<LoadOptions, 'warn' | 'vault'> & Pick<InventoryVarsDir, 'onlyInHostVars'> = {},
): Promise<Inventory> {
  const full = path.resolve(dir);
  if ((inv.varsDirs ?? []).some((d) => d.dir === full)) return inv;
  const warnings = [...(inv.warnings ?? [])];
  const warn = (message: string) => {
    if (warnings.includes(message)) return;
    warnings.push(message);
    options.warn?.(message);
  };
  const loaded = await loadVarsDir(full, inv.groups.keys(), inv.hosts.keys(), warn, options.vault);
  if (loaded.groups.size === 0 && loaded.hosts.size === 0) return inv;
  if (options.onlyInHostVars) loaded.onlyInHostVars = true;
  registerVarsDirSecrets(loaded);
  return { ...inv, varsDirs: [...(inv.varsDirs ?? []), loaded], warnings };
}

/** ansible_password, ansible_become_pass and every other secret-named variable, masked in all output from now on. */
function registerInventorySecrets(inv: Inventory): void {
  for (const group of inv.groups.values()) registerSecretVariables(group.vars);
  for (const host of inv.hosts.values()) registerSecretVariables(host.vars);
  for (const dir of inv.varsDirs ?? []) registerVarsDirSecrets(dir);
}

function registerVarsDirSecrets(dir: InventoryVarsDir): void {
  for (const vars of dir.groups.values()) registerSecretVariables(vars);
  for (const vars of dir.hosts.values()) registerSecretVariables(vars);
}

/** `-i 'web1,web2:2222,'`: Ansible's host_list plugin. */
function parseHostList(source: string, inv: InventoryBuilder): void {
  for (const raw of source.split(',')) {
    const h = raw.trim();
    if (!h) continue;
    const parsed = parseAddress(h);
    const usable = parsed && !parsed.host.includes('[') ? parsed : { host: h, port: null };
    inv.addHost(usable.host, 'ungrouped', usable.port);
  }
}

async function parseDirectory(dir: string, inv: InventoryBuilder, context: ReadContext, visited = new Set<string>()): Promise<void> {
  // A symlink pointing back up the tree would otherwise be read forever.
  const real = await realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);
  const names = (
    await readdir(dir).catch((err: unknown) => {
      throw unreadableDirectory(dir, err);
    })
  ).sort();
  for (const name of names) {
    if (IGNORED_IN_DIRECTORY.test(name)) continue;
    const full = path.join(dir, name);
    const st = await stat(full).catch(() => null);
    if (!st) continue;
    if (st.isDirectory()) await parseDirectory(full, inv, context, visited);
    else {
      inv.sources.push(full);
      await parseFile(full, inv, context);
    }
  }
}

/** One inventory file: the yaml plugin first where the extension allows it, then the ini plugin. */
async function parseFile(file: string, inv: InventoryBuilder, context: ReadContext): Promise<void> {
  inv.currentSource = file;
  try {
    await parseFileContent(file, inv, context);
  } finally {
    inv.currentSource = undefined;
  }
}

async function parseFileContent(file: string, inv: InventoryBuilder, context: ReadContext): Promise<void> {
  const { vault } = context;
  // An inventory script is run, never read (its start is read only from a regular file: a FIFO would hang).
  const kind = (await stat(file).catch(() => null))?.isFile() ? await scriptKind(file) : undefined;
  if (kind?.runnable) return parseInventoryScript(file, inv, vault);
  // A `#!` file meant to run: Ansible, failing to run it, reads it as INI (a Python script's
  // lines become hosts) without a word unless that fails too.
  if (kind?.notExecutable) throw notExecutableError(file);
  await parseTextInventory(file, inv, context);
}

async function parseTextInventory(file: string, inv: InventoryBuilder, { vault, plugins }: ReadContext): Promise<void> {
  // Only regular files: a FIFO or a device (-i /dev/stdin, /dev/zero) would hang or never end.
  let text = await readInputText(file, {
    what: 'inventory file',
    maxBytes: MAX_YAML_BYTES,
    strict: true,
    position: { file, line: 1, column: 1 },
    codes: { 'not-regular': 'INVENTORY_NOT_A_FILE', 'too-large': 'INVENTORY_TOO_LARGE', encoding: 'INVENTORY_ENCODING', unreadable: 'INVENTORY_UNREADABLE' },
    exitCode: EXIT.PARSE,
    hint: 'give -i an inventory file, a directory of them, or a comma-separated host list',
  });
  // A vault-encrypted inventory (YAML or INI) is read as its plaintext.
  const opened = openVaultedText(file, text, vault);
  text = opened.text;
  const ext = path.extname(file);
  if (ext === '.toml') {
    // Ansible's ini plugin comes before its toml plugin: a .toml file is tried as INI first, and
    // what the INI reader added before it failed stays (ansible-inventory lists `[all.vars]` as a group).
    try {
      parseIniInventory(file, text, inv);
      return;
    } catch (err) {
      // Any failure of the INI reader (a broken rule too) passes the file on, as Ansible's plugin loop does.
      const failure = wrapRule(err, file);
      if (!(failure instanceof ParseError)) throw failure;
    }
    const data = parseTomlInventory(file, text, inv);
    if (opened.vaulted) revealValues(data);
    return;
  }
  let yamlFailure: ParseError | undefined;
  let yamlWasMapping = false;
  let plugin: InventoryPlugin | undefined;
  if (YAML_EXTENSIONS.includes(ext)) {
    let y: YamlFile | undefined;
    try {
      y = readYaml(file, text, vault);
      yamlWasMapping = y.value instanceof Map;
      // Ansible's auto plugin, tried before the yaml plugin: a .yml/.yaml source naming its plugin.
      plugin = ext === '.yml' || ext === '.yaml' ? pluginOf(y, plugins) : undefined;
      if (!plugin) parseYamlInventory(y, inv);
      for (const warning of y.warnings) inv.warn(warning);
      if (opened.vaulted) revealValues(y.value);
    } catch (err) {
      if (!(err instanceof ParseError)) throw wrapRule(err, file);
      // A refused bomb or oversized file is final: the INI reader would only waste effort on it.
      if (['YAML_TOO_LARGE', 'YAML_TOO_DEEP', 'YAML_ALIASES', 'YAML_ALIAS_CYCLE'].includes(err.code)) throw err;
      yamlFailure = err;
    }
    // Outside the try: the plugin's own errors are final, not a reason to try the INI reader.
    if (plugin && y) return plugin(y, inv, { vault, sourcesBefore: inv.sources.slice(0, inv.sources.lastIndexOf(file)), warn: (m) => inv.warn(m) });
    if (y && !yamlFailure) return;
  }
  try {
    parseIniInventory(file, text, inv);
    if (opened.vaulted) revealIniValues(text);
  } catch (err) {
    if (!(err instanceof ParseError)) throw wrapRule(err, file);
    const explicitYaml = ext === '.yml' || ext === '.yaml' || ext === '.json';
    if (yamlFailure && (explicitYaml || yamlWasMapping)) throw yamlFailure;
    throw err;
  }
}

function pluginOf(y: YamlFile, plugins: InventoryPlugins | undefined): InventoryPlugin | undefined {
  if (!(y.value instanceof Map)) return undefined;
  const name: unknown = (y.value as Map<unknown, unknown>).get('plugin');
  return typeof name === 'string' ? plugins?.get(name) : undefined;
}

/** The values of a vault-encrypted INI inventory (`key=value` and `key = value`), recorded as secrets; a YAML one is walked by readYaml. */
function revealIniValues(text: string): void {
  for (const match of text.matchAll(/[\w.-]+\s*=\s*("[^"]*"|'[^']*'|\S+)/g)) registerSecret(match[1].replace(/^(["'])(.*)\1$/, '$2'));
}

function wrapRule(err: unknown, file: string): unknown {
  if (err instanceof InventoryRuleError) {
    return new ParseError('INVENTORY_STRUCTURE', err.message, { position: { file, line: 1, column: 1 } });
  }
  return err;
}
