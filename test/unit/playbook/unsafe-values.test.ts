// Text that is data, never a template (Ansible's unsafe values): what a node answered, kept
// by set_fact or looped over, and what a playbook, an inventory or a vars file marks
// `!unsafe`. Both tools run each playbook on the implicit localhost (hound through the built
// CLI: run `npx tsc -p .` first); a node's `{{ lookup('pipe', …) }}` must never run a command
// on the controller.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostFactCache } from '../../../core/host-facts.js';
import { renderValue } from '../../../playbook/templating.js';
import { HOUND_CLI, localhostOracle } from '../localhost-oracle.js';

const oracle = localhostOracle('unsafe-values', ['--reporter', 'plain']);
afterAll(() => oracle.cleanUp());

/** The text after `msg=` in each tool's debug lines (`"msg": "…"` under Ansible, `ok: [localhost] => …` under hound). */
function messages(output: string, tool: 'ansible' | 'hound'): string[] {
  const pattern = tool === 'ansible' ? /^\s*"msg": "(.*)"$/gm : /^ok: \[localhost\] (?:=> \(item=.*?\) )?=> (.*)$/gm;
  return [...output.matchAll(pattern)].map((m) => (tool === 'ansible' ? JSON.parse(`"${m[1]}"`) : m[1]));
}

describe("a node's output is data", { timeout: 120_000 }, () => {
  // printf writes `{{ 7 * 7 }}` and a pipe lookup; the playbook's own text holds no template there.
  const playbook = `- hosts: localhost
  gather_facts: false
  tasks:
    - shell: printf '%s\\n' "{""{ 7 * 7 }""}" "{""{ lookup('pipe', 'touch pwned') }""}"
      register: out
    - set_fact:
        line: "{{ out.stdout_lines[0] }}"
        lines: "{{ out.stdout_lines }}"
        framed: "[{{ out.stdout_lines[1] }}]"
        table: "{{ {'first': out.stdout_lines[0]} }}"
    - debug: msg="line={{ line }}"
    - debug: msg="lines={{ lines[1] }}"
    - debug: msg="framed={{ framed }}"
    - debug: msg="table={{ table.first }}"
    - debug: msg="item={{ item }} previous={{ ansible_loop.previtem | default('none') }}"
      loop: "{{ out.stdout_lines }}"
      loop_control:
        extended: true
    - debug: msg="var={{ v }}"
      vars:
        v: "{{ out.stdout_lines[0] }}"
`;

  it('set_fact, a loop and task vars keep it as text, as under ansible-playbook; the lookup never runs', () => {
    const { ansible, hound, base } = oracle.run(playbook);
    expect([ansible.code, hound.code], hound.output).toEqual([0, 0]);
    const expected = [
      'line={{ 7 * 7 }}',
      "lines={{ lookup('pipe', 'touch pwned') }}",
      "framed=[{{ lookup('pipe', 'touch pwned') }}]",
      'table={{ 7 * 7 }}',
      'item={{ 7 * 7 }} previous=none',
      "item={{ lookup('pipe', 'touch pwned') }} previous={{ 7 * 7 }}",
      'var={{ 7 * 7 }}',
    ];
    expect(messages(ansible.output, 'ansible')).toEqual(expected);
    expect(messages(hound.output, 'hound')).toEqual(expected);
    expect(existsSync(path.join(base, 'pwned'))).toBe(false);
  });

  it('gathered facts are data: a fact holding a template is read as its text', () => {
    const facts = new HostFactCache();
    facts.merge('node1', { ansible_env: { GREETING: '{{ 7 * 7 }}' }, ansible_hound_note: '{{ 6 * 7 }}' });
    const vars = facts.variables('node1', undefined);
    expect(renderValue('{{ ansible_env.GREETING }} {{ ansible_facts.env.GREETING }} {{ ansible_hound_note }}', vars)).toBe(
      '{{ 7 * 7 }} {{ 7 * 7 }} {{ 6 * 7 }}',
    );
  });
});

describe("a lookup's result is data", { timeout: 120_000 }, () => {
  it('kept by set_fact or looped over, unless allow_unsafe=True, as under ansible-playbook', () => {
    const playbook = `- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact:
        from_file: "{{ lookup('file', 'template-looking.txt') }}"
        allowed: "{{ lookup('file', 'template-looking.txt', allow_unsafe=True) }}"
    - debug: msg="file={{ from_file }} allowed={{ allowed }}"
    - debug: msg="line={{ item }}"
      loop: "{{ query('lines', 'cat template-looking.txt') }}"
    - debug: msg="with_file={{ item }}"
      with_file: template-looking.txt
    - debug: msg="with_items={{ item }}"
      with_items: ["{{ '{{' }} 6 * 7 }}"]
    - debug: msg="loop={{ item }}"
      loop: ["{{ '{{' }} 5 * 7 }}"]
`;
    const { ansible, hound } = oracle.run(playbook, { 'template-looking.txt': '{{ 7 * 7 }}\n' });
    expect([ansible.code, hound.code], hound.output).toEqual([0, 0]);
    // A with_* loop's items are a lookup's results, data; a `loop:` of playbook text is rendered again when read.
    const expected = ["file={{ 7 * 7 }} allowed=['49']", 'line={{ 7 * 7 }}', 'with_file={{ 7 * 7 }}', 'with_items={{ 6 * 7 }}', 'loop=35'];
    expect(messages(ansible.output, 'ansible')).toEqual(expected);
    expect(messages(hound.output, 'hound')).toEqual(expected);
  });
});

describe('`!unsafe` text', { timeout: 120_000 }, () => {
  const playbook = `- hosts: localhost
  gather_facts: false
  vars:
    fmt: !unsafe '{{.Names}}'
    mixed: [!unsafe '{{ a }}', "{{ 1 + 1 }}"]
    whole: !unsafe {k: '{{ b }}', n: 3}
  vars_files:
    - file-vars.yml
  tasks:
    - command: !unsafe "echo '{{.ID}}'"
      register: r1
    - command:
        argv: [echo, !unsafe '{{.Image}}']
      register: r2
    - debug: msg="free-form={{ r1.stdout }} argv={{ r2.stdout }}"
    - debug: msg="fmt={{ fmt }} mixed={{ mixed }} whole={{ whole.k }}/{{ whole.n + 1 }} file={{ from_file }}"
    - set_fact:
        kept: !unsafe '{{ c }}'
        copied: "{{ fmt }}"
    - debug: msg="kept={{ kept }} copied={{ copied }}"
    - debug: msg="item={{ item }}"
      loop: "{{ mixed }}"
    - include_vars: included.yml
    - name: !unsafe 'show {{ inc }}'
      debug: msg="included={{ inc }}"
`;
  const files = {
    'file-vars.yml': "from_file: !unsafe '{% raw %}'\n",
    'included.yml': "inc: !unsafe '{{ d }}'\n",
  };

  it('is kept as written in vars, vars files, arguments, set_fact and loops, as under ansible-playbook', () => {
    const { ansible, hound } = oracle.run(playbook, files);
    expect([ansible.code, hound.code], hound.output).toEqual([0, 0]);
    const expected = [
      'free-form={{.ID}} argv={{.Image}}',
      "fmt={{.Names}} mixed=['{{ a }}', '2'] whole={{ b }}/4 file={% raw %}",
      'kept={{ c }} copied={{.Names}}',
      'item={{ a }}',
      'item=2',
      'included={{ d }}',
    ];
    expect(messages(ansible.output, 'ansible')).toEqual(expected);
    expect(messages(hound.output, 'hound')).toEqual(expected);
    for (const { output } of [ansible, hound]) expect(output).toMatch(/^TASK \[show \{\{ inc \}\}\] \*+$/m);
  });

  it('in -e, as under ansible-playbook', () => {
    const base = oracle.folder({ 'e.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg="e={{ e }}"\n' });
    const extra = ['-e', '{"e": !unsafe "{{ undefined_name }}"}', 'e.yml'];
    const ansible = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', ...extra], { cwd: base, encoding: 'utf8' });
    const hound = oracle.hound(base, extra);
    expect([ansible.status, hound.code], hound.output).toEqual([0, 0]);
    expect(messages(ansible.stdout, 'ansible')).toEqual(['e={{ undefined_name }}']);
    expect(messages(hound.output, 'hound')).toEqual(['e={{ undefined_name }}']);
  });

  it('a secret-named value is masked in all output, templates in it and all', () => {
    const base = oracle.folder({
      's.yml':
        '- hosts: localhost\n  gather_facts: false\n  vars:\n    registry_password: !unsafe \'pa{%ss{{wd\'\n  tasks:\n    - debug: msg="is {{ registry_password }}"\n',
    });
    const { code, output } = oracle.hound(base, ['s.yml']);
    expect(code, output).toBe(0);
    expect(output).toContain('ok: [localhost] => is ********');
    expect(output).not.toContain('pa{%ss');
    const json = spawnSync(process.execPath, [HOUND_CLI, 'play', '-i', 'localhost,', '--json', 's.yml'], { cwd: base, encoding: 'utf8' });
    expect(json.status, json.stderr).toBe(0);
    expect(json.stdout).toContain('is ********');
    expect(json.stdout + json.stderr).not.toContain('pa{%ss');
  });
});
