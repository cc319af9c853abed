// Pure pieces: tag selection (Ansible's evaluate_tags), serial batches, -e parsing,
// closest-name suggestions, YAML positions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoundError, OptionsError } from '../../../base/errors.js';
import { mergeExtraVars, parseExtraVars } from '../../../playbook/extra-vars.js';
import { serialBatches } from '../../../playbook/batches.js';
import { parseTagOption, shouldRun } from '../../../playbook/tags.js';
import { closestName, didYouMean } from '../../../base/suggest.js';
import { YamlSource } from '../../../playbook/yaml-source.js';

describe('shouldRun (tags)', () => {
  const run = (tags: string[], only: string[] = [], skip: string[] = []) => shouldRun(tags, { only, skip });
  it('runs everything but never-tagged tasks by default', () => {
    expect([run([]), run(['a']), run(['always']), run(['never']), run(['never', 'a'])]).toEqual([true, true, true, false, false]);
  });
  it('--tags selects by tag; always always runs; never runs when one of its tags is asked', () => {
    expect([run(['a'], ['a']), run(['b'], ['a']), run([], ['a']), run(['always'], ['a']), run(['never', 'a'], ['a']), run(['never'], ['never'])]).toEqual([
      true,
      false,
      false,
      true,
      true,
      true,
    ]);
  });
  it('tagged / untagged / all', () => {
    expect([run(['a'], ['tagged']), run([], ['tagged']), run(['never', 'a'], ['tagged'])]).toEqual([true, false, false]);
    expect([run([], ['untagged']), run(['a'], ['untagged'])]).toEqual([true, false]);
    expect([run(['a'], ['all']), run(['never'], ['all'])]).toEqual([true, false]);
  });
  it('--skip-tags wins over --tags, except that always needs to be skipped by name', () => {
    expect([run(['a'], ['a'], ['a']), run(['a', 'b'], [], ['b']), run(['always'], [], ['all']), run(['always'], [], ['all', 'always'])]).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect([run(['a'], [], ['tagged']), run([], [], ['tagged']), run([], [], ['untagged'])]).toEqual([false, true, false]);
  });
  it('parses comma-separated, repeated options and refuses empty tags', () => {
    expect(parseTagOption(['a,b', 'c', 'a'], '--tags')).toEqual(['a', 'b', 'c']);
    expect(() => parseTagOption(['a,,b'], '--tags')).toThrow(OptionsError);
    expect(() => parseTagOption(['a b'], '--tags')).toThrow(/contains spaces/);
  });
});

describe('serialBatches', () => {
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
  it('one batch without serial or with 0', () => {
    expect(serialBatches(hosts, [])).toEqual([hosts]);
    expect(serialBatches(hosts, [0])).toEqual([hosts]);
  });
  it('a count repeats', () => {
    expect(serialBatches(hosts, [3])).toEqual([['h1', 'h2', 'h3'], ['h4', 'h5', 'h6'], ['h7']]);
  });
  it('percentages of all hosts, at least one; the last entry repeats', () => {
    expect(serialBatches(hosts, ['30%'])).toEqual([['h1', 'h2'], ['h3', 'h4'], ['h5', 'h6'], ['h7']]);
    expect(serialBatches(hosts, [1, '5%', '50%'])).toEqual([['h1'], ['h2'], ['h3', 'h4', 'h5'], ['h6', 'h7']]);
    expect(serialBatches([], [2])).toEqual([]);
  });
});

describe('-e extra vars', () => {
  it('key=value pairs are strings, quoted values may hold spaces', () => {
    expect(parseExtraVars(`tag=1.2 msg="hello world" empty=`)).toEqual({ tag: '1.2', msg: 'hello world', empty: '' });
  });
  it('key=value as ansible-playbook reads it (parse_kv): one pair of outer quotes off, escapes decoded, inner quotes kept', () => {
    const cases = [
      'a=["x"]',
      'a="x y"',
      'a=x"y"z',
      `a='q' b="r s"`,
      'a="x"y',
      'a=1 b="2"',
      'a=\\x41\\u00e9',
      'a="a=b" b=c=d',
      'a=b\\=c',
      'a={{ x }}',
      "a='it''s'",
      'a="{{ x | default(\'y z\') }}"',
    ];
    const expected = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        ['-c', 'import json, sys\nfrom ansible.parsing.splitter import parse_kv\nprint(json.dumps([parse_kv(c) for c in json.load(sys.stdin)]))'],
        {
          input: JSON.stringify(cases),
          encoding: 'utf8',
        },
      ),
    ) as Record<string, string>[];
    expect(cases.map((c) => parseExtraVars(c))).toEqual(expected);
  });
  it('inline JSON or YAML keeps types', () => {
    expect(parseExtraVars('{"images": ["a", "b"], "n": 3}')).toEqual({ images: ['a', 'b'], n: 3 });
    expect(parseExtraVars('{force: yes}')).toEqual({ force: true });
  });
  it('@file reads YAML, relative to the base directory; later -e wins', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hound-ev-'));
    writeFileSync(path.join(dir, 'vars.yml'), 'a: 1\nb: [x]\n');
    expect(mergeExtraVars(['@vars.yml', 'a=2'], dir)).toEqual({ a: '2', b: ['x'] });
  });
  it('bad values are option errors (exit 5); a missing file exits 1', () => {
    for (const bad of ['', 'novalue', '1abc=2', '{"a": ', '[1, 2]', 'a="unclosed', '@', '@  ']) {
      const error = (() => {
        try {
          parseExtraVars(bad);
        } catch (err) {
          return err as HoundError;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(OptionsError);
      expect(error!.exitCode).toBe(5);
    }
    expect(() => parseExtraVars('@/nonexistent/vars.yml')).toThrow(expect.objectContaining({ code: 'EXTRA_VARS_FILE_NOT_FOUND', exitCode: 1 }));
  });
});

describe('suggestions', () => {
  it('suggests close names only', () => {
    expect(closestName('imgae', ['image', 'images', 'load'])).toBe('image');
    expect(closestName('registry_loginn', ['registry_login', 'load'])).toBe('registry_login');
    expect(closestName('xyz', ['image', 'load'])).toBeUndefined();
    expect(didYouMean('xyz', ['image', 'load'], 'modules')).toBe('valid modules: image, load');
  });
});

describe('YamlSource', () => {
  const text = 'a:\n  b:\n    - x\n    - y: 1\n';
  const source = YamlSource.parse('f.yml', text);
  it('maps data paths to line and column', () => {
    expect(source.positionOf(['a', 'b', 1, 'y'])).toMatchObject({ line: 4, column: 10, sourceLine: '    - y: 1' });
    expect(source.keyPositionOf(['a', 'b', 1], 'y')).toMatchObject({ line: 4, column: 7 });
    expect(source.positionOf(['a', 'nope'])).toMatchObject({ line: 2, column: 3 });
  });
  it('reads YAML 1.1 booleans as Ansible does', () => {
    expect(YamlSource.parse('g.yml', 'x: yes\ny: off\nn: N\n').data).toEqual({ x: true, y: false, n: 'N' });
  });
  it('keeps the last value of a key written twice, with a warning, as Ansible does; refuses oversized files', () => {
    expect(YamlSource.parse('d.yml', 'a: 1\na: 2\n')).toMatchObject({ data: { a: 2 }, warnings: [expect.stringMatching(/^d\.yml:2:1: duplicate key "a"/)] });
    expect(() => YamlSource.parse('big.yml', 'a: "' + 'x'.repeat(9 * 1024 * 1024) + '"\n')).toThrow(expect.objectContaining({ code: 'YAML_TOO_LARGE' }));
  });
});
