// Inventory scripts (Ansible's `script` inventory plugin), against ansible-inventory:
// - the corpus of real scripts (test/fixtures/corpus/inventory-scripts, origins beside each):
//   what ansible-inventory printed for each, --list and --graph --vars, byte for byte; a script
//   ansible-inventory could not read (it warns and goes on with an empty inventory) is one
//   clear error here;
// - scripts written here for what the corpus does not show, each run under both tools now.
// hound runs through the built CLI (run `npx tsc -p .` first), in the script's folder, as the
// scripts read their data files from the working directory.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUND_CLI } from '../localhost-oracle.js';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus/inventory-scripts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function houndInventory(cwd: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [HOUND_CLI, 'inventory', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const dir = path.join(CORPUS, d.name);
    const script = readdirSync(dir).find((f) => !f.startsWith('expected.') && (statSync(path.join(dir, f)).mode & 0o111) !== 0)!;
    const stderr = readFileSync(path.join(dir, 'expected.stderr'), 'utf8');
    return { name: d.name, dir, script, stderr, readable: !stderr.includes('Unable to parse') };
  });

// A script without _meta is run once per host (each run of a Python script here costs about 0.4 s).
describe('the corpus of real inventory scripts', { timeout: 120_000 }, () => {
  it('holds scripts ansible-inventory reads and scripts it cannot', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.readable).length).toBeGreaterThanOrEqual(7);
    expect(cases.filter((c) => !c.readable).length).toBeGreaterThanOrEqual(3);
  });

  describe.each(cases.filter((c) => c.readable).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('--list and --graph --vars are what ansible-inventory printed', () => {
      const list = houndInventory(c.dir, ['-i', `./${c.script}`, '--list']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toBe(readFileSync(path.join(c.dir, 'expected.json'), 'utf8'));
      const graph = houndInventory(c.dir, ['-i', `./${c.script}`, '--graph', '--vars']);
      expect(graph.stdout).toBe(readFileSync(path.join(c.dir, 'expected.graph'), 'utf8'));
      // Ansible's warning about group names (`5points`) is given too.
      expect(list.stderr.includes('Invalid characters were found in group names')).toBe(c.stderr.includes('Invalid characters were found in group names'));
    });
  });

  describe.each(cases.filter((c) => !c.readable).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('fails with one error where ansible-inventory could not read it', () => {
      const list = houndInventory(c.dir, ['-i', `./${c.script}`, '--list']);
      expect(list.code).toBe(4);
      expect(list.stdout).toBe('');
      expect(list.stderr.startsWith(`${path.join(c.dir, c.script)}:1:1: error INVENTORY_SCRIPT: `), list.stderr).toBe(true);
      expect(list.stderr.split('\n').filter((l) => l.includes(' error ')).length).toBe(1);
    });
  });
});

describe('scripts written for what the corpus does not show', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-inventory-scripts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, text: string, mode = 0o755): string => {
    writeFileSync(path.join(dir, name), text);
    chmodSync(path.join(dir, name), mode);
    return `./${name}`;
  };
  const ansible = (args: string[]): Run => {
    const r = spawnSync('ansible-inventory', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('without _meta: one --host run per host; old forms of groups; floats, templates and unsafe text as Ansible keeps them', () => {
    const source = script(
      'no-meta.py',
      `#!/usr/bin/env python3
import json, sys
groups = {
    "web": ["w1", "w2"],
    "db": {"hosts": ["d1"], "vars": {"port": 5432, "ratio": 1.0}, "children": ["web"]},
    "all": {"vars": {"greeting": "{{ who }}", "go": {"__ansible_unsafe": "{{ .Names }}"}}},
    "legacy": {"a": 1},
}
if sys.argv[1] == "--list":
    print(json.dumps(groups))
else:
    print(json.dumps({"ansible_host": "10.0.0.%d" % len(sys.argv[2]), "name": sys.argv[2]}))
`,
    );
    for (const view of [['--list'], ['--graph', '--vars']]) {
      const theirs = ansible(['-i', source, ...view]);
      const ours = houndInventory(dir, ['-i', source, ...view]);
      expect([theirs.code, ours.code], ours.stderr).toEqual([0, 0]);
      expect(ours.stdout).toBe(theirs.stdout);
    }
  });

  it('"hostvars": null is no _meta.hostvars: one --host run per host, as Ansible', () => {
    const source = script(
      'null-meta.sh',
      '#!/bin/sh\nif [ "$1" = --list ]; then echo \'{"g": ["a", "b"], "_meta": {"hostvars": null}}\'; else echo "{\\"asked\\": \\"$2\\"}"; fi\n',
    );
    const theirs = ansible(['-i', source, '--list']);
    const ours = houndInventory(dir, ['-i', source, '--list']);
    expect([theirs.code, ours.code], ours.stderr).toEqual([0, 0]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain('"asked": "b"');
  });

  it("reads ansible-inventory --list's own output back, unsafe values and all", () => {
    const listing = ansible(['-i', path.resolve(__dirname, '../../fixtures/inventory/yaml-unsafe/hosts.yml'), '--list']);
    expect(listing.code, listing.stderr).toBe(0);
    writeFileSync(path.join(dir, 'listing.json'), listing.stdout);
    const source = script('cached.sh', '#!/bin/sh\ncat listing.json\n');
    const ours = houndInventory(dir, ['-i', source, '--list']);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(ansible(['-i', source, '--list']).stdout);
  });

  it('a failing script, output that is no mapping, bad JSON, a script that cannot run: one clear error each', () => {
    const failures: [string, RegExp][] = [
      [
        script('fails.sh', '#!/bin/sh\necho "no credentials for the CMDB" >&2\nexit 3\n'),
        /had an execution error \(exit status 3\): no credentials for the CMDB/,
      ],
      [script('list.sh', '#!/bin/sh\necho "[1, 2]"\n'), /needs to be a json dict/],
      [script('bad-json.sh', '#!/bin/sh\necho "{not json"\n'), /failed to parse executable inventory script results/],
      [script('empty-host.sh', '#!/bin/sh\n[ "$1" = --list ] && echo \'{"g": ["h1"]}\'\nexit 0\n'), /--host h1 printed nothing/],
      [script('bad-hosts.sh', '#!/bin/sh\necho \'{"all": {"hosts": {"h1": {}}}}\'\n'), /You defined a group 'all' with bad data for the host list/],
      [
        script('null-hostvars.sh', '#!/bin/sh\necho \'{"g": ["a", "b"], "_meta": {"hostvars": {"a": null, "b": {"x": 1}}}}\'\n'),
        /Invalid data from file, expected dictionary and got: None \(the variables of a\)/,
      ],
    ];
    for (const [source, message] of failures) {
      // ansible-inventory warns and goes on with an empty inventory (its warnings are wrapped at 80 columns).
      expect(ansible(['-i', source, '--list']).stderr.replace(/\s+/g, ' ')).toContain(`Unable to parse ${path.join(dir, source)} as an inventory source`);
      const ours = houndInventory(dir, ['-i', source, '--list']);
      expect(ours.code, source).toBe(4);
      expect(ours.stderr, source).toMatch(message);
      expect(ours.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a script that reads its stdin gets none from hound: it ends, not the 600 s limit', () => {
    const reader = script('reads-stdin.sh', '#!/bin/sh\ncat > /dev/null\necho \'{"g": ["h1"], "_meta": {"hostvars": {}}}\'\n');
    const started = Date.now();
    const r = spawnSync(process.execPath, [HOUND_CLI, 'inventory', '-i', reader, '--graph'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('@g:\n  |  |--h1');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a #! file that is not executable is refused with how to mend it; an executable INI file is read as INI', () => {
    const notExecutable = script('not-executable.py', '#!/usr/bin/env python3\nprint("{}")\n', 0o644);
    const refused = houndInventory(dir, ['-i', notExecutable, '--list']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('error INVENTORY_SCRIPT_NOT_EXECUTABLE');
    expect(refused.stderr).toContain(`chmod +x ${path.join(dir, notExecutable)}`);
    // An INI inventory that is mode 755 by chance is never run (it has no #! line).
    const ini = script('hosts', '[web]\nw1 ansible_port=2222\n');
    const theirs = ansible(['-i', ini, '--list']);
    const ours = houndInventory(dir, ['-i', ini, '--list']);
    expect([theirs.code, ours.code]).toEqual([0, 0]);
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it('a vaulted value ({"__ansible_vault": …}) is listed as ansible-inventory lists it, and opened for a play', () => {
    writeFileSync(path.join(dir, 'vault-pass'), 'pw-for-the-vault\n');
    const encrypted = spawnSync('ansible-vault', ['encrypt_string', '--vault-password-file', 'vault-pass', 'the-setting'], { cwd: dir, encoding: 'utf8' });
    expect(encrypted.status, encrypted.stderr).toBe(0);
    const ciphertext = encrypted.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\n');
    writeFileSync(
      path.join(dir, 'vaulted.json'),
      JSON.stringify({ g: { hosts: ['localhost'], vars: { ansible_connection: 'local', app_setting: { __ansible_vault: ciphertext } } } }),
    );
    const source = script('vaulted.sh', '#!/bin/sh\n[ "$1" = --list ] && cat vaulted.json || echo "{}"\n');
    const args = ['-i', source, '--list', '--vault-password-file', 'vault-pass'];
    const theirs = ansible(args);
    const ours = houndInventory(dir, args);
    expect([theirs.code, ours.code], ours.stderr).toEqual([0, 0]);
    expect(ours.stdout).toBe(theirs.stdout);
    writeFileSync(
      path.join(dir, 'vaulted.yml'),
      '- hosts: g\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: "opened={{ app_setting == \'the-setting\' }}"\n',
    );
    const play = spawnSync(process.execPath, [HOUND_CLI, 'play', '-i', source, '--vault-password-file', 'vault-pass', 'vaulted.yml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(play.status, play.stderr).toBe(0);
    expect(play.stdout).toContain('opened=True');
  });

  it('an inventory plugin hound refuses runs as its hint says: ansible-inventory behind a script', () => {
    // ansible-core's generator plugin: it needs no network, and hound does not run it.
    writeFileSync(
      path.join(dir, 'generator.yml'),
      "plugin: ansible.builtin.generator\nhosts:\n  name: '{{ app }}-{{ env }}'\n  parents:\n    - name: '{{ app }}'\nlayers:\n  app: [web, api]\n  env: [dev, prod]\n",
    );
    const refused = houndInventory(dir, ['-i', 'generator.yml', '--graph']);
    expect(refused.code).toBe(4);
    const recipe = /printf '(#!\/bin\/sh\\nexec ansible-inventory -i generator\.yml --list\\n)'/.exec(refused.stderr);
    expect(recipe, refused.stderr).not.toBeNull();
    const source = script('plugins.sh', recipe![1].replace(/\\n/g, '\n'));
    const ours = houndInventory(dir, ['-i', source, '--graph', '--vars']);
    const theirs = ansible(['-i', 'generator.yml', '--graph', '--vars']);
    expect([theirs.code, ours.code], ours.stderr).toEqual([0, 0]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain('api-prod');
  });

  it("a script's stderr is shown as a warning, and its secrets are masked like the inventory's", () => {
    const source = script(
      'talkative.sh',
      '#!/bin/sh\necho "refreshing the cache" >&2\necho \'{"g": {"hosts": ["h1"], "vars": {"ansible_password": "s3cr3t-pw"}}}\'\n',
    );
    const ours = houndInventory(dir, ['-i', source, '--list']);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stderr).toContain(`[WARNING]: ${path.join(dir, source)} --list wrote on stderr: refreshing the cache`);
    expect(ours.stdout).toContain('"ansible_password": "********"');
    expect(ours.stdout + ours.stderr).not.toContain('s3cr3t-pw');
  });
});
