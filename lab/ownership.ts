// Labs owned by a process (a test run): several engineers or CI jobs may run the
// integration suite at once on one machine, and one run must not tear down, or bring up
// over, the lab another is using. A run claims a lab's name before bringing the lab up, by
// creating a claim file holding its pid; a claim whose owner is dead is abandoned, and the
// name may be reused or reaped.
//
// The claim lives beside the labs, not in the lab's dir: `labUp` wipes that dir first, and two
// runs starting at the same moment must not both see "no owner" and both bring up one lab (an
// exclusive create decides between them).
import { link, mkdir, readdir, readFile, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { sleep } from '../base/sleep.js';
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
 * A free name is decided by an exclusive link(). A dead owner's claim is removed by one racer
 * at a time, under a takeover lock (an exclusive mkdir), and every racer then tries the link
 * again: removing by rename alone could take away a claim a faster racer had just made.
 */
export async function claimLab(name: string, pid = process.pid): Promise<boolean> {
  await mkdir(CLAIMS_DIR, { recursive: true, mode: 0o755 });
  for (let attempt = 0; attempt < 200; attempt++) {
    // Written whole under a name of its own, then linked into place: link() fails if the claim
    // exists, and a reader never sees a claim file that is created but not yet written.
    const whole = `${claimFileOf(name)}.new-${pid}-${attempt}`;
    await writeFile(whole, `${pid}\n`);
    try {
      await link(whole, claimFileOf(name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(whole).catch(() => undefined);
    }
    const owner = await labOwner(name);
    if (owner === pid) return true;
    if (owner !== undefined && isAlive(owner)) return false;
    if (!(await removeDeadClaim(name))) await sleep(20);
  }
  return false;
}

/** Removes `name`'s claim if its owner is dead, holding the takeover lock; false when another racer holds the lock. */
async function removeDeadClaim(name: string): Promise<boolean> {
  const lock = `${claimFileOf(name)}.takeover`;
  try {
    await mkdir(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A racer that died holding the lock leaves it behind: after a while it is nobody's.
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > 10_000) await rmdir(lock).catch(() => undefined);
    return false;
  }
  try {
    const owner = await labOwner(name);
    // Under the lock nobody else removes the claim, and nobody can link over it while it
    // stands: the dead owner's file read here is the one unlinked.
    if (owner !== undefined && !isAlive(owner)) await unlink(claimFileOf(name)).catch(() => undefined);
    return true;
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
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
