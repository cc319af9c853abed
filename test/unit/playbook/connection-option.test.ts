// -c / --connection and ANSIBLE_TRANSPORT, as ansible-playbook takes them: the connection of
// hosts and tasks that name none. An inventory host that is not localhost runs on the
// controller with -c local under both tools (hound through the built CLI: `npx tsc -p .` first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../file-tree.js';

const cli = path.resolve(__dirname, '../../../dist/cli/hound.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hound-connection-option-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeTree(dir, {
  'hosts.ini': 'web1\n',
  'play.yml': '- hosts: web1\n  gather_facts: false\n  tasks:\n    - command: hostname\n      register: h\n    - debug: {msg: "ran on {{ h.stdout }}"}\n',
});

/** One tool on `playbook` (in the test's folder) with hosts.ini. */
function run(tool: 'ansible-playbook' | 'hound', args: readonly string[], env: NodeJS.ProcessEnv = {}, playbook = 'play.yml') {
  const argv = tool === 'hound' ? [process.execPath, cli, 'play', '--reporter', 'plain'] : ['ansible-playbook'];
  const r = spawnSync(argv[0], [...argv.slice(1), '-i', 'hosts.ini', ...args, playbook], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', HOUND_ROLES_PATH: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, output: r.stdout + r.stderr };
}

// Each test runs both tools several times (the five forms: five pairs); on 2 busy cores that took 129 s once.
describe('the default connection, against ansible-playbook', { timeout: 300_000 }, () => {
  it('-c local and ANSIBLE_TRANSPORT=local run a host that names no connection on the controller', () => {
    const ranHere = `ran on ${hostname()}`;
    for (const [args, env] of [
      [['-c', 'local'], {}],
      [['--connection', 'local'], {}],
      [[], { ANSIBLE_TRANSPORT: 'local' }],
    ] as const) {
      const ansible = run('ansible-playbook', args, env);
      const hound = run('hound', args, env);
      expect(ansible.output).toContain(ranHere);
      expect(hound.output).toContain(ranHere);
      expect([hound.code, ansible.code]).toEqual([0, 0]);
    }
  });

  it('with -c local, a file a task writes on the controller is there for a later lookup, as on localhost', () => {
    const target = path.join(dir, 'written.txt');
    writeTree(dir, {
      'writes.yml': `- hosts: web1\n  gather_facts: false\n  tasks:\n    - copy: {content: "from the play", dest: ${target}}\n    - debug: {msg: "read {{ lookup('file', '${target}') | upper }}"}\n`,
    });
    for (const tool of ['ansible-playbook', 'hound'] as const) {
      rmSync(target, { force: true });
      const r = run(tool, ['-c', 'local'], {}, 'writes.yml');
      expect(r.output, tool).toContain('read FROM THE PLAY');
      expect(r.code, tool).toBe(0);
    }
  });

  it('connection: and ansible_connection, by any of their names, put a play or task on the controller, so a file it writes is there for a later lookup', () => {
    const target = path.join(dir, 'written-by-keyword.txt');
    const tasks = (copyKeywords: string) =>
      `  tasks:\n    - copy: {content: "from the keyword", dest: ${target}}\n${copyKeywords}    - debug: {msg: "read {{ lookup('file', '${target}') | upper }}"}\n`;
    // Each: the play's header after hosts, and the copy task's own keywords.
    const variants: Array<[string, string]> = [
      ['  connection: ansible.builtin.local\n', ''],
      ['  vars: {ansible_connection: local}\n', ''],
      ['  vars: {conn: local}\n  connection: "{{ conn }}"\n', ''],
      ['', '      connection: ansible.legacy.local\n'],
      ['', '      vars: {ansible_connection: ansible.builtin.local}\n'],
    ];
    for (const [header, copyKeywords] of variants) {
      writeTree(dir, { 'keyword.yml': `- hosts: web1\n  gather_facts: false\n${header}${tasks(copyKeywords)}` });
      for (const tool of ['ansible-playbook', 'hound'] as const) {
        rmSync(target, { force: true });
        const r = run(tool, [], {}, 'keyword.yml');
        expect(r.output, `${tool}, ${header}${copyKeywords}`).toContain('read FROM THE KEYWORD');
        expect(r.code, `${tool}, ${header}${copyKeywords}`).toBe(0);
      }
    }
  });

  it('a connection type hound lacks is one clear error before anything runs', () => {
    const hound = run('hound', ['-c', 'winrm']);
    expect(hound.output).toBe(
      'error BAD_OPTION_VALUE: connection type winrm (from cli: -c): hound has no such connection\n' +
        '  hint: hound reaches hosts over SSH (connection: ssh) or works on the controller itself (connection: local); see docs/ansible-compatibility.md\n',
    );
    expect(hound.code).toBe(5);
  });
});
