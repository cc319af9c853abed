// The package and git modules (apt, apt_repository, apt_key, package, dnf, git) on a lab node,
// offline and compared with ansible-playbook on the same node from the same state
// (test/fixtures/play/packages): a flat apt repository of hound-test-pkg 1.0 and 2.0 built
// here with dpkg-deb, apt pointed at it alone by APT_CONFIG (the machine's own sources and
// lists are left alone; dpkg's database is the machine's, which the lab nodes share), a bare
// git repository made here. Each task ends with the same status under both tools, with the
// same registered values (but for apt-get's output and times), and the same state after.
// A key is also fetched by URL from the controller's lab address. Check mode installs, removes and clones nothing. The package and every file are removed after.
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import type { TaskResultEvent } from '../../core/events.js';
import { readTestLab } from '../fixtures/test-lab.js';
import { FIXTURES, jsonEvents } from '../fixtures/play/helpers.js';
import { runTool, type Tool } from './ansible-parity.js';

const DIR = path.join(FIXTURES, 'packages');
const PACKAGE = 'hound-test-pkg';
const KEY_FILE = '/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc';
/** ansible-playbook takes about 2 min for packages.yml on an idle machine. */
const RUN_TIMEOUT_MS = 600_000;
const base = mkdtempSync('/var/tmp/hound-packages-');
chmodSync(base, 0o755);
let lab: LabInfo;
let keyId: string;
/** Serves the key file on the controller's lab address, for apt_key `url` (fetched on the node by either tool). */
let keyServer: Server;
let keyUrl: string;

/** What each module's registered value is compared on (apt-get's output and the cache's times differ between any two runs). */
const COMPARED: Record<string, string[]> = {
  apt: ['changed', 'failed', 'msg', 'cache_updated'],
  package: ['changed', 'failed', 'msg', 'cache_updated'],
  apt_repository: ['changed', 'repo', 'state'],
  apt_key: ['changed', 'id', 'fp', 'short_id', 'key_id', 'before', 'after'],
  git: ['changed', 'failed', 'msg', 'before', 'after', 'remote_url_changed'],
  copy: ['changed'],
  dnf: ['changed', 'failed'],
};

function packageStatus(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}${Version}', PACKAGE], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function resetState(): void {
  spawnSync('dpkg', ['--purge', PACKAGE], { stdio: 'ignore' });
  for (const dir of ['apt/sources.list.d', 'apt/lists'])
    for (const f of readdirSync(path.join(base, dir))) if (f !== 'partial') rmSync(path.join(base, dir, f), { recursive: true, force: true });
  for (const f of ['checkout', 'shallow', 'keyring.gpg', 'keyring.gpg~', 'url-keyring.gpg', 'url-keyring.gpg~'])
    rmSync(path.join(base, f), { recursive: true, force: true });
}

beforeAll(async () => {
  lab = await readTestLab();
  execFileSync('sh', [path.join(DIR, 'make-fixtures.sh'), base]);
  keyServer = createServer((_req, res) => res.end(readFileSync(KEY_FILE)));
  await new Promise<void>((resolve) => keyServer.listen(0, lab.controllerIp, resolve));
  keyUrl = `http://${lab.controllerIp}:${(keyServer.address() as { port: number }).port}/key.asc`;
  keyId = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]+):/m.exec(
    execFileSync('gpg', ['--with-colons', KEY_FILE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  )![1];
});

afterAll(() => {
  keyServer?.close();
  resetState();
  rmSync(base, { recursive: true, force: true });
});

interface TaskOutcome {
  task: string;
  status: string;
  compared: Record<string, unknown>;
}

interface AnsibleJson {
  plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
  stats: Record<string, Record<string, number>>;
}

async function run(tool: Tool, playbook: string, extra: string[] = []): Promise<{ code: number | null; tasks: TaskOutcome[]; output: string }> {
  resetState();
  const vars = ['-e', `pkg_base=${base}`, '-e', `key_id=${keyId}`, '-e', `key_url=${keyUrl}`];
  const args = tool === 'hound' ? ['play', '-i', lab.inventory, '--json', ...vars, ...extra, playbook] : ['-i', lab.inventory, ...vars, ...extra, playbook];
  const result = await runTool(tool, args, DIR, { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' });
  const pick = (module: string, value: Record<string, unknown>) =>
    Object.fromEntries((COMPARED[module] ?? ['changed']).map((k) => [k, comparable(k, value[k])]));
  const tasks: TaskOutcome[] = [];
  if (tool === 'hound') {
    for (const e of jsonEvents(result.stdout).filter((e): e is TaskResultEvent => e.event === 'task_result'))
      tasks.push({ task: e.task, status: e.status, compared: pick(e.module, e.result) });
  } else {
    const json = JSON.parse(result.stdout) as AnsibleJson;
    for (const { task, hosts } of json.plays[0].tasks) {
      const r = hosts.node1;
      tasks.push({ task: task.name, status: r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok', compared: r });
    }
  }
  return { code: result.code, tasks, output: result.stdout.slice(-4000) + result.stderr.slice(-2000) };
}

/** A value as compared: flags as booleans, an empty message as none. */
function comparable(key: string, value: unknown): unknown {
  if (key === 'changed' || key === 'failed') return value === true;
  return value === '' || value === undefined ? null : value;
}

/** ansible's values picked by the module hound ran for the same task. */
function alignAnsible(ansible: TaskOutcome[], hound: TaskOutcome[]): TaskOutcome[] {
  return ansible.map((a, i) => {
    const keys = Object.keys(hound[i]?.compared ?? { changed: null });
    return { task: a.task, status: a.status, compared: Object.fromEntries(keys.map((k) => [k, comparable(k, a.compared[k])])) };
  });
}

describe('package and git modules on the lab, against ansible-playbook', () => {
  it(
    'installs, upgrades, removes and purges a package, adds and removes a source and a key, checks out versions: as ansible-playbook does',
    async () => {
      const ansible = await run('ansible-playbook', 'packages.yml');
      expect(ansible.code, ansible.output).toBe(0);
      const afterAnsible = { pkg: packageStatus(), sources: readdirSync(path.join(base, 'apt/sources.list.d')) };
      const headAnsible = execFileSync('git', ['-C', path.join(base, 'checkout'), 'rev-parse', 'HEAD'], { encoding: 'utf8' });

      const houndRun = await run('hound', 'packages.yml');
      expect(houndRun.code, houndRun.output).toBe(0);
      expect(houndRun.tasks.map((t) => t.task)).toEqual(ansible.tasks.map((t) => t.task));
      expect(houndRun.tasks).toEqual(alignAnsible(ansible.tasks, houndRun.tasks));
      expect({ pkg: packageStatus(), sources: readdirSync(path.join(base, 'apt/sources.list.d')) }).toEqual(afterAnsible);
      expect(execFileSync('git', ['-C', path.join(base, 'checkout'), 'rev-parse', 'HEAD'], { encoding: 'utf8' })).toBe(headAnsible);
      expect(execFileSync('git', ['-C', path.join(base, 'shallow'), 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim()).toBe('1');

      // What each tool's run must show (not only that they agree).
      const status = Object.fromEntries(houndRun.tasks.map((t) => [t.task, t.status]));
      expect(status).toMatchObject({
        'install 1.0': 'changed',
        'install 1.0 again': 'ok',
        latest: 'changed',
        'latest again': 'ok',
        'present without a state': 'ok',
        'a package no source has': 'failed',
        remove: 'changed',
        'remove again': 'ok',
        'purge what is left': 'changed',
        clone: 'changed',
        'clone again': 'ok',
        'the change kept without force': 'failed',
        'the change dropped with force': 'changed',
        'a key from a URL': 'changed',
        'the key from the URL again': 'ok',
      });
      expect(afterAnsible).toEqual({ pkg: 'unknown', sources: [] });
    },
    2 * RUN_TIMEOUT_MS,
  );

  it(
    'check mode installs, removes and clones nothing, as under ansible-playbook',
    async () => {
      const ansible = await run('ansible-playbook', 'check.yml', ['--check']);
      expect(ansible.code, ansible.output).toBe(0);
      const houndRun = await run('hound', 'check.yml', ['--check']);
      expect(houndRun.code, houndRun.output).toBe(0);
      expect(houndRun.tasks).toEqual(alignAnsible(ansible.tasks, houndRun.tasks));
      expect(houndRun.tasks.map((t) => t.status)).toEqual(['changed', 'changed', 'ok', 'changed', 'changed']);
      const main = execFileSync('git', ['--git-dir', path.join(base, 'origin.git'), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
      expect(houndRun.tasks[3].compared).toMatchObject({ after: main });
      expect(packageStatus()).toBe('unknown');
      expect(existsSync(path.join(base, 'checkout'))).toBe(false);
      expect(readdirSync(path.join(base, 'apt/sources.list.d'))).toEqual(['hound-test.list']);
    },
    2 * RUN_TIMEOUT_MS,
  );
});
