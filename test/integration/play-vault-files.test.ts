// Vault-encrypted controller files in a run, as ansible-playbook opens them with the vault
// password: a template the template module renders onto the node, and a file a lookup reads
// (a registry password kept in a vaulted file). Both were encrypted by ansible-vault itself.
// The node gets the plaintext rendered; hound's output never shows what the vault held; without
// the password the run fails saying so, and nothing is written.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hound, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir();
const base = mkdtempSync('/var/tmp/hound-play-vault-');
// The lab's SSH users write here, whoever they are.
chmodSync(base, 0o1777);
afterAll(() => rmSync(base, { recursive: true, force: true }));

const SECRET = 'vaulted-Registry-Pw-7731';

describe('vault-encrypted controller files in a run', () => {
  it('renders a vaulted template onto the node and reads a vaulted file in a lookup, printing neither secret', async () => {
    const dir = work.dir;
    const password = path.join(dir, 'vault-pw.txt');
    writeFileSync(password, 'play-vault-pw\n');
    const template = path.join(dir, 'registry-auth.j2');
    writeFileSync(template, `{"registry": "{{ registry }}", "password": "${SECRET}"}\n`);
    const note = path.join(dir, 'registry-password.txt');
    writeFileSync(note, `${SECRET}-file\n`);
    for (const file of [template, note]) execFileSync('ansible-vault', ['encrypt', '--vault-password-file', password, file], { stdio: 'pipe' });
    expect(readFileSync(template, 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
    writeFileSync(
      path.join(dir, 'vault-files.yml'),
      [
        '- hosts: node1',
        '  gather_facts: false',
        '  vars:',
        '    registry: registry.hound.test:5000',
        `    dest: "${base}/{{ inventory_hostname }}-auth.json"`,
        '  tasks:',
        '    - name: the registry auth file, from a vaulted template',
        '      template:',
        '        src: registry-auth.j2',
        '        dest: "{{ dest }}"',
        '        mode: "0600"',
        '    - name: the password from a vaulted file',
        '      debug:',
        `        msg: "password {{ lookup('file', 'registry-password.txt') }}"`,
        '',
      ].join('\n'),
    );

    const run = await hound(['play', 'vault-files.yml', '-i', 'hosts.ini', '-vvv', '--diff', '--vault-password-file', password], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(readFileSync(path.join(base, 'node1-auth.json'), 'utf8')).toBe(`{"registry": "registry.hound.test:5000", "password": "${SECRET}"}\n`);
    expect(run.stdout).toMatch(/the password from a vaulted file/);
    expect(
      (run.stdout + run.stderr).split('\n').filter((l) => l.includes(SECRET)),
      'a vaulted secret was printed',
    ).toEqual([]);

    // Without the password: hound reads the lookup's file while compiling, before anything runs, so
    // that file is the one it names (file:line:column of the task), and nothing is written.
    rmSync(path.join(base, 'node1-auth.json'));
    const refused = await hound(['play', 'vault-files.yml', '-i', 'hosts.ini'], dir);
    expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
    expect(refused.stderr).toMatch(
      /vault-files\.yml:14:\d+: error VAULT_NO_PASSWORD: \S*registry-password\.txt is vault-encrypted and no vault password was given/,
    );
    expect(refused.stdout + refused.stderr).not.toMatch(/\$ANSIBLE_VAULT|\n\s+at /);
    expect(() => readFileSync(path.join(base, 'node1-auth.json'))).toThrow();
  });
});
