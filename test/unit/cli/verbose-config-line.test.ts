// `-v` starts with the configuration file the run uses, word for word as ansible-playbook -v
// says it (the real ansible-playbook is the oracle): in a folder with an ansible.cfg, and in
// one without any (HOME and ANSIBLE_CONFIG pointed away from this machine's files).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hound } from '../../fixtures/play/helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'hound-v-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ansiblePlaybook(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ansible-playbook', args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`ansible-playbook: ${stderr}`)) : resolve(stdout),
    );
  });
}

function project(withConfig: boolean): string {
  const dir = mkdtempSync(path.join(work, 'p-'));
  writeFileSync(path.join(dir, 'hosts.ini'), '[web]\nweb1 ansible_host=127.0.0.1\n');
  writeFileSync(path.join(dir, 'site.yml'), '- hosts: web\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: hi\n');
  if (withConfig) writeFileSync(path.join(dir, 'ansible.cfg'), '[defaults]\nforks = 3\n');
  return dir;
}

describe('play -v names its configuration file first, as ansible-playbook -v', () => {
  // /etc/ansible/ansible.cfg, if this machine has one, is Ansible's last place to look.
  const systemConfig = existsSync('/etc/ansible/ansible.cfg');

  for (const withConfig of [true, false]) {
    it(withConfig ? 'with an ansible.cfg in the folder' : 'with none in the folder', async () => {
      const dir = project(withConfig);
      const env = { HOME: dir, ANSIBLE_CONFIG: '' };
      const args = ['site.yml', '-i', 'hosts.ini', '--list-hosts', '-v'];
      const ansible = (await ansiblePlaybook(args, dir, env)).split('\n')[0];
      const ours = await hound(['play', ...args], dir, env);
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout.split('\n')[0]).toBe(ansible);
      if (withConfig) expect(ansible).toBe(`Using ${path.join(dir, 'ansible.cfg')} as config file`);
      else if (!systemConfig) expect(ansible).toBe('No config file found; using defaults');
    });
  }

  it('says nothing of it without -v, nor in JSON output', async () => {
    const dir = project(true);
    const plain = await hound(['play', 'site.yml', '-i', 'hosts.ini', '--list-hosts'], dir, { HOME: dir });
    expect(plain.stdout).not.toMatch(/config file/);
    const json = await hound(['play', 'site.yml', '-i', 'hosts.ini', '-v', '--json'], dir, { HOME: dir });
    expect(json.stdout).not.toMatch(/config file/);
  });
});
