// copy's `content` is no secret of the run: Ansible's copy declares it no_log, which keeps it
// out of the task's logged arguments only; a --diff shows it, and so does a later task that
// prints the same text. hound masked it everywhere for the rest of the run (a later debug of
// the same words printed ********). Both tools run each playbook on the implicit localhost
// (hound through the built CLI: run `npx tsc -p .` first).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localhostOracle } from '../localhost-oracle.js';

const oracle = localhostOracle('copy-content', ['--reporter', 'plain']);
afterAll(() => oracle.cleanUp());

const playbook = `- hosts: localhost
  gather_facts: false
  tasks:
    - copy:
        content: "an ordinary line"
        dest: "{{ playbook_dir }}/out.txt"
    - debug:
        msg: "it said: {{ lookup('file', playbook_dir + '/out.txt') }}"
`;

describe("copy's content in the output", { timeout: 120_000 }, () => {
  it('a later task prints the same text unmasked, as under ansible-playbook', () => {
    const { ansible, hound } = oracle.run(playbook);
    expect(ansible.output).toContain('it said: an ordinary line');
    expect(hound.output).toContain('it said: an ordinary line');
    expect([hound.code, ansible.code]).toEqual([0, 0]);
  });

  it("--diff shows the content written; -v's argument lines keep it masked", () => {
    const { base } = oracle.run(playbook);
    // Written by the oracle's runs: gone again, so that hound's copy changes it and has a diff.
    rmSync(path.join(base, 'out.txt'));
    const { code, output } = oracle.hound(base, ['--diff', '-v', 'play.yml']);
    expect(code, output).toBe(0);
    const argumentLines = output.split('\n').filter((line) => line.includes('"dest"') && /task path: copy|<localhost> copy:/.test(line));
    expect(argumentLines).toHaveLength(2);
    for (const line of argumentLines) expect(line).toContain('"content":"********"');
    expect(output).toMatch(/^\+an ordinary line$/m);
    expect(output).toContain('it said: an ordinary line');
  });

  it("--diff shows each loop item's file as the item ends", () => {
    const base = oracle.folder({
      'loop.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy:\n        content: "line {{ item }}\\n"\n        dest: "{{ playbook_dir }}/d{{ item }}.txt"\n      loop: [1, 2]\n`,
    });
    const { code, output } = oracle.hound(base, ['--diff', 'loop.yml']);
    expect(code, output).toBe(0);
    const lines = output.split('\n');
    const first = lines.indexOf('changed: [localhost] => (item=1)');
    const second = lines.indexOf('changed: [localhost] => (item=2)');
    expect([first > -1, second > first]).toEqual([true, true]);
    expect(lines.slice(first, second)).toContain('+line 1');
    expect(lines.slice(second)).toContain('+line 2');
  });
});
