// Host patterns against what `ansible PATTERN --list-hosts` and `ansible all --limit PATTERN
// --list-hosts` listed for the same inventory (test/fixtures/inventory/patterns), plus the
// malformed patterns that must be refused with an OptionsError.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionsError } from '../../../base/errors.js';
import { loadInventory } from '../../../inventory/load.js';
import type { Inventory } from '../../../inventory/model.js';
import { applyLimit, resolvePattern, splitHostPattern } from '../../../inventory/patterns.js';
import { globToRegExp } from '../../../base/fnmatch.js';
import { FIXTURES } from './fixture-cases.js';

interface Recorded {
  pattern: string;
  rc: number;
  hosts: string[];
  noMatchWarnings: string[];
}

const dir = path.join(FIXTURES, 'patterns');
const recorded = (name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Recorded[];
let inv: Inventory;

beforeAll(async () => {
  inv = await loadInventory([path.join(dir, 'hosts.ini')]);
});

describe('same hosts, same order as ansible', () => {
  it.each(recorded('patterns.json').map((r) => [r.pattern, r] as const))('%s', (_p, r) => {
    const warnings: string[] = [];
    const hosts = resolvePattern(inv, r.pattern, { warn: (m) => warnings.push(m) });
    expect(hosts).toStrictEqual(r.hosts);
    expect(warnings).toStrictEqual(r.noMatchWarnings.map((p) => `Could not match supplied host pattern, ignoring: ${p}`));
  });
});

describe('--limit, as ansible applies it to all', () => {
  it.each(recorded('limits.json').map((r) => [r.pattern, r] as const))('%s', (_p, r) => {
    const hosts = applyLimit(inv, resolvePattern(inv, 'all'), r.pattern, { baseDir: dir });
    // ansible exits 1 when the limit leaves no hosts; the list is empty either way.
    expect(hosts).toStrictEqual(r.rc === 0 ? r.hosts : []);
  });
});

describe('malformed patterns', () => {
  it('an invalid regular expression is an OptionsError (exit 5)', () => {
    const err = (() => {
      try {
        resolvePattern(inv, '~web(');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OptionsError);
    expect((err as OptionsError).exitCode).toBe(5);
    expect((err as OptionsError).code).toBe('INVALID_HOST_PATTERN');
  });

  it('a subscript past the end is refused as ansible refuses it', () => {
    expect(() => resolvePattern(inv, 'webservers[7]')).toThrow(/No hosts matched the subscripted pattern 'webservers\[7\]'/);
    expect(() => resolvePattern(inv, 'webservers[-6]')).toThrow(OptionsError);
  });

  it('a missing @file is refused', () => {
    expect(() => resolvePattern(inv, '@no-such-file', { baseDir: dir })).toThrow(/Unable to find limit file/);
    expect(() => resolvePattern(inv, '@.', { baseDir: dir })).toThrow(/must be a file, not a directory/);
  });
});

describe('pattern syntax', () => {
  it('splits on commas first, else on colons outside brackets, keeping addresses whole', () => {
    expect(splitHostPattern('a, b[1:2] ,c')).toStrictEqual(['a', 'b[1:2]', 'c']);
    expect(splitHostPattern('a:&b:!c')).toStrictEqual(['a', '&b', '!c']);
    expect(splitHostPattern('web[1:3]')).toStrictEqual(['web[1:3]']);
    expect(splitHostPattern('host:22')).toStrictEqual(['host:22']);
    expect(splitHostPattern(['a:b', 'c'])).toStrictEqual(['a', 'b', 'c']);
  });

  it('translates globs like fnmatch', () => {
    expect(globToRegExp('web*').test('web1.example.com')).toBe(true);
    expect(globToRegExp('web?').test('web12')).toBe(false);
    expect(globToRegExp('db[!1]').test('db2')).toBe(true);
    expect(globToRegExp('db[!1]').test('db1')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('[]x]').test(']')).toBe(true);
    expect(globToRegExp('x[').test('x[')).toBe(true);
  });

  it('a list of patterns is their union', () => {
    expect(resolvePattern(inv, ['staging', 'atlanta'])).toStrictEqual(resolvePattern(inv, 'staging:atlanta'));
  });

  it('a pattern matching nothing gives an empty list, not an error', () => {
    expect(resolvePattern(inv, 'nothing-here')).toStrictEqual([]);
  });
});
