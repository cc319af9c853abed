// A project folder holding only ansible.cfg, an inventory and a playbook: `ansible-playbook
// site.yml` and a bare `hound play site.yml` run in it, each finding ./ansible.cfg (the
// inventory, the remote user, the key, forks, the SSH arguments, gathering), and end alike:
// the same exit code and the same recap counts per host, with facts gathered and used.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { hound } from '../fixtures/play/helpers.js';
import { runCommand } from '../../bench/command-run.js';
import { parseRecap } from './ansible-parity.js';

let lab: LabInfo;
let project: string;

beforeAll(async () => {
  lab = await readTestLab();
  project = mkdtempSync(path.join(tmpdir(), 'hound-cfg-project-'));
  mkdirSync(path.join(project, 'inventory'));
  writeFileSync(
    path.join(project, 'ansible.cfg'),
    [
      '[defaults]',
      'inventory = inventory/hosts.ini',
      'remote_user = root',
      `private_key_file = ${lab.privateKey}`,
      'forks = 2',
      'timeout = 30',
      'gathering = smart',
      'retry_files_enabled = False',
      '',
      '[ssh_connection]',
      `ssh_common_args = -o UserKnownHostsFile=${lab.knownHosts}`,
      '',
    ].join('\n'),
  );
  // No user, key or SSH option here: they come from ansible.cfg.
  writeFileSync(path.join(project, 'inventory', 'hosts.ini'), ['[web]', ...lab.nodes.slice(0, 2).map((n) => `${n.name} ansible_host=${n.ip}`), ''].join('\n'));
  writeFileSync(
    path.join(project, 'site.yml'),
    [
      '- name: facts chosen by the configuration',
      '  hosts: web',
      '  tasks:',
      '    - name: the facts are there',
      '      assert:',
      '        that:',
      "          - ansible_facts.system == 'Linux'",
      '          - ansible_architecture == ansible_facts.architecture',
      '          - ansible_facts.nodename | length > 0',
      '    - name: say where we are',
      '      debug:',
      '        msg: "{{ inventory_hostname }} runs {{ ansible_distribution }} {{ ansible_distribution_major_version }} on {{ ansible_architecture }}"',
      '    - name: a command on the node',
      '      command:',
      '        argv: [cat, /proc/sys/kernel/hostname]',
      '      register: name',
      '    - name: it answered',
      '      assert:',
      '        that: name.stdout | length > 0',
      '- name: smart gathering does not gather again',
      '  hosts: web',
      '  tasks:',
      '    - debug:',
      '        msg: "{{ ansible_facts.hostname }}"',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** This machine's environment without any ANSIBLE_* or HOUND_* setting, so that ./ansible.cfg is what counts. */
function projectEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ANSIBLE_') && !k.startsWith('HOUND_')) env[k] = v;
  return { ...env, ANSIBLE_NOCOLOR: '1' };
}

describe('a folder with only ansible.cfg, an inventory and a playbook', () => {
  it('hound play site.yml ends as ansible-playbook site.yml does: exit code and recap counts', async () => {
    const env = projectEnv();
    const ansible = await runCommand(['ansible-playbook', 'site.yml'], { cwd: project, env });
    expect(ansible.code, ansible.stdout + ansible.stderr).toBe(0);
    const ansibleRecap = parseRecap(ansible.stdout);
    expect(Object.keys(ansibleRecap).sort()).toEqual(['node1', 'node2']);

    // hound() adds the process environment; the ANSIBLE_* of the test runner are blanked.
    const blanked = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => k.startsWith('ANSIBLE_') || k.startsWith('HOUND_'))
        .map((k) => [k, undefined]),
    );
    const ours = await hound(['play', 'site.yml', '--reporter', 'plain'], project, { ...blanked, ANSIBLE_NOCOLOR: '1' });
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    expect(parseRecap(ours.stdout)).toEqual(ansibleRecap);
    // The facts reached the templates.
    expect(ours.stdout).toMatch(/node1 runs \w+ \d+ on x86_64/);
    // ansible.cfg's unused keys are named, once.
    expect(ours.stderr.match(/hound does not use these Ansible settings: \[defaults\] retry_files_enabled/g)).toHaveLength(1);
  });

  it('hound config dump --only-changed names ./ansible.cfg as the origin of what it sets', async () => {
    const blanked = Object.fromEntries(
      Object.keys(process.env)
        .filter((k) => k.startsWith('ANSIBLE_') || k.startsWith('HOUND_'))
        .map((k) => [k, undefined]),
    );
    const r = await hound(['config', 'dump', '--only-changed'], project, blanked);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(project, 'ansible.cfg');
    expect(r.stdout).toContain(`CONFIG_FILE() = ${file}`);
    for (const line of [
      `DEFAULT_HOST_LIST(${file}) = ['${path.join(project, 'inventory/hosts.ini')}']`,
      `DEFAULT_REMOTE_USER(${file}) = root`,
      `DEFAULT_FORKS(${file}) = 2`,
      `DEFAULT_TIMEOUT(${file}) = 30`,
      `DEFAULT_GATHERING(${file}) = smart`,
      `SSH_COMMON_ARGS(${file}) = -o UserKnownHostsFile=${lab.knownHosts}`,
    ])
      expect(r.stdout).toContain(line);
  });
});
