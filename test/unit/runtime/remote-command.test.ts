// The stdin watcher of runtime/remote-command.ts, run by /bin/sh here as sshd runs it on a node.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchedCommandLine } from '../../../runtime/remote-command.js';
import { shlexQuote } from '../../../base/shlex.js';
import { runHeld } from '../../fixtures/held-stdin.js';

describe('watchedCommandLine', () => {
  let dir: string;
  let journal: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hound-watcher-'));
    journal = path.join(dir, 'journal');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A client that, like `docker start --attach` since Docker CLI 27, may exit on SIGTERM
  // without passing it on: it records its end and exits 5.
  const client = () => ['sh', '-c', `trap 'echo client-ended >> ${shlexQuote(journal)}; exit 5' TERM; echo started; while :; do sleep 0.05; done`];
  const afterwards = () => `echo afterwards >> ${shlexQuote(journal)}; echo noise`;

  it("when stdin closes, sends the command SIGTERM, then runs `afterwards`; the exit code and output are the command's", async () => {
    const started = Date.now();
    const run = await runHeld(watchedCommandLine(client(), afterwards()), 300);
    expect(run).toEqual({ code: 5, stdout: 'started\n' });
    expect(readFileSync(journal, 'utf8')).toBe('client-ended\nafterwards\n');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('with `afterwards`, kills a command that outlives its SIGTERM by 5 s, then runs `afterwards`', async () => {
    // As `docker start --attach` does when its forwarded kill comes before the container runs: it stays.
    const deaf = ['sh', '-c', `trap '' TERM; echo started; while :; do sleep 0.05; done`];
    const started = Date.now();
    const run = await runHeld(watchedCommandLine(deaf, afterwards()), 300);
    expect(run).toEqual({ code: 137, stdout: 'started\n' });
    expect(readFileSync(journal, 'utf8')).toBe('afterwards\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('runs `afterwards` also when the command ends by itself, with stdin still held', async () => {
    const run = await runHeld(watchedCommandLine(['sh', '-c', 'echo done; exit 3'], afterwards()), 0);
    expect(run).toEqual({ code: 3, stdout: 'done\n' });
    expect(readFileSync(journal, 'utf8')).toBe('afterwards\n');
  });

  it('without `afterwards`, only the SIGTERM', async () => {
    const run = await runHeld(watchedCommandLine(client()), 300);
    expect(run).toEqual({ code: 5, stdout: 'started\n' });
    expect(readFileSync(journal, 'utf8')).toBe('client-ended\n');
  });
});
