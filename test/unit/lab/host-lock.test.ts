import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withHostLock } from '../../../lab/host-lock.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hound-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a lock one process of the machine holds at a time', () => {
  it('runs holders one after another, never two at once, and leaves no lock behind', async () => {
    const lock = path.join(root, 'users.lock');
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        withHostLock(
          lock,
          async () => {
            inside++;
            most = Math.max(most, inside);
            await new Promise((r) => setTimeout(r, 20));
            order.push(n);
            inside--;
          },
          { pollMs: 5 },
        ),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([1, 2, 3, 4]);
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('releases the lock when the holder throws', async () => {
    const lock = path.join(root, 'l');
    await expect(withHostLock(lock, () => Promise.reject(new Error('useradd failed')))).rejects.toThrow('useradd failed');
    await expect(withHostLock(lock, async () => 'next')).resolves.toBe('next');
  });

  it('takes over a lock whose holder died, and one left unwritten too long', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.on('exit', r));
    const lock = path.join(root, 'dead');
    await mkdir(lock);
    await writeFile(path.join(lock, 'pid'), `${dead.pid}\n`);
    await expect(withHostLock(lock, async () => 'taken', { waitMs: 1000 })).resolves.toBe('taken');

    const unwritten = path.join(root, 'unwritten');
    await mkdir(unwritten);
    const old = new Date(Date.now() - 60_000);
    await utimes(unwritten, old, old);
    await expect(withHostLock(unwritten, async () => 'taken', { waitMs: 1000 })).resolves.toBe('taken');
  });

  it('waits for a live holder, then gives up with one clear error', async () => {
    const lock = path.join(root, 'live');
    await mkdir(lock);
    await writeFile(path.join(lock, 'pid'), `${process.pid}\n`);
    await expect(withHostLock(lock, async () => 'never', { waitMs: 100, pollMs: 10 })).rejects.toMatchObject({
      code: 'LAB_LOCK_TIMEOUT',
      message: expect.stringContaining(`held by pid ${process.pid}`),
    });
    // The live holder's lock is left alone.
    expect((await stat(lock)).isDirectory()).toBe(true);
  });
});
