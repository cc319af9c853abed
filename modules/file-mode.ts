// A file module's `mode` as ansible-core 2.14 reads it (module_utils/basic.py
// set_mode_if_different): an integer is the mode itself (YAML's unquoted 0644 is already 420);
// a string is octal when Python's int(s, 8) reads it ('0644', '644', '0o644'), else a
// symbolic mode ('u=rw,g=r,o=r', 'a+X', '+x') applied to the path's current mode, with the
// node's umask when no user is named. Pure: the node's state comes in as numbers.
import { ModuleFailure } from './implementation.js';

export type ModeArgument = string | number;

/** What a symbolic mode is applied to: the path's current permission bits and kind, the node's umask. */
export interface ModeBase {
  /** Permission bits (S_IMODE), e.g. 0o644. */
  mode: number;
  isDirectory: boolean;
  umask: number;
}

const PERM_BITS = 0o7777;
const EXEC_PERM_BITS = 0o111;

/** Python's int(text, 8): optional sign and 0o prefix, underscores between digits, surrounding whitespace. */
function pythonOctal(text: string): number | undefined {
  const m = /^\s*([+-]?)(?:0[oO]_?)?([0-7](?:_?[0-7])*)\s*$/.exec(text);
  if (!m) return undefined;
  const value = parseInt(m[2].replace(/_/g, ''), 8);
  return m[1] === '-' ? -value : value;
}

/** The permission bits `mode` asks for, given the path's state (needed only by a symbolic mode). */
export function resolveMode(mode: ModeArgument, base: ModeBase, path: string): number {
  if (typeof mode === 'number') return mode;
  const octal = pythonOctal(mode);
  if (octal !== undefined) return octal;
  let value: number;
  try {
    value = symbolicModeToOctal(base, mode);
  } catch (err) {
    throw new ModuleFailure('mode must be in octal or symbolic form', { path, details: (err as Error).message });
  }
  if (value !== (value & PERM_BITS)) throw new ModuleFailure('Invalid mode supplied, only permission info is allowed', { path, details: value });
  return value;
}

/** True when the mode needs the path's state (a symbolic mode); octal and integer modes do not. */
export function isSymbolicMode(mode: ModeArgument): boolean {
  return typeof mode === 'string' && pythonOctal(mode) === undefined;
}

/** `'0%03o' % mode`, as Ansible shows modes in results and diffs. */
export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** chmod's symbolic form, as Ansible's _symbolic_mode_to_octal evaluates it (every clause against the path's original mode for u/g/o copies and X). */
export function symbolicModeToOctal(base: ModeBase, symbolic: string): number {
  let newMode = base.mode & PERM_BITS;
  for (const clause of symbolic.split(',')) {
    const permlist = clause.split(/[+=-]/);
    const opers = clause.match(/[+=-]/g) ?? [];
    let users = permlist.shift() ?? '';
    const useUmask = users === '';
    if (users === 'a' || users === '') users = 'ugo';
    if (!/^[ugo]+$/.test(users)) throw new Error(`bad symbolic permission for mode: ${clause}`);
    permlist.forEach((perms, idx) => {
      if (!/^[rwxXstugo]*$/.test(perms)) throw new Error(`bad symbolic permission for mode: ${clause}`);
      for (const user of users) {
        const toApply = octalFromSymbolicPerms(base, user as 'u' | 'g' | 'o', perms, useUmask);
        newMode = applyOperation(user as 'u' | 'g' | 'o', opers[idx], toApply, newMode);
      }
    });
  }
  return newMode;
}

function applyOperation(user: 'u' | 'g' | 'o', operator: string, toApply: number, current: number): number {
  if (operator === '=') {
    const mask = user === 'u' ? 0o4700 : user === 'g' ? 0o2070 : 0o1007;
    return (current & (mask ^ PERM_BITS)) | toApply;
  }
  if (operator === '+') return current | toApply;
  return current - (current & toApply);
}

/** Where each class's rwx bits sit in a mode. */
const CLASS_SHIFT = { u: 6, g: 3, o: 0 } as const;
/** What `s` and `t` mean for each class: setuid, setgid, and the sticky bit on `o`. */
const SPECIAL_BITS = { u: { s: 0o4000, t: 0 }, g: { s: 0o2000, t: 0 }, o: { s: 0, t: 0o1000 } } as const;

function octalFromSymbolicPerms(base: ModeBase, user: 'u' | 'g' | 'o', perms: string, useUmask: boolean): number {
  const prev = base.mode & PERM_BITS;
  const applyX = base.isDirectory || (prev & EXEC_PERM_BITS) > 0;
  const revUmask = base.umask ^ PERM_BITS;
  const masked = (bit: number) => (useUmask ? revUmask & bit : bit);
  const shift = CLASS_SHIFT[user];
  // `g=u` and the like: another class's current rwx bits, moved into this class's place.
  const copied = (from: 'u' | 'g' | 'o') => ((prev >> CLASS_SHIFT[from]) & 0o7) << shift;
  const bits: Record<string, number> = {
    r: masked(0o4 << shift),
    w: masked(0o2 << shift),
    x: masked(0o1 << shift),
    X: applyX ? 0o1 << shift : 0,
    ...SPECIAL_BITS[user],
    u: copied('u'),
    g: copied('g'),
    o: copied('o'),
  };
  let out = 0;
  for (const perm of perms) out |= bits[perm];
  return out;
}
