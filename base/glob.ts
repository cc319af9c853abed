// Python's glob (3.11, not recursive: `**` is `*`), as Ansible's fileglob filter calls
// glob.glob, and its one-folder step glob1, which the fileglob lookup runs in each folder of
// its search path. A name starting with `.` matches only a pattern starting with `.`; names
// come in the order the file system lists them (os.scandir's), and paths are joined as
// os.path.join joins them (nothing normalised: `./x/*` gives `./x/a`).
import { lstatSync, opendirSync } from 'node:fs';
import path from 'node:path';
import { isDirectory } from './file-kind.js';
import { globToRegExp } from './fnmatch.js';

const MAGIC = /[*?[]/;

/** A folder's entry names in the order the file system lists them (`dirsOnly`: the folders, links followed); unreadable, none. */
export function folderEntries(dir: string, dirsOnly = false): string[] {
  const names: string[] = [];
  const folder = dir === '' ? '.' : dir;
  try {
    const handle = opendirSync(folder);
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (!dirsOnly || entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path.join(folder, entry.name)))) names.push(entry.name);
      }
    } finally {
      handle.closeSync();
    }
  } catch {
    return names;
  }
  return names;
}

/** glob1: the names in `dir` that `pattern` (fnmatch) matches; hidden ones only for a pattern starting with `.`. */
export function globInFolder(dir: string, pattern: string, dirsOnly = false): string[] {
  const matcher = globToRegExp(pattern);
  return folderEntries(dir, dirsOnly).filter((name) => (pattern.startsWith('.') || !name.startsWith('.')) && matcher.test(name));
}

/** Python's glob.glob(pattern) (relative to the working folder), not recursive. */
export function pythonGlob(pattern: string): string[] {
  return iglob(pattern, false);
}

function iglob(pathname: string, dirsOnly: boolean): string[] {
  const [dirname, basename] = split(pathname);
  if (!MAGIC.test(pathname)) {
    if (basename) return lexists(pathname) ? [pathname] : [];
    return isDirectory(dirname) ? [pathname] : [];
  }
  if (!dirname) return globInFolder('', basename, dirsOnly);
  const dirs = dirname !== pathname && MAGIC.test(dirname) ? iglob(dirname, true) : [dirname];
  const out: string[] = [];
  for (const dir of dirs) {
    const names = MAGIC.test(basename) ? globInFolder(dir, basename, dirsOnly) : glob0(dir, basename);
    for (const name of names) out.push(join(dir, name));
  }
  return out;
}

/** glob0: a literal name in `dir`, when it exists (an empty one: `dir` itself, when a folder). */
function glob0(dir: string, basename: string): string[] {
  if (basename) return lexists(join(dir, basename)) ? [basename] : [];
  return isDirectory(dir) ? [basename] : [];
}

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** posixpath.split: the head without its trailing slashes (unless all slashes), and the tail. */
function split(p: string): [string, string] {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  if (head && !/^\/+$/.test(head)) head = head.replace(/\/+$/, '');
  return [head, p.slice(i)];
}

/** posixpath.join of two parts. */
function join(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return `${a}/${b}`;
}
