// A play's vars_files as Ansible reads them (VariableManager.get_vars): each entry a file or a
// list of alternatives (the first that is there), looked up in the playbook's vars/ folder
// before the playbook's own, and a templated entry rendered per host with that host's
// variables. Real material: ansible's own vars_files target
// (test/fixtures/corpus/vars-files/ansible-vars-files, origin.json beside it), run by
// ansible-playbook and by hound with the target's inventory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { playIn } from '../localhost-oracle.js';
import { buildInventory } from './inventory-builder.js';

const target = path.resolve(__dirname, '../../fixtures/corpus/vars-files/ansible-vars-files');

/** Each host's recap line, as printed. */
function recaps(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^test\S+\s+: ok=/.test(l))
    .map((l) =>
      l
        .replace(/\s+pulled=.*$/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
}

describe("ansible's vars_files target", { timeout: 120_000 }, () => {
  it('passes under both tools, host by host: vars/{{ foo }}.yml, a list of alternatives, a first_found lookup', () => {
    const args = ['-i', 'inventory', '-c', 'local', 'runme.yml'];
    const ansible = playIn('ansible-playbook', args, target);
    const hound = playIn('hound', ['--reporter', 'plain', ...args], target);
    expect(ansible.code, ansible.stdout).toBe(0);
    expect(hound.code, hound.stdout + hound.stderr).toBe(0);
    expect(recaps(hound.stdout)).toEqual(recaps(ansible.stdout));
    // Its assertions ran: testhost's foo=bar reads vars/bar.yml, testhost2's foo=baz falls to vars/defaults.yml.
    expect(recaps(hound.stdout)).toEqual([
      'testhost : ok=4 changed=0 unreachable=0 failed=0 skipped=2 rescued=0 ignored=0',
      'testhost2 : ok=4 changed=0 unreachable=0 failed=0 skipped=2 rescued=0 ignored=0',
    ]);
  });

  it("each host's file: compiled with the host's own variables", () => {
    const plays = compilePlays(new PlaybookLoader().load(path.join(target, 'runme.yml')).plays, {
      inventory: buildInventory({ testgroup: { hosts: { testhost: { foo: 'bar' }, testhost2: { foo: 'baz' } } } }),
    }).plays;
    for (const play of plays) {
      const isBar = (host: string) => play.tasksByHost.get(host)![0].vars.is_bar;
      expect([isBar('testhost'), isBar('testhost2'), play.tasksByHost.get('testhost')![0].vars.common]).toEqual([true, false, true]);
    }
  });
});

describe('vars_files entries hound refuses, with where', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-vars-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'vars'));
  writeFileSync(path.join(dir, 'vars/Debian.yml'), 'pkg: apt\n');
  writeFileSync(path.join(dir, 'vars/common.yml'), 'common: from vars\n');
  writeFileSync(path.join(dir, 'common.yml'), 'common: beside the playbook\n');
  const compile = (vars: string, hostVars: Record<string, unknown> = {}, gather = false) => {
    const file = path.join(dir, 'p.yml');
    writeFileSync(file, `- hosts: all\n  gather_facts: ${gather}\n  vars_files:\n${vars}  tasks:\n    - debug: msg=x\n`);
    const inventory = buildInventory({ ungrouped: { hosts: { n1: hostVars } } });
    return compilePlays(new PlaybookLoader().load(file).plays, { inventory }).plays[0].tasksByHost.get('n1')![0].vars;
  };
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof HoundError) return { code: err.code, message: err.message, line: err.position?.line };
      throw err;
    }
    throw new Error('compiled');
  };

  it('a name is looked up in vars/ first, as Ansible looks it up', () => {
    expect(compile('    - common.yml\n').common).toBe('from vars');
    expect(compile('    - ./common.yml\n').common).toBe('from vars');
  });

  it('a name that reads a gathered fact is refused before the run, at the entry', () => {
    expect(failure(() => compile('    - "{{ ansible_os_family }}.yml"\n', {}, true))).toMatchObject({
      code: 'DYNAMIC_INCLUDE',
      line: 4,
      message: expect.stringContaining('reads a value only known at run time'),
    });
    // The same name from an inventory variable is read.
    expect(compile('    - "{{ ansible_os_family }}.yml"\n', { ansible_os_family: 'Debian' }).pkg).toBe('apt');
  });

  it('--syntax-check without the password: a whole vaulted vars file fails, a file of !vault values is a warning, as under ansible-playbook', () => {
    const pw = path.join(dir, 'pw.txt');
    writeFileSync(pw, 'pw\n');
    writeFileSync(path.join(dir, 'vars/whole.yml'), 'realpath: this is a secret\n');
    execFileSync('ansible-vault', ['encrypt', '--vault-password-file', pw, path.join(dir, 'vars/whole.yml')], { stdio: 'pipe' });
    const value = execFileSync('ansible-vault', ['encrypt_string', '--vault-password-file', pw, 'this is a secret', '--name', 'realpath'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    writeFileSync(path.join(dir, 'vars/values.yml'), `control: 1\n${value}`);
    const play = (file: string) => {
      writeFileSync(path.join(dir, 'v.yml'), `- hosts: localhost\n  gather_facts: false\n  vars_files:\n    - ${file}\n  tasks:\n    - debug: var=realpath\n`);
      return { ansible: playIn('ansible-playbook', ['--syntax-check', 'v.yml'], dir), hound: playIn('hound', ['--syntax-check', 'v.yml'], dir) };
    };
    const whole = play('whole.yml');
    expect([whole.ansible.code, whole.hound.code === 0]).toEqual([1, false]);
    expect(whole.hound.stderr).toMatch(/error VAULT_NO_PASSWORD: .*vars\/whole\.yml.* is vault-encrypted/);
    const values = play('values.yml');
    expect([values.ansible.code, values.hound.code]).toEqual([0, 0]);
    expect(values.hound.stderr).toMatch(
      /v\.yml:4:7: .*vars\/values\.yml:2:\d+ is vault-encrypted and no vault password was given: the play fails when it runs/,
    );
    // A run with the password reads it, and never prints it.
    const opened = playIn('hound', ['--vault-password-file', 'pw.txt', 'v.yml'], dir);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout + opened.stderr).not.toContain('this is a secret');
  });

  it("none of an entry's files there: Ansible's words, at the entry", () => {
    expect(failure(() => compile('    - ["{{ family }}.yml", missing.yml]\n', { family: 'Suse' }))).toMatchObject({
      code: 'FILE_NOT_FOUND',
      line: 4,
      message: expect.stringContaining("vars file ['{{ family }}.yml', 'missing.yml'] was not found"),
    });
    expect(failure(() => compile('    - [gone.yml, missing.yml]\n'))).toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: "vars file ['gone.yml', 'missing.yml'] was not found",
    });
  });
});
