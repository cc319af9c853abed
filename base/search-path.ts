// Where Ansible looks for a controller file a task names relatively (copy's and template's src,
// the file, template, first_found and fileglob lookups): each folder of the task's search path
// (`ansible_search_path`: the role's folder, the task file's folder, the playbook's), first
// with the kind's subfolder (files/, templates/, vars/), then the playbook's folder last
// (DataLoader.path_dwim_relative_stack in ansible-core 2.14).
import os from 'node:os';
import path from 'node:path';
import { statSync } from 'node:fs';

/** The paths tried, in order, for `needle` in `subdir` over `searchPath`, then `basedir`. */
export function searchPathCandidates(needle: string, subdir: string, searchPath: readonly string[], basedir?: string): string[] {
  if (needle.startsWith('~')) return [path.join(os.homedir(), needle.slice(1))];
  if (path.isAbsolute(needle)) return [needle];
  // A needle that already starts with the subfolder (`files/x`) is not given it twice.
  const withSubdir = needle.split('/')[0] !== subdir;
  const out = [...searchPath, ...(basedir === undefined ? [] : [basedir])].flatMap((dir) => [
    ...(withSubdir ? [path.join(dir, subdir, needle)] : []),
    path.join(dir, needle),
  ]);
  return [...new Set(out)];
}

/** The first candidate that exists (a file or a folder), or undefined. */
export function findInSearchPath(needle: string, subdir: string, searchPath: readonly string[], basedir?: string): string | undefined {
  return searchPathCandidates(needle, subdir, searchPath, basedir).find((candidate) => {
    try {
      statSync(candidate);
      return true;
    } catch {
      return false;
    }
  });
}
