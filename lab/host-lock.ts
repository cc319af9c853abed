// A lock held by one process of this machine at a time, for lab steps that change what every
// lab shares (the machine's own users): two labs brought up together, as the test suite's two
// lanes are, raced there, and the slower one failed on `useradd: user already exists`.
// An exclusive mkdir decides; the holder's pid inside says whether a lock left behind is
// anybody's: a holder that died (killed mid-setup) does not block the next lab forever.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../base/errors.js';
import { sleep } from '../base/sleep.js';
import { isAlive } from './processes.js';

export interface HostLockOptions {
  /** How long to wait for another holder before giving up. */
  waitMs?: number;
  /** A lock with no pid written this long after it was made is a holder that died between the two steps. */
  unwrittenMs?: number;
  pollMs?: number;
}

/** Runs `fn` holding the lock `dir` (created and removed here); waits while a live process holds it. */
export async function withHostLock<T>(dir: string, fn: () => Promise<T>, o: HostLockOptions = {}): Promise<T> {
  const waitMs = o.waitMs ?? 120_000;
  const unwrittenMs = o.unwrittenMs ?? 10_000;
  const pollMs = o.pollMs ?? 50;
  const ownerFile = path.join(dir, 'pid');
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(dir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(ownerFile, 'utf8').catch(() => '')).trim());
    const made = (await stat(dir).catch(() => undefined))?.mtimeMs;
    const abandoned = owner > 0 ? !isAlive(owner) : made !== undefined && Date.now() - made > unwrittenMs;
    if (abandoned) {
      // Several waiters may see it abandoned at once; removing twice is harmless, and the
      // next mkdir still lets only one of them in.
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > waitMs) {
      throw new EnvironmentError(
        'LAB_LOCK_TIMEOUT',
        `waited ${Math.round(waitMs / 1000)} s for ${dir}, held by ${owner > 0 ? `pid ${owner}` : 'a process starting'}`,
        {
          hint: 'another `hound lab up` is setting up this machine; wait for it, or remove the lock if that process is gone',
        },
      );
    }
    await sleep(pollMs);
  }
  try {
    await writeFile(ownerFile, `${process.pid}\n`);
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
