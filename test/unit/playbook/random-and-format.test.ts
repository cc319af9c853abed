// The `random` filter and Python's `%` string formatting, against python3's own `random` and `%`
// (the interpreter ansible-playbook runs on), case by case.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '../../../playbook/templating.js';

function python(program: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', program], { encoding: 'utf8' }));
}

const SEEDS: unknown[] = ['host1', 'web-01.example', '', 'ünïcode', 42, 0, -7, 2 ** 40 + 5, 2 ** 53 - 1];

describe('random with a seed is Random(seed) of Python', () => {
  it.each([
    ['59', 'randrange(0, 59, 1)'],
    ['2**32', 'randrange(0, 2**32, 1)'],
    ['2**40', 'randrange(0, 2**40, 1)'],
    ['100, 3, 7', 'randrange(3, 100, 7)'],
    ['1', 'randrange(0, 1, 1)'],
  ])('%s | random(...)', (call, pythonCall) => {
    const [end, ...more] = call.split(', ');
    const startStep = more.length > 0 ? `${more.join(', ')}, ` : '';
    const expected = python(`import json, random\nprint(json.dumps([random.Random(s).${pythonCall} for s in ${JSON.stringify(SEEDS)}]))`);
    const got = SEEDS.map((seed) => evaluateExpression(`{{ (${end}) | random(${startStep}seed=s) }}`, { s: seed }));
    expect(got).toEqual(expected);
  });
  it('on a list picks random.Random(seed).choice', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const expected = python(`import json, random\nprint(json.dumps([random.Random(s).choice(${JSON.stringify(items)}) for s in ${JSON.stringify(SEEDS)}]))`);
    expect(SEEDS.map((seed) => evaluateExpression('{{ items | random(seed=s) }}', { s: seed, items }))).toEqual(expected);
  });
  it('without a seed stays in range and picks among the items', () => {
    for (let i = 0; i < 50; i++) {
      const n = evaluateExpression('{{ 10 | random }}', {}) as number;
      expect(Number.isInteger(n) && n >= 0 && n < 10).toBe(true);
      expect(['x', 'y']).toContain(evaluateExpression("{{ ['x', 'y'] | random }}", {}));
    }
  });
  it('refuses what Ansible refuses', () => {
    expect(() => evaluateExpression("{{ ['x'] | random(1) }}", {})).toThrow(/start and step can only be used with integer values/);
    expect(() => evaluateExpression('{{ {} | random }}', {})).toThrow(/random can only be used on sequences and integers/);
    expect(() => evaluateExpression('{{ 0 | random }}', {})).toThrow(/empty range/);
  });
});

describe("'...' % values is Python's printf-style formatting", () => {
  const cases: [string, string][] = [
    ["'ansible-docker-test-%0x' % 3735928559", ''],
    ["'%0x|%5.2f|%-4s|%+d|%#x|%#o|%X' % (255, 3.14159, 'ab', 3, 255, 8, 254)", ''],
    ["'%e|%E|%g|%g|%g|%.3g' % (12345.678, 0.5, 0.0001, 123456789.0, 100.0, 2.0/3)", ''],
    ["'%05d|%-5d|%5s|%.2s|%c|%%|%i' % (-42, 7, 'x', 'abcdef', 65, 9)", ''],
    ["'%(name)s=%(n)04d' % {'name': 'x', 'n': 42}", ''],
    ["'%s and %r' % ('a', 'b')", ''],
    ["'%s' % 5", ''],
    ["'%d' % 3.9", ''],
    // Zero padding goes between the sign or prefix and the digits; '-' outweighs '0'.
    ["'%#06x|%+06d|% 05d|%-+6d|%-06d|' % (255, 42, 7, 3, 4)", ''],
    ["'%08.3f|%-08.2f|%+010.2e|%05s|' % (-3.14159, 2.5, 1234.5, 'ab')", ''],
    // A width counts characters (code points), not UTF-16 units.
    ["'%5s|%-3s|%3c|' % ('\\U0001F600', '\\u00e9', 128512)", ''],
  ];
  it.each(cases)('%s', (expression) => {
    expect(evaluateExpression(`{{ ${expression} }}`, {})).toBe(python(`import json\nprint(json.dumps(${expression}))`));
  });
  it('fails as Python does on a count mismatch or a wrong type', () => {
    expect(() => evaluateExpression("{{ 'abc' % 5 }}", {})).toThrow(/not all arguments converted/);
    expect(() => evaluateExpression("{{ '%s %s' % ['a'] }}", {})).toThrow(/not enough arguments/);
    expect(() => evaluateExpression("{{ '%d' % 'x' }}", {})).toThrow(/a real number is required, not str/);
  });
  it('a parenthesised tuple is a list of its values, not the last one', () => {
    expect(evaluateExpression('{{ (1, 2) }}', {})).toEqual([1, 2]);
    expect(evaluateExpression("{{ 'b' in ('a', 'b') }}", {})).toBe(true);
    expect(evaluateExpression('{{ (1) }}', {})).toBe(1);
  });
  it('keeps numbers for a number on the left', () => {
    expect(evaluateExpression('{{ 7 % 3 }}', {})).toBe(1);
    expect(evaluateExpression('{{ -7 % 3 }}', {})).toBe(2);
  });
});
