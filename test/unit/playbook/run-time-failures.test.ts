// What ansible-playbook accepts at --syntax-check and fails only when the task runs, hound
// accepts too (issue #16's corpus): an argument an Ansible module does not take, and
// include_role of a role that is not there. A warning says so when the playbook is read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import type { LoadedPlay } from '../../../playbook/model.js';
import { buildInventory } from './inventory-builder.js';
import { writeTree } from '../file-tree.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-run-failures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** Writes `files` (playbook first) into a fresh folder and loads the playbook, keeping its warnings. */
function load(playbook: string, files: Record<string, string> = {}): { plays: LoadedPlay[]; warnings: string[]; base: string } {
  const base = path.join(dir, String(counter++));
  writeTree(base, { 'play.yml': playbook, ...files });
  const warnings: string[] = [];
  const plays = new PlaybookLoader({ warn: (m) => warnings.push(m) }).load(path.join(base, 'play.yml')).plays;
  return { plays, warnings, base };
}

function loadError(playbook: string, files: Record<string, string> = {}): HoundError {
  try {
    load(playbook, files);
  } catch (err) {
    if (err instanceof HoundError) return err;
    throw err;
  }
  throw new Error('the playbook loaded');
}

const play = (tasks: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`;
const inventory = buildInventory({ nodes: { hosts: { node1: {}, node2: { secret: 'p2' } } } });

describe('an argument the module does not take', () => {
  it("loads, left out of the arguments; the task fails when it runs with the module's own words, naming the module as written", () => {
    const { plays, warnings, base } = load(
      play(
        '    - docker_login:\n        username: u\n        password: p\n        email: e@example.com\n' +
          '    - community.docker.docker_login: {username: u, password: p, email: e, reauth: true}\n',
      ),
    );
    const [short, fqcn] = plays[0].tasks;
    expect(short.args).toEqual({ username: 'u', password: 'p' });
    expect(short.runFailure).toMatch(
      /^Unsupported parameters for \(docker_login\) module: email\. Supported parameters include: api_version, ca_path, client_cert, .*, validate_certs \(ca_cert, .*, url\)\.$/,
    );
    expect(fqcn.runFailure).toMatch(/^Unsupported parameters for \(community\.docker\.docker_login\) module: email\. /);
    expect(fqcn.args).toEqual({ username: 'u', password: 'p', reauthorize: true });
    expect(warnings).toEqual([
      `${path.join(base, 'play.yml')}:7:9: module 'docker_login' has no argument 'email': the task fails when it runs, as in Ansible`,
      `${path.join(base, 'play.yml')}:8:65: module 'community.docker.docker_login' has no argument 'email': the task fails when it runs, as in Ansible`,
    ]);
  });

  it('several are named sorted, as Ansible does; a keyword indented under the arguments gets its hint in the warning', () => {
    const { plays, warnings } = load(
      play('    - stat: {path: /x, zeta: 1, alpha: 2}\n    - docker_image:\n        name: x\n        source: pull\n        loop: [a]\n'),
    );
    expect(plays[0].tasks[0].runFailure).toMatch(/^Unsupported parameters for \(stat\) module: alpha, zeta\. Supported parameters include: /);
    expect(warnings[2]).toContain("'loop' is a task keyword: indent it as deep as the module name, not under its arguments");
  });

  it("the controller's action plugins say it their way", () => {
    const { plays } = load(play('    - debug: {msg: hi, colour: red}\n    - fail: {msg: no, code: 3}\n    - include_vars: {file: x.yml, scope: all}\n'));
    expect(plays[0].tasks.map((t) => t.runFailure)).toEqual([
      'Invalid options for debug: colour',
      'Invalid options for fail: code',
      'scope is not a valid option in include_vars',
    ]);
    expect(plays[0].tasks[2].includedVars).toBeUndefined();
  });

  it("hound's own modules, which Ansible has not, still refuse one when the playbook is read", () => {
    expect(loadError(play('    - image: {nme: nginx}\n'))).toMatchObject({ code: 'UNKNOWN_ARGUMENT', message: "module 'image' has no argument 'nme'" });
  });

  it('compiled, every instance carries the failure, its arguments rendered first; one that cannot be rendered fails with that instead', () => {
    const { plays } = load(
      play(
        '    - docker_login: {username: "{{ inventory_hostname }}", password: x, email: e}\n' +
          '    - docker_image:\n        name: "{{ item }}"\n        with_items: [a, b]\n        source: pull\n',
      ),
    );
    const run = compilePlays(plays, { inventory });
    const [login, image] = run.plays[0].tasksByHost.get('node2')!;
    expect(login).toMatchObject({
      args: { username: 'node2', password: 'x' },
      runFailure: expect.stringMatching(/^Unsupported parameters for \(docker_login\)/),
    });
    expect(image.runFailure).toBe("The task includes an option with an undefined variable. The error was: 'item' is undefined");
    expect(run.plays[0].tasksByHost.get('node1')![1].runFailure).toBe(image.runFailure);
  });

  it('a `when` that is false skips it, as it would skip it in Ansible', () => {
    const { plays } = load(play('    - docker_login: {username: u, password: p, email: e}\n      when: false\n'));
    const [instance] = compilePlays(plays, { inventory }).plays[0].tasksByHost.get('node1')!;
    expect(instance.skipped).toBeDefined();
  });
});

describe('include_role of a role that is not there', () => {
  it('loads as a task that fails when it runs, in Ansible’s words, with a warning; its own when and tags still apply', () => {
    const { plays, warnings, base } = load(play('    - include_role:\n        name: gone\n      tags: search\n    - debug: msg=after\n'), {
      'roles/here/tasks/main.yml': '- debug: msg=here\n',
    });
    const [include, after] = plays[0].tasks;
    expect(include).toMatchObject({ module: 'include_tasks', action: 'include_role', tags: ['search'], args: { role: 'gone' } });
    expect(include.runFailure).toBe(`the role 'gone' was not found in ${path.join(base, 'roles')}:${base}`);
    expect(after.args).toEqual({ msg: 'after' });
    expect(warnings).toEqual([`${path.join(base, 'play.yml')}:5:15: role 'gone' was not found: include_role fails when it runs, as in Ansible`]);
    const skipped = load(play('    - include_role: {name: gone}\n      when: false\n')).plays;
    expect(compilePlays(skipped, { inventory }).plays[0].tasksByHost.get('node1')![0].skipped).toBeDefined();
  });

  it('one that is there is read now, as before', () => {
    const { plays, warnings } = load(play('    - include_role: {name: here}\n'), { 'roles/here/tasks/main.yml': '- debug: msg=here\n' });
    expect(plays[0].tasks.map((t) => [t.module, t.args, t.runFailure])).toEqual([['debug', { msg: 'here' }, undefined]]);
    expect(warnings).toEqual([]);
  });

  it('import_role and roles: stay errors of the playbook (exit 1), as in Ansible', () => {
    expect(loadError(play('    - import_role: {name: gone}\n'))).toMatchObject({ code: 'ROLE_NOT_FOUND', exitCode: 1 });
    expect(loadError('- hosts: all\n  roles: [gone]\n')).toMatchObject({ code: 'ROLE_NOT_FOUND', exitCode: 1 });
  });
});
