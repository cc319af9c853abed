// Files hound writes for the user: refused before any work when the path cannot be written
// (a folder, a device, a missing or read-only folder), and written whole or not at all.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputFile, writeOutputFile } from '../../../base/output-file.js';
import { errorOf } from '../error-of.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-output-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkOutputFile', () => {
  it('accepts a new file in a writable folder and an existing regular file, leaving nothing behind', () => {
    checkOutputFile(path.join(dir, 'new.json'), '--out');
    writeFileSync(path.join(dir, 'old.json'), 'kept');
    checkOutputFile(path.join(dir, 'old.json'), '--out');
    expect(readdirSync(dir).sort()).toEqual(['old.json']);
    expect(readFileSync(path.join(dir, 'old.json'), 'utf8')).toBe('kept');
    rmSync(path.join(dir, 'old.json'));
  });

  it.each([
    ['a folder', () => dir, /--out .* is a folder/],
    ['a device', () => '/dev/full', /--out \/dev\/full is not a regular file/],
    ['a missing folder', () => path.join(dir, 'no-such-folder', 'plan.json'), /the folder .*no-such-folder for --out does not exist/],
    [
      'a file used as a folder',
      () => (writeFileSync(path.join(dir, 'a-file'), ''), path.join(dir, 'a-file', 'plan.json')),
      /a-file \(for --out\) is not a folder|part of the path is not a folder/,
    ],
    // /sys refuses writes even to root, so this holds under any user.
    ['a folder that refuses writes', () => '/sys/plan.json', /cannot write --out into the folder \/sys: permission denied/],
  ])('refuses %s with exit 5, a reason and a hint', (_what, file, message) => {
    const err = errorOf(() => checkOutputFile(file(), '--out'));
    expect(err.code).toBe('OUTPUT_NOT_WRITABLE');
    expect(err.exitCode).toBe(5);
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
  });

  it('refuses an existing file that cannot be written, when the user is not root', () => {
    if (process.getuid?.() === 0) return expect(process.getuid()).toBe(0); // root writes any mode; the /sys case covers root
    const file = path.join(dir, 'read-only.json');
    writeFileSync(file, '');
    chmodSync(file, 0o444);
    expect(errorOf(() => checkOutputFile(file, '--out')).message).toMatch(/permission denied/);
  });
});

describe('writeOutputFile', () => {
  it('replaces a file whole, through a symlink to its target, with no temporary file left', () => {
    const target = path.join(dir, 'target.json');
    writeFileSync(target, 'old');
    symlinkSync(target, path.join(dir, 'link.json'));
    writeOutputFile(path.join(dir, 'link.json'), 'new', 'the plan file');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a write that fails leaves the old file as it was and no temporary file (exit 1)', () => {
    const folder = path.join(dir, 'full');
    mkdirSync(folder);
    // A folder where the file should be: the rename fails after the temporary file was written.
    mkdirSync(path.join(folder, 'plan.json'));
    writeFileSync(path.join(folder, 'plan.json', 'inside'), 'kept');
    const err = errorOf(() => writeOutputFile(path.join(folder, 'plan.json'), 'new', 'the plan file'));
    expect(err.code).toBe('OUTPUT_NOT_WRITTEN');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/cannot write the plan file .*plan\.json/);
    expect(readdirSync(folder)).toEqual(['plan.json']);
    expect(readFileSync(path.join(folder, 'plan.json', 'inside'), 'utf8')).toBe('kept');
  });
});
