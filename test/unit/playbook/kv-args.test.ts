// key=value module arguments, read as ansible-core 2.14 reads them. The expected values were
// taken from ansible-playbook on the same tasks (debug and set_fact on localhost, command on
// a node); the playbook cases compile through the real loader and compiler.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { parseKeyValueArgs, splitArgs, typedOptions, unquote } from '../../../playbook/kv-args.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { buildInventory } from './inventory-builder.js';
import { errorOf } from '../error-of.js';

const inventory = buildInventory({ nodes: { hosts: { n1: {} } } });

function argsOf(tasks: string, vars: Record<string, unknown> = {}): Record<string, unknown>[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-kv-'));
  const file = path.join(dir, 'play.yml');
  writeFileSync(file, `- hosts: nodes\n  gather_facts: false\n  vars: ${JSON.stringify(vars)}\n  tasks:\n${tasks}`);
  const run = compilePlays(new PlaybookLoader().load(file).plays, { inventory });
  return run.plays[0].tasksByHost.get('n1')!.map((t) => t.args);
}

describe('splitting key=value strings', () => {
  it('keeps quoted values and Jinja2 blocks whole', () => {
    expect(splitArgs('msg="hello {{ name }}" var=x')).toEqual(['msg="hello {{ name }}"', 'var=x']);
    expect(splitArgs("msg={{ a | default('b c') }}  other='x y'")).toEqual(["msg={{ a | default('b c') }}", "other='x y'"]);
    expect(splitArgs('cmd="a \\" b" c')).toEqual(['cmd="a \\" b"', 'c']);
    expect(splitArgs('  ')).toEqual([]);
  });

  it('takes the first unescaped = after the first character, and one pair of outer quotes off', () => {
    expect(parseKeyValueArgs('msg=a=b')).toEqual({ options: { msg: 'a=b' }, raw: [], namedEscapes: [], unclosed: false });
    expect(parseKeyValueArgs('a\\=b =c plain')).toEqual({ options: {}, raw: ['a=b', '=c', 'plain'], namedEscapes: [], unclosed: false });
    expect(parseKeyValueArgs("msg='it is'")).toEqual({ options: { msg: 'it is' }, raw: [], namedEscapes: [], unclosed: false });
    expect(unquote('"a"b"')).toBe('a"b');
    expect(unquote('"a')).toBe('"a');
  });

  it("with a free-form module's own keys, leaves other k=v words in the command", () => {
    expect(parseKeyValueArgs('echo a=b chdir=/tmp creates=/x', new Set(['chdir', 'creates']))).toEqual({
      options: { chdir: '/tmp', creates: '/x' },
      raw: ['echo', 'a=b'],
      namedEscapes: [],
      unclosed: false,
    });
    // A quote or a Jinja2 block left open, where Ansible's split_args fails.
    expect(parseKeyValueArgs('msg="open').unclosed).toBe(true);
    expect(parseKeyValueArgs('msg={{ x').unclosed).toBe(true);
    expect(parseKeyValueArgs('msg="{{ x }}" a=\'b\'').unclosed).toBe(false);
  });

  it("types values by the module's schema, and leaves templates to be rendered", () => {
    const properties = { force: { type: 'boolean' }, n: { type: 'integer' }, names: { type: 'array' }, s: { type: 'string' } };
    expect(typedOptions({ force: 'yes', n: '3', names: 'a, b', s: '7' }, properties)).toEqual({ force: true, n: 3, names: ['a', 'b'], s: '7' });
    expect(typedOptions({ force: 'off', n: '{{ k }}' }, properties)).toEqual({ force: false, n: '{{ k }}' });
  });
});

describe('key=value arguments in playbooks', () => {
  it('debug: var=, msg= with quotes and templates, msg=a=b', () => {
    const args = argsOf(
      [
        '    - debug: var=x',
        '    - debug: msg="hello {{ name }} and {{ x + 1 }}"',
        "    - debug: msg='single {{ x }}'",
        '    - debug: msg={{ x }}',
        '    - debug: msg=a=b',
        '    - debug: plain text stays msg',
      ].join('\n') + '\n',
      { x: 42, name: 'a b' },
    );
    expect(args).toEqual([{ var: 'x' }, { msg: 'hello a b and 43' }, { msg: 'single 42' }, { msg: 42 }, { msg: 'a=b' }, { msg: 'plain text stays msg' }]);
  });

  it('set_fact: yes/no become booleans, other values stay strings (as Ansible has it)', () => {
    expect(argsOf('    - set_fact: flag=yes off=False other=text num=7\n')).toEqual([{ flag: true, off: false, other: 'text', num: '7' }]);
  });

  it('image and command: typed options; command keeps every other word in cmd', () => {
    expect(argsOf('    - image: name=reg:5000/app:1 force=yes\n    - command: echo a=b chdir=/tmp creates=/x\n    - command: ls -l\n')).toEqual([
      { name: 'reg:5000/app:1', force: true },
      { cmd: 'echo a=b', chdir: '/tmp', creates: '/x' },
      { cmd: 'ls -l' },
    ]);
  });

  it("never shows a key=value password in an error's line, whatever the error", () => {
    const unknown = errorOf(() => argsOf('    - registry_login: registry=r:5000 username=u password="hunter 2" bogus=1\n'));
    expect(unknown.code).toBe('UNKNOWN_ARGUMENT');
    expect(unknown.format()).toContain('password=******** bogus=1');
    const mixed = errorOf(() => argsOf('    - registry_login: registry=r:5000 username=u password=hunter 2\n'));
    expect(mixed.code).toBe('MODULE_ARGS_INVALID');
    for (const e of [unknown, mixed]) expect(e.format()).not.toMatch(/hunter| 2\b/);
  });

  it("refuses options mixed with free text, and unknown options, at the task's position", () => {
    const mixed = errorOf(() => argsOf('    - debug: msg=hello world\n'));
    expect(mixed.code).toBe('MODULE_ARGS_INVALID');
    expect(mixed.message).toContain('(world)');
    expect(mixed.format()).toMatch(/play\.yml:5:\d+/);
    const unknown = errorOf(() => argsOf('    - image: name=x colour=red\n'));
    expect(unknown.code).toBe('UNKNOWN_ARGUMENT');
    expect(unknown.message).toContain('colour');
  });

  it('refuses a quote or a {{ left open, as ansible-playbook --syntax-check does, in any module', () => {
    for (const task of ["    - shell: echo it's here\n", '    - command: echo "unclosed\n', "    - debug: msg='open\n", '    - debug: msg={{ x\n']) {
      const error = errorOf(() => argsOf(task));
      expect(error.code, task).toBe('MODULE_ARGS_INVALID');
      expect(error.message).toContain('failed at splitting arguments, either an unbalanced jinja2 block or quotes');
      expect(error.format()).toMatch(/play\.yml:5:\d+/);
    }
    // Quotes that close, and an apostrophe inside a quoted word, are fine.
    expect(argsOf('    - shell: echo "it\'s" fine\n')).toEqual([{ cmd: 'echo "it\'s" fine' }]);
  });
});

describe('escapes in key=value words, against ansible-core’s own parse_kv', () => {
  // Each case through ansible.parsing.splitter.parse_kv (Debian's /usr/bin/python3, where the
  // ansible package lives), with check_raw off (debug, set_fact) and on (command's own options).
  const CASES = [
    'msg=a\\nb',
    'msg="tab\\there" other=x\\x41y',
    "msg='quote \\' inside'",
    'msg=\\u00e9t\\u00e9 w=\\U0001F600',
    'path=C:\\\\dir\\\\file',
    'a=\\= b\\=c',
    'echo a\\nb chdir=/tmp\\tx creates=/x',
    'raw\\tword \\=only plain',
    'k=\\a\\b\\f\\r\\v',
  ];
  const ORACLE = `
import json, sys
from ansible.parsing.splitter import parse_kv
print(json.dumps([[parse_kv(c, check_raw=False), parse_kv(c, check_raw=True)] for c in json.loads(sys.argv[1])]))
`;
  const COMMAND_OPTIONS = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);

  it('gives the same options and raw words in both modes', () => {
    const expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', ORACLE, JSON.stringify(CASES)], { encoding: 'utf8' })) as Array<
      [Record<string, string>, Record<string, string>]
    >;
    CASES.forEach((text, i) => {
      const [plain, checked] = expected[i];
      const { _raw_params: plainRaw, ...plainOptions } = plain;
      const { _raw_params: checkedRaw, ...checkedOptions } = checked;
      const ours = parseKeyValueArgs(text);
      expect(ours.options, text).toEqual(plainOptions);
      // parse_kv without check_raw drops raw words into _raw_params too (joined by spaces).
      expect(ours.raw.join(' ') || undefined, text).toEqual(plainRaw);
      const command = parseKeyValueArgs(text, COMMAND_OPTIONS);
      expect(command.options, text).toEqual(checkedOptions);
      expect(command.raw.join(' ') || undefined, text).toEqual(checkedRaw);
    });
  });
});

describe('a character by its Unicode name in key=value arguments', () => {
  it('is refused at the task, saying what to write instead', () => {
    const err = errorOf(() => argsOf('    - debug: msg=\\N{BULLET}x\n'));
    expect(err).toMatchObject({ code: 'KV_ESCAPE_NOT_SUPPORTED' });
    expect(String(err)).toContain('\\N{BULLET} (a character by its Unicode name) in key=value arguments is not supported by hound');
  });
});
