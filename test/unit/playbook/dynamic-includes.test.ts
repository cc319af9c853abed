// include_tasks whose file is named by a template, or whose file holds tasks hound does not run:
// Ansible reads such a file only when the include runs, on the host it runs on. hound reads
// every file the name may name before the run, and picks one per host: when compiling if the
// name can be rendered then, else as the include runs (a gathered fact, a set_fact).
//
// Real material: test/fixtures/corpus/dynamic-includes holds two of geerlingguy's roles
// (origin.json beside each): `setup-{{ ansible_os_family }}.yml` in apache, OS files with
// modules hound does not run behind `when:` in nginx. The fixture playbooks in
// test/fixtures/playbooks/dynamic-includes write the shapes found in public repositories
// (community.zabbix's `{{ zabbix_db_type_long }}.yml`, ansible's own tests' `{{item}}_output.yml`,
// first_found, `{{ playbook_dir }}/tasks/...`), each run by ansible-playbook and by hound.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oracleEnv, playIn } from '../localhost-oracle.js';
import { HoundError } from '../../../base/errors.js';
import { compilePlays } from '../../../playbook/compiler.js';
import { playTasksOf, type TaskInstance } from '../../../playbook/compiled.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { buildInventory } from './inventory-builder.js';
import { computePlan } from '../../../plan/planner.js';
import { facts, node, REG, remote } from '../plan/fixtures.js';

const root = path.resolve(__dirname, '../../..');
const corpus = path.join(root, 'test/fixtures/corpus/dynamic-includes');
const fixtures = path.join(root, 'test/fixtures/playbooks/dynamic-includes');
const run = playIn;
const env = oracleEnv();

interface AnsibleReport {
  plays: { tasks: { hosts: Record<string, { action: string; msg?: unknown }> }[] }[];
  stats: Record<string, { ok: number; changed: number; skipped: number; failures: number }>;
}

/** Each host's debug messages in order, and the recap, under ansible-playbook's json callback. */
function ansibleRun(args: string[], cwd: string) {
  const out = execFileSync('ansible-playbook', args, { cwd, encoding: 'utf8', env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' } });
  const report = JSON.parse(out.slice(out.indexOf('{'))) as AnsibleReport;
  const messages: Record<string, unknown[]> = {};
  for (const task of report.plays.flatMap((p) => p.tasks))
    for (const [host, result] of Object.entries(task.hosts)) if (result.action === 'debug') (messages[host] ??= []).push(result.msg);
  const recap = Object.fromEntries(
    Object.entries(report.stats).map(([host, s]) => [host, { ok: s.ok, changed: s.changed, skipped: s.skipped, failed: s.failures }]),
  );
  return { messages, recap };
}

/** The same from hound's JSON events. */
function houndRun(args: string[], cwd: string) {
  const r = run('hound', ['--json', ...args], cwd);
  expect(r.code, r.stderr).toBe(0);
  const events = r.stdout
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as { event: string; host?: string; module?: string; result?: { msg?: unknown }; hosts?: Record<string, Record<string, number>> },
    );
  const messages: Record<string, unknown[]> = {};
  for (const e of events) if (e.event === 'task_result' && e.module === 'debug') (messages[e.host!] ??= []).push(e.result?.msg);
  const summary = events.find((e) => e.event === 'summary')!;
  const recap = Object.fromEntries(
    Object.entries(summary.hosts!).map(([host, s]) => [host, { ok: s.ok, changed: s.changed, skipped: s.skipped, failed: s.failed }]),
  );
  return { messages, recap };
}

/** --syntax-check passes under both tools, and --list-tasks prints the same. */
function expectSameReading(playbook: string, dir: string): void {
  for (const mode of ['--syntax-check', '--list-tasks']) {
    const ansible = run('ansible-playbook', ['-i', 'localhost,', mode, playbook], dir);
    const hound = run('hound', ['-i', 'localhost,', mode, playbook], dir);
    expect(ansible.code, ansible.stderr).toBe(0);
    expect(hound.code, hound.stderr).toBe(0);
    expect(hound.stdout).toBe(ansible.stdout);
  }
}

const roles = readdirSync(corpus).map((slug) => ({ slug, dir: path.join(corpus, slug) }));

describe('real roles: what ansible-playbook reads, hound reads', { timeout: 120_000 }, () => {
  it('the corpus is there, each role from its origin', () => {
    expect(roles.map((r) => r.slug).sort()).toEqual(['geerlingguy-apache', 'geerlingguy-nginx']);
    for (const r of roles) expect(JSON.parse(readFileSync(path.join(r.dir, 'origin.json'), 'utf8')).commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(roles.map((r) => [r.slug, r.dir] as const))('%s: --syntax-check passes and --list-tasks prints the same under both tools', (_, dir) => {
    expectSameReading('play.yml', dir);
  });

  it('nginx: each OS file hound cannot run is named once, at the include, and the play still loads', () => {
    const dir = path.join(corpus, 'geerlingguy-nginx');
    const { stderr } = run('hound', ['-i', 'localhost,', '--syntax-check', 'play.yml'], dir);
    const warned = [...stderr.matchAll(/tasks\/main\.yml:(\d+):\d+: include_tasks fails where it runs with (\S+), which hound cannot run: (\S+?):\d+:\d+: /g)];
    expect(warned.map((m) => m[2]).sort()).toEqual(['setup-Archlinux.yml', 'setup-Debian.yml', 'setup-FreeBSD.yml', 'setup-OpenBSD.yml', 'setup-Suse.yml']);
    // Each points at the include's own line and then at the refused task in the file.
    const main = readFileSync(path.join(dir, 'roles/nginx/tasks/main.yml'), 'utf8').split('\n');
    for (const [, line, file, where] of warned) {
      expect(main[Number(line) - 1]).toContain(`include_tasks: ${file}`);
      expect(where).toBe(path.join(dir, 'roles/nginx/tasks', file));
    }
  });

  it("apache: a host's gathered OS family picks its setup file as the include runs; the others wait, gated", () => {
    const playbook = new PlaybookLoader().load(path.join(corpus, 'geerlingguy-apache/play.yml'));
    const play = compilePlays(playbook.plays, { inventory: buildInventory({ web: { hosts: { web1: {} } } }) }).plays[0];
    const tasks = playTasksOf(play, 'web1');
    const include = tasks.find((t) => t.name === 'apache : include_tasks' && t.includeChoices?.files.some((f) => f.endsWith('setup-Debian.yml')))!;
    expect(include.deferred).toBe(true);
    expect(include.includeChoices!.files.map((f) => path.basename(f))).toEqual(['setup-Debian.yml', 'setup-RedHat.yml', 'setup-Solaris.yml', 'setup-Suse.yml']);
    const gated = (file: string) => tasks.filter((t) => t.position.file.endsWith(`/tasks/${file}`)).map((t) => t.gate!.slice(include.id.length));
    const debianTasks = gated('setup-Debian.yml');
    expect(debianTasks.length).toBeGreaterThan(0);
    expect(new Set(debianTasks)).toEqual(new Set(['@0']));
    expect(new Set(gated('setup-Suse.yml'))).toEqual(new Set(['@3']));
  });

  it('apache: an OS family known before the run (inventory, no facts) picks the file when compiling, and only it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hound-apache-'));
    try {
      const file = path.join(corpus, 'geerlingguy-apache/play.yml');
      const playbook = new PlaybookLoader().load(file);
      playbook.plays[0].gatherFacts = false;
      const inventory = buildInventory({
        web: { hosts: { web1: { ansible_os_family: 'Suse', ansible_distribution: 'openSUSE', ansible_distribution_major_version: '15' } } },
      });
      const tasks = playTasksOf(compilePlays(playbook.plays, { inventory }).plays[0], 'web1');
      const setup = tasks.find((t) => t.module === 'include_tasks' && String(t.args.file).includes('/setup-'))!;
      expect(setup.args.file).toBe(path.join(corpus, 'geerlingguy-apache/roles/apache/tasks/setup-Suse.yml'));
      expect(setup.includeChoices).toBeUndefined();
      const files = new Set(tasks.map((t) => path.basename(t.position.file)));
      expect(files.has('setup-Suse.yml')).toBe(true);
      expect(files.has('setup-Debian.yml')).toBe(false);
      expect(files.has('setup-RedHat.yml')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('templated include names run as under ansible-playbook', { timeout: 120_000 }, () => {
  it('site.yml on the implicit localhost: the same messages, in order, and the same recap', () => {
    const ansible = ansibleRun(['site.yml'], fixtures);
    const hound = houndRun(['site.yml'], fixtures);
    expect(hound).toEqual(ansible);
    // The messages themselves, so that both tools agreeing on nothing would not pass.
    const family = String(ansible.messages.localhost[0]).split(' ')[1];
    expect(ansible.messages.localhost.slice(1)).toEqual([
      'database postgresql from repo',
      'output json',
      'output yaml',
      `first found for ${family.toLowerCase()}`,
      'hello from tasks-file-001',
      ...(family === 'Debian' ? ['database postgresql from the playbook'] : []),
    ]);
  });

  it('per-host.yml: each node includes the file a set_fact of its own names; a file no node names is never run', () => {
    const ansible = ansibleRun(['-i', 'hosts.ini', 'per-host.yml'], fixtures);
    const hound = houndRun(['-i', 'hosts.ini', 'per-host.yml'], fixtures);
    expect(hound).toEqual(ansible);
    expect(hound.messages).toEqual({ 'node-a': ['gpu images for node-a'], 'node-b': ['cpu images for node-b'] });
  });

  it('listing.yml: --list-tasks and --list-tags show includes, not what they bring in; `include_role: name=x` reads; the run agrees', () => {
    const args = ['listing.yml', '--list-tasks', '--list-tags'];
    const ansible = run('ansible-playbook', args, fixtures);
    const hound = run('hound', args, fixtures);
    expect(ansible.code, ansible.stderr).toBe(0);
    expect(hound.stdout).toBe(ansible.stdout);
    expect(hound.stdout).toContain('      include_role\tTAGS: []\n      named include\tTAGS: [db]\n      include_role\tTAGS: []\n');
    expect(houndRun(['listing.yml'], fixtures)).toEqual(ansibleRun(['listing.yml'], fixtures));
  });

  it.each([[[]], [['--tags', 'y']], [['--skip-tags', 'x']]])(
    'handlers.yml %j: a handler that is an include runs its tasks; nested and tagged includes agree',
    (args) => {
      const dir = path.join(fixtures, 'handlers');
      const hound = houndRun(['handlers.yml', ...args], dir);
      expect(hound).toEqual(ansibleRun(['handlers.yml', ...args], dir));
      // The handler's own task ran (it did not before: the include ran, its tasks did not).
      if (args.length === 0) expect([hound.messages.localhost[0], hound.messages.localhost.at(-1)]).toEqual(['start', 'handler b']);
    },
  );

  it("a name that renders to a file that is not there fails the include with Ansible's words", () => {
    const fatal = (text: string) => /fatal: \[localhost\]: FAILED! => .*(Could not find or access '[^']+' on the Ansible Controller\.)/.exec(text)?.[1];
    const ansible = run('ansible-playbook', ['missing.yml'], fixtures);
    const hound = run('hound', ['--reporter', 'plain', 'missing.yml'], fixtures);
    expect(ansible.code).toBe(2);
    expect(hound.code).toBe(2);
    expect(fatal(hound.stdout)).toBe(`Could not find or access '${path.join(fixtures, 'postgresql-missing.yml')}' on the Ansible Controller.`);
    expect(fatal(hound.stdout)).toBe(fatal(ansible.stdout));
  });
});

describe("Ansible's old `include:` (ansible-core 2.14 reads it; removed in 2.16)", { timeout: 120_000 }, () => {
  const legacy = path.join(root, 'test/fixtures/playbooks/legacy-include');
  const demo = path.join(root, 'test/fixtures/corpus/legacy-include/ffirg-rolling-upgrade-demo1');

  it('a real site whose roles use it: --syntax-check passes and --list-tasks prints the same; each include is named deprecated', () => {
    expectSameReading('site.yml', demo);
    const { stderr } = run('hound', ['-i', 'localhost,', '--syntax-check', 'site.yml'], demo);
    expect([...stderr.matchAll(/roles\/(\w+)\/tasks\/main\.yml:2:3: "include" is deprecated .*read as import_tasks/g)].map((m) => m[1]).sort()).toEqual([
      'haproxy',
      'webservers',
    ]);
  });

  it('k=v options, a templated name, a loop and a when: the same messages and recap as ansible-playbook', () => {
    const hound = houndRun(['include.yml'], legacy);
    expect(hound).toEqual(ansibleRun(['include.yml'], legacy));
    expect(hound.messages.localhost).toEqual(['a says hello', 'b here', 'a says loop 1', 'a says loop 2', 'b here']);
  });
});

describe('what hound says before the run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-dynamic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'images-gpu.yml'), '- debug:\n    msg: gpu\n');
  writeFileSync(path.join(dir, 'images-arm.yml'), '- rpm_key:\n    key: https://repo.example.invalid/key\n');
  writeFileSync(path.join(dir, 'sub-gpu.yml'), '- debug:\n    msg: sub\n');
  const compileOn = (flavour: string, text: string): TaskInstance[] => {
    const file = path.join(dir, 'p.yml');
    writeFileSync(file, text);
    const inventory = buildInventory({ nodes: { hosts: { n1: { flavour } } } });
    return playTasksOf(compilePlays(new PlaybookLoader().load(file).plays, { inventory }).plays[0], 'n1');
  };
  const play = (include: string, extra = '') => `- hosts: nodes\n  gather_facts: false\n  tasks:\n    - include_tasks: "${include}"\n${extra}`;
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof HoundError) return { code: err.code, message: err.message, line: err.position?.line, file: err.position?.file };
      throw err;
    }
    throw new Error('compiled');
  };

  it('a chosen file hound cannot run is its error, at the refused task, before anything runs', () => {
    expect(failure(() => compileOn('arm', play('images-{{ flavour }}.yml')))).toMatchObject({
      code: 'MODULE_NOT_SUPPORTED',
      file: path.join(dir, 'images-arm.yml'),
      line: 1,
    });
  });

  it('the same file, chosen where the failure is handled (ignore_errors), fails only that include when it runs', () => {
    const tasks = compileOn('arm', play('images-{{ flavour }}.yml', '      ignore_errors: true\n'));
    expect(tasks).toHaveLength(1);
    expect(tasks[0].runFailure).toMatch(/^hound cannot include .*images-arm\.yml: .*images-arm\.yml:1:3: module 'rpm_key'/);
  });

  it('hound plan: a file picked when compiling is planned byte for byte; files picked as the include runs are noted, never counted', () => {
    writeFileSync(path.join(dir, 'pull-gpu.yml'), `- image:\n    name: ${REG}/hound/cuda:1\n`);
    writeFileSync(path.join(dir, 'pull-cpu.yml'), `- image:\n    name: ${REG}/hound/slim:1\n`);
    const remotes = [remote(`${REG}/hound/cuda:1`, [['cuda', 700]]), remote(`${REG}/hound/slim:1`, [['slim', 30]])];
    const planOf = (text: string) => {
      const file = path.join(dir, 'p.yml');
      writeFileSync(file, text);
      const inventory = buildInventory({ nodes: { hosts: { n1: { flavour: 'gpu' } } } });
      return computePlan(compilePlays(new PlaybookLoader().load(file).plays, { inventory }), facts([node('n1')], remotes)).hosts.n1;
    };
    const known = planOf(play('pull-{{ flavour }}.yml'));
    expect(known.actions.map((a) => [a.image, a.bytes])).toEqual([[`${REG}/hound/cuda:1`, 700]]);
    const atRunTime = planOf(`- hosts: nodes\n  gather_facts: false\n  tasks:\n    - set_fact: {picked: gpu}\n    - include_tasks: "pull-{{ picked }}.yml"\n`);
    expect(atRunTime.actions).toEqual([]);
    expect(atRunTime.bytes).toBe(0);
    expect(
      atRunTime.notes.filter((n) => /runs only where the include's name, rendered as it runs, is .*pull-(cpu|gpu)\.yml: not planned/.test(n)),
    ).toHaveLength(2);
  });

  it('a name that renders to a file in a folder its template stood for is refused plainly, not called missing', () => {
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'sub/deep.yml'), '- debug:\n    msg: deep\n');
    expect(failure(() => compileOn('gpu', play('{{ where }}', '      vars:\n        where: sub/deep.yml\n')))).toMatchObject({
      code: 'DYNAMIC_INCLUDE',
      message: expect.stringContaining("renders to 'sub/deep.yml', which hound did not read before the run"),
    });
    // The same template naming a file beside the playbook is read, however it is spelled.
    const tasks = compileOn('gpu', play('{{ where }}', `      vars:\n        where: ../${path.basename(dir)}/sub-gpu.yml\n`));
    expect(tasks.map((t) => t.module)).toEqual(['include_tasks', 'debug']);
    expect(tasks[1].args).toEqual({ msg: 'sub' });
  });
});
