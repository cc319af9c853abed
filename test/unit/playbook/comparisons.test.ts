// Jinja2's comparison operators and the tests and filters that order values, against
// ansible-core's own Templar (templar-oracle.ts): every pair of a set of values
// under each operator, chains, and the filters that sort. hound compiled `==` and `<` to
// JavaScript's, so `l == []` was never true, '1' == 1 was true and '9' < 10 compared numbers.
// The real conditions that made this matter are in the template corpus (templates-corpus.test.ts).
import { describe, expect, it } from 'vitest';
import { ansible, compareWithAnsible, differences, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

/** Values as variables: each kind Python orders or refuses to order, and pairs JavaScript confuses. */
const VALUES: Record<string, unknown> = {
  zero: 0,
  one: 1,
  two: 2,
  half: 1.5,
  yes: true,
  no: false,
  nothing: null,
  empty: '',
  text_one: '1',
  text_nine: '9',
  text_ten: '10',
  a: 'a',
  b: 'b',
  upper_a: 'A',
  whale: '🐳',
  fullwidth: '\uff01',
  no_items: [],
  one_two: [1, 2],
  just_one: [1],
  one_three: [1, 3],
  texts: ['a'],
  no_keys: {},
  dict_a: { a: 1 },
  dict_a_too: { a: 1 },
};

const OPERATORS = ['==', '!=', '<', '>', '<=', '>='];

describe('comparison operators, against ansible-core', () => {
  const names = Object.keys(VALUES);
  const pairs = names.flatMap((x) => names.map((y) => [x, y] as const));
  const templates = pairs.flatMap(([x, y]) => OPERATORS.map((op) => `{{ ${x} ${op} ${y} }}`));

  it(
    `gives Ansible's value, or fails where Ansible fails, for ${names.length}² pairs under ${OPERATORS.join(' ')}`,
    () => {
      const { expected: oracle, differences: differing } = compareWithAnsible(templates, VALUES);
      // Both outcomes occur: Python orders numbers, text and lists, and refuses the rest.
      expect(oracle.filter((o) => 'error' in o).length).toBeGreaterThan(1000);
      expect(oracle.filter((o) => 'value' in o && o.value === true).length).toBeGreaterThan(500);
      expect(differing).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  const literals = [
    '{{ [1, 2] == [1, 2] }}',
    "{{ {'a': 1} == dict_a }}",
    '{{ one_two == [1, 2.0] }}',
    '{{ [yes] == [1] }}',
    '{{ 1 < two < 3 }}',
    '{{ 1 < two < 2 }}',
    '{{ 3 > two > one > zero }}',
    '{{ one == yes == 1.0 }}',
    '{{ zero < one > zero }}',
    "{{ a < b != 'c' }}",
    '{{ a < one < 3 }}',
    "{{ 'a' < 'ab' < 'b' }}",
    "{{ [1, 'a'] < [1, 'b'] }}",
    "{{ [1, 'a'] < [2, 1] }}",
    "{{ [1, 'a'] < [1, 1] }}",
    '{{ nothing == none }}',
    '{{ nothing < 1 }}',
    "{{ 'x' if one_two != [] else 'y' }}",
    '{% if no_items == [] %}empty{% else %}items{% endif %}',
    '{% if text_one == 1 %}equal{% else %}different{% endif %}',
    "{{ 1 in 'a1' }}",
    "{{ '1' in 'a1' }}",
    '{{ yes in [1] }}',
    '{{ 1.0 in just_one }}',
    '{{ [1, 2] in [[1, 2]] }}',
  ];

  it(
    `chains, literals and in: ${literals.length} cases as Ansible`,
    () => {
      expect(ansible(literals, VALUES).filter((o) => 'error' in o).length).toBe(4); // nothing < 1, a < one, [1, 'a'] < [1, 1], 1 in 'a1'
      expect(differences(literals, VALUES)).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});

describe('tests and filters that compare, against ansible-core', () => {
  const vars = {
    ...VALUES,
    numbers: [3, 1.5, 2, true],
    mixed: [3, 'a'],
    words: ['b', 'B', 'a', '🐳', '\uff01'],
    people: [
      { name: 'x', age: 30 },
      { name: 'y', age: 25 },
      { name: 'z', age: '40' },
    ],
    rows: [[2, 'b'], [1, 'z'], [1, 'a'], [1]],
  };
  const templates = [
    '{{ numbers | sort }}',
    '{{ numbers | max }}',
    '{{ numbers | min }}',
    '{{ mixed | sort }}',
    '{{ mixed | max }}',
    '{{ words | sort }}',
    '{{ words | sort(case_sensitive=true) }}',
    '{{ rows | sort }}',
    "{{ people | sort(attribute='age') }}",
    "{{ people[:2] | sort(attribute='age') | map(attribute='name') | list }}",
    "{{ people[:2] | selectattr('age', '>', 26) | map(attribute='name') | list }}",
    "{{ people[:2] | selectattr('age', 'greaterthan', 26) | map(attribute='name') | list }}",
    "{{ people[:2] | rejectattr('age', 'lt', 26) | map(attribute='name') | list }}",
    "{{ people | selectattr('age', '>=', 26) | list }}",
    "{{ people | selectattr('age', '==', 30) | map(attribute='name') | list }}",
    "{{ people | selectattr('age', 'eq', '40') | map(attribute='name') | list }}",
    '{{ numbers | select("le", 2) | list }}',
    "{{ numbers | select('<', 2) | list }}",
    '{{ 2 is gt 1 }}',
    "{{ '2' is gt 1 }}",
    '{{ yes is eq 1 }}',
    '{{ text_one is ne 1 }}',
    '{{ {"b": 1, "a": 2} | dictsort(by="value") }}',
    "{{ people | groupby('age') | map('first') | list }}",
    "{{ people[:2] | groupby('age') | map('first') | list }}",
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      // mixed | sort, mixed | max, people | sort(attribute='age') (30 and '40'), '2' is gt 1,
      // selectattr('age', '>=', 26) over '40', groupby('age') over '40'.
      expect(ansible(templates, vars).filter((o) => 'error' in o).length).toBe(6);
      expect(differences(templates, vars)).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});

/**
 * Where `is` binds: as a filter does, to the primary expression before it (with its sign), so
 * `1 + x is number` adds a boolean, `x is defined == true` compares the test's result, and
 * `not` and `and` stay outside. nunjucks applied `is` to the whole comparison.
 */
describe('the precedence of is, against ansible-core', () => {
  const templates = [
    '{{ 1 + 1 is number }}',
    '{{ "a" ~ "b" is string }}',
    '{{ x is defined and x > 1 }}',
    '{{ not x is defined }}',
    '{{ x is not none }}',
    '{{ 2 * 3 is divisibleby 3 }}',
    '{{ [1] | length is number }}',
    '{{ -1 is number }}',
    '{{ x is defined == true }}',
    '{{ 1 in [1] is sameas true }}',
    '{{ x | default(1) is number }}',
    '{{ "a" if x is defined else "b" }}',
    '{{ x is number or x is string }}',
    '{{ 3 > 2 is sameas true }}',
    '{{ none is none }}',
    '{{ true is true }}',
    '{{ false is false }}',
    '{{ x is true }}',
    '{{ x is not false }}',
    '{{ y is undefined }}',
    '{{ x is ansible.builtin.number }}',
    '{{ x is divisibleby(5) }}',
    '{{ x is divisibleby 5 and true }}',
    '{{ "1.2" is version("1.0", ">=") }}',
    '{{ x is in [5, 6] }}',
    '{{ [x] is not in [[5]] }}',
    '{{ x is defined | string }}',
    '{{ (x is defined) | string }}',
    '{{ x is 5 }}',
    '{{ x is }}',
    '{{ - x is number }}',
    '{{ not x is none and x is number }}',
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences: differing } = compareWithAnsible(templates, { x: 5 });
      // `1 in [1] is sameas true` (1 in True), `is ansible.builtin.number` (no such plugin), `x is 5`, `x is`.
      expect(expected.filter((o) => 'error' in o).length).toBe(4);
      expect(differing).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});
