// What a playbook value that is one `{{ … }}` becomes, against ansible-core's Templar with
// ansible-playbook's defaults (jinja2_native off). Ansible hands back a lone variable that holds
// a number, a boolean or None as it is (its SINGLE_VAR fast path) and prints any other number
// or None through Jinja, as text: `port: "{{ base_port + 1 }}"` is '8081', so
// `"http://h:" + port` works there, and `{"p": port} | to_json` writes "8081". hound kept the
// number, so the first failed with a TypeError and the second wrote 8081.
import { describe, expect, it } from 'vitest';
import { compareWithAnsible, ORACLE_TIMEOUT_MS } from './templar-oracle.js';
import { evaluateExpression, renderValue } from '../../../playbook/templating.js';

describe('a whole value, against ansible-core', () => {
  const vars = {
    n: 3,
    f: 1.5,
    b: true,
    z: null,
    l: [1, 2],
    s: '7',
    tn: '{{ n + 1 }}',
    tz: '{{ z }}',
    nested: { k: 5, nn: null },
    base_port: 8080,
    port: '{{ base_port + 1 }}',
    replicas: '{{ n * 2 }}',
    ratio: '{{ n / 2 }}',
  };
  const templates = [
    '{{ n }}',
    '{{n}}',
    '{{  n  }}',
    '{{ n }}\n',
    '{{ (n) }}',
    '{{ n + 1 }}',
    '{{ -n }}',
    '{{ n | int }}',
    '{{ s | int }}',
    '{{ f }}',
    '{{ 2.0 }}',
    '{{ n * 1.0 }}',
    '{{ b }}',
    '{{ not b }}',
    '{{ z }}',
    '{{ z }}\n',
    '{{ none }}',
    '{{ nested.nn }}',
    '{{ nested.k }}',
    '{{ nested["k"] }}',
    '{{ tn }}',
    '{{ tz }}',
    '{{ l }}',
    '{{ l | length }}',
    '{{ l[0] }}',
    '{{ n if b else 2 }}',
    '{{ nested.missing | default(5) }}',
    '{{ nested.missing | default(none) }}',
    '{{ "http://h:" + port }}',
    '{{ port | type_debug }}',
    '{{ port is string }}',
    '{{ {"p": port, "r": replicas, "q": ratio} | to_json }}',
    '{{ [port, n] }}',
    '{{ replicas | int + 1 }}',
    '{{ port + 1 }}',
  ];

  it(
    `gives Ansible's value and kind, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      // A computed port is text there too: adding a number to it is Python's TypeError.
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual(['{{ port + 1 }}']);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it('leaves an expression its own value where hound reads one (conditions, loops)', () => {
    expect(evaluateExpression('n + 1', vars)).toBe(4);
    expect(evaluateExpression('{{ l | length }}', vars)).toBe(2);
    expect(renderValue('{{ l | length }}', vars)).toBe('2');
  });
});
