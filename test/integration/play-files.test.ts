// The node-configuration modules image playbooks use around their pulls (file, copy with a
// role's files/ and with content, template, blockinfile, lineinfile, service), run by the built
// CLI on two lab nodes (test/fixtures/play/files/files.yml): check mode changes nothing; the
// run leaves each node's files as written (read here from the machine, which the lab nodes
// share outside /run, /etc/docker and home); a second run changes nothing; --diff shows the
// text that changes, and nothing of a no_log task's file; under become (sudo with a
// password) the files are root's and whole. The same playbook under
// ansible-playbook (connection local) gave the same recap counts and the same files.
import { chmodSync, cpSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, hound, jsonEvents, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';
import type { TaskResultEvent } from '../../core/events.js';

const work = useLabWorkDir();
const base = mkdtempSync('/var/tmp/hound-play-files-');
// The lab's SSH users write here, whoever they are.
chmodSync(base, 0o1777);
afterAll(() => rmSync(base, { recursive: true, force: true }));

const HOSTS = ['node1', 'node2'];
const REGISTRY = 'registry.hound.test:5000';

function play(extra: string[] = []) {
  cpSync(path.join(FIXTURES, 'files'), work.dir, { recursive: true });
  return hound(['play', 'files.yml', '-i', 'hosts.ini', '-e', `files_base=${base}`, ...extra], work.dir);
}

const mode = (p: string) => (lstatSync(p).mode & 0o7777).toString(8);

describe('file modules on the lab', () => {
  it('check mode first: every file task would change, nothing is written', async () => {
    const run = await play(['--check', '--json']);
    const events = jsonEvents(run.stdout);
    const results = events.filter((e): e is TaskResultEvent => e.event === 'task_result' && e.host === 'node1');
    expect(results.slice(0, 6).map((r) => [r.task, r.status])).toEqual([
      // The role's tasks, named as ansible-playbook names them (Task.get_name).
      ['registry_trust : certs.d directory for the registry', 'changed'],
      ["registry_trust : the registry's CA", 'changed'],
      ['registry_trust : daemon.json', 'changed'],
      ['registry_trust : registries.conf', 'changed'],
      ['registry_trust : docker options', 'changed'],
      ['registry_trust : the token', 'changed'],
    ]);
    for (const host of HOSTS) expect(() => lstatSync(path.join(base, host))).toThrow();
  });

  it('writes each node’s files, modes and link; a second run changes nothing', async () => {
    const first = await play(['--json']);
    expect(first.code, first.stderr).toBe(0);
    const summary = summaryOf(jsonEvents(first.stdout));
    for (const host of HOSTS) expect(summary.hosts[host], host).toMatchObject({ ok: 9, changed: 7, failed: 0, ignored: 1 });

    for (const host of HOSTS) {
      const root = path.join(base, host);
      const certs = path.join(root, 'etc/docker/certs.d', REGISTRY);
      expect(mode(certs)).toBe('755');
      expect(readFileSync(path.join(certs, 'ca.crt'), 'utf8')).toBe(readFileSync(path.join(FIXTURES, 'files/roles/registry_trust/files/ca.crt'), 'utf8'));
      expect(mode(path.join(certs, 'ca.crt'))).toBe('644');
      expect(JSON.parse(readFileSync(path.join(root, 'etc/docker/daemon.json'), 'utf8'))).toEqual({
        'insecure-registries': [REGISTRY, '10.0.0.1:5000'],
        comment: `Ansible managed for ${host}`,
      });
      expect(mode(path.join(root, 'etc/docker/daemon.json'))).toBe('644');
      expect(readFileSync(path.join(root, 'etc/containers/registries.conf'), 'utf8')).toBe(
        `# BEGIN hound managed : ${REGISTRY}\n[[registry]]\nlocation = '${REGISTRY}'\ninsecure = true\n# END hound managed : ${REGISTRY}\n`,
      );
      expect(readFileSync(path.join(root, 'etc/default/docker'), 'utf8')).toBe('DOCKER_OPTS="--debug"\n');
      expect(readFileSync(path.join(root, 'token'), 'utf8')).toBe(`token-${host}-s3cr3t\n`);
      expect(mode(path.join(root, 'token'))).toBe('600');
      expect(readlinkSync(path.join(root, 'etc/docker/current.json'))).toBe('daemon.json');
    }
    // The lab has no systemd: the service task fails saying so (ignored by the play).
    const restart = jsonEvents(first.stdout).find((e): e is TaskResultEvent => e.event === 'task_result' && e.task === 'registry_trust : restart a unit');
    expect(restart).toMatchObject({ status: 'failed', ignored: true });
    expect(restart!.msg).toMatch(/no running systemd|Could not find the requested service/);

    const second = await play(['--json']);
    expect(second.code, second.stderr).toBe(0);
    const again = summaryOf(jsonEvents(second.stdout));
    for (const host of HOSTS) expect(again.hosts[host], host).toMatchObject({ ok: 9, changed: 0, failed: 0, ignored: 1 });
  });

  it('--diff shows what changes in a file, never a no_log task’s content', async () => {
    // Change what the template, the line and the secret file would write on node1.
    const root = path.join(base, 'node1');
    writeFileSync(path.join(root, 'etc/default/docker'), 'DOCKER_OPTS="--old"\n');
    writeFileSync(path.join(root, 'token'), 'old-token\n');
    const run = await play(['--diff', '--reporter', 'plain', '-l', 'node1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`--- before: ${root}/etc/default/docker (content)`);
    expect(run.stdout).toContain('-DOCKER_OPTS="--old"\n+DOCKER_OPTS="--debug"');
    expect(run.stdout).not.toContain('old-token');
    expect(run.stdout).not.toContain('s3cr3t');
    expect(readFileSync(path.join(root, 'token'), 'utf8')).toBe('token-node1-s3cr3t\n');
    expect(summaryOf(jsonEvents((await play(['--json', '-l', 'node1'])).stdout)).hosts.node1).toMatchObject({ changed: 0 });
  });

  it('under become, sudo asking for a password: the files are root’s and hold exactly what was sent after the password', async () => {
    const { name, password } = work.lab.users!.sudoWithPassword;
    const becomeBase = path.join(base, 'become');
    const args = ['--json', '-b', '-l', 'node2', '-e', `ansible_user=${name}`, '-e', `ansible_become_password=${password}`, '-e', `files_base=${becomeBase}`];
    const first = await play(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toContain(password);
    expect(summaryOf(jsonEvents(first.stdout)).hosts.node2).toMatchObject({ ok: 9, changed: 7, failed: 0, ignored: 1 });
    const root = path.join(becomeBase, 'node2');
    expect(readFileSync(path.join(root, 'token'), 'utf8')).toBe('token-node2-s3cr3t\n');
    expect(lstatSync(path.join(root, 'token'))).toMatchObject({ uid: 0, gid: 0 });
    expect(mode(path.join(root, 'token'))).toBe('600');
    const ca = path.join(root, 'etc/docker/certs.d', REGISTRY, 'ca.crt');
    expect(readFileSync(ca, 'utf8')).toBe(readFileSync(path.join(FIXTURES, 'files/roles/registry_trust/files/ca.crt'), 'utf8'));
    expect(lstatSync(ca).uid).toBe(0);
    expect(summaryOf(jsonEvents((await play(args)).stdout)).hosts.node2).toMatchObject({ changed: 0, failed: 0 });
  });
});
