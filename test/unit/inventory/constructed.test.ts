// The constructed inventory plugin beyond --list (which ansible-parity.test.ts compares for the
// recorded cases): a play that targets constructed groups and reads composed variables, -e
// under use_extra_vars, lookups that must not run, and what hound says of options it does not
// take. Each case runs under ansible-playbook or ansible-inventory and under hound (the built
// CLI: run `npx tsc -p .` first) in a fresh folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../file-tree.js';
import { HOUND_CLI } from '../localhost-oracle.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-constructed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const ENV = { ...process.env, ANSIBLE_NOCOLOR: '1', NO_COLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', HOUND_ROLES_PATH: '' };

function folder(files: Record<string, string>): string {
  const base = path.join(dir, String(counter++));
  // An empty ansible.cfg: nothing of the machine's own configuration is read.
  writeTree(base, { 'ansible.cfg': '', ...files });
  return base;
}

function run(cwd: string, command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...ENV, ANSIBLE_CONFIG: path.join(cwd, 'ansible.cfg') }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hound = (cwd: string, args: string[]) => run(cwd, process.execPath, [HOUND_CLI, ...args]);

/** Every file a run wrote under out/, name → content. */
function written(base: string): Record<string, string> {
  const out = path.join(base, 'out');
  if (!existsSync(out)) return {};
  return Object.fromEntries(
    readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => [f, readFileSync(path.join(out, f), 'utf8')]),
  );
}

// Hosts that run on this machine (ansible_connection: local), so a play can write what it saw.
const HOSTS = `all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: /usr/bin/python3
  children:
    gpu:
      vars: {runtime: containerd}
      hosts:
        node1.lab: {gpus: 4, image_set: [cuda, pytorch]}
        node2.lab: {gpus: 0, image_set: [base]}
    svc:
      vars: {runtime: docker}
      hosts:
        web1: {image_set: [nginx]}
`;

const CONSTRUCTED = `plugin: ansible.builtin.constructed
strict: true
use_extra_vars: true
compose:
  accelerated: gpus | default(0) | int > 0
  images_csv: image_set | join(',')
  site: site_name | default('none')
groups:
  accelerated_nodes: gpus | default(0) | int > 0
keyed_groups:
  - key: runtime
    prefix: rt
    parent_group: runtimes
  - key: image_set
    prefix: img
`;

const PLAY = `- hosts: rt_containerd:img_nginx
  gather_facts: false
  tasks:
    - copy:
        dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}"
        content: "{{ group_names | join(' ') }}|{{ accelerated }}|{{ images_csv }}|{{ site }}|{{ groups['runtimes'] | default([]) | join(',') }}\\n"
      delegate_to: localhost
`;

describe('constructed, against the real tools', { timeout: 300_000 }, () => {
  it('a play targets constructed groups and reads composed variables, -e included under use_extra_vars', () => {
    const files = { 'hosts.yml': HOSTS, 'constructed.yml': CONSTRUCTED, 'play.yml': PLAY, 'out/.keep': '' };
    const args = ['-i', 'hosts.yml', '-i', 'constructed.yml', '-e', 'site_name=lab', 'play.yml'];
    const a = folder(files);
    const h = folder(files);
    const ansible = run(a, 'ansible-playbook', args);
    expect(ansible.code, ansible.stdout + ansible.stderr).toBe(0);
    const ours = hound(h, ['play', ...args]);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const expected = written(a);
    // node1 and node2 through rt_containerd, web1 through img_nginx.
    expect(Object.keys(expected)).toEqual(['node1.lab', 'node2.lab', 'web1']);
    expect(expected['node1.lab']).toBe('accelerated_nodes gpu img_cuda img_pytorch rt_containerd runtimes|True|cuda,pytorch|lab|node1.lab,node2.lab,web1\n');
    expect(written(h)).toEqual(expected);
  });

  it('runs no lookup where Ansible composes (compose, a keyed group’s key), and runs them where it does not (groups, parent_group)', () => {
    const files = {
      'hosts.ini': 'web1 a=1\n',
      'constructed.yml': `plugin: constructed
compose:
  piped: lookup('pipe', 'touch pwned-compose')
  kept: a
groups:
  piped_group: lookup('pipe', 'touch ran-group') == ''
keyed_groups:
  - key: query('pipe', 'touch pwned-key')
  - key: "'x'"
    parent_group: "{{ lookup('pipe', 'touch ran-parent; echo parent') }}"
`,
    };
    const args = ['-i', 'hosts.ini', '-i', 'constructed.yml', '--list'];
    const a = folder(files);
    const h = folder(files);
    const ansible = run(a, 'ansible-inventory', args);
    const ours = hound(h, ['inventory', ...args]);
    expect(ansible.code).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    // One known difference: ansible-inventory writes a group named by a lookup's result as that
    // result, marked unsafe ({"__ansible_unsafe": "parent"}) in all's children; hound, as its name.
    const unmarked = (text: string) =>
      JSON.parse(text, (_key, value: unknown) => (value as { __ansible_unsafe?: unknown })?.__ansible_unsafe ?? value) as unknown;
    expect(JSON.parse(ours.stdout)).toEqual(unmarked(ansible.stdout));
    expect(ansible.stdout).toContain('"__ansible_unsafe": "parent"');
    const listed = JSON.parse(ours.stdout) as { _meta: { hostvars: Record<string, unknown> }; parent: unknown };
    expect(listed._meta.hostvars.web1).toEqual({ a: 1, kept: 1 });
    expect(listed.parent).toEqual({ children: ['_x'] });
    for (const base of [a, h])
      expect(
        readdirSync(base)
          .filter((f) => /^(pwned|ran)-/.test(f))
          .sort(),
      ).toEqual(['ran-group', 'ran-parent']);
  });

  it('with strict: true a lookup stops the inventory with Ansible’s reason, at the expression', () => {
    const files = { 'hosts.ini': 'web1\n', 'constructed.yml': "plugin: constructed\nstrict: true\ncompose:\n  piped: lookup('pipe', 'id')\n" };
    const ours = hound(folder(files), ['inventory', '-i', 'hosts.ini', '-i', 'constructed.yml', '--list']);
    expect(ours.code).toBe(4);
    expect(ours.stderr).toContain('constructed.yml:4:10: error INVENTORY_CONSTRUCTED');
    expect(ours.stderr).toContain('Could not set piped for host web1: The lookup `pipe` was found, however lookups were disabled from templating');
    expect(ours.stderr).not.toMatch(/\n\s+at /);
  });

  it('says what it does not take: an unknown option is a warning, use_vars_plugins a refusal', () => {
    const unknown = hound(folder({ 'hosts.ini': 'web1\n', 'constructed.yml': 'plugin: constructed\nkeyed_group:\n  - key: x\n' }), [
      'inventory',
      '-i',
      'hosts.ini',
      '-i',
      'constructed.yml',
      '--graph',
    ]);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain("the constructed plugin has no option 'keyed_group'; it is ignored, as ansible-inventory ignores it");
    const refused = hound(folder({ 'hosts.ini': 'web1\n', 'constructed.yml': 'plugin: constructed\nuse_vars_plugins: true\n' }), [
      'inventory',
      '-i',
      'hosts.ini',
      '-i',
      'constructed.yml',
      '--list',
    ]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('constructed.yml:2:19: error INVENTORY_CONSTRUCTED');
    expect(refused.stderr).toContain('use_vars_plugins: true is not supported by hound');
    expect(refused.stdout).toBe('');
  });
});
