// `mode` as ansible-core reads it: integers as they are, octal strings, symbolic modes,
// compared case by case with ansible-core's own evaluation (fixtures/file-modules/mode-oracle.json,
// made by mode-oracle.py beside it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatMode, isSymbolicMode, resolveMode, symbolicModeToOctal } from '../../../modules/file-mode.js';

interface OracleCase {
  umask: number;
  base: number;
  dir: boolean;
  mode: string;
  result: number | 'error' | 'invalid';
}
const oracle = JSON.parse(readFileSync(new URL('../../fixtures/file-modules/mode-oracle.json', import.meta.url), 'utf8')) as { cases: OracleCase[] };

describe('file modes', () => {
  it('takes an integer as the mode itself (YAML 1.1 reads an unquoted 0644 as 420)', () => {
    expect(resolveMode(420, { mode: 0, isDirectory: false, umask: 0o22 }, '/x')).toBe(0o644);
    expect(resolveMode(644, { mode: 0, isDirectory: false, umask: 0o22 }, '/x')).toBe(644);
  });

  it('reads strings as Python’s int(s, 8) does', () => {
    const base = { mode: 0o600, isDirectory: false, umask: 0o22 };
    expect(resolveMode('0644', base, '/x')).toBe(0o644);
    expect(resolveMode('644', base, '/x')).toBe(0o644);
    expect(resolveMode('0o755', base, '/x')).toBe(0o755);
    expect(resolveMode(' 1777 ', base, '/x')).toBe(0o1777);
    expect(isSymbolicMode('0644')).toBe(false);
    expect(isSymbolicMode('u+x')).toBe(true);
    expect(isSymbolicMode(493)).toBe(false);
  });

  it('fails a mode that is neither octal nor symbolic with Ansible’s message', () => {
    expect(() => resolveMode('0999', { mode: 0o644, isDirectory: false, umask: 0o22 }, '/x')).toThrow('mode must be in octal or symbolic form');
    expect(() => resolveMode('rwxr-xr-x', { mode: 0o644, isDirectory: false, umask: 0o22 }, '/x')).toThrow('mode must be in octal or symbolic form');
  });

  it('shows modes as Ansible does', () => {
    expect(formatMode(0o644)).toBe('0644');
    expect(formatMode(0o4750)).toBe('04750');
    expect(formatMode(0)).toBe('0000');
  });

  it(`evaluates symbolic modes as ansible-core does (${oracle.cases.length} oracle cases)`, () => {
    const mismatches: string[] = [];
    for (const c of oracle.cases) {
      let got: number | 'error';
      try {
        got = symbolicModeToOctal({ mode: c.base, isDirectory: c.dir, umask: c.umask }, c.mode);
      } catch {
        got = 'error';
      }
      const want = c.result === 'invalid' ? 'error' : c.result;
      if (got !== want)
        mismatches.push(`${c.mode} on ${c.base.toString(8)}${c.dir ? ' dir' : ''} umask ${c.umask.toString(8)}: ${String(got)} != ${String(want)}`);
    }
    expect(mismatches).toEqual([]);
  });
});
