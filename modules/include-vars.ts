// `include_vars`: variables from a YAML/JSON file, or every such file of a folder, on the
// controller, found as Ansible finds them (a role's `vars/`, the task file's folder, the
// playbook's), set for the rest of the run above task vars (docs/variables.md). The
// registered value is Ansible's: `ansible_facts` and `ansible_included_var_files`. When the
// file name is literal, the loader reads it before the run too (readIncludedVars), so later
// tasks, loops included, are compiled with its values.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HoundError } from '../base/errors.js';
import { isFile } from '../base/file-kind.js';
import { plainValue, readYaml } from '../inventory/yaml-file.js';
import { includeVarsModule } from './schemas.js';
import { ModuleFailure, controllerModule } from './implementation.js';

type Vars = Record<string, unknown>;

export interface IncludeVarsArgs {
  file?: string;
  dir?: string;
  name?: string;
  depth?: number;
  files_matching?: string;
  ignore_files?: string[];
  extensions?: string[];
  ignore_unknown_extensions?: boolean;
  hash_behaviour?: 'replace';
}

/** Where a relative vars file is looked for: in each search dir, its `vars/` then itself (Ansible's _find_needle('vars', …)). */
export function varsFileCandidates(file: string, searchDirs: readonly string[]): string[] {
  if (path.isAbsolute(file)) return [file];
  return searchDirs.flatMap((dir) => [path.join(dir, 'vars', file), path.join(dir, file)]);
}

/** The vars file `file` names, or a failure listing where it was looked for, as Ansible's message does. */
export function findVarsFile(file: string, searchDirs: readonly string[]): string {
  const candidates = varsFileCandidates(file, searchDirs);
  const found = candidates.find((c) => isFile(c));
  if (found) return found;
  throw new ModuleFailure(`Could not find or access '${file}'\nSearched in:\n${candidates.map((c) => `\t${c}`).join('\n')}`);
}

/** One vars file's variables: a mapping (empty for an empty file), or a failure saying it is not one. */
export function readVarsFile(file: string): Vars {
  let data: unknown;
  try {
    data = plainValue(readYaml(file, readFileSync(file, 'utf8')).value);
  } catch (err) {
    if (err instanceof HoundError)
      throw new ModuleFailure(err.position ? `${err.position.file}:${err.position.line}:${err.position.column}: ${err.message}` : err.message);
    throw new ModuleFailure(`Could not read ${file}: ${(err as Error).message}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ModuleFailure(`${file} must be stored as a dictionary/hash`);
  return data as Vars;
}

/** The folder a relative `dir` names: under the role's `vars/`, else beside the task's file (Ansible's _set_root_dir). */
function varsDir(dir: string, searchDirs: readonly string[], roleDir: string | undefined): string {
  if (path.isAbsolute(dir)) return dir;
  if (roleDir !== undefined) {
    const inRole = dir.split('/')[0] === 'vars' ? path.join(roleDir, dir) : path.join(roleDir, 'vars', dir);
    return existsSync(inRole) || dir.split('/')[0] !== 'vars' ? inRole : path.join(roleDir, 'vars', dir);
  }
  return path.join(searchDirs[0] ?? '.', dir);
}

/** Every file of `root` (depth 0: all levels), folder by folder in sorted order, each folder's files sorted, as Ansible walks them. */
function walk(root: string, depth: number): { dir: string; files: string[] }[] {
  const out: { dir: string; files: string[] }[] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    out.push({ dir, files: entries.filter((e) => !e.isDirectory()).map((e) => e.name) });
    for (const e of entries.filter((x) => x.isDirectory())) visit(path.join(dir, e.name));
  };
  visit(root);
  out.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return (depth === 0 ? out : out.slice(0, depth)).map((d) => ({ dir: d.dir, files: [...d.files].sort() }));
}

export interface IncludedVars {
  vars: Vars;
  files: string[];
}

/** What include_vars sets, read from the controller's files. `roleDir`: the role the task belongs to (searchDirs[0] then). */
export function readIncludedVars(args: IncludeVarsArgs, searchDirs: readonly string[], roleDir?: string): IncludedVars {
  const files: string[] = [];
  let vars: Vars = {};
  if (args.dir !== undefined) {
    const root = varsDir(args.dir, searchDirs, roleDir);
    if (!existsSync(root)) throw new ModuleFailure(`${root} directory does not exist`);
    if (!statSync(root).isDirectory()) throw new ModuleFailure(`${root} is not a directory`);
    const extensions = args.extensions ?? ['yaml', 'yml', 'json'];
    const matching = args.files_matching !== undefined ? new RegExp(args.files_matching) : undefined;
    const ignored = (name: string) => (args.ignore_files ?? []).some((pattern) => new RegExp(`${pattern}$`).test(name));
    for (const { dir, files: names } of walk(root, args.depth ?? 0)) {
      for (const name of names) {
        const file = path.join(dir, name);
        if (roleDir !== undefined && file === path.join(roleDir, 'vars', 'main.yml')) continue;
        if (matching && !matching.test(name)) continue;
        if (ignored(name)) continue;
        const validExtension = extensions.includes(path.extname(name).slice(1));
        if (!validExtension) {
          if (args.ignore_unknown_extensions) continue;
          throw new ModuleFailure(`${file} does not have a valid extension: ${extensions.join(', ')}`);
        }
        vars = { ...vars, ...readVarsFile(file) };
        files.push(file);
      }
    }
  } else {
    const file = findVarsFile(args.file!.replace(/\n+$/, ''), searchDirs);
    vars = readVarsFile(file);
    files.push(file);
  }
  return { vars: args.name !== undefined ? { [args.name]: vars } : vars, files };
}

export const includeVars = controllerModule<IncludeVarsArgs>(includeVarsModule, async (args, ctx) => {
  if (args.file === undefined && args.dir === undefined) throw new ModuleFailure('include_vars needs a file (or its free form) or a dir');
  let included: IncludedVars;
  try {
    included = readIncludedVars(args, ctx.searchDirs, ctx.roleDir);
  } catch (err) {
    // Ansible's include_vars reports its failures under `message`.
    if (err instanceof ModuleFailure) throw new ModuleFailure(err.message, { message: err.message });
    throw err;
  }
  return {
    status: 'ok',
    msg: `read ${included.files.join(', ')}`,
    bytes: 0,
    data: { ansible_facts: included.vars, ansible_included_var_files: included.files },
    facts: included.vars,
  };
});
