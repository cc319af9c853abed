import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
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
