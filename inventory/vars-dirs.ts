// group_vars/ and host_vars/ beside an inventory source, found as Ansible's host_group_vars
// plugin finds them: for entity NAME the first of NAME, NAME.yml, NAME.yaml, NAME.json that
// exists; a directory is read whole (sorted, recursively, hidden files and `~` backups skipped).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, ParseError } from '../base/errors.js';
import { readInputText } from '../base/input-file.js';
import type { InventoryVarsDir, Vars } from './model.js';
import { assignVars } from './vars-object.js';
import { MAX_YAML_BYTES, plainValue, readYaml } from './yaml-file.js';
import type { VaultReading } from '../vault/vaulted-yaml.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

async function listDir(dir: string): Promise<Set<string> | null> {
  try {
    return new Set(await readdir(dir));
  } catch {
    return null;
  }
}

async function kindOf(p: string): Promise<'dir' | 'file' | 'missing'> {
  const st = await stat(p).catch(() => null);
  return st === null ? 'missing' : st.isDirectory() ? 'dir' : 'file';
}

/** A directory of an inventory (or its group_vars/host_vars) that cannot be listed. */
export function unreadableDirectory(dir: string, err: unknown): ParseError {
  const code = (err as NodeJS.ErrnoException).code;
  return new ParseError(
    'INVENTORY_UNREADABLE',
    `the inventory directory ${dir} cannot be read: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? String(err))}`,
    {
      position: { file: dir, line: 1, column: 1 },
      hint: 'check its permissions, or give -i the files you mean',
    },
  );
}

async function filesOfVarsDir(dir: string): Promise<string[]> {
  const found: string[] = [];
  const names = [
    ...(await readdir(dir).catch((err: unknown) => {
      throw unreadableDirectory(dir, err);
    })),
  ].sort();
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const full = path.join(dir, name);
    const ext = path.extname(name);
    const st = await stat(full).catch(() => null);
    if (!st) continue;
    if (st.isDirectory() && !ext) found.push(...(await filesOfVarsDir(full)));
    // A FIFO or a device with a vars file's name is read too, so the reader refuses it by name
    // instead of its variables vanishing (Ansible would block on the FIFO).
    else if (!st.isDirectory() && EXTENSIONS.includes(ext)) found.push(full);
  }
  return found;
}

/** The files holding the variables of entity `name` in `dir` (group_vars/ or host_vars/), in merge order. */
async function varsFilesFor(dir: string, listing: Set<string>, name: string): Promise<string[]> {
  for (const ext of EXTENSIONS) {
    if (!listing.has(name + ext)) continue;
    const full = path.join(dir, name + ext);
    const kind = await kindOf(full);
    // A dangling link holds no variables, as for Ansible; a FIFO or a device is handed to the
    // reader, which refuses it naming the file.
    return kind === 'dir' ? filesOfVarsDir(full) : kind === 'file' ? [full] : [];
  }
  return [];
}

async function loadVarsFile(file: string, vault: VaultReading | undefined, warn: (m: string) => void): Promise<Vars | null> {
  const text = await readInputText(file, {
    what: 'vars file',
    maxBytes: MAX_YAML_BYTES,
    position: { file, line: 1, column: 1 },
    codes: { 'too-large': 'YAML_TOO_LARGE', unreadable: 'INVENTORY_UNREADABLE', 'not-regular': 'INVENTORY_NOT_A_FILE' },
    exitCode: EXIT.PARSE,
  });
  const y = readYaml(file, text, vault);
  for (const warning of y.warnings) warn(warning);
  const v = y.value;
  // Ansible ignores empty files.
  if (v === null || v === undefined || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0)) return null;
  if (!(v instanceof Map)) {
    throw new ParseError('VARS_FILE_NOT_MAPPING', `${file} must hold a mapping of variable names to values`, {
      position: { file, line: 1, column: 1, sourceLine: text.split(/\r?\n/)[0] },
      hint: 'write it as `name: value` lines',
    });
  }
  return plainValue(v) as Vars;
}

async function loadEntities(dir: string, names: Iterable<string>, warn: (m: string) => void, subdir: string, vault?: VaultReading): Promise<Map<string, Vars>> {
  const out = new Map<string, Vars>();
  const full = path.join(dir, subdir);
  const listing = await listDir(full);
  if (!listing) {
    if (
      await stat(full).then(
        () => true,
        () => false,
      )
    )
      warn(`Found ${subdir} that is not a directory, skipping: ${full}`);
    return out;
  }
  // Only names with a file are read; their files are read concurrently, merged in order.
  const wanted = [...names].filter((name) => !name.startsWith(path.sep) && EXTENSIONS.some((ext) => listing.has(name + ext)));
  const loaded = await Promise.all(
    wanted.map(async (name) => {
      const files = await varsFilesFor(full, listing, name);
      const datas = await Promise.all(files.map((f) => loadVarsFile(f, vault, warn)));
      let merged: Vars | null = null;
      for (const data of datas) {
        if (!data) continue;
        merged ??= {};
        assignVars(merged, data);
      }
      return [name, merged] as const;
    }),
  );
  for (const [name, merged] of loaded) if (merged) out.set(name, merged);
  return out;
}

/** Reads group_vars/ and host_vars/ in `dir` for the given groups and hosts (vault-encrypted files and values opened with `vault`). */
export async function loadVarsDir(
  dir: string,
  groups: Iterable<string>,
  hosts: Iterable<string>,
  warn: (m: string) => void,
  vault?: VaultReading,
): Promise<InventoryVarsDir> {
  return {
    dir,
    groups: await loadEntities(dir, groups, warn, 'group_vars', vault),
    hosts: await loadEntities(dir, hosts, warn, 'host_vars', vault),
  };
}
