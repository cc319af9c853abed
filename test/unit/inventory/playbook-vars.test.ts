// group_vars/ and host_vars/ beside the playbook (Ansible's "playbook group_vars"), with an
// inventory in a folder of its own that has its own: what a play sees, and what
// `hound inventory` prints (the working folder, or --playbook-dir, as ansible-inventory),
// each compared with the real tool in a fresh folder. hound runs through the built CLI (run
// `npx tsc -p .` first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../file-tree.js';
import { HOUND_CLI } from '../localhost-oracle.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-playbook-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const ENV = { ...process.env, ANSIBLE_NOCOLOR: '1', NO_COLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', HOUND_ROLES_PATH: '' };

// Every variable is set at several levels; each value names where it was set.
const PROJECT = {
  'ansible.cfg': '',
  'out/.keep': '',
  'site.yml': `- hosts: web
  gather_facts: false
  tasks:
    - copy:
        dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}"
        content: "{{ {'a': a, 'b': b, 'c': c, 'd': d, 'e': e, 'h': h | default('-')} | to_json }}"
      delegate_to: localhost
`,
  'group_vars/all.yml': 'a: playbook_all\nb: playbook_all\ne: playbook_all\n',
  'group_vars/web.yml': 'c: playbook_web\n',
  'host_vars/h1.yml': 'h: playbook_host\n',
  'inventories/prod/hosts.ini':
    '[web]\nh1 h=inventory_file\nh2\n[web:vars]\nd=web_file\ne=web_file\n[all:vars]\nansible_connection=local\nansible_python_interpreter=/usr/bin/python3\na=all_file\n',
  'inventories/prod/group_vars/all.yml': 'a: inventory_all\nb: inventory_all\nc: inventory_all\nd: inventory_all\n',
  'inventories/prod/group_vars/web.yml': 'b: inventory_web\nc: inventory_web\n',
  'inventories/prod/host_vars/h1.yml': 'h: inventory_host\n',
};

function project(): string {
  const base = path.join(dir, String(counter++));
  writeTree(base, PROJECT);
  return base;
}

function run(cwd: string, command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...ENV, ANSIBLE_CONFIG: path.join(cwd, 'ansible.cfg') }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function written(base: string): Record<string, unknown> {
  const out = path.join(base, 'out');
  return Object.fromEntries(
    readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => [f, JSON.parse(readFileSync(path.join(out, f), 'utf8')) as unknown]),
  );
}

describe("the playbook's group_vars and host_vars, against the real tools", { timeout: 300_000 }, () => {
  it('a play sees them above the inventory folder’s, at each level', () => {
    const a = project();
    const h = project();
    const args = ['-i', 'inventories/prod/hosts.ini', 'site.yml'];
    const ansible = run(a, 'ansible-playbook', args);
    expect(ansible.code, ansible.stdout + ansible.stderr).toBe(0);
    const ours = run(h, process.execPath, [HOUND_CLI, 'play', ...args]);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const expected = written(a);
    // What ansible-playbook wrote: group_vars/all beside the playbook beats the inventory folder's
    // and the inventory file's [web:vars]; group_vars/web beside the playbook beats the
    // inventory folder's; host_vars beside the playbook beat all.
    expect(expected.h1).toEqual({ a: 'playbook_all', b: 'inventory_web', c: 'playbook_web', d: 'inventory_all', e: 'playbook_all', h: 'playbook_host' });
    expect(written(h)).toEqual(expected);
  });

  it('hound inventory reads the working folder’s, as ansible-inventory, and --playbook-dir’s', () => {
    const base = project();
    for (const extra of [[], ['--playbook-dir', '.'], ['--playbook-dir', 'inventories']]) {
      for (const view of [['--host', 'h1'], ['--graph', '--vars'], ['--list']]) {
        const args = ['-i', 'inventories/prod/hosts.ini', ...extra, ...view];
        const theirs = run(base, 'ansible-inventory', args);
        const ours = run(base, process.execPath, [HOUND_CLI, 'inventory', ...args]);
        expect([theirs.code, ours.code], ours.stderr).toEqual([0, 0]);
        expect(ours.stdout, args.join(' ')).toBe(theirs.stdout);
      }
    }
  });
});
