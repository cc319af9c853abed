// Python's slices in templates (`inventory_hostname[4:]`, `items[::-1]`), against Jinja2 itself:
// python3's jinja2, the one ansible-playbook renders with, renders every case here and hound's
// must give the same values, or fail where Jinja2 fails.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { evaluateExpression, renderValue } from '../../../playbook/templating.js';

const VALUES: Record<string, unknown> = {
  list: [10, 11, 12, 13, 14, 15, 16],
  text: 'héllo wörld',
  short: 'ab',
  empty: [],
};
const BOUNDS = ['', '-9', '-3', '-1', '0', '1', '2', '5', '9'];
const STEPS = ['', '-3', '-1', '1', '2'];

/** Every `name[start:stop:step]` over the values and bounds above. */
function sliceTemplates(): string[] {
  const out: string[] = [];
  for (const name of Object.keys(VALUES))
    for (const start of BOUNDS)
      for (const stop of BOUNDS) for (const step of STEPS) out.push(`{{ ${name}[${start}:${stop}${step === '' ? '' : `:${step}`}] }}`);
  return out;
}

/** What Jinja2 renders for each `{{ expression }}` (as `{{ (expression) | tojson }}`, read back), or the class of its error. */
function jinja2(templates: string[], vars: Record<string, unknown>): unknown[] {
  const program = [
    'import json, sys, jinja2',
    'env = jinja2.Environment(undefined=jinja2.StrictUndefined)',
    'templates, values = json.load(sys.stdin)',
    'out = []',
    'for t in templates:',
    '    try:',
    "        out.append({'value': json.loads(env.from_string('{{ (' + t[3:-3] + ') | tojson }}').render(**values))})",
    '    except Exception as e:',
    "        out.append({'error': type(e).__name__})",
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', program], { input: JSON.stringify([templates, vars]), encoding: 'utf8' })) as unknown[];
}

function hound(templates: string[], vars: Record<string, unknown>): unknown[] {
  return templates.map((t) => {
    try {
      return { value: evaluateExpression(t, vars) };
    } catch {
      return { error: true };
    }
  });
}

/** Jinja2's errors compared as "it failed": the class names differ between the two. */
const failed = (results: unknown[]) => results.map((r) => ('error' in (r as object) ? { error: true } : r));

describe('slices in templates are Jinja2 slices', () => {
  it('gives what Jinja2 gives for every start, stop and step over lists and strings', () => {
    const templates = sliceTemplates();
    expect(templates.length).toBe(4 * 9 * 9 * 5);
    const expected = failed(jinja2(templates, VALUES));
    // The oracle did render: some results are values, and each step of 0 is absent here.
    expect(expected.filter((r) => 'value' in (r as object)).length).toBe(templates.length);
    expect(hound(templates, VALUES)).toEqual(expected);
  });

  it('slices within expressions, filters and variables as bounds', () => {
    const vars = { inventory_hostname: 'node12', n: 2, items: ['a', 'b', 'c', 'd'] };
    const templates = [
      '{{ inventory_hostname[4:] | int + 1 }}',
      '{{ items[n:] | join(",") }}',
      '{{ items[:-n] }}',
      '{{ (items | map("upper") | list)[1::2] }}',
      '{{ "registry.local/app"[:14] }}',
      '{{ items[1] }}',
    ];
    expect(hound(templates, vars)).toEqual(failed(jinja2(templates, vars)));
  });

  it('fails where Jinja2 fails: a zero step, a fraction, a dict, an undefined name', () => {
    const vars = { items: [1, 2, 3], d: { a: 1 } };
    const templates = ['{{ items[::0] }}', '{{ items[1.5:] }}', '{{ d[1:] }}', '{{ missing[1:] }}'];
    const expected = failed(jinja2(templates, vars));
    expect(expected).toEqual(templates.map(() => ({ error: true })));
    expect(hound(templates, vars)).toEqual(expected);
    expect(() => renderValue('{{ items[::0] }}', vars)).toThrow(/slice step cannot be zero/);
    expect(() => renderValue('{{ items[1:2:3:4] }}', vars)).toThrow(/too many slice components/);
  });
});
