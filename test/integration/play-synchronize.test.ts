// ansible.posix.synchronize on the lab (test/fixtures/play/synchronize/sync.yml): the real
// rsync on the controller and on two lab nodes, carried over hound's SSH connection. The same
// playbook under ansible-playbook (rsync over its ssh) is the oracle: the same recap, the same
// files with the same modes on each node and on the controller, the same changed flags on a
// second run and in check mode. Then what only hound is asked: become (sudo with a password)
// leaves root's files, and a delegate to another host is refused saying so.
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, hound, jsonEvents, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';
import type { TaskResultEvent } from '../../core/events.js';
import { parseRecap, runTool, type Tool } from './ansible-parity.js';

const work = useLabWorkDir();
const base = mkdtempSync('/var/tmp/hound-play-sync-');
// The lab's SSH users write here, whoever they are.
chmodSync(base, 0o1777);
afterAll(() => rmSync(base, { recursive: true, force: true }));

const HOSTS = ['node1', 'node2'];
const PAYLOAD = path.join(FIXTURES, 'synchronize/files/payload');
/** Each test runs ansible-playbook and hound one after the other; on a loaded 2-core machine that takes minutes. */
const BOTH_TOOLS_TIMEOUT_MS = 300_000;

/** Where one tool's run writes: the nodes' side and the controller's side. */
function dirsFor(tool: Tool) {
  const root = path.join(base, tool);
  const pulled = path.join(root, 'pulled');
  mkdirSync(pulled, { recursive: true, mode: 0o1777 });
  chmodSync(root, 0o1777);
  return { root, pulled };
}

async function run(tool: Tool, extra: string[] = []) {
  cpSync(path.join(FIXTURES, 'synchronize'), work.dir, { recursive: true });
  const { root, pulled } = dirsFor(tool);
  const args = ['sync.yml', '-i', 'hosts.ini', '-l', HOSTS.join(','), '-e', `sync_base=${root}`, '-e', `sync_pulled=${pulled}`, ...extra];
  const r = await runTool(tool, tool === 'hound' ? ['play', ...args] : args, work.dir);
  return { ...r, output: r.stdout + r.stderr, recap: parseRecap(r.stdout + r.stderr), root, pulled };
}

/** Every file under dir: relative path, mode and content. */
function tree(dir: string): Record<string, { mode: string; content: string }> {
  const out: Record<string, { mode: string; content: string }> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = { mode: (st.mode & 0o7777).toString(8), content: readFileSync(p, 'utf8') };
    }
  };
  walk(dir);
  return out;
}

describe('synchronize on the lab, compared with ansible-playbook', () => {
  it(
    'check mode: the same recap from both tools, and nothing is written',
    async () => {
      const ansible = await run('ansible-playbook', ['--check']);
      const h = await run('hound', ['--check']);
      expect(ansible.code, ansible.output).toBe(0);
      expect(h.code, h.output).toBe(0);
      expect(h.recap).toEqual(ansible.recap);
      for (const host of HOSTS) expect(ansible.recap[host]).toMatchObject({ changed: 2, failed: 0, skipped: 1, ignored: 1 });
      for (const r of [ansible, h]) {
        for (const host of HOSTS) expect(() => lstatSync(path.join(r.root, host, 'payload'))).toThrow();
        expect(readdirSync(r.pulled)).toEqual([]);
      }
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );

  it(
    'a run: the same files and modes on each node and on the controller, the same recap; a second run the same recap again',
    async () => {
      const ansible = await run('ansible-playbook');
      const h = await run('hound');
      expect(ansible.code, ansible.output).toBe(0);
      expect(h.code, h.output).toBe(0);
      expect(h.recap).toEqual(ansible.recap);
      for (const host of HOSTS) {
        expect(ansible.recap[host]).toMatchObject({ ok: 5, changed: 3, failed: 0, ignored: 1 });
        const expected = tree(PAYLOAD);
        expect(tree(path.join(ansible.root, host, 'payload'))).toEqual(expected);
        expect(tree(path.join(h.root, host, 'payload'))).toEqual(expected);
      }
      expect(tree(h.pulled)).toEqual(tree(ansible.pulled));
      expect(Object.keys(tree(h.pulled))).toEqual(['node1.txt', 'node2.txt']);
      expect(h.output).toContain('rsync: [sender] change_dir');

      const [ansibleAgain, houndAgain] = [await run('ansible-playbook'), await run('hound')];
      expect(houndAgain.recap).toEqual(ansibleAgain.recap);
      // Not 0 changed: --delay-updates (the module's default) leaves each directory a new mtime
      // (its .~tmp~ came and went), which the next run sets back, and rsync itemizes that.
      for (const host of HOSTS) expect(houndAgain.recap[host]).toMatchObject({ ok: 5, failed: 0, ignored: 1 });
      for (const host of HOSTS) expect(houndAgain.recap[host].changed).toBeLessThan(h.recap[host].changed);
    },
    BOTH_TOOLS_TIMEOUT_MS,
  );
});

describe('synchronize: what only hound is asked', () => {
  it('registers what the module returns: changed, rc, cmd and the itemized lines', async () => {
    cpSync(path.join(FIXTURES, 'synchronize'), work.dir, { recursive: true });
    const { root, pulled } = dirsFor('hound');
    rmSync(path.join(root, 'node1'), { recursive: true, force: true });
    const r = await hound(['play', 'sync.yml', '-i', 'hosts.ini', '-l', 'node1', '--json', '-e', `sync_base=${root}`, '-e', `sync_pulled=${pulled}`], work.dir);
    const push = jsonEvents(r.stdout).find((e): e is TaskResultEvent => e.event === 'task_result' && e.task === 'push the payload');
    expect(push?.status, r.stdout).toBe('changed');
    const lines = String(push?.msg ?? '').split('\n');
    expect(lines, JSON.stringify(lines)).toContain('<f+++++++++ a.txt');
    expect(lines).toContain('<f+++++++++ sub/b.txt');
    expect(summaryOf(jsonEvents(r.stdout)).hosts.node1).toMatchObject({ changed: 3, failed: 0, ignored: 1 });
  });

  it('under become, sudo asking for a password: the pushed files are root’s, and the password is not printed', async () => {
    const { name, password } = work.lab.users!.sudoWithPassword;
    cpSync(path.join(FIXTURES, 'synchronize'), work.dir, { recursive: true });
    const root = path.join(base, 'become');
    mkdirSync(path.join(root, 'pulled'), { recursive: true });
    chmodSync(root, 0o1777);
    const args = [
      'play',
      'sync.yml',
      '-i',
      'hosts.ini',
      '--json',
      '-b',
      '-l',
      'node2',
      '-e',
      `ansible_user=${name}`,
      '-e',
      `ansible_become_password=${password}`,
    ];
    const r = await hound([...args, '-e', `sync_base=${root}`, '-e', `sync_pulled=${path.join(root, 'pulled')}`], work.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(password);
    const pushed = path.join(root, 'node2', 'payload', 'sub', 'b.txt');
    expect(readFileSync(pushed, 'utf8')).toBe('beta\n');
    expect(lstatSync(pushed)).toMatchObject({ uid: 0 });
    // rsync's --archive keeps the controller file's mode (git checks fixtures out 644 or 755).
    expect(lstatSync(pushed).mode & 0o777).toBe(lstatSync(path.join(PAYLOAD, 'sub', 'b.txt')).mode & 0o777);
  });

  it('delegate_to another host is refused at run time, naming both hosts', async () => {
    cpSync(path.join(FIXTURES, 'synchronize'), work.dir, { recursive: true });
    const r = await hound(['play', 'delegated.yml', '-i', 'hosts.ini', '--json', '-e', `sync_base=${base}`], work.dir);
    expect(r.code).toBe(2);
    const result = jsonEvents(r.stdout).find((e): e is TaskResultEvent => e.event === 'task_result' && e.host === 'node1');
    expect(result?.status).toBe('failed');
    expect(result?.msg).toContain('synchronize delegated to node2 is not supported by hound');
  });
});
