// Labs owned by a process (a test run): several engineers or CI jobs may run the
// integration suite at once on one machine, and one run must not tear down the lab another
// is using. A run claims a lab by writing its pid into it; a lab whose owner is dead is
// abandoned, and its name may be reused or reaped.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { labDown } from './lifecycle.js';
import { LAB_ROOT, labDirOf } from './naming.js';
import { isAlive } from './processes.js';

const OWNER_FILE = 'owner.pid';

export async function labOwner(name: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path.join(labDirOf(name), OWNER_FILE), 'utf8')).trim());
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

export async function claimLab(name: string, pid = process.pid): Promise<void> {
  await writeFile(path.join(labDirOf(name), OWNER_FILE), `${pid}\n`);
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
      reaped.push(name);
    }
  }
  return reaped;
}

/**
 * The name a run should use: `base` unless another live run holds it, then `base-PID`
 * (reaped by a later run once this process is gone).
 */
export async function chooseRunLabName(base: string, pid = process.pid): Promise<string> {
  await reapAbandonedLabs(base);
  return (await labInUseByOther(base, pid)) ? `${base}-${pid}` : base;
}
