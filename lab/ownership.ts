// Labs owned by a process (a test run): several engineers or CI jobs may run the
// integration suite at once on one machine, and one run must not tear down, or bring up
// over, the lab another is using. A run claims a lab's name before bringing the lab up, by
// creating a claim file holding its pid; a claim whose owner is dead is abandoned, and the
// name may be reused or reaped.
//
// The claim lives beside the labs, not in the lab's dir: `labUp` wipes that dir first, and two
// runs starting at the same moment must not both see "no owner" and both bring up one lab (an
// exclusive create decides between them).
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { labDown } from './lifecycle.js';
import { LAB_ROOT } from './naming.js';
import { isAlive } from './processes.js';

const CLAIMS_DIR = path.join(LAB_ROOT, '.claims');

const claimFileOf = (name: string) => path.join(CLAIMS_DIR, `${name}.pid`);

export async function labOwner(name: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(claimFileOf(name), 'utf8')).trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether another live process has claimed lab `name`. */
export async function labInUseByOther(name: string, self = process.pid): Promise<boolean> {
  const owner = await labOwner(name);
  return owner !== undefined && owner !== self && isAlive(owner);
}

/**
 * Claims `name` for `pid` if nobody alive holds it; resolves to whether the claim is `pid`'s.
 * A fresh name is decided by an exclusive create. A dead owner's claim is moved aside with
 * rename (only one of several racers can move a given file) and the create is tried again.
 */
export async function claimLab(name: string, pid = process.pid): Promise<boolean> {
  await mkdir(CLAIMS_DIR, { recursive: true, mode: 0o755 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(claimFileOf(name), `${pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await labOwner(name);
    if (owner === pid) return true;
    if (owner !== undefined && isAlive(owner)) return false;
    const aside = `${claimFileOf(name)}.stale-${pid}`;
    try {
      await rename(claimFileOf(name), aside);
      // Another racer may have claimed between our read and our rename: give its claim back.
      const moved = Number((await readFile(aside, 'utf8')).trim());
      if (moved > 0 && moved !== owner && isAlive(moved)) {
        await rename(aside, claimFileOf(name));
        return false;
      }
      await unlink(aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return false;
}

/** Gives up `pid`'s claim on `name` (leaves another owner's claim alone). */
export async function releaseLab(name: string, pid = process.pid): Promise<void> {
  if ((await labOwner(name)) === pid) await unlink(claimFileOf(name)).catch(() => undefined);
}

/** Takes down every lab named `${base}-PID` whose PID is no longer alive; resolves to their names. */
export async function reapAbandonedLabs(base: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(LAB_ROOT);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${base.replace(/[-]/g, '\\-')}-(\\d+)$`);
  const reaped: string[] = [];
  for (const name of entries) {
    const m = pattern.exec(name);
    if (m && !isAlive(Number(m[1]))) {
      await labDown(name);
      await unlink(claimFileOf(name)).catch(() => undefined);
      reaped.push(name);
    }
  }
  return reaped;
}

/**
 * Claims the name a run should use and resolves to it: `base` unless another live run holds
 * it, then `base-PID` (reaped by a later run once this process is gone).
 */
export async function claimRunLabName(base: string, pid = process.pid): Promise<string> {
  await reapAbandonedLabs(base);
  if (await claimLab(base, pid)) return base;
  const own = `${base}-${pid}`;
  await claimLab(own, pid);
  return own;
}
