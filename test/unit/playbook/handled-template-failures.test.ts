// A task whose failure the playbook handles (ignore_errors, or a block with a rescue) and whose
// condition or arguments cannot be rendered (an undefined variable, a lookup of a missing or
// vaulted file, a template's own error): ansible-playbook renders it as it runs, so that task
// fails and the play goes on. hound used to refuse the whole playbook before anything ran.
// Both run each playbook on the implicit localhost here (hound through the built CLI: run
// `npx tsc -p .` first), and the tasks' statuses, the recap and the exit code must agree.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../file-tree.js';
import { localhostOracle } from '../localhost-oracle.js';

const oracle = localhostOracle('handled-failures');
/** Files a playbook's run reads (a vaulted file made by ansible-vault). */
const dir = mkdtempSync(path.join(tmpdir(), 'hound-handled-failures-files-'));
afterAll(() => {
  oracle.cleanUp();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  /** Each result line's status (`ok`, `skipping`, `fatal`, …; Ansible names a delegate as `[localhost -> x]`) and `...ignoring`, in order. */
  statuses: string[];
  recap: Record<string, number>;
  output: string;
}

/** The statuses and the recap counts both tools print, from their plain output. */
function outcomeOf(code: number | null, output: string): Outcome {
  const statuses = output
    .split('\n')
    .map((line) => /^(ok|changed|skipping|fatal|failed): \[localhost(?: -> [^\]]*)?\]/.exec(line)?.[1] ?? (line === '...ignoring' ? 'ignoring' : undefined))
    .filter((s): s is string => s !== undefined);
  const recapLine = output.split('\n').find((line) => /^localhost\s+: ok=/.test(line)) ?? '';
  const recap = Object.fromEntries(
    ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'].map((key) => [key, Number(new RegExp(`${key}=(\\d+)`).exec(recapLine)?.[1])]),
  );
  return { code, statuses, recap, output };
}

function both(playbook: string, files: Record<string, string> = {}): { ansible: Outcome; hound: Outcome; base: string } {
  const { ansible, hound, base } = oracle.run(playbook, files);
  return { ansible: outcomeOf(ansible.code, ansible.output), hound: outcomeOf(hound.code, hound.output), base };
}

const play = (tasks: string) => `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`;

describe('a task that cannot be rendered, its failure handled, against ansible-playbook', { timeout: 120_000 }, () => {
  it('ignore_errors: an undefined variable, a missing file lookup, a division by zero, a condition that cannot be evaluated', () => {
    const { ansible, hound } = both(
      play(
        `    - debug: {msg: "a={{ undefined_thing }}"}\n      ignore_errors: true\n` +
          `    - debug: {msg: "{{ lookup('file', 'missing.txt') }}"}\n      ignore_errors: "{{ 1 == 1 }}"\n` +
          `    - debug: {msg: "{{ 1 / 0 }}"}\n      ignore_errors: yes\n` +
          `    - debug: {msg: hi}\n      when: undefined_thing\n      ignore_errors: true\n` +
          `    - debug: {msg: end}\n`,
      ),
    );
    expect(ansible.statuses).toEqual(['fatal', 'ignoring', 'fatal', 'ignoring', 'fatal', 'ignoring', 'fatal', 'ignoring', 'ok']);
    expect(hound.statuses).toEqual(ansible.statuses);
    expect(hound.recap).toEqual(ansible.recap);
    expect(hound.code).toBe(ansible.code);
    expect(hound.output).toContain("The task includes an option with an undefined variable. The error was: 'undefined_thing' is undefined");
    expect(hound.output).toContain('could not locate file in lookup: missing.txt');
    expect(hound.output).toContain("The conditional check 'undefined_thing' failed. The error was: 'undefined_thing' is undefined");
  });

  it('a rescue: a lookup of a missing file and of a vaulted one without a password; a condition false first skips as before', () => {
    writeTree(dir, { 'pw.txt': 'pw\n', 'plain.txt': 'secret-text\n' });
    const vaulted = execFileSync('ansible-vault', ['encrypt', '--vault-password-file', 'pw.txt', '--output', '-', 'plain.txt'], { cwd: dir, encoding: 'utf8' });
    const { ansible, hound } = both(
      play(
        `    - debug: {msg: "{{ lookup('file', 'missing.txt') }}"}\n      when: false\n` +
          `    - block:\n        - debug: {msg: "{{ lookup('file', 'missing.txt') }}"}\n      rescue:\n        - debug: {msg: rescued once}\n` +
          `    - block:\n        - debug: {msg: "{{ lookup('file', 'vaulted.txt') }}"}\n      rescue:\n        - debug: {msg: rescued twice}\n` +
          `    - debug: {msg: "{{ item }} {{ nope }}"}\n      loop: [1, 2]\n      ignore_errors: true\n`,
      ),
      { 'vaulted.txt': vaulted },
    );
    expect(ansible.statuses).toEqual(['skipping', 'fatal', 'ok', 'fatal', 'ok', 'fatal', 'ignoring']);
    expect(hound.statuses).toEqual(ansible.statuses);
    expect(hound.recap).toEqual(ansible.recap);
    expect(hound.code).toBe(ansible.code);
    expect(hound.output).toMatch(/vaulted\.txt is vault-encrypted and no vault password was given/);
    expect(hound.output).not.toContain('secret-text');
  });

  it("a loop that cannot be rendered: undefined, it fails where the task's condition holds and skips where it does not; a failed lookup fails it", () => {
    const { ansible, hound } = both(
      play(
        `    - debug: {msg: "{{ item }}"}\n      loop: "{{ nope }}"\n      ignore_errors: true\n` +
          `    - debug: {msg: "{{ item }}"}\n      with_items: "{{ lookup('file', 'missing.txt') }}"\n      ignore_errors: true\n` +
          `    - debug: {msg: "{{ item }}"}\n      loop: "{{ nope }}"\n      when: false\n      ignore_errors: true\n` +
          `    - debug: {msg: end}\n`,
      ),
    );
    expect(ansible.statuses).toEqual(['fatal', 'ignoring', 'fatal', 'ignoring', 'skipping', 'ok']);
    expect(hound.statuses).toEqual(ansible.statuses);
    expect(hound.recap).toEqual(ansible.recap);
    expect(hound.code).toBe(ansible.code);
  });

  it('a keyword that cannot be rendered fails the task where its condition holds; the keywords that can be rendered still hold', () => {
    const { ansible, hound } = both(
      play(
        `    - debug: {msg: hi}\n      delegate_to: "{{ nope }}"\n      ignore_errors: true\n` +
          `    - debug: {msg: hi}\n      delegate_to: "{{ nope }}"\n      when: false\n      ignore_errors: true\n` +
          `    - block:\n        - debug: {msg: hi}\n          no_log: "{{ nope }}"\n      rescue:\n        - debug: {msg: rescued}\n` +
          `    - debug: {msg: end}\n`,
      ),
    );
    expect(ansible.statuses).toEqual(['fatal', 'ignoring', 'skipping', 'fatal', 'ok', 'ok']);
    expect(hound.statuses).toEqual(ansible.statuses);
    expect(hound.recap).toEqual(ansible.recap);
    expect(hound.code).toBe(ansible.code);
    expect(hound.output).toContain("The field 'delegate_to' has an invalid value, which includes an undefined variable. The error was: 'nope' is undefined");
  });

  it('unhandled, the same failure is still an error of the playbook, said before anything runs (Ansible runs the tasks before it first)', () => {
    const { ansible, hound, base } = both(play(`    - debug: {msg: first}\n    - debug: {msg: "{{ lookup('file', 'missing.txt') }}"}\n`));
    expect(ansible.statuses).toEqual(['ok', 'fatal']);
    expect(ansible.code).toBe(2);
    expect(hound.statuses).toEqual([]);
    expect(hound.code).toBe(4);
    expect(hound.output.split('\n')[0]).toBe(
      `${path.join(base, 'play.yml')}:5:20: error LOOKUP_FAILED: could not locate file in lookup: missing.txt (in task 'debug', host localhost)`,
    );
  });

  it('a filter hound does not have is refused by name, ignore_errors or not: hound cannot say what Ansible would render', () => {
    const { hound, base } = both(play(`    - debug: {msg: "{{ 'a' | nosuchfilter }}"}\n      ignore_errors: true\n`));
    expect(hound.code).toBe(4);
    expect(hound.output.split('\n')[0]).toBe(
      `${path.join(base, 'play.yml')}:4:20: error TEMPLATE_UNSUPPORTED: filter not found: nosuchfilter (template line 1, column 1) (in task 'debug', host localhost)`,
    );
  });
});

/** A lookup's own `errors='warn'` or `errors='ignore'`: its failure is None (query: []), and 'warn' prints Ansible's warning with the task. */
describe("a lookup's errors= against ansible-playbook", { timeout: 120_000 }, () => {
  it("errors='warn' gives None or [] and the same warnings, at compile and at run time, in a loop too; errors='ignore' none of them", () => {
    const { ansible, hound } = both(
      play(
        `    - debug: {msg: "a={{ lookup('file', 'missing.txt', errors='warn') }}"}\n` +
          `    - debug: {msg: "{{ query('file', 'missing.txt', errors='warn') }}"}\n` +
          `    - set_fact: {x: "{{ lookup('env', 'HOME') }}-{{ lookup('file', 'gone', errors='warn') }}"}\n` +
          `    - debug: {msg: "{{ item }} {{ lookup('file', item, errors='warn') }}"}\n      loop: "{{ [x] }}"\n` +
          `    - debug: {msg: "{{ item }}"}\n      loop: "{{ query('file', 'gone2', errors='warn') + [1] }}"\n` +
          `    - debug: {msg: "b={{ lookup('file', 'missing.txt', errors='ignore') }}"}\n` +
          `    - debug: {var: x}\n`,
      ),
    );
    const warnings = (o: Outcome) =>
      o.output.replace(/\n(?!\[WARNING\]|ok:|TASK|PLAY|\s*$)/g, ' ').match(/\[WARNING\]: An unhandled exception occurred while running the lookup plugin.*/g) ??
      [];
    expect(warnings(ansible)).toHaveLength(5);
    expect(warnings(hound)).toEqual(warnings(ansible));
    expect(hound.statuses).toEqual(ansible.statuses);
    expect(hound.recap).toEqual(ansible.recap);
    expect(hound.code).toBe(ansible.code);
    expect(hound.output).toContain('=> a=\n');
    expect(hound.output).toContain('=> b=\n');
  });

  it('a variable whose lookup warns warns at each task that reads it, as Ansible renders it at each use', () => {
    const { ansible, hound } = both(
      `- hosts: localhost\n  gather_facts: false\n  vars:\n    v: "{{ lookup('file', 'nope.txt', errors='warn') }}"\n  tasks:\n` +
        `    - debug: {msg: "1={{ v }}"}\n    - debug: {msg: "2={{ v }}"}\n    - debug: {msg: "3"}\n`,
    );
    const warned = (o: Outcome) => o.output.split('\n').filter((line) => line.startsWith('[WARNING]: An unhandled exception')).length;
    expect(warned(ansible)).toBe(2);
    expect(warned(hound)).toBe(2);
    expect(hound.statuses).toEqual(ansible.statuses);
  });
});
