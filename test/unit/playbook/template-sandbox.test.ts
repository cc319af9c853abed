// nunjucks is not a sandbox; hound's runtime must refuse every known way out.
import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { evaluateCondition, renderValue } from '../../../playbook/templating.js';

const vars = { name: 'nginx', list: [1, 2], dict: { a: 1 }, fn_holder: { x: 'y' } };

function refusal(template: string): HoundError {
  try {
    renderValue(template, vars);
  } catch (err) {
    expect(err).toBeInstanceOf(HoundError);
    return err as HoundError;
  }
  throw new Error(`template was rendered: ${template}`);
}

const escapes = [
  `{{ range.constructor("return process")() }}`,
  `{{ range.constructor.constructor("return process")() }}`,
  `{{ "".constructor.constructor("return process")() }}`,
  `{{ name.constructor }}`,
  `{{ list.constructor("x") }}`,
  `{{ dict.__proto__ }}`,
  `{{ dict["__proto__"]["constructor"] }}`,
  `{{ dict["constr" ~ "uctor"] }}`,
  `{{ lookup.call(1) }}`,
  `{{ lookup.apply }}`,
  `{{ list.map }}`,
  `{{ name.valueOf() }}`,
  `{% set c = "constructor" %}{{ dict[c] }}`,
  `{{ joiner().constructor }}`,
  `{{ cycler(1, 2).next.constructor("return process")() }}`,
  `{% for x in list %}{{ loop.cycle.constructor("return process")() }}{% endfor %}`,
  `{{ name | constructor }}`,
  `{{ name | __defineGetter__("x") }}`,
  `{{ list | map("constructor") | list }}`,
  `{{ list | select("constructor") | list }}`,
  `{{ constructor }}`,
];

describe('template sandbox', () => {
  for (const template of escapes) {
    it(`refuses ${template}`, () => {
      const error = refusal(template);
      expect(['TEMPLATE_UNSAFE', 'UNDEFINED_VARIABLE', 'TEMPLATE_ERROR', 'TEMPLATE_UNSUPPORTED']).toContain(error.code);
      expect(error.exitCode).toBe(4);
      expect(error.message).not.toMatch(/\[object|process/);
    });
  }

  it('says plainly why the constructor escape is refused', () => {
    const error = refusal(`{{ range.constructor("return process")() }}`);
    expect(error.code).toBe('TEMPLATE_UNSAFE');
    expect(error.message).toBe("template refused: access to 'constructor'");
  });

  it('calls to JavaScript functions are refused even when reached through a filter result', () => {
    expect(refusal(`{{ (name | list).push("x") }}`).code).toBe('UNDEFINED_VARIABLE');
    expect(refusal(`{{ (dict | dict2items)[0].constructor }}`).code).toBe('TEMPLATE_UNSAFE');
  });

  it('conditions are sandboxed too', () => {
    expect(() => evaluateCondition('range.constructor("return process")()', vars)).toThrow(/access to 'constructor'/);
  });

  it('leaves the real prototypes untouched', () => {
    expect(() => renderValue(`{{ dict.__proto__.polluted }}`, vars)).toThrow(HoundError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("shows no JavaScript of hound's own functions: joiner, cycler, loop.cycle and loop.changed", () => {
    // nunjucks' own joiner and cycler were JavaScript; hound's are Jinja2's, their methods no items of what holds them.
    expect(renderValue(`{% set c = cycler(1, 2) %}{{ c }} {{ c | to_json }}`, vars)).toBe('{\'current\': 1} {"current": 1}');
    expect(renderValue(`{% for x in list %}{{ loop | to_json }};{% endfor %}`, vars)).not.toMatch(/=>|function|cycle|changed/);
    expect(refusal(`{{ joiner() }}`).message).toContain('a method used as a value');
    // Held in a list or dict, printed or written as JSON, a function is refused too: it printed its source.
    for (const t of ['x{{ [range] }}', '{{ [range] | to_json }}', '{{ {"f": "a".upper} | to_nice_json }}', '{{ [joiner()] | tojson }}'])
      expect(refusal(t).message, t).toContain('a method used as a value');
  });

  it('still allows the safe methods playbooks use', () => {
    expect(renderValue(`{{ "a:b".split(":") }}`, vars)).toEqual(['a', 'b']);
    expect(renderValue(`{{ dict.items() | list }}`, vars)).toEqual([['a', 1]]);
    expect(renderValue(`{{ name.startswith("ng") }}`, vars)).toBe(true);
    expect(renderValue(`{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(name) }}`, vars)).toBe('<nginx>');
  });
});
