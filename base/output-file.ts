// Files hound writes for the user (`plan --out`, `init`), checked before any work starts: a
// plan that took minutes to gather must not be lost to a typo in --out. A path that cannot be
// written is a bad option (exit 5) when checked; a write that fails later (a full disk) is
// exit 1. Written whole or not at all (a temporary file beside it, then renamed), so a full
// disk leaves no half file and an existing file is kept until the new one is complete.
import { accessSync, constants, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { EXIT, HoundError, OptionsError } from './errors.js';

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EDQUOT') return 'the disk quota is exceeded';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  if (code === 'ENAMETOOLONG') return 'the name is too long';
  return code ?? (err instanceof Error ? err.message : String(err));
}

function refused(message: string, hint = 'choose a path in a folder you can write to'): OptionsError {
  return new OptionsError('OUTPUT_NOT_WRITABLE', message, { hint });
}

function statOrUndefined(file: string, what: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refused(`cannot write ${what} ${file}: ${reasonOf(err)}`);
  }
}

/** Throws (exit 5) unless `file` can be written as a regular file: not a folder or device, its folder existing and writable. */
export function checkOutputFile(file: string, what: string): void {
  const st = statOrUndefined(file, what);
  if (st?.isDirectory()) throw refused(`${what} ${file} is a folder`, 'give the name of a file (new or to replace), or move the folder away');
  // A device or FIFO would be replaced by the rename (or, written in place, /dev/full fails late).
  if (st && !st.isFile()) throw refused(`${what} ${file} is not a regular file`, 'give the path of a file to create or replace');
  checkOutputFolder(path.dirname(path.resolve(file)), what);
  if (st) {
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      throw refused(`cannot write ${what} ${file}: ${reasonOf(err)}`);
    }
  }
}

/** Throws (exit 5) unless `dir` exists, is a folder and can be written to. */
export function checkOutputFolder(dir: string, what: string): void {
  const st = statOrUndefined(dir, `${what} into`);
  if (!st) throw refused(`the folder ${dir} for ${what} does not exist`, 'create it first, or choose another path');
  if (!st.isDirectory()) throw refused(`${dir} (for ${what}) is not a folder`, 'choose another path');
  try {
    accessSync(dir, constants.W_OK);
    // access() says yes to root on a read-only mount: try a write itself.
    const probe = path.join(dir, `.hound-write-check-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    throw refused(`cannot write ${what} into the folder ${dir}: ${reasonOf(err)}`);
  }
}

/** Writes `text` to `file` whole: a temporary file beside it, then renamed over it (through a symlink to its target). Exit 1 on failure. */
export function writeOutputFile(file: string, text: string, what: string, mode = 0o644): void {
  let target = file;
  try {
    target = realpathSync(file);
  } catch {
    // Not there yet: created as named.
  }
  const temporary = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text, { mode });
    renameSync(temporary, target);
  } catch (err) {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was left behind.
    }
    throw new HoundError('OUTPUT_NOT_WRITTEN', `cannot write ${what} ${file}: ${reasonOf(err)}`, EXIT.ERROR, {
      hint: 'nothing was written; free space or choose another path, and run again',
    });
  }
}
