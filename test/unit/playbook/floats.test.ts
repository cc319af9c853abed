// Python's floats against ansible-core's own Templar: a float with a whole value keeps its kind
// (1.0 is written 1.0, not 1), through YAML, literals, arithmetic, filters, JSON and YAML output
// and Python's repr of other floats (1e-05). Kubespray's containerd role writes
// `containerd_tracing_sampling_ratio: 1.0` (roles/container-engine/containerd/defaults/main.yml
// at 46dbdd39) into config.toml as `sampling_ratio = {{ containerd_tracing_sampling_ratio }}`,
// where 1 would be an integer to TOML.
import { describe, expect, it } from 'vitest';
import { PythonFloat } from '../../../base/python-float.js';
import { pythonJsonDumps } from '../../../base/python-json.js';
import { YamlSource } from '../../../playbook/yaml-source.js';
import { evaluateExpression } from '../../../playbook/templating.js';
import { compareWithAnsible, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

describe('floats, against ansible-core', () => {
  // Read from YAML as a playbook's vars are, so 1.0 arrives as Ansible's loader reads it.
  const vars = YamlSource.parse(
    'vars.yml',
    [
      'containerd_tracing_sampling_ratio: 1.0',
      'ratio: 1.0',
      'half: 0.5',
      'three: 3',
      'zero: 0.0',
      'big: 1.0e+20',
      'small: 0.00001',
      'mixed: [1, 2.0, 3.5]',
      'json: \'{"a": 1.0, "b": 2, "c": 1e3, "d": [2.50, -0.0]}\'',
      'text: "1.0"',
    ].join('\n'),
  ).data as Record<string, unknown>;
  const templates = [
    'sampling_ratio = {{ containerd_tracing_sampling_ratio }}',
    'ratio: {{ ratio }}',
    '{{ ratio | type_debug }} {{ three | type_debug }} {{ half | type_debug }}',
    '{{ 1.0 }} {{ -1.0 }} {{ 0.0 }} {{ -0.0 }}',
    '{{ three / 3 }} {{ three // 2 }} {{ three // 2.0 }} {{ three % 2.0 }} {{ 6 / 4 }}',
    '{{ three * ratio }} {{ three + ratio }} {{ three - ratio }} {{ ratio * 2 }} {{ True + 1.0 }}',
    '{{ 2 ** 2 }} {{ 2 ** -1 }} {{ 1 ** -1 }} {{ 2.0 ** 2 }} {{ -ratio }} {{ +ratio }}',
    '{{ 2.7 | round }} {{ 3 | round }} {{ 2.5 | round }} {{ 2.25 | round(1) }} {{ 2.1 | round(0, "ceil") }} {{ 3 | round(0, "floor") }}',
    "{{ '3' | float }} {{ 3 | float }} {{ ratio | int }} {{ 'x' | float }} {{ true | float }}",
    '{{ mixed | sum }} {{ [1, 2] | sum }} {{ [0.5, 0.5] | sum }} {{ mixed | max }} {{ mixed | min }}',
    '{{ 8 | root(3) }} {{ 16 | root }} {{ 2 | pow(3) }} {{ 100 | log(10) }} {{ -2.0 | abs }} {{ -2 | abs }}',
    '{{ ratio is float }} {{ three is float }} {{ ratio is number }} {{ ratio is integer }} {{ half is float }}',
    "{{ 'yes' if zero else 'no' }} {{ zero | bool }} {{ ratio | bool }} {{ not zero }}",
    '{{ ratio == 1 }} {{ ratio == three / 3 }} {{ 1 in mixed }} {{ 2 in mixed }} {{ ratio < 1.5 }}',
    '{{ mixed }} {{ {"r": ratio, "h": half} }} {{ [ratio] | string }}',
    '{{ mixed | to_json }} {{ {"r": ratio} | to_nice_json }}',
    '{{ mixed | to_yaml }}{{ {"r": ratio, "b": big} | to_nice_yaml }}',
    '{{ json | from_json }}',
    '{{ (json | from_json).a | type_debug }} {{ (json | from_json).c }} {{ (json | from_json).b | type_debug }}',
    '{{ big }} {{ small }} {{ 0.1 + 0.2 }} {{ 1 / 3 }} {{ 123456789012345678.0 }} {{ 10000000000000000.0 }} {{ 1000000000000000.0 }}',
    "{{ '%s|%r|%d|%.2f|%e|%g' % (ratio, ratio, ratio, ratio, ratio, ratio) }}",
    "{{ '%x' % ratio }}",
    '{{ range(ratio) | list }}',
    '{{ text | float + 1 }} {{ text + "x" }}',
    '{{ [ratio, 1] | unique }} {{ [1, ratio] | unique }} {{ [1, true, 1.0] | unique }} {{ [true, 1] | unique }} {{ [1.0, 2.5, 1] | sort }}',
    '{{ 3 / 0 }}',
    // Jinja2's number literals nunjucks read otherwise: exponents, underscores, 0x/0o/0b.
    '{{ 1e3 }} {{ 1E3 | int }} {{ 2.5e-3 }} {{ 1e+2 }} {{ big / 1e20 }} {{ 1_000 + 1 }} {{ 1_0.5 }} {{ 0x1F }} {{ 0o17 + 0b101 }} {{ [1e3, 1_0.5] }}',
    '{{ 1e }}',
    // Python has no leading zeros on an int; on a float it has.
    '{{ 00 }} {{ 0 }} {{ 0_0 }} {{ 007.5 }} {{ 0.5 }} {{ 10 }}',
    '{{ 007 }}',
    '{{ [0, 01] }}',
    // A filter whose output is text (to_json) keeps it text before the template's last newline,
    // as a playbook's `content: "{{ x | to_json }}\n"` writes it; a plain value there is still read.
    '{{ mixed | to_json }}\n',
    '{{ mixed | to_json }}\n\n',
    '{{ mixed }}\n',
    '{{ mixed | to_nice_yaml }}\n',
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual([
        "{{ '%x' % ratio }}",
        '{{ range(ratio) | list }}',
        '{{ 3 / 0 }}',
        '{{ 1e }}',
        '{{ 007 }}',
        '{{ [0, 01] }}',
      ]);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it(
    'keeps the kind in a template whose whole value is one expression',
    () => {
      const typed = ['{{ ratio }}', '{{ three / 3 }}', '{{ [ratio, three, half] }}', '{{ {"a": 1.0} }}', '{{ json | from_json }}', '{{ 7.0 // 2 }}'];
      const { differences } = compareWithAnsible(typed, vars, true);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});

describe('PythonFloat', () => {
  it('is a PythonFloat from YAML only where the value is whole', () => {
    const data = YamlSource.parse('v.yml', 'a: 1.0\nb: 1.5\nc: 1\nd: 1e3\n').data as Record<string, unknown>;
    expect(data.a).toBeInstanceOf(PythonFloat);
    expect(data.b).toBe(1.5);
    expect(data.c).toBe(1);
    // PyYAML needs a dot in a float: 1e3 is text.
    expect(data.d).toBe('1e3');
  });

  it('acts as its number where JavaScript converts it, and writes Python text', () => {
    const one = evaluateExpression('1.0', {});
    expect(one).toBeInstanceOf(PythonFloat);
    expect(Number(one)).toBe(1);
    expect(JSON.stringify({ one })).toBe('{"one":1}');
    expect(String(one)).toBe('1.0');
    expect(pythonJsonDumps({ one })).toBe('{"one": 1.0}');
  });
});
