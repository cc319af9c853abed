// Real templates that call Python's methods, key dicts by expressions or build values from
// text (test/fixtures/corpus/templates/: files from Kubespray and Kolla-Ansible, byte for byte,
// origins in cases.json), rendered by hound and by ansible-core's own Templar with the same
// variables: each ends as under ansible-playbook, or hound refuses it as recorded.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { HoundError } from '../../../base/errors.js';
import { evaluateCondition, renderTemplateFile, renderValue, trimBlocks } from '../../../playbook/templating.js';
import { pythonJsonDumps, pythonJsonLoads } from '../../../base/python-json.js';
import { PythonFloat } from '../../../base/python-float.js';
import { pythonStr } from '../../../playbook/template-values.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/corpus/templates');

interface Case {
  id: string;
  file: string;
  kind: 'template-file' | 'line' | 'value' | 'condition';
  line?: number;
  template?: string;
  task?: string;
  key?: string[];
  why: string;
  vars: Record<string, unknown>;
  /** Folders (corpus paths) searched after the file's own by its includes and imports. */
  searchpath?: string[];
  hound?: { refused: string };
}

// Read as Python's json reads it, so a float written 1.0 stays a float (a PythonFloat).
const corpus = pythonJsonLoads(readFileSync(path.join(DIR, 'cases.json'), 'utf8')) as {
  sources: Record<string, { repository: string; commit: string }>;
  cases: Case[];
};

/** The published file, as the corpus holds it. */
function source(c: Case): string {
  return readFileSync(path.join(DIR, c.file), 'utf8');
}

/** A task (by name) anywhere in a task file's blocks. */
function findTask(node: unknown, name: string): Record<string, unknown> | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findTask(item, name);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const task = node as Record<string, unknown>;
  if (task.name === name) return task;
  return findTask(task.block ?? task.rescue ?? task.always, name);
}

/** What the case renders: the whole file, an expression written on its line, or a YAML value. */
function templateOf(c: Case): string {
  const text = source(c);
  if (c.kind === 'template-file') return text;
  if (c.kind === 'line' || c.kind === 'condition') {
    const line = text.split('\n')[c.line! - 1];
    // Taken from the file, not typed: the case's text must be on that line as published.
    expect(line, `${c.file}:${c.line}`).toContain(c.template!);
    return c.template!;
  }
  let node: unknown = parseYaml(text);
  if (c.task !== undefined) node = findTask(node, c.task);
  for (const k of c.key!) node = (node as Record<string, unknown>)[k];
  expect(typeof node, `${c.file}: ${c.key!.join('.')}`).toBe('string');
  return node as string;
}

const ORACLE = `
import json, sys
from ansible.template import Templar, AnsibleEnvironment
from ansible.parsing.dataloader import DataLoader
cases = json.load(sys.stdin)
out = []
for case in cases:
    kind, template, variables = case[:3]
    try:
        templar = Templar(loader=DataLoader(), variables=variables)
        if kind == 'template-file':
            # As the template action renders a file (plugins/action/template.py), includes looked up on its search path.
            # The task's trim_blocks and lstrip_blocks, as the action passes them (case[4]); Ansible's defaults otherwise.
            environment = case[4] if len(case) > 4 else {}
            templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment, trim_blocks=environment.get('trim_blocks', True), lstrip_blocks=environment.get('lstrip_blocks', False), available_variables=variables)
            templar.environment.loader.searchpath = case[3] if len(case) > 3 else []
            value = templar.do_template(template, preserve_trailing_newlines=True, escape_backslashes=False)
        elif kind == 'condition':
            value = templar.template('{%% if %s %%}True{%% else %%}False{%% endif %%}' % template)
        else:
            value = templar.template(template)
        out.append({'value': value})
    except Exception as e:
        out.append({'error': '%s: %s' % (type(e).__name__, e)})
print(json.dumps(out))
`;

function ansible(
  cases: Array<[Case['kind'], string, Record<string, unknown>, string[]?, Record<string, boolean>?]>,
): Array<{ value: unknown } | { error: string }> {
  return pythonJsonLoads(execFileSync('/usr/bin/python3', ['-c', ORACLE], { input: pythonJsonDumps(cases), encoding: 'utf8', maxBuffer: 64 << 20 })) as Array<
    { value: unknown } | { error: string }
  >;
}

function hound(c: Case, template: string): unknown {
  if (c.kind === 'template-file') return renderTemplateFile(template, c.vars, includePath(c));
  if (c.kind === 'condition') return evaluateCondition(template, c.vars);
  return renderValue(template, c.vars);
}

/** Where a corpus file's `{% include %}` and `{% import %}` look: its own folder, then the case's `searchpath` (a role's templates/, as the template action adds it). */
function includePath(c: Case): string[] {
  return c.file === '' ? [] : [path.dirname(path.join(DIR, c.file)), ...(c.searchpath ?? []).map((dir) => path.join(DIR, dir))];
}

/** As Ansible's defaults show a whole value (jinja2_native off): a number is its text. */
function asAnsibleShows(value: unknown): unknown {
  return typeof value === 'number' || value instanceof PythonFloat ? pythonStr(value) : value;
}

describe('templates from Kubespray and Kolla-Ansible, against ansible-core', () => {
  const templates = corpus.cases.map(templateOf);
  let expected: Array<{ value: unknown } | { error: string }> = [];
  // One python3 for all cases (ansible-core's import alone is a second of CPU), under a hook's longer timeout.
  beforeAll(() => {
    expected = ansible(corpus.cases.map((c, i) => [c.kind, templates[i], c.vars, includePath(c)]));
  }, 120_000);

  it('holds each published file with its origin', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(13);
    for (const c of corpus.cases) {
      const repo = c.file.split('/')[0];
      expect(corpus.sources[repo]?.commit, c.id).toMatch(/^[0-9a-f]{40}$/);
      expect(source(c).length, c.id).toBeGreaterThan(0);
    }
  });

  corpus.cases.forEach((c, i) => {
    it(`${c.id}: ${c.why}`, () => {
      const oracle = expected[i];
      // ansible-core renders every case: none is a template Ansible itself refuses.
      expect(oracle, JSON.stringify(oracle)).toHaveProperty('value');
      const wanted = (oracle as { value: unknown }).value;
      if (c.hound?.refused !== undefined) {
        expect(() => hound(c, templates[i])).toThrow(HoundError);
        expect(() => hound(c, templates[i])).toThrow(c.hound.refused);
        return;
      }
      expect(asAnsibleShows(hound(c, templates[i]))).toEqual(c.kind === 'condition' ? wanted === 'True' || wanted === true : wanted);
    });
  });
});

/**
 * Backslashes in string literals, by where the template is: Ansible keeps them as written inside
 * a playbook value's `{{ }}` (escape_backslashes), and Jinja2 decodes Python's escapes everywhere
 * else (`{% %}`, a template file, a `when:` condition). The corpus above holds the real lines
 * (regex_replace('\\.', '-') and the like); these are the edges, against the same oracle.
 */
describe('backslashes in string literals, against ansible-core', () => {
  const vars = { v: '1.22.3', s: 'a\tb\\c', path: 'C:\\temp\\x', lines: 'one\ntwo' };
  const cases: Array<[Case['kind'], string]> = [
    ['value', String.raw`{{ v | regex_replace('\.', '-') }}`],
    ['value', String.raw`{{ v | regex_replace('\\.', '-') }}`],
    ['value', String.raw`{{ v | regex_search('^(\d+)\.(\d+)', '\2') }}`],
    ['value', String.raw`{{ 'x\ty' }}|{{ "x\ny" }}`],
    ['value', String.raw`{{ lines.split('\n') }}`],
    ['value', String.raw`{{ s.split('\t') }}`],
    ['value', String.raw`{{ path.split('\\') }}`],
    ['value', String.raw`{% set r = '\d' %}{{ v | regex_replace(r, 'N') }}`],
    ['value', String.raw`{% set t = 'x\ty\x41\101\u00e9' %}{{ t }}`],
    ['value', String.raw`{% set t = '\\d' %}{{ t }}`],
    ['value', String.raw`{% if '\d' == '\\d' %}same{% endif %}`],
    ['value', String.raw`é {{ 'é\é' }}`],
    ['value', String.raw`{{ 'it\'s' }}`],
    ['value', String.raw`{% set t = '\xZZ' %}{{ t }}`],
    ['template-file', String.raw`{{ v | regex_replace('\.', '-') }} {{ v | regex_replace('\\.', '-') }} {{ 'x\ty' }}` + '\n'],
    ['template-file', String.raw`{{ lines.split('\n') }} {{ 'it\'s' }}` + '\n'],
    ['condition', String.raw`v is match('\d+\.\d+')`],
    ['condition', String.raw`v is match('\\d+\\.\\d+')`],
    ['condition', String.raw`'\t' in s`],
    ['condition', String.raw`path == 'C:\\temp\\x'`],
    ['condition', String.raw`s == 'a\tb\\c' and v is not match('\\\\d')`],
  ];
  let expected: Array<{ value: unknown } | { error: string }> = [];
  beforeAll(() => {
    expected = ansible(cases.map(([kind, template]) => [kind, template, vars]));
  }, 120_000);

  it(`renders ${cases.length} cases as ansible-core does, or fails where it fails`, () => {
    const failing = expected.filter((o) => 'error' in o).length;
    expect(failing).toBe(2); // `'it\'s'` in a playbook's {{ }}, and '\xZZ'
    const differences = cases.flatMap(([kind, template], i) => {
      const oracle = expected[i];
      let got: { value: unknown } | { error: true };
      try {
        got = { value: asAnsibleShows(hound({ id: `backslashes-${i}`, file: '', why: '', kind, vars }, template)) };
      } catch (err) {
        if (!(err instanceof HoundError)) throw err;
        got = { error: true };
      }
      const wanted = 'error' in oracle ? { error: true } : { value: kind === 'condition' ? oracle.value === 'True' || oracle.value === true : oracle.value };
      return JSON.stringify(got) === JSON.stringify(wanted) ? [] : [{ kind, template, ansible: oracle, hound: got }];
    });
    expect(differences).toEqual([]);
  });
});

/**
 * Template files' `#jinja2:` first line and `{% include %}`, against the oracle with the same
 * search path; and what hound refuses there, plainly.
 */
describe('template files: #jinja2 options and includes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-include-'));
  mkdirSync(path.join(dir, 'parts'));
  writeFileSync(path.join(dir, 'parts', 'item.j2'), '{% set local = 1 %}  - {{ name }}={{ i }}\n');
  writeFileSync(path.join(dir, 'self.j2'), "{% include 'self.j2' %}\n");
  const vars = { name: 'web', items: [1, 2] };
  const cases: string[] = [
    "head\n{% for i in items %}\n{% include 'parts/item.j2' %}\n{% endfor %}\n{{ local is defined }}\n",
    "{% include ['missing.j2', 'parts/item.j2'] %}|{% include 'nope.j2' ignore missing %}|\n",
    '#jinja2: lstrip_blocks: True\nx:\n    {% if name %}\n  y\n    {% endif %}\n\t{# note #}\nz\n',
    '#jinja2: trim_blocks: False, lstrip_blocks: True\n  {% for i in items %}\n{{ i }}\n  {% endfor %}\n',
    '#jinja2:trim_blocks:False\n{% if name %}\nkept newline\n{% endif %}\n',
  ];
  let expected: Array<{ value: unknown } | { error: string }> = [];
  beforeAll(() => {
    expected = ansible(cases.map((t) => ['template-file', t, { ...vars, i: 0 }, [dir]]));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`renders ${cases.length} templates as the template action does`, () => {
    cases.forEach((t, i) => {
      expect(expected[i], t).toHaveProperty('value');
      expect(renderTemplateFile(t, { ...vars, i: 0 }, [dir]), t).toBe((expected[i] as { value: unknown }).value);
    });
  });

  it('refuses plainly what it does not do, and fails where Ansible fails', () => {
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (err) {
        expect(err).toBeInstanceOf(HoundError);
        return err as HoundError;
      }
      throw new Error('rendered');
    };
    const notFound = failure(() => renderTemplateFile("{% include 'nope.j2' %}", vars, [dir]));
    expect(notFound.code).toBe('TEMPLATE_ERROR');
    expect(notFound.message).toContain(`template not found: nope.j2 (searched ${dir})`);
    expect(failure(() => renderTemplateFile("{% include '../etc/passwd' %}", vars, [path.join(dir, 'parts')])).message).toContain('template not found');
    expect(failure(() => renderValue("x {% include 'parts/item.j2' %}", vars)).code).toBe('TEMPLATE_UNSUPPORTED');
    // A recursive loop is refused by name; nunjucks said only "expected block end in for statement".
    const recursive = failure(() => renderValue('{% for x in [1] recursive %}{{ x }}{% endfor %}', vars));
    expect([recursive.code, recursive.message]).toEqual([
      'TEMPLATE_UNSUPPORTED',
      'recursive for loops (`{% for … recursive %}` with `loop(…)`) are not supported',
    ]);
    // An unfinished template is a syntax error in words, not JavaScript's (nunjucks read the missing token as null).
    for (const t of ['{% with a = 1', '{% with', '{{ x | ', '{{ x is'])
      expect(failure(() => renderValue(t, vars)).message, t).toMatch(/^template syntax error: (unexpected end of template|expected the name of a test)/);
    expect(failure(() => renderTemplateFile('#jinja2: keep_trailing_newline: True\nx\n', vars, [dir])).code).toBe('TEMPLATE_UNSUPPORTED');
    // A template that includes itself ends on the template budget's depth, not a stack overflow.
    expect(failure(() => renderTemplateFile("{% include 'self.j2' %}", vars, [dir])).message).toMatch(/nested/);
  });
});

/**
 * One test of `cases` rendered as the template action renders them, by hound and by ansible-core
 * with the same variables: each the same text, or a failure in both; `failures` of them fail
 * in ansible-core, so the cases that should fail are known to.
 */
function itRendersAsAnsible(cases: string[], vars: Record<string, unknown>, failures: number): void {
  let expected: Array<{ value: unknown } | { error: string }> = [];
  beforeAll(() => {
    expected = ansible(cases.map((t) => ['template-file', t, vars]));
  }, 120_000);

  it(`renders ${cases.length} templates as the template action does, or fails where it fails`, () => {
    expect(expected.filter((o) => 'error' in o).length).toBe(failures);
    const differences = cases.flatMap((t, i) => {
      let got: { value: unknown } | { error: true };
      try {
        got = { value: renderTemplateFile(t, vars) };
      } catch (err) {
        if (!(err instanceof HoundError)) throw err;
        got = { error: true };
      }
      const wanted = 'error' in expected[i] ? { error: true } : expected[i];
      return JSON.stringify(got) === JSON.stringify(wanted) ? [] : [{ template: t, ansible: expected[i], hound: got }];
    });
    expect(differences).toEqual([]);
  });
}

/**
 * For loops as Jinja2 scopes and iterates them: a `{% set %}` in the body stays in its pass (each
 * pass starts again from the outer value; namespace() carries a value out), a dict gives its keys,
 * several loop names unpack each item, and what Python cannot iterate or unpack fails. nunjucks
 * let a set in the body write through to the outer name and keep it from pass to pass, and ran
 * no pass over a dict or None.
 */
describe('for loops: scope, dicts and unpacking, against ansible-core', () => {
  const vars = { l: [1, 2, 3], d: { a: 1, b: 2 }, pairs: { ab: 1, cd: 2 }, users: [{ name: 'a' }, { name: 'b' }], n: 5 };
  const cases: string[] = [
    '{% set x = 1 %}{% for i in l %}{% set x = i %}{% endfor %}{{ x }}\n',
    "{% for i in l %}{% if loop.first %}{% set x = 'first' %}{% endif %}{{ x | default('none') }},{% endfor %}\n",
    "{% for i in l %}{% set y = i %}{{ y }}{% endfor %}{{ y | default('gone') }}\n",
    '{% set x = 0 %}{% for i in l %}{% set x = x + i %}{{ x }},{% endfor %}{{ x }}\n',
    "{% for i in l %}{% for j in l %}{% set k = j %}{% endfor %}{{ k | default('-') }}{% endfor %}\n",
    "{% set found = false %}{% for u in users %}{% if u.name == 'b' %}{% set found = true %}{% endif %}{% endfor %}{{ found }}\n",
    "{% set ns = namespace(found=false) %}{% for u in users %}{% if u.name == 'b' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}\n",
    '{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}\n',
    '{% for i in l %}{% set i = 9 %}{{ i }}{% endfor %}\n',
    '{% for k in d %}{{ k }}={{ d[k] }};{% endfor %}\n',
    '{% for k in d | sort %}{{ k }}{% endfor %}{{ d | list }}\n',
    '{% for a, b in pairs %}{{ a }}{{ b }}{% endfor %}\n',
    '{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}\n',
    '{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}\n',
    '{% for i in [] %}x{% else %}empty{% endfor %}{% for k in {} %}x{% else %}none{% endfor %}\n',
    '{{ -n }} {{ +n }} {{ - n * 2 }} {{ -true }}\n',
    // Python fails on each of these; nunjucks rendered them.
    '{% for k, v in d %}{{ k }}{{ v }}{% endfor %}\n',
    '{% for a, b in [[1, 2, 3]] %}{{ a }}{% endfor %}\n',
    '{% for i in none %}x{% endfor %}\n',
    '{% for i in n %}x{% endfor %}\n',
    "{{ -'a' }}\n",
  ];
  itRendersAsAnsible(cases, vars, 5);
});

/**
 * The loop variables of Jinja2's LoopContext that nunjucks' loop lacks: previtem, nextitem,
 * depth, depth0, cycle() and changed(). previtem and nextitem were missing without an error,
 * so `| default` hid them. In the shapes templates use them: a separator between changed
 * groups, a comma unless another item follows, alternating row classes.
 */
describe('loop.previtem, nextitem, depth, cycle() and changed(), against ansible-core', () => {
  const vars = {
    hosts: [
      { name: 'a', zone: 'z1' },
      { name: 'b', zone: 'z1' },
      { name: 'c', zone: 'z2' },
    ],
    l: [1, 1, 2, 2, 1],
  };
  const cases: string[] = [
    '{% for h in hosts %}{% if loop.changed(h.zone) %}[{{ h.zone }}]\n{% endif %}{{ h.name }}\n{% endfor %}',
    '{% for h in hosts %}{{ h.name }}{% if loop.nextitem is defined %},{% endif %}{% endfor %}\n',
    '{% for h in hosts %}{{ loop.previtem.name | default("-") }}>{{ h.name }}>{{ loop.nextitem.name | default("-") }} {% endfor %}\n',
    '{% for h in hosts %}<tr class="{{ loop.cycle("odd", "even") }}">{{ h.name }}</tr>{% endfor %}\n',
    '{% for x in l %}{{ loop.changed(x) }},{% endfor %}\n',
    '{% for y in [1, 2] %}{% for x in [1, 1] %}{{ loop.changed(x) }}{% endfor %};{% endfor %}\n',
    '{% for x in l %}{{ loop.changed(x, loop.index is even) }}{% endfor %}\n',
    '{% for x in [{"a": 1}, {"a": 1}, {"a": 2}] %}{{ loop.changed(x) }}{% endfor %}\n',
    '{% for x in "abc" %}{{ loop.previtem | default("^") }}{{ loop.nextitem | default("$") }}{% endfor %}\n',
    '{% for a, b in [[1, 2], [3, 4]] %}{{ loop.nextitem | default("end") }}{% endfor %}\n',
    '{% for x in l %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}\n',
    '{% for k in {"a": 1, "b": 2} %}{{ loop.nextitem | default("") }}{% endfor %}\n',
    // Python fails on each of these.
    '{% for x in l %}{{ loop.previtem }}{% endfor %}\n',
    '{% for x in l %}{{ loop.cycle() }}{% endfor %}\n',
  ];
  itRendersAsAnsible(cases, vars, 2);
});

/**
 * Macros called as Jinja2 calls them: parameters by position or by name, `varargs` and `kwargs`
 * when the body reads them, and a TypeError for arguments the macro does not take (nunjucks
 * dropped them without a word), or undefined for one it needs and did not get.
 */
describe('macro arguments, varargs and kwargs, against ansible-core', () => {
  const vars = { opts: ['ro', 'noatime'] };
  const cases: string[] = [
    '{% macro tag(name) %}<{{ name }}{% for k, v in kwargs.items() %} {{ k }}="{{ v }}"{% endfor %}>{% endmacro %}{{ tag("a", href="/x", id="y") }}\n',
    '{% macro line(key) %}{{ key }} = {{ varargs | join(", ") }}{% endmacro %}{{ line("options", "ro", "noatime") }}\n',
    '{% macro m(a, b=5) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }} {{ m(b=3, a=4) }} {{ m(1, 2) }} {{ m(1, b=2) }}\n',
    '{% macro m(a) %}{{ a }}:{{ varargs | length }}:{{ kwargs | length }}{% endmacro %}{{ m(1, 2, x=4) }} {{ m(a=1) }}\n',
    '{% macro m(a, b) %}{{ a }}{{ b | default("-") }}{% endmacro %}{{ m(1) }}\n',
    '{% macro m() %}[{{ caller() }}]{% endmacro %}{% call m() %}inner{% endcall %}\n',
    '{% macro m(x) %}[{{ caller(x) }}]{% endmacro %}{% call(v) m(3) %}in{{ v }}{% endcall %}\n',
    '{% macro outer() %}{% macro inner(x) %}{{ x }}{% endmacro %}{{ inner(1) }}{{ varargs | length }}{% endmacro %}{{ outer(1, 2) }}\n',
    '{% macro m(o) %}{{ o | join(",") }}{% endmacro %}{{ m(opts) }}\n',
    // Python fails on each of these.
    '{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}\n',
    '{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}\n',
    '{% macro m(a) %}{{ varargs | length }}{% endmacro %}{{ m(1, 2, x=4) }}\n',
    '{% macro m(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}\n',
    '{% macro m() %}[{{ caller(7, 8) }}]{% endmacro %}{% call(v) m() %}{{ v }}{% endcall %}\n',
  ];
  itRendersAsAnsible(cases, vars, 5);
});

/**
 * `{% with %}`, a scope of its own: its values computed outside it, its names and what the body
 * sets gone after it, an enclosing loop's `loop` seen through it. nunjucks has no with tag.
 */
describe('the with tag, against ansible-core', () => {
  const vars = { l: [1, 2], hosts: [{ name: 'a', port: 80 }] };
  const cases: string[] = [
    '{% set a = 1 %}{% with a = 2, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}\n',
    '{% with %}{% set z = 5 %}{{ z }}{% endwith %}{{ z | default("gone") }}\n',
    '{% for x in l %}{% with y = x * 2 %}{{ loop.index }}:{{ y }} {% endwith %}{% endfor %}\n',
    '{% for h in hosts %}{% with url = "http://" ~ h.name ~ ":" ~ h.port %}{{ url }}{% endwith %}{% endfor %}\n',
    '{% with a, b = [1, 2] %}{{ a }}{{ b }}{% endwith %}\n',
    '{% with ns = namespace(v=1) %}{% set ns.v = 3 %}{{ ns.v }}{% endwith %}\n',
    '{% with a = 1 %}{% with b = a + 1 %}{{ a }}{{ b }}{% endwith %}{% endwith %}\n',
    '{% with a = 1 %}{% set a = 5 %}{{ a }}{% endwith %}{{ a | default("none") }}\n',
    '{%- with a = 1 -%}  {{ a }}  {%- endwith -%}\n',
    // Python fails on each of these.
    '{% with a = 1 %}{{ a }}\n',
    '{% with a %}{{ a }}{% endwith %}\n',
    '{% with a = 1 b = 2 %}{{ a }}{% endwith %}\n',
    '{% with a.b = 1 %}{% endwith %}\n',
  ];
  itRendersAsAnsible(cases, vars, 4);
});

/** Jinja2's joiner() and cycler() globals, which nunjucks lacks (hound removes its own globals). */
describe('joiner() and cycler(), against ansible-core', () => {
  const vars = { l: [1, 2, 3], servers: ['a:80', 'b:80'] };
  const cases: string[] = [
    '{% set comma = joiner(",") %}upstreams={% for s in servers %}{{ comma() }}{{ s }}{% endfor %}\n',
    '{% set j = joiner() %}{% for x in l %}{{ j() }}{{ x }}{% endfor %}\n',
    '{% set pipe = joiner(" | ") %}{% for x in [] %}{{ pipe() }}{{ x }}{% endfor %}.\n',
    '{% set c = cycler("a", "b") %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}\n',
    '{% set row = cycler("odd", "even") %}{% for x in l %}<tr class="{{ row.next() }}">{% endfor %}\n',
    '{% set c = cycler(1, 2, 3) %}{{ c.next() }}{% set _ = c.reset() %}{{ c.next() }}{{ c.current }}\n',
    '{% set j = joiner(missing) %}{{ j() }}\n',
    // Python fails on each of these.
    '{% set c = cycler() %}\n',
    '{% set j = joiner(missing) %}{{ j() }}{{ j() }}\n',
  ];
  itRendersAsAnsible(cases, vars, 2);
});

/**
 * The template task's trim_blocks and lstrip_blocks, as the template action sets Jinja2's
 * environment from them; a `#jinja2:` first line overrides them.
 */
describe('template task options trim_blocks and lstrip_blocks, against ansible-core', () => {
  const vars = { items: [1, 2], name: 'web' };
  const templates = [
    'a:\n  {% for i in items %}\n  - {{ i }}\n  {% endfor %}\n{% if name %}\n  named\n{% endif %}\n',
    '  {# note #}\nx\n    {%- if name %} y {% endif %}\n',
    '#jinja2: lstrip_blocks: False\n  {% if name %}\nz\n  {% endif %}\n',
    '#jinja2: trim_blocks: True\n  {% if name %}\nz\n  {% endif %}\n',
  ];
  const environments: Array<{ trim_blocks?: boolean; lstrip_blocks?: boolean }> = [
    {},
    { lstrip_blocks: true },
    { trim_blocks: false },
    { trim_blocks: false, lstrip_blocks: true },
  ];
  const cases = templates.flatMap((t) => environments.map((e) => [t, e] as const));
  let expected: Array<{ value: unknown } | { error: string }> = [];
  beforeAll(() => {
    expected = ansible(cases.map(([t, e]) => ['template-file', t, vars, [], e]));
  }, 120_000);

  it(`renders ${cases.length} template and option pairs as the template action does`, () => {
    // The options matter: the first template comes out four ways under the four environments.
    expect(new Set(expected.slice(0, environments.length).map((o) => JSON.stringify(o))).size).toBe(4);
    cases.forEach(([t, e], i) => {
      expect(expected[i], t).toHaveProperty('value');
      const got = renderTemplateFile(t, vars, [], { trimBlocks: e.trim_blocks ?? true, lstripBlocks: e.lstrip_blocks ?? false });
      expect(got, `${JSON.stringify(e)} ${t}`).toBe((expected[i] as { value: unknown }).value);
    });
  });
});

/**
 * What a sweep of 986 templates and 12,419 expressions from 16 other public Ansible projects
 * (DebOps, OpenStack-Ansible, dev-sec, ansible-examples, geerlingguy's roles, …; 2026-12-07)
 * found hound refusing where Ansible renders: the real files are in the corpus above, and these
 * are the same constructs at their edges, against the same oracle.
 */
describe('Jinja2 that real templates use and nunjucks read otherwise, against ansible-core', () => {
  const vars = { item: ['k', 'v'], pair: [{ name: 'n' }, 2], d: { a: 1, b: 2 }, l: ['x', 'y'], v: '4.6.0' };
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-sweep-'));
  writeFileSync(
    path.join(dir, 'macros.j2'),
    "{% macro hello(who='world') %}hello {{ who }}{% endmacro %}\n{% set shared = 'S' %}\n{% set _private = 'P' %}\n{% macro seen() %}{{ v | default('unseen') }}{% endmacro %}\n",
  );
  writeFileSync(path.join(dir, 'base.j2'), '# base {{ v }}\n{% block one %}one {{ l | join(",") }}\n{% endblock %}\n{% block two %}two{% endblock %}\nend\n');
  writeFileSync(
    path.join(dir, 'child.j2'),
    "{% extends 'base.j2' %}\n{% set v = 'set in child' %}\nignored\n{% block one %}child [{{ super() }}]{% endblock %}\n",
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[Case['kind'], string]> = [
    // A whole value whose expression reads `.1` and ends in a filter (DebOps' `{{ item.1 | b64decode }}`).
    ['value', '{{ item.1 | string }}'],
    ['value', '{{ pair.0.name | d() }}'],
    ['value', '{{ [item.1 | d()] }}'],
    // A conditional expression in the else branch of another (DebOps' PowerDNS roles).
    ['value', '{{ "autosecondary" if v is version("4.5.0", ">=") else "superslave" if v is version("4.0.0", ">=") else "slave" }}'],
    ['value', '{{ "a" if false else "b" if false else "c" if true else "d" }}'],
    ['value', '{{ ("a" if false else "b") ~ "x" if true else "y" }}'],
    ['template-file', '{{ "a" if true if false }}|{{ "a" if true if true else "z" }}'],
    // Loop names in parentheses (dev-sec).
    ['template-file', '{% for (k, val) in d.items() %}{{ k }}={{ val }};{% endfor %}{% for (x) in l %}{{ x }}{% endfor %}'],
    ['template-file', '{% for (k, val in d.items() %}{% endfor %}'],
    // A string literal with an escape, as a method's receiver (dev-sec, DebOps).
    ['template-file', '{{ "\\n".join(l) }}|{{ "a{}\\n".format(1) }}|{{ "\\t\\\\".join(l) }}'],
    // `#}` that ends no comment, and the + modifiers (OpenStack-Ansible's neutron.conf.j2).
    ['template-file', '#define x {\n#}\n{{ l }} #} {# c #}\nend'],
    ['template-file', '{% if true +%}\nkept{% endif %}\n{%+ if true %}lstrip kept{% endif %}\n{% if true -%}\n  trimmed{% endif %}'],
    // {% import %} and {% from … import %} (DebOps): no variables unless `with context`, a
    // name the file does not export undefined until used, a _private one not exported.
    ['template-file', "{% from 'macros.j2' import hello, shared as sh %}{{ hello() }} {{ hello('you') }} {{ sh }}"],
    [
      'template-file',
      "{% import 'macros.j2' as m %}{% import 'macros.j2' as c with context %}[{{ m.seen() }}] [{{ c.seen() }}] {{ m.shared }} {{ m._private is defined }}",
    ],
    ['template-file', "{% from 'macros.j2' import nothing %}unused"],
    ['template-file', "{% from 'macros.j2' import nothing %}{{ nothing() }}"],
    ['template-file', "{% import 'missing.j2' as m %}"],
    // Template inheritance (DebOps' nginx upstreams, geerlingguy's nginx vhost): blocks, super(), a chain of parents.
    ['template-file', "{% extends 'child.j2' %}{% block two %}grand, {{ super() }}{% endblock %}"],
    ['template-file', "{% extends 'base.j2' %}"],
    ['template-file', 'a {% block b %}in block {{ v }}{% endblock %} z'],
    ['template-file', "{% extends 'nowhere.j2' %}"],
  ];
  let expected: Array<{ value: unknown } | { error: string }> = [];
  beforeAll(() => {
    expected = ansible(cases.map(([kind, template]) => [kind, template, vars, [dir]]));
  }, 120_000);

  it('trims in one pass, whatever the text: 200,000 comments left open are read once (a search per open comment took minutes)', () => {
    const open = '{#'.repeat(200_000);
    expect(trimBlocks(open)).toBe(open);
    expect(trimBlocks(`${'{# c #}\n'.repeat(50_000)}{% x %}\n#}\n+%}\n`)).toBe(`${'{# c #}'.repeat(50_000)}{% x %}#}\n+%}\n`);
  });

  it(`renders ${cases.length} cases as ansible-core does, or fails where it fails`, () => {
    expect(expected.filter((o) => 'error' in o).length).toBe(4); // the unclosed parenthesis, the unexported name used, the two missing files
    const differences = cases.flatMap(([kind, template], i) => {
      let got: { value: unknown } | { error: true };
      try {
        got = {
          value: asAnsibleShows(kind === 'template-file' ? renderTemplateFile(template, vars, [dir]) : renderValue(template, vars)),
        };
      } catch (err) {
        if (!(err instanceof HoundError)) throw err;
        got = { error: true };
      }
      const oracle = expected[i];
      const wanted = 'error' in oracle ? { error: true } : { value: oracle.value };
      return JSON.stringify(got) === JSON.stringify(wanted) ? [] : [{ kind, template, ansible: oracle, hound: got }];
    });
    expect(differences).toEqual([]);
  });
});
