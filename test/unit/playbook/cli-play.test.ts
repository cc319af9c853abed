// `hound play` through the built CLI (run `npx tsc -p .` first): exit codes, one-screen
// errors without stack traces, and the --list-* output ansible-playbook prints.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli/hound.js');
const fixtures = path.join(root, 'test/fixtures/playbooks');

function hound(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [cli, 'play', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOUND_ROLES_PATH: '', ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('hound play (built CLI)', { timeout: 90_000 }, () => {
  it('is built', () => {
    expect(existsSync(cli), 'run `npx tsc -p .` before the tests').toBe(true);
  });

  const broken = [
    '08-unknown-play-key',
    '17-unknown-module',
    '21-unknown-argument',
    '32-undefined-in-args',
    '37-template-escape',
    '38-import-missing',
    '42-error-in-imported-file',
    '03-billion-laughs',
  ];
  for (const name of broken) {
    it(`--syntax-check ${name}: one clear error at the right place`, () => {
      const want = JSON.parse(readFileSync(path.join(fixtures, 'broken', `${name}.expect.json`), 'utf8'));
      const dir = path.join(fixtures, 'broken');
      const { code, stdout, stderr } = hound(['--syntax-check', '-i', 'inventory.ini', want.playbook], dir);
      expect(code).toBe(want.exitCode);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(`${path.join(dir, want.file)}:${want.line}:${want.column}: error ${want.code}: ${lines[0].split(`error ${want.code}: `)[1]}`);
      expect(lines.length).toBeLessThanOrEqual(6);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr).not.toContain('internal error');
    });
  }

  const valid = path.join(fixtures, 'valid');
  it('--syntax-check of a valid playbook prints its name and exits 0', () => {
    expect(hound(['--syntax-check', '-i', 'inventory.ini', 'warmup.yml'], valid)).toEqual({ code: 0, stdout: '\nplaybook: warmup.yml\n', stderr: '' });
  });

  it('--list-tasks with --tags prints what ansible-playbook prints', () => {
    const { code, stdout } = hound(['-i', 'inventory.ini', 'warmup.yml', '--list-tasks', '-t', 'pull', '--tags', 'extras'], valid);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        '',
        'playbook: warmup.yml',
        '',
        '  play #1 (web): warm the web tier\tTAGS: []',
        '    tasks:',
        "      pull the node's own images\tTAGS: [pull]",
        '      pull the extra image\tTAGS: [extras]',
        '      show the extra state\tTAGS: [extras]',
        '',
      ].join('\n'),
    );
  });

  it('--list-hosts applies --limit; --list-tags lists the selected tags', () => {
    const { code, stdout } = hound(['-i', 'inventory.ini', 'warmup.yml', '--list-hosts', '--list-tags', '-l', 'web2:web5'], valid);
    expect(code).toBe(0);
    expect(stdout).toContain("    pattern: ['web']\n    hosts (2):\n      web2\n      web5\n");
    expect(stdout).toContain('      TASK TAGS: [base, extras, login, pull]\n');
  });

  it('finds roles on HOUND_ROLES_PATH and --roles-path', () => {
    expect(hound(['-i', 'inventory.ini', 'site.yml', '--list-tasks'], valid).code).toBe(1);
    const viaEnv = hound(['-i', 'inventory.ini', 'site.yml', '--list-tasks'], valid, { HOUND_ROLES_PATH: `/nonexistent:${path.join(valid, 'shared-roles')}` });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain('shared : pull the shared tool\tTAGS: []');
    expect(hound(['-i', 'inventory.ini', 'site.yml', '--list-tasks', '--roles-path', 'shared-roles'], valid).code).toBe(0);
  });

  it('-e values reach the templates and win', () => {
    const { code, stderr } = hound(
      ['--syntax-check', '-i', 'inventory.ini', '32-undefined-in-args.yml', '-e', 'app_image=app:2'],
      path.join(fixtures, 'broken'),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  const badOptions: [string, string[], number][] = [
    ['--forks 0', ['--forks', '0'], 5],
    ['--reporter fancy', ['--reporter', 'fancy'], 5],
    ['--host-key-checking maybe', ['--host-key-checking', 'maybe'], 5],
    ['-e without =', ['-e', 'novalue'], 5],
    ['-e broken JSON', ['-e', '{"a": '], 5],
    ['--tags with an empty tag', ['--tags', 'a,,b'], 5],
    ['an unknown option', ['--frobnicate'], 5],
  ];
  for (const [label, args, exit] of badOptions) {
    it(`${label} exits ${exit} with one message`, () => {
      const { code, stderr } = hound(['-i', 'inventory.ini', 'warmup.yml', '--syntax-check', ...args], valid);
      expect(code).toBe(exit);
      expect(stderr.trim().length).toBeGreaterThan(0);
      expect(stderr).not.toMatch(/^\s+at /m);
    });
  }

  it('a missing playbook exits 1, as ansible-playbook does', () => {
    const { code, stderr } = hound(['-i', 'inventory.ini', 'nope.yml'], valid);
    expect(code).toBe(1);
    expect(stderr).toContain('error PLAYBOOK_NOT_FOUND: the playbook nope.yml could not be found');
  });
});
