import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESCRIPTORS_BESIDES_HOSTS, openFileLimit, openFilesWarning, sshConnectionCapacity, tooFewOpenFiles } from '../../../base/open-files.js';

const limits = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n');

describe('open file limit', () => {
  it('reads the soft limit of open files from /proc/self/limits', () => {
    expect(openFileLimit(limits('4096', '524288'))).toBe(4096);
    expect(openFileLimit(limits('unlimited', 'unlimited'))).toBe(Infinity);
    expect(openFileLimit('Limit Soft Hard\n')).toBeUndefined();
    // This process's own, as the kernel has it.
    const own = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1];
    expect(openFileLimit()).toBe(Number(own));
  });

  it('warns only when the hosts and the descriptors besides them pass the limit, and says what to do', () => {
    expect(openFilesWarning(100, 1024)).toBeUndefined();
    expect(openFilesWarning(1024 - DESCRIPTORS_BESIDES_HOSTS, 1024)).toBeUndefined();
    expect(openFilesWarning(1024 - DESCRIPTORS_BESIDES_HOSTS + 1, 1024)).toBeDefined();
    expect(openFilesWarning(10_000, undefined)).toBeUndefined();
    expect(openFilesWarning(10_000, Infinity)).toBeUndefined();
    const warning = openFilesWarning(10_000, 4096)!;
    expect(warning).toContain('10000 hosts');
    expect(warning).toContain(`only 4096 open files (the hard limit of ulimit -n), ${DESCRIPTORS_BESIDES_HOSTS} of them for the rest of the run`);
    expect(warning).toContain(`hosts past the first ${4096 - DESCRIPTORS_BESIDES_HOSTS} will not be connected`);
    expect(warning).toContain(`to at least ${10_000 + DESCRIPTORS_BESIDES_HOSTS}`);
    expect(warning).toContain('--limit');
    expect(openFilesWarning(1, 100)).toContain('reaches 1 host and keeps one SSH connection open to each, but hound may hold only 100 open files');
    expect(openFilesWarning(1, 100)).toContain('no host can be connected');
  });

  it('leaves room for the rest of the run, and refuses to start under less than that', () => {
    expect(sshConnectionCapacity(1024)).toBe(1024 - DESCRIPTORS_BESIDES_HOSTS);
    expect(sshConnectionCapacity(50)).toBe(0);
    expect(sshConnectionCapacity(undefined)).toBe(Infinity);
    expect(sshConnectionCapacity(Infinity)).toBe(Infinity);
    expect(tooFewOpenFiles(DESCRIPTORS_BESIDES_HOSTS)).toBeUndefined();
    expect(tooFewOpenFiles(undefined)).toBeUndefined();
    expect(tooFewOpenFiles(64)).toBe(
      `hound may hold only 64 open files (ulimit -n), and needs ${DESCRIPTORS_BESIDES_HOSTS} for itself besides one per host it connects to`,
    );
  });
});
