import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main.js';
import { STARTER_FILES } from '../../../cli/starter-project.js';

describe('hound init', () => {
  it('writes the starter inventory and playbook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-init-'));
    expect(await run(['init', dir])).toBe(0);
    for (const [p, text] of Object.entries(STARTER_FILES)) expect(readFileSync(join(dir, p), 'utf8')).toBe(text);
  });

  it('refuses to overwrite an existing file, writing nothing, unless --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-init-'));
    writeFileSync(join(dir, 'hosts.ini'), 'mine\n');
    mkdirSync(join(dir, 'group_vars'));
    expect(await run(['init', dir])).toBe(5);
    expect(readFileSync(join(dir, 'hosts.ini'), 'utf8')).toBe('mine\n');
    expect(() => readFileSync(join(dir, 'warmup.yml'))).toThrow();
    expect(await run(['init', dir, '--force'])).toBe(0);
    expect(readFileSync(join(dir, 'hosts.ini'), 'utf8')).toBe(STARTER_FILES['hosts.ini']);
  });
});

describe('hound init on paths it cannot use', () => {
  it('refuses a path that is a file (exit 5), writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-init-'));
    writeFileSync(join(dir, 'taken'), 'mine\n');
    expect(await run(['init', join(dir, 'taken')])).toBe(5);
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('mine\n');
  });

  it('refuses when group_vars is a file, before writing any starter file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-init-'));
    writeFileSync(join(dir, 'group_vars'), 'mine\n');
    expect(await run(['init', dir])).toBe(5);
    expect(readdirSync(dir)).toEqual(['group_vars']);
  });

  it('refuses, with --force, a starter file name that is a folder, before writing any other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-init-'));
    mkdirSync(join(dir, 'warmup.yml'));
    expect(await run(['init', dir, '--force'])).toBe(5);
    expect(existsSync(join(dir, 'hosts.ini'))).toBe(false);
  });

  it('refuses a folder that cannot be written (exit 5), with no stack trace', async () => {
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array) => (err.push(String(chunk)), true);
    try {
      expect(await run(['init', '/sys/hound-starter'])).toBe(5);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(
      /^error OUTPUT_NOT_WRITABLE: cannot write the starter file into the folder \/sys\/hound-starter|^error OUTPUT_NOT_WRITABLE: the folder \/sys\/hound-starter/,
    );
    expect(err.join('')).not.toMatch(/\n\s+at /);
  });
});
