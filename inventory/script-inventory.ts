// Inventory scripts, read as ansible-core's `script` inventory plugin reads them: an executable
// inventory source is run with `--list` and prints a JSON mapping of groups (each a list of
// hosts, or `hosts`/`vars`/`children`), with every host's variables under `_meta.hostvars`,
// or, without `_meta`, from one `--host NAME` run per host. Dynamic inventories (a CMDB, a
// cloud's own script, `terraform-inventory`) are such programs.
import { execFile } from 'node:child_process';
import { access, constants, open } from 'node:fs/promises';
import { ParseError } from '../base/errors.js';
import { pythonJsonLoads } from '../base/python-json.js';
import { isPlainObject, pythonRepr } from '../base/python-repr.js';
import { UnsafeText } from '../base/unsafe-text.js';
import { InventoryRuleError, type InventoryBuilder } from './builder.js';
import { MAX_YAML_BYTES } from './yaml-file.js';
import { openVaultValue, type VaultReading } from '../vault/vaulted-yaml.js';
import { forEachAtMost } from '../base/at-most.js';

/** How long one run of an inventory script may take (Ansible waits without end; a stuck script would hang the run). */
export const INVENTORY_SCRIPT_TIMEOUT_MS = 600_000;
/** `--host` runs at once, when the script gives no `_meta` (Ansible runs them one by one). */
const HOST_RUNS_AT_ONCE = 8;

/** What the start of an inventory source says about running it. */
export interface ScriptKind {
  /** Executable by this user, with a `#!` line or as an ELF program: the script plugin runs it. */
  runnable: boolean;
  /** Starts with `#!` but may not be run: it was meant as a script (chmod +x it). */
  notExecutable: boolean;
}

/**
 * Ansible's script plugin takes a file that is executable or starts with `#!`. An executable file
 * without either a `#!` line or an ELF header cannot be run (Python's exec fails with ENOEXEC
 * there, and Ansible goes on to the YAML and INI plugins): an INI inventory that is mode 755 by
 * chance is read as INI, never handed to a shell.
 */
export async function scriptKind(file: string): Promise<ScriptKind> {
  const head = Buffer.alloc(4);
  // One that cannot be opened is no script; reading it as text then says why (INVENTORY_UNREADABLE).
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return { runnable: false, notExecutable: false };
  let read: number;
  try {
    ({ bytesRead: read } = await handle.read(head, 0, 4, 0));
  } finally {
    await handle.close();
  }
  const shebang = read >= 2 && head[0] === 0x23 && head[1] === 0x21;
  const elf = read === 4 && head.toString('latin1') === '\x7fELF';
  const executable = await access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
  return { runnable: executable && (shebang || elf), notExecutable: shebang && !executable };
}

export function notExecutableError(file: string): ParseError {
  return new ParseError('INVENTORY_SCRIPT_NOT_EXECUTABLE', `${file} starts with #! but is not executable, so it cannot be run as an inventory script`, {
    position: { file, line: 1, column: 1 },
    hint: `make it executable (chmod +x ${file}), or give -i an INI or YAML inventory`,
  });
}

function scriptError(file: string, message: string, hint?: string): ParseError {
  return new ParseError('INVENTORY_SCRIPT', message, { position: { file, line: 1, column: 1 }, ...(hint ? { hint } : {}) });
}

/** One run of the script: its standard output as text, and its standard error. */
function runScript(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { encoding: 'buffer', maxBuffer: MAX_YAML_BYTES, timeout: INVENTORY_SCRIPT_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (err, out, errOut) => {
        const stderr = errOut.toString('utf8');
        if (err) {
          if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
            return reject(scriptError(file, `${command} printed more than ${MAX_YAML_BYTES / 1024 / 1024} MiB`, 'an inventory that large is refused'));
          if (err.killed && err.signal === 'SIGKILL')
            return reject(
              scriptError(
                file,
                `${command} did not finish within ${INVENTORY_SCRIPT_TIMEOUT_MS / 1000} s and was stopped`,
                'make the script answer faster (cache what it looks up)',
              ),
            );
          if (typeof err.code === 'string') return reject(scriptError(file, `problem running ${command} (${err.message})`));
          // Ansible's words.
          const status = typeof err.code === 'number' ? `exit status ${err.code}` : `signal ${err.signal}`;
          return reject(
            scriptError(
              file,
              `Inventory script (${file}) had an execution error (${status}): ${stderr.trim() || '(nothing on stderr)'}`,
              'run the script by hand with --list to see why',
            ),
          );
        }
        let stdout: string;
        try {
          stdout = new TextDecoder('utf-8', { fatal: true }).decode(out);
        } catch {
          return reject(scriptError(file, `Inventory ${file} contained characters that cannot be interpreted as UTF-8`));
        }
        resolve({ stdout, stderr });
      },
    );
    // hound gives a script no input: one that reads its stdin sees the end at once, instead of
    // waiting on a terminal or on a pipe that is never closed (a test runner's).
    child.stdin?.end();
  });
}

/**
 * The script's JSON as Ansible's loader reads it (json.loads with its decoder): a float keeps
 * its kind, `{"__ansible_unsafe": …}` is text that is never rendered, `{"__ansible_vault": …}` is
 * a vaulted value (opened as the inventory's files are).
 */
function readJson(file: string, text: string, what: string, vault: VaultReading | undefined): unknown {
  let value: unknown;
  try {
    value = pythonJsonLoads(text);
  } catch (err) {
    throw scriptError(
      file,
      `failed to parse executable inventory script results from ${what}: ${(err as Error).message}`,
      'the script must print one JSON object',
    );
  }
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (!isPlainObject(v)) return v;
    if (Object.hasOwn(v, '__ansible_vault')) return openVaultValue(String(v.__ansible_vault), vault, file);
    if (Object.hasOwn(v, '__ansible_unsafe')) return typeof v.__ansible_unsafe === 'string' ? new UnsafeText(v.__ansible_unsafe) : v.__ansible_unsafe;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: decode(item), enumerable: true, writable: true, configurable: true });
      else out[k] = decode(item);
    }
    return out;
  };
  return decode(value);
}

/** Runs `file --list` (and `--host NAME` where needed) and adds what it prints to `inv`, as the script plugin does. */
export async function parseInventoryScript(file: string, inv: InventoryBuilder, vault?: VaultReading): Promise<void> {
  const { stdout, stderr } = await runScript(file, ['--list']);
  const data = readJson(file, stdout, file, vault);
  // Ansible prints a successful script's stderr too (always_show_stderr).
  if (stderr.trim() !== '') inv.warn(`${file} --list wrote on stderr: ${stderr.trim()}`);
  if (!isPlainObject(data)) throw scriptError(file, `failed to parse executable inventory script results from ${file}: needs to be a json dict`);
  const rule = (work: () => void) => {
    try {
      work();
    } catch (err) {
      if (err instanceof InventoryRuleError) throw scriptError(file, err.message, err.hint);
      throw err;
    }
  };
  const hosts = new Set<string>();
  let hostvars: unknown;
  for (const [group, groupData] of Object.entries(data)) {
    if (group === '_meta') {
      if (isPlainObject(groupData) && Object.hasOwn(groupData, 'hostvars')) hostvars = groupData.hostvars;
      continue;
    }
    rule(() => addGroup(file, inv, group, groupData, hosts));
  }
  const varsOf = async (host: string): Promise<unknown> => {
    // As the script plugin: `"hostvars": null` is no hostvars (one --host run per host).
    if (hostvars === undefined || hostvars === null) return hostVarsFromHostRun(file, host, vault);
    if (!isPlainObject(hostvars)) throw scriptError(file, `Improperly formatted host information for ${host}: _meta.hostvars is not a mapping`);
    // A host missing from it has no variables; one listed as null is refused below, as Ansible refuses it.
    return Object.hasOwn(hostvars, host) ? hostvars[host] : {};
  };
  const names = [...hosts];
  const found: unknown[] = new Array(names.length);
  // Without _meta, one --host run per host, a few at once.
  await forEachAtMost(names, HOST_RUNS_AT_ONCE, async (host, index) => {
    found[index] = await varsOf(host);
  });
  names.forEach((host, index) => {
    const vars = found[index];
    if (!isPlainObject(vars))
      throw scriptError(
        file,
        `Invalid data from file, expected dictionary and got: ${pythonRepr(vars)} (the variables of ${host})`,
        'give every host a mapping of its variables, {} for none',
      );
    rule(() => {
      for (const [key, value] of Object.entries(vars)) inv.setVariable(host, key, value);
    });
  });
}

/** The script plugin's _parse_group. */
function addGroup(file: string, inv: InventoryBuilder, name: string, given: unknown, hosts: Set<string>): void {
  inv.addGroup(name);
  let data: Record<string, unknown>;
  if (!isPlainObject(given)) data = { hosts: given };
  // A mapping with none of the three keys is the old form of one host and its variables.
  else if (!['hosts', 'vars', 'children'].some((k) => Object.hasOwn(given, k))) data = { hosts: [name], vars: given };
  else data = given;
  if (Object.hasOwn(data, 'hosts')) {
    if (!Array.isArray(data.hosts)) throw scriptError(file, `You defined a group '${name}' with bad data for the host list:\n ${pythonRepr(data)}`);
    for (const host of data.hosts) {
      if (typeof host !== 'string') throw scriptError(file, `group '${name}' lists a host that is not a name: ${pythonRepr(host)}`);
      hosts.add(host);
      inv.addHost(host, name);
    }
  }
  if (Object.hasOwn(data, 'vars')) {
    if (!isPlainObject(data.vars)) throw scriptError(file, `You defined a group '${name}' with bad data for variables:\n ${pythonRepr(data)}`);
    for (const [key, value] of Object.entries(data.vars)) inv.setVariable(name, key, value);
  }
  if (Object.hasOwn(data, 'children')) {
    // Python iterates what it is given: a list's items, a dict's keys, a string's characters.
    const given = data.children;
    const children = Array.isArray(given) ? given : isPlainObject(given) ? Object.keys(given) : typeof given === 'string' ? [...given] : undefined;
    if (children === undefined) throw scriptError(file, `You defined a group '${name}' with bad data for its children:\n ${pythonRepr(data)}`);
    for (const child of children) {
      inv.addGroup(String(child));
      inv.addChild(name, String(child));
    }
  }
}

/**
 * `file --host NAME`: that host's variables. Empty output fails, as it does in ansible-core 2.14
 * (its test for empty output compares bytes with text, so it never holds).
 */
async function hostVarsFromHostRun(file: string, host: string, vault: VaultReading | undefined): Promise<unknown> {
  const { stdout } = await runScript(file, ['--host', host]);
  if (stdout.trim() === '')
    throw scriptError(
      file,
      `${file} --host ${host} printed nothing: Invalid data from file, expected dictionary and got: None`,
      'print {} for a host without variables',
    );
  return readJson(file, stdout, `${file} --host ${host}`, vault);
}
