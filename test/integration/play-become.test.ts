// become on the lab: the lab's login users outside the docker group (lab/users.ts) reach
// the node's commands and its Docker through sudo, as #16 asks (`docker system dial-stdio`
// under sudo: nothing on the node beyond sudo and the Docker CLI). ansible-playbook, run on
// the same node with the same users, is the oracle for who runs the command, the messages
// of a missing or wrong sudo password, the exit codes and the recap counts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabUsers } from '../../lab/users.js';
import { emptyNode, hound, nodeTags, useLabWorkDir } from '../fixtures/play/helpers.js';
import { parseRecap, runTool, type Tool } from './ansible-parity.js';

const work = useLabWorkDir({ emptyNodesAfter: true });
let users: LabUsers;
/** Each test runs ansible-playbook and hound one after the other; on a loaded 2-core machine that takes minutes. */
const BOTH_TOOLS_TIMEOUT_MS = 300_000;

/** `who runs commands` under become, as both tools run it. */
const WHO = `- hosts: node1
  gather_facts: false
  become: true
  tasks:
    - name: who runs commands
      command: id -un
      register: who
    - debug:
        msg: "user={{ who.stdout }}"
`;

beforeAll(() => {
  if (!work.lab.users) throw new Error('this lab has no login users for become: bring it up again with this hound (lab/users.ts)');
  users = work.lab.users;
  writeFileSync(path.join(work.dir, 'who.yml'), WHO);
  writeFileSync(
    path.join(work.dir, 'become-pull.yml'),
    `- hosts: node1
  gather_facts: false
  tasks:
    - name: pull through sudo
      become: "{{ use_become | bool }}"
      image:
        name: "{{ lab_registry }}/hound/app0:latest"
`,
  );
});

/** The same arguments to ansible-playbook, then to hound play (with `houndOnly` added). */
async function both(args: string[], houndOnly: string[] = []) {
  const run = async (tool: Tool) => {
    const r = await runTool(tool, tool === 'hound' ? ['play', '--distribution', 'direct', ...args, ...houndOnly] : args, work.dir);
    return { ...r, output: r.stdout + r.stderr, recap: parseRecap(r.stdout + r.stderr) };
  };
  return { ansible: await run('ansible-playbook'), hound: await run('hound') };
}

describe('become on the lab, compared with ansible-playbook', () => {
  it(
    'a login user with sudo NOPASSWD runs the task as root under both tools',
    async () => {
      const { ansible, hound: h } = await both(['who.yml', '-i', 'hosts.ini', '-e', `ansible_user=${users.sudo}`]);
      expect(ansible.code, ansible.output).toBe(0);
      expect(h.code, h.output).toBe(ansible.code);
      expect(ansible.output).toContain('"msg": "user=root"');
      expect(h.output).toContain('user=root');
      expect(h.recap).toEqual(ansible.recap);
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );

  it(
    'a sudo password missing: "Missing sudo password", as ansible-playbook says, with its exit and recap',
    async () => {
      const missing = await both(['who.yml', '-i', 'hosts.ini', '-e', `ansible_user=${users.sudoWithPassword.name}`]);
      expect(missing.ansible.output).toContain('Missing sudo password');
      expect(missing.hound.output).toContain('Missing sudo password');
      expect([missing.hound.code, missing.hound.recap]).toEqual([missing.ansible.code, missing.ansible.recap]);
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );

  it(
    'a wrong sudo password: "Incorrect sudo password", as ansible-playbook says, and the password is not printed',
    async () => {
      const wrong = await both([
        'who.yml',
        '-i',
        'hosts.ini',
        '-e',
        `ansible_user=${users.sudoWithPassword.name}`,
        '-e',
        'ansible_become_password=not-the-password-42',
      ]);
      expect(wrong.ansible.output).toContain('Incorrect sudo password');
      expect(wrong.hound.output).toContain('Incorrect sudo password');
      expect(wrong.hound.output).not.toContain('not-the-password-42');
      expect([wrong.hound.code, wrong.hound.recap]).toEqual([wrong.ansible.code, wrong.ansible.recap]);
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );

  it(
    'the right sudo password: the task runs as root under both tools, and the password never appears in what hound prints, even at -vvv',
    async () => {
      const { name, password } = users.sudoWithPassword;
      const right = await both(['who.yml', '-i', 'hosts.ini', '-e', `ansible_user=${name}`, '-e', `ansible_become_password=${password}`], ['-vvv']);
      expect(right.ansible.output).toContain('"msg": "user=root"');
      expect(right.hound.output).toContain('user=root');
      expect([right.hound.code, right.hound.recap]).toEqual([right.ansible.code, right.ansible.recap]);
      expect(right.hound.output).not.toContain(password);
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );

  it(
    "a user outside the docker group reaches the node's Docker only through become",
    async () => {
      const node1 = work.node('node1');
      await emptyNode(node1);
      const denied = await hound(
        ['play', '--distribution', 'direct', 'become-pull.yml', '-i', 'hosts.ini', '-e', `ansible_user=${users.sudo}`, '-e', 'use_become=false'],
        work.dir,
      );
      expect(denied.code, denied.stdout).toBe(2);
      expect(denied.stdout).toMatch(/hound-sudo could not open \S+docker\.sock/);
      expect(denied.stdout).toContain('set become: true to reach it through sudo');
      expect(await nodeTags(node1, work.lab)).toEqual([]);

      const pulled = await hound(
        ['play', '--distribution', 'direct', 'become-pull.yml', '-i', 'hosts.ini', '-e', `ansible_user=${users.sudo}`, '-e', 'use_become=true'],
        work.dir,
      );
      expect(pulled.code, pulled.stdout + pulled.stderr).toBe(0);
      expect(await nodeTags(node1, work.lab)).toEqual(['hound/app0:latest']);
      expect(parseRecap(pulled.stdout).node1).toMatchObject({ ok: 1, changed: 1, failed: 0 });
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );
});
