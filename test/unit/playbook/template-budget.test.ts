import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evaluateExpression, renderValue } from '../../../playbook/templating.js';
import { TEMPLATE_MAX_STEPS } from '../../../playbook/template-budget.js';
import { renderFailure } from './templar-oracle.js';

const failure = renderFailure;

const CASES = ['1 / 0', '1 // 0', '1 % 0', '1.0 / 0', '1.0 // 0', '1.0 % 0', '1 / 0.0', '1 // 0.0', '1 % 0.0', '1.5 % 0', 'True / False'];
const WORDS = `
for case in ${JSON.stringify(CASES)}:
    try:
        eval(case)
    except ZeroDivisionError as e:
        print(e)
`;

describe('the template budget', () => {
  it('stops nested loops past the step budget', () => {
    const err = failure('{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}');
    expect(err.code).toBe('TEMPLATE_TOO_EXPENSIVE');
    expect(err.message).toContain(TEMPLATE_MAX_STEPS.toLocaleString('en'));
  });

  it('stops text that doubles, recursion without end, and a range too long to build', () => {
    // Through a namespace: a plain set in a loop's body starts again from the outer value in each pass, as in Jinja2.
    expect(failure('{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}').message).toContain(
      'MiB of text',
    );
    expect(failure('{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}').message).toContain('nested calls');
    expect(failure('{{ range(10 ** 12) | length }}').code).toBe('TEMPLATE_TOO_EXPENSIVE');
  });

  it('counts a variable pulled in against the render that pulls it', () => {
    const names = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const vars: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, '{% for i in range(90000) %}{% endfor %}']));
    vars.outer = names.map((n) => `{{ ${n} }}`).join('');
    expect(failure('{{ outer }}', vars).code).toBe('TEMPLATE_TOO_EXPENSIVE');
    expect(renderValue('{{ v0 }}{{ v1 }}', vars)).toBe('');
  });

  it('leaves ordinary templates alone, each with a budget of its own', () => {
    for (let i = 0; i < 20; i++) expect(evaluateExpression('{{ range(50000) | map("string") | join(",") | length }}', {})).toBeGreaterThan(0);
  });

  it("divides as Python: by zero is ZeroDivisionError; // floors; % takes the divisor's sign", () => {
    expect(failure('{{ 1 / 0 }}').message).toBe('ZeroDivisionError: division by zero');
    expect(failure('{{ 1 // 0 }}').message).toContain('ZeroDivisionError');
    expect(failure('{{ 5 % 0 }}').message).toContain('ZeroDivisionError');
    // Python's own words, for each operator with ints and with a float on either side.
    const words = execFileSync('/usr/bin/python3', ['-c', WORDS], { encoding: 'utf8' }).trim().split('\n');
    expect(CASES.map((c) => failure(`{{ ${c} }}`).message.replace('ZeroDivisionError: ', ''))).toEqual(words);
    expect(renderValue('{{ [7 // 2, -7 // 2, -7 % 3, 7 / 2] }}', {})).toEqual([3, -4, 2, 3.5]);
  });
});
