// Jinja2 semantics Ansible users rely on: native types, strict undefined, filters, tests.
import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { evaluateCondition, referencedNames, renderValue } from '../../../playbook/templating.js';

const vars = {
  registry: 'registry.lab:5000',
  images: ['app:1.0', 'sidecar:2.1', 'app:1.0'],
  count: 3,
  enabled: false,
  nothing: null,
  ref: '{{ registry }}/app',
  nested: { ports: [80, 443], name: 'web' },
  users: [
    { name: 'a', admin: true, shell: '/bin/bash' },
    { name: 'b', admin: false, shell: '/bin/sh' },
  ],
  json_text: '{"k": [1, 2]}',
  word: '  Mixed Case  ',
};
const r = (t: unknown) => renderValue(t, vars);

describe('native types', () => {
  it('a value that is one expression keeps its type', () => {
    expect(r('{{ images }}')).toEqual(['app:1.0', 'sidecar:2.1', 'app:1.0']);
    expect(r('{{ count }}')).toBe(3);
    expect(r('{{ nested }}')).toEqual({ ports: [80, 443], name: 'web' });
    expect(r('{{ enabled }}')).toBe(false);
    expect(r('{{ nothing }}')).toBeNull();
    // As Ansible's Templar (jinja2_native off): a lone variable holding a number, a boolean or
    // None is handed back as it is; any other number or None that is a whole value is Jinja's
    // text, so a computed port joins a string (python-methods.test.ts checks it against Ansible).
    expect(r('{{ count + 1 }}')).toBe('4');
    expect(r('{{ nested.ports[0] }}')).toBe('80');
    expect(r('{{ nested.missing | default(none) }}')).toBe('');
    expect(r('{{ count }}\n')).toBe(3);
    // Text around the expression makes the value text, as in ansible-playbook, which reads a
    // list's or dict's text back as the value (python-methods.test.ts checks it against Ansible).
    expect(r(' {{ count + 1 }} ')).toBe(' 4 ');
    expect(r('{{ images }}\n')).toEqual(['app:1.0', 'sidecar:2.1', 'app:1.0']);
    expect(r(' {{ images }}')).toBe(" ['app:1.0', 'sidecar:2.1', 'app:1.0']");
  });
  it('inside a larger string, values print as Jinja2 prints them', () => {
    expect(r('n={{ count }} e={{ enabled }} l={{ nested.ports }} none={{ nothing }}.')).toBe('n=3 e=False l=[80, 443] none=.');
    expect(r('{{ images[0] }}-{{ images[-1] }}')).toBe('app:1.0-app:1.0');
  });
  it('renders lists and dicts deeply, variables lazily', () => {
    expect(r({ a: ['{{ ref }}', 1], b: '{{ registry }}' })).toEqual({ a: ['registry.lab:5000/app', 1], b: 'registry.lab:5000' });
  });
  it('Jinja true/false/none and Ansible True/False/None', () => {
    expect(r('{{ [true, false, none, True, False, None] }}')).toEqual([true, false, null, true, false, null]);
  });
  it('omit drops an argument', () => {
    expect(r({ name: 'x', platform: '{{ missing | default(omit) }}' })).toEqual({ name: 'x' });
  });
});

describe('undefined variables', () => {
  it('are an error naming the variable', () => {
    expect(() => r('{{ nope }}')).toThrow("'nope' is undefined");
    expect(() => r('x {{ nested.nope }}')).toThrow(/'dict object' has no attribute 'nope'/);
    expect(() => evaluateCondition('nope == 1', vars)).toThrow(/'nope' is undefined/);
    expect(() => r('{{ nope | length }}')).toThrow(HoundError);
  });
  it('an undefined Ansible fact says how to gather facts, or that hound did not gather that one; an undefined connection variable does not', () => {
    const hintOf = (template: string, withVars: Record<string, unknown> = vars) => {
      try {
        renderValue(template, withVars);
      } catch (err) {
        if (err instanceof HoundError) return err.hint ?? '';
      }
      throw new Error(`${template} rendered`);
    };
    for (const fact of ['ansible_architecture', 'ansible_facts', 'ansible_distribution_version', 'ansible_default_ipv4']) {
      expect(hintOf(`{{ ${fact} }}`), fact).toContain('no facts are gathered before this point (gather_facts: false, or gathering = explicit');
    }
    // Once facts were gathered, a fact hound does not gather is named as such.
    expect(hintOf('{{ ansible_pkg_mgr }}', { ...vars, ansible_facts: { architecture: 'x86_64' } })).toContain(
      'is not among the facts hound gathered for this host',
    );
    for (const name of ['ansible_user', 'ansible_ssh_private_key_file', 'ansible_python_interpreter', 'nope']) {
      expect(hintOf(`{{ ${name} }}`), name).toContain('define it (inventory, vars, vars_files, -e)');
    }
  });
  it('default, is defined and is undefined handle them', () => {
    expect(r('{{ nope | default("d") }}')).toBe('d');
    expect(r('{{ nope | d(5) }}')).toBe('5');
    expect(r('{{ "" | default("d", true) }}')).toBe('d');
    expect(r('{{ "" | default("d") }}')).toBe('');
    expect(evaluateCondition('nope is undefined and registry is defined', vars)).toBe(true);
    expect(evaluateCondition('nested.nope is defined', vars)).toBe(false);
    expect(evaluateCondition('nothing is none', vars)).toBe(true);
  });
});

describe('filters', () => {
  const cases: [string, unknown][] = [
    ['{{ images | unique }}', ['app:1.0', 'sidecar:2.1']],
    // As ansible 2.14 prints them: `quote` is Python's shlex.quote (safe words stay bare).
    ['{{ "abc" | quote }}|{{ "it\'s" | quote }}|{{ "" | quote }}', `abc|'it'"'"'s'|''`],
    ['{{ images | join(",") }}', 'app:1.0,sidecar:2.1,app:1.0'],
    ['{{ images | map("upper") | list }}', ['APP:1.0', 'SIDECAR:2.1', 'APP:1.0']],
    ['{{ users | map(attribute="name") | list }}', ['a', 'b']],
    ['{{ users | selectattr("admin") | map(attribute="name") | list }}', ['a']],
    ['{{ users | rejectattr("shell", "equalto", "/bin/sh") | map(attribute="name") | list }}', ['a']],
    ['{{ images | select("match", "app") | list }}', ['app:1.0', 'app:1.0']],
    ['{{ images | reject("search", ":1") | list }}', ['sidecar:2.1']],
    ['{{ [1, 2] | union([2, 3]) }}', [1, 2, 3]],
    ['{{ [1, 2, 3] | difference([2]) }}', [1, 3]],
    ['{{ [1, 2, 3] | intersect([3, 2, 9]) }}', [2, 3]],
    ['{{ images | length }}', '3'],
    ['{{ word | trim | lower }}', 'mixed case'],
    ['{{ word | upper | trim }}', 'MIXED CASE'],
    ['{{ "a-b-c" | replace("-", "_") }}', 'a_b_c'],
    ['{{ "app:1.0" | regex_replace("^(\\w+):(.*)$", "\\2/\\1") }}', '1.0/app'],
    // Two backslashes in a playbook's {{ }} are two (Ansible's escape_backslashes): no match.
    ['{{ "app:1.0" | regex_replace("^(\\\\w+):(.*)$", "\\2") }}', 'app:1.0'],
    ['{{ "registry.lab:5000/app" | regex_search("[0-9]+") }}', '5000'],
    ['{{ "abc" | regex_search("z") }}', ''],
    ['{{ images | first }}', 'app:1.0'],
    ['{{ images | last }}', 'app:1.0'],
    ['{{ "ab" | list }}', ['a', 'b']],
    ['{{ "42" | int + 1 }}', '43'],
    ['{{ "x" | int }}', '0'],
    ['{{ "yes" | bool }}', true],
    ['{{ 0 | bool }}', false],
    ['{{ count | string }}', '3'],
    // Python's json.dumps, as Ansible's to_json writes it (checked against Ansible in python-methods.test.ts).
    ['{{ nested | to_json }}', '{"ports": [80, 443], "name": "web"}'],
    ['{{ (json_text | from_json).k }}', [1, 2]],
    ['{{ {"a": 1} | to_yaml }}', '{a: 1}\n'],
    ['{{ {"a": [1]} | to_yaml }}', 'a: [1]\n'],
    [
      '{{ {"a": 1, "b": 2} | dict2items }}',
      [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ],
    ],
    ['{{ [{"key": "a", "value": 1}] | items2dict }}', { a: 1 }],
    ['{{ [1, [2, [3]]] | flatten }}', [1, 2, 3]],
    ['{{ [1, [2, [3]]] | flatten(1) }}', [1, 2, [3]]],
    ['{{ [3, 1, 2] | sort }}', [1, 2, 3]],
    ['{{ users | sort(attribute="name", reverse=true) | map(attribute="name") | list }}', ['b', 'a']],
    ['{{ {"a": {"x": 1} } | combine({"a": {"y": 2} }, recursive=true) }}', { a: { x: 1, y: 2 } }],
    ['{{ {"a": {"x": 1} } | combine({"a": {"y": 2} }) }}', { a: { y: 2 } }],
    ['{{ "/srv/app/images.tar" | basename }}', 'images.tar'],
    ['{{ "/srv/app/images.tar" | dirname }}', '/srv/app'],
    ['{{ registry ~ "/x" }}', 'registry.lab:5000/x'],
    ['{{ "yes" if enabled else "no" }}', 'no'],
    ['{% for i in images | unique %}{{ i }};{% endfor %}', 'app:1.0;sidecar:2.1;'],
    ['{{ ["ports"] | map("extract", nested) | list }}', [[80, 443]]],
    ['{{ [0, 1] | map("extract", users, "name") | list }}', ['a', 'b']],
  ];
  for (const [template, expected] of cases) {
    it(template, () => {
      expect(r(template)).toEqual(expected);
    });
  }
});

describe('conditions', () => {
  it('evaluate like Jinja2 with Python truthiness', () => {
    expect(evaluateCondition('count > 2 and not enabled', vars)).toBe(true);
    expect(evaluateCondition('"app:1.0" in images', vars)).toBe(true);
    expect(evaluateCondition("'web' in nested.name", vars)).toBe(true);
    expect(evaluateCondition('[] ', vars)).toBe(false);
    expect(evaluateCondition('{{ enabled }}', vars)).toBe(false);
    expect(evaluateCondition(true, vars)).toBe(true);
    expect(evaluateCondition('result is changed', { result: { changed: true } })).toBe(true);
    expect(evaluateCondition('result is failed', { result: { changed: true } })).toBe(false);
  });
});

describe('Jinja2 (not JavaScript) truthiness', () => {
  const v = { empty: [], none: null, word: 'a', dict: {} };
  it('empty lists and dicts are false in not/and/or/if', () => {
    expect(evaluateCondition('not empty', v)).toBe(true);
    expect(evaluateCondition('not dict', v)).toBe(true);
    expect(evaluateCondition('word and empty', v)).toBe(false);
    expect(renderValue('{{ empty or "fallback" }}', v)).toBe('fallback');
    expect(renderValue('{{ word and empty }}', v)).toEqual([]);
    expect(renderValue('{% if empty %}yes{% else %}no{% endif %}', v)).toBe('no');
    expect(renderValue('{{ "y" if dict else "n" }}', v)).toBe('n');
    // Python's for over None is a TypeError (Ansible fails the task); nunjucks ran no pass.
    expect(() => renderValue('{% for i in none %}{{ i }}{% endfor %}done', v)).toThrow("TypeError: 'NoneType' object is not iterable");
  });
  it('an undefined variable in not/and/or/if/for is an error, as with StrictUndefined', () => {
    for (const condition of ['not nope', 'nope or True', 'word and nope']) {
      expect(() => evaluateCondition(condition, v), condition).toThrow("'nope' is undefined");
    }
    expect(() => renderValue('{% if nope %}x{% endif %}', v)).toThrow("'nope' is undefined");
    expect(() => renderValue('{% for i in nope %}{{ i }}{% endfor %}', v)).toThrow("'nope' is undefined");
    expect(evaluateCondition('nope is not defined or nope', v)).toBe(true);
  });
  it('evaluates the left operand of and/or once, so a long chain compiles at once (ceph-ansible has eight `or`s in a when)', () => {
    const counted = { ...v, groups: { osds: ['node3'] } };
    const names = Array.from({ length: 40 }, (_, i) => `g${i}`);
    const chain = names.map((g) => `'node3' in groups.get('${g}', [])`).join(' or ');
    const started = Date.now();
    expect(evaluateCondition(chain, counted)).toBe(false);
    expect(evaluateCondition(`${chain} or 'node3' in groups.get('osds', [])`, counted)).toBe(true);
    expect(evaluateCondition(names.map(() => 'word').join(' and '), counted)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(renderValue('{{ (word and empty) or "fallback" }}', counted)).toBe('fallback');
    expect(renderValue('{{ (empty or dict) or (word and none) or word }}', counted)).toBe('a');
  });
});

describe('referencedNames', () => {
  it('finds the variables a template reads, not filters, tests or attributes', () => {
    expect([...referencedNames('{{ a.b | default(c) | join(",") }}{% if d is defined %}{{ e[f] }}{% endif %}')].sort()).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect([...referencedNames('r.rc == 0 and lookup("env", "X")', true)].sort()).toEqual(['r']);
  });
});
