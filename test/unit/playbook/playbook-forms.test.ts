// Forms real playbooks write that ansible-playbook takes and hound refused, found by running
// both tools' --syntax-check over 1,162 playbooks of public repositories (2026-12-07): the
// real files (test/fixtures/corpus/playbook-forms, origins beside them) pass both, and one
// playbook that gathers the forms (test/fixtures/playbooks/forms/forms.yml) runs on the
// implicit localhost with the same messages and recap under each tool.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oracleEnv, playIn } from '../localhost-oracle.js';
import { HoundError } from '../../../base/errors.js';
import { PlaybookLoader } from '../../../playbook/loader.js';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli/hound.js');
const corpus = path.join(root, 'test/fixtures/corpus/playbook-forms');
const forms = path.join(root, 'test/fixtures/playbooks/forms/forms.yml');
/** Both tools read the same (empty) configuration, whatever the machine's. */
const run = playIn;
const env = oracleEnv();

/** Each corpus entry's playbook: the one .yml file in its tree. */
const entries = readdirSync(corpus).map((slug) => {
  const origin = JSON.parse(readFileSync(path.join(corpus, slug, 'origin.json'), 'utf8')) as { path: string; url: string };
  return { slug, file: path.join(corpus, slug, origin.path), origin };
});

describe('real playbooks that use these forms', { timeout: 120_000 }, () => {
  it('the corpus is there, each file where its origin says', () => {
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const e of entries) expect(statSync(e.file).isFile(), e.slug).toBe(true);
  });

  it.each(entries.map((e) => [e.slug, e] as const))('%s passes --syntax-check under both tools', (_, e) => {
    const cwd = path.dirname(e.file);
    const ansible = run('ansible-playbook', ['--syntax-check', e.file], cwd);
    expect(ansible.code, ansible.stderr).toBe(0);
    const hound = run('hound', ['--syntax-check', e.file], cwd);
    expect({ code: hound.code, stderr: hound.stderr.replace(/^\[WARNING\].*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
  });
});

interface AnsibleReport {
  plays: { tasks: { task: { name: string }; hosts: { localhost: { action: string; msg?: unknown } } }[] }[];
  stats: Record<string, { ok: number; changed: number; skipped: number; failures: number; ignored: number }>;
}

describe('forms.yml on the implicit localhost', { timeout: 120_000 }, () => {
  it('is built', () => {
    expect(existsSync(cli), 'run `npx tsc -p .` before the tests').toBe(true);
  });

  it('prints the same debug messages, in order, and the same recap as ansible-playbook', () => {
    const cwd = path.dirname(forms);
    const out = execFileSync('ansible-playbook', [forms], { cwd, encoding: 'utf8', env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' } });
    const report = JSON.parse(out.slice(out.indexOf('{'))) as AnsibleReport;
    const ansibleMessages = report.plays.flatMap((p) => p.tasks.filter((t) => t.hosts.localhost.action === 'debug').map((t) => t.hosts.localhost.msg));
    const stats = report.stats.localhost;

    const hound = run('hound', ['--json', forms], cwd);
    expect(hound.code, hound.stderr).toBe(0);
    const events = hound.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; task?: string; module?: string; result?: { msg?: unknown } });
    const houndMessages = events.filter((e) => e.event === 'task_result' && e.module === 'debug').map((e) => e.result?.msg);
    expect(houndMessages).toEqual(ansibleMessages);
    // The messages themselves, so that both tools agreeing on something else would not pass.
    expect(houndMessages).toEqual([
      "1 2 localhost ['localhost']",
      'greet a me',
      'greet b me',
      'greet c nobody',
      'greet2 i param nested/greet2 nested/greet2 greet2',
      ['a', 'b', 'c'],
      "True 2 ['all'] [] 0 False ['localhost']",
    ]);
    // A role's tasks under Ansible's names (`greet : debug`, `include_role : greet`), as the json callback gives them.
    const roleNames = (names: string[]) => [...new Set(names.filter((n) => n.includes(' : ')))];
    const ansibleNames = report.plays.flatMap((p) => p.tasks.map((t) => t.task.name));
    const houndNames = events.filter((e) => e.event === 'task_result').map((e) => e.task!);
    expect(roleNames(houndNames)).toEqual(roleNames(ansibleNames));
    expect(roleNames(houndNames)).toEqual(['include_role : greet', 'greet : debug', 'greet : set_fact', 'nested/greet2 : debug']);
    // The banners as printed: the looped include_role's once, though its items come between its
    // role's tasks. One difference, known: Ansible runs an include's items before their tasks, so
    // its skipped item's line sits under the include's first banner; hound runs each item with
    // its tasks, and the skipped one, last, gets the banner again.
    const banners = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('TASK [') && l.includes(' : '))
        .map((l) => l.replace(/\s*\*+$/, ''));
    const ansiblePlain = banners(execFileSync('ansible-playbook', [forms], { cwd, encoding: 'utf8', env }));
    const houndPlain = banners(run('hound', ['--reporter', 'plain', forms], cwd).stdout);
    const beforeLastRole = ansiblePlain.indexOf('TASK [nested/greet2 : debug]');
    expect(houndPlain).toEqual([...ansiblePlain.slice(0, beforeLastRole), 'TASK [include_role : greet]', ...ansiblePlain.slice(beforeLastRole)]);
    const summary = events.find((e) => e.event === 'summary') as
      { hosts?: Record<string, { ok: number; changed: number; skipped: number; failed: number }> } | undefined;
    expect(summary?.hosts?.localhost).toMatchObject({ ok: stats.ok, changed: stats.changed, skipped: stats.skipped, failed: stats.failures });
  });
});

describe('what Ansible refuses in these forms, refused with where', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-forms-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const failure = (name: string, text: string) => {
    const file = path.join(dir, `${name}.yml`);
    writeFileSync(file, text);
    try {
      new PlaybookLoader().load(file);
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      return { code: err.code, line: err.position?.line, message: err.message };
    }
    throw new Error(`${name} loaded`);
  };

  it('a play with both user and remote_user, as ansible-playbook refuses it', () => {
    expect(failure('both-users', '- hosts: all\n  user: a\n  remote_user: b\n  tasks: []\n')).toMatchObject({
      code: 'SCHEMA_INVALID',
      line: 2,
      message: "both 'user' and 'remote_user' are set for this play",
    });
  });

  it('vars as a list with an entry that is no mapping', () => {
    expect(failure('vars-list', '- hosts: all\n  vars:\n    - a: 1\n    - just text\n  tasks: []\n')).toMatchObject({ code: 'SCHEMA_INVALID', line: 4 });
  });

  it('a boolean keyword given a number other than 0 and 1', () => {
    expect(failure('two', '- hosts: all\n  gather_facts: 2\n  tasks: []\n')).toMatchObject({
      code: 'SCHEMA_INVALID',
      line: 2,
      message: "play: 'gather_facts' must be true or false, got 2",
    });
  });
});

describe('--syntax-check reads as ansible-playbook reads', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-syntax-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, 'p.yml'),
    '- hosts: localhost\n  gather_facts: false\n  vars_files: [secrets.yml]\n  tasks:\n    - debug: msg="a {{ from_secrets }}"\n',
  );

  it('without an inventory: a vars file not there and a variable it would give pass, with a warning', () => {
    expect(run('ansible-playbook', ['--syntax-check', 'p.yml'], dir).code).toBe(0);
    const hound = run('hound', ['--syntax-check', 'p.yml'], dir);
    expect(hound.code).toBe(0);
    expect(hound.stderr).toContain(`p.yml:3:16: vars file ${path.join(dir, 'secrets.yml')} does not exist: the play fails when it runs`);
  });

  it('with an inventory, hound compiles the play against it and finds the undefined variable', () => {
    const hound = run('hound', ['--syntax-check', '-i', 'localhost,', 'p.yml'], dir);
    expect(hound.code).toBe(4);
    expect(hound.stderr).toContain("p.yml:5:14: error UNDEFINED_VARIABLE: 'from_secrets' is undefined");
  });
});

describe('vars_prompt encrypt', { timeout: 60_000 }, () => {
  const playbook = path.join(root, 'test/fixtures/playbooks/forms/prompt-encrypt.yml');

  it('hashes the answer as ansible-playbook does (sha512_crypt and md5_crypt, with their salts)', () => {
    const cwd = path.dirname(playbook);
    const out = execFileSync('ansible-playbook', [playbook], {
      cwd,
      encoding: 'utf8',
      env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const report = JSON.parse(out.slice(out.indexOf('{'))) as AnsibleReport;
    const ansibleMessage = report.plays[0].tasks[0].hosts.localhost.msg as string;
    expect(ansibleMessage).toMatch(/^\$6\$jESIyad4F08hP3Ta\$\S{86} \$1\$abcdefgh\$\S{22}$/);
    const hound = spawnSync(process.execPath, [cli, 'play', '--json', playbook], { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(hound.status, hound.stderr).toBe(0);
    const result = hound.stdout
      .split('\n')
      .filter((l) => l.includes('"task_result"'))
      .map((l) => JSON.parse(l) as { result: { msg: string } })[0];
    expect(result.result.msg).toBe(ansibleMessage);
  });

  it('a hash type crypt does not know is one error at encrypt:, as Ansible words it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hound-prompt-'));
    try {
      writeFileSync(
        path.join(dir, 'p.yml'),
        '- hosts: localhost\n  gather_facts: false\n  vars_prompt:\n    - name: password\n      encrypt: sha999_crypt\n      default: x\n  tasks: []\n',
      );
      const hound = spawnSync(process.execPath, [cli, 'play', 'p.yml'], { cwd: dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(hound.status).toBe(4);
      expect(hound.stderr).toContain(
        "p.yml:5:7: error VARS_PROMPT_ENCRYPT: crypt.crypt does not support 'sha999_crypt' algorithm (encrypt: of vars_prompt 'password')",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
