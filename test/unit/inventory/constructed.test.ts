// The constructed inventory plugin beyond the hand-made cases ansible-parity.test.ts compares:
// - the corpus of real configs (test/fixtures/corpus/constructed, origins beside each): what
//   ansible-inventory printed, --list and --graph --vars byte for byte; a source it could not
//   parse (it warns and goes on without it) is one clear error here;
// - a play that targets constructed groups and reads composed variables, -e under
//   use_extra_vars, lookups that must not run, and what hound says of options it does not take,
//   each run under ansible-playbook or ansible-inventory and under hound (the built CLI: run
//   `npx tsc -p .` first) in a fresh folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskSecrets } from '../../../base/secrets.js';
import { ansibleJson, inventoryGraph, inventoryToListJson } from '../../../inventory/list.js';
import { loadInventory, withPlaybookVarsDir } from '../../../inventory/load.js';
import { inventoryPlugins } from '../../../playbook/inventory-plugins.js';
import { graphWithSecretsMasked, inventoryFailure } from './inventory-failure.js';
import { writeTree } from '../file-tree.js';
import { HOUND_CLI } from '../localhost-oracle.js';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus/constructed');

const corpus = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const caseDir = path.join(CORPUS, d.name);
    const origin = JSON.parse(readFileSync(path.join(caseDir, 'origin.json'), 'utf8')) as { repository: string; sources: string[] };
    const stderr = readFileSync(path.join(caseDir, 'expected.stderr'), 'utf8');
    // A source no plugin could parse: ansible-inventory warns "Unable to parse FILE as an inventory source" and goes on without it.
    // Its lines are wrapped at 80 columns: a break after '-' loses no space.
    const unparsed = /Unable to parse (\S+) as an inventory source/.exec(stderr.replace(/(?<=-)\n/g, '').replace(/\s+/g, ' '))?.[1];
    return { name: d.name, dir: caseDir, origin, unparsed };
  });

/** As ansible-inventory read them from the case's folder: its sources, then that folder's group_vars/ and host_vars/ (the playbook folder by default). */
async function loadCase(c: (typeof corpus)[number]) {
  const sources = c.origin.sources.map((s) => (s.includes(',') && !existsSync(path.join(c.dir, s)) ? s : path.join(c.dir, s)));
  const inv = await loadInventory(sources, { plugins: inventoryPlugins() });
  return withPlaybookVarsDir(inv, c.dir, { onlyInHostVars: true });
}

describe('the corpus of real constructed configs', () => {
  it('holds real configs from several repositories, some ansible-inventory could not parse', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15);
    expect(new Set(corpus.map((c) => c.origin.repository)).size).toBeGreaterThanOrEqual(8);
    expect(corpus.filter((c) => c.unparsed).length).toBeGreaterThanOrEqual(2);
  });

  describe.each(corpus.filter((c) => !c.unparsed).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('--list and --graph --vars are what ansible-inventory printed', async () => {
      const inv = await loadCase(c);
      // hound masks secret-named variables (aws_secret_prefix) where Ansible prints them: its
      // masking applied to what Ansible printed (the graph shows such a variable as ******** whole).
      const expected = (name: string, shown = (t: string) => t) => maskSecrets(shown(readFileSync(path.join(c.dir, name), 'utf8')));
      expect(maskSecrets(ansibleJson(inventoryToListJson(inv)) + '\n')).toBe(expected('expected.json'));
      expect(maskSecrets(inventoryGraph(inv, 'all', { vars: true }) + '\n')).toBe(expected('expected.graph', graphWithSecretsMasked));
    });
  });

  describe.each(corpus.filter((c) => c.unparsed).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('fails with one error where ansible-inventory could not parse a source', async () => {
      const e = await inventoryFailure(() => loadCase(c));
      // The file Ansible could not parse, named by its base name (the recording's paths were absolute).
      if (e.position) expect(path.basename(e.position.file)).toBe(path.basename(c.unparsed!));
    });
  });
});

const dir = mkdtempSync(path.join(tmpdir(), 'hound-constructed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const ENV = { ...process.env, ANSIBLE_NOCOLOR: '1', NO_COLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', HOUND_ROLES_PATH: '' };

function folder(files: Record<string, string>): string {
  const base = path.join(dir, String(counter++));
  // An empty ansible.cfg: nothing of the machine's own configuration is read.
  writeTree(base, { 'ansible.cfg': '', ...files });
  return base;
}

function run(cwd: string, command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...ENV, ANSIBLE_CONFIG: path.join(cwd, 'ansible.cfg') }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hound = (cwd: string, args: string[]) => run(cwd, process.execPath, [HOUND_CLI, ...args]);

/** Every file a run wrote under out/, name → content. */
function written(base: string): Record<string, string> {
  const out = path.join(base, 'out');
  if (!existsSync(out)) return {};
  return Object.fromEntries(
    readdirSync(out)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => [f, readFileSync(path.join(out, f), 'utf8')]),
  );
}

// Hosts that run on this machine (ansible_connection: local), so a play can write what it saw.
const HOSTS = `all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: /usr/bin/python3
  children:
    gpu:
      vars: {runtime: containerd}
      hosts:
        node1.lab: {gpus: 4, image_set: [cuda, pytorch]}
        node2.lab: {gpus: 0, image_set: [base]}
    svc:
      vars: {runtime: docker}
      hosts:
        web1: {image_set: [nginx]}
`;

const CONSTRUCTED = `plugin: ansible.builtin.constructed
strict: true
use_extra_vars: true
compose:
  accelerated: gpus | default(0) | int > 0
  images_csv: image_set | join(',')
  site: site_name | default('none')
groups:
  accelerated_nodes: gpus | default(0) | int > 0
keyed_groups:
  - key: runtime
    prefix: rt
    parent_group: runtimes
  - key: image_set
    prefix: img
`;

const PLAY = `- hosts: rt_containerd:img_nginx
  gather_facts: false
  tasks:
    - copy:
        dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}"
        content: "{{ group_names | join(' ') }}|{{ accelerated }}|{{ images_csv }}|{{ site }}|{{ groups['runtimes'] | default([]) | join(',') }}\\n"
      delegate_to: localhost
`;

describe('constructed, against the real tools', { timeout: 300_000 }, () => {
  it('a play targets constructed groups and reads composed variables, -e included under use_extra_vars', () => {
    const files = { 'hosts.yml': HOSTS, 'constructed.yml': CONSTRUCTED, 'play.yml': PLAY, 'out/.keep': '' };
    const args = ['-i', 'hosts.yml', '-i', 'constructed.yml', '-e', 'site_name=lab', 'play.yml'];
    const a = folder(files);
    const h = folder(files);
    const ansible = run(a, 'ansible-playbook', args);
    expect(ansible.code, ansible.stdout + ansible.stderr).toBe(0);
    const ours = hound(h, ['play', ...args]);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    const expected = written(a);
    // node1 and node2 through rt_containerd, web1 through img_nginx.
    expect(Object.keys(expected)).toEqual(['node1.lab', 'node2.lab', 'web1']);
    expect(expected['node1.lab']).toBe('accelerated_nodes gpu img_cuda img_pytorch rt_containerd runtimes|True|cuda,pytorch|lab|node1.lab,node2.lab,web1\n');
    expect(written(h)).toEqual(expected);
  });

  it('hound inventory -e lists the values on every host and hands them to use_extra_vars, as ansible-inventory -e', () => {
    const files = { 'hosts.yml': HOSTS, 'constructed.yml': CONSTRUCTED, 'vars.yml': 'site_name: from_file\nlimits: {cpu: 2}\n' };
    const base = folder(files);
    const cases = [
      ['--list', '-e', 'site_name=lab', '-e', '{"gpus": 1}'],
      ['--list', '--yaml', '-e', '@vars.yml', '-e', 'image_set=["x"]'],
      ['--graph', '--vars', '-e', 'site_name=lab', '-e', 'runtime=podman'],
      ['--host', 'web1', '-e', '@vars.yml', '-e', 'gpus=2'],
    ];
    for (const extra of cases) {
      const args = ['-i', 'hosts.yml', '-i', 'constructed.yml', ...extra];
      const ansible = run(base, 'ansible-inventory', args);
      expect(ansible.code, ansible.stderr).toBe(0);
      const ours = hound(base, ['inventory', ...args]);
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout, extra.join(' ')).toBe(ansible.stdout);
    }
    // The -e value reached compose (site) and the groups (gpus=1 makes every host accelerated).
    expect(hound(base, ['inventory', '-i', 'hosts.yml', '-i', 'constructed.yml', '--host', 'web1', '-e', 'site_name=lab', '-e', '{"gpus": 1}']).stdout).toMatch(
      /"accelerated": true,[\s\S]*"site": "lab"/,
    );
  });

  it('runs no lookup where Ansible composes (compose, a keyed group’s key), and runs them where it does not (groups, parent_group, a variable an expression reads)', () => {
    const files = {
      'hosts.ini': `web1 a=1 nested="{{ lookup('pipe', 'touch ran-nested; echo n') }}"\n`,
      'constructed.yml': `plugin: constructed
compose:
  piped: lookup('pipe', 'touch pwned-compose')
  kept: a
  from_nested: nested ~ '!'
groups:
  piped_group: lookup('pipe', 'touch ran-group') == ''
keyed_groups:
  - key: query('pipe', 'touch pwned-key')
  - key: "'x'"
    parent_group: "{{ lookup('pipe', 'touch ran-parent; echo parent') }}"
`,
    };
    const args = ['-i', 'hosts.ini', '-i', 'constructed.yml', '--list'];
    const a = folder(files);
    const h = folder(files);
    const ansible = run(a, 'ansible-inventory', args);
    const ours = hound(h, ['inventory', ...args]);
    expect(ansible.code).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    // Known differences: ansible-inventory writes a group named by a lookup's result as that
    // result, marked unsafe ({"__ansible_unsafe": "parent"}) in all's children, and a value
    // composed from one likewise ({"__ansible_unsafe": "n!"}); hound writes the name and the text.
    const unmarked = (text: string) =>
      JSON.parse(text, (_key, value: unknown) => (value as { __ansible_unsafe?: unknown })?.__ansible_unsafe ?? value) as unknown;
    expect(JSON.parse(ours.stdout)).toEqual(unmarked(ansible.stdout));
    expect(ansible.stdout).toContain('"__ansible_unsafe": "parent"');
    const listed = JSON.parse(ours.stdout) as { _meta: { hostvars: Record<string, unknown> }; parent: unknown };
    // A variable the expression reads is rendered with lookups, as Ansible's templar renders it anew.
    expect(listed._meta.hostvars.web1).toEqual({ a: 1, kept: 1, nested: "{{ lookup('pipe', 'touch ran-nested; echo n') }}", from_nested: 'n!' });
    expect(listed.parent).toEqual({ children: ['_x'] });
    for (const base of [a, h])
      expect(
        readdirSync(base)
          .filter((f) => /^(pwned|ran)-/.test(f))
          .sort(),
      ).toEqual(['ran-group', 'ran-nested', 'ran-parent']);
  });

  it('with strict: true a lookup stops the inventory with Ansible’s reason, at the expression', () => {
    const files = { 'hosts.ini': 'web1\n', 'constructed.yml': "plugin: constructed\nstrict: true\ncompose:\n  piped: lookup('pipe', 'id')\n" };
    const ours = hound(folder(files), ['inventory', '-i', 'hosts.ini', '-i', 'constructed.yml', '--list']);
    expect(ours.code).toBe(4);
    expect(ours.stderr).toContain('constructed.yml:4:10: error INVENTORY_CONSTRUCTED');
    expect(ours.stderr).toContain('Could not set piped for host web1: The lookup `pipe` was found, however lookups were disabled from templating');
    expect(ours.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown option is a warning (Ansible ignores it without a word)', () => {
    const unknown = hound(folder({ 'hosts.ini': 'web1\n', 'constructed.yml': 'plugin: constructed\nkeyed_group:\n  - key: x\n' }), [
      'inventory',
      '-i',
      'hosts.ini',
      '-i',
      'constructed.yml',
      '--graph',
    ]);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain("the constructed plugin has no option 'keyed_group'; it is ignored, as ansible-inventory ignores it");
  });

  it('use_vars_plugins: the group_vars and host_vars beside the sources before it, which it does not see without', () => {
    const files = {
      'inv/hosts.ini': '[web]\nweb1\nweb2\n[all:vars]\nfrom_file=1\n',
      'inv/group_vars/web.yml': 'tier: front\nshared: group\n',
      'inv/group_vars/all.yml': 'region: eu\n',
      'inv/host_vars/web2.yml': 'shared: host\n',
      'with.yml': 'plugin: constructed\nuse_vars_plugins: true\ncompose:\n  seen: (tier, shared, region | default(None))\nkeyed_groups:\n  - key: tier\n',
      'without.yml': 'plugin: constructed\ncompose:\n  unseen: tier\n',
    };
    for (const config of ['with.yml', 'without.yml']) {
      const args = ['-i', 'inv/hosts.ini', '-i', config, '--list'];
      const a = folder(files);
      const h = folder(files);
      const theirs = run(a, 'ansible-inventory', args);
      const ours = hound(h, ['inventory', ...args]);
      expect([theirs.code, ours.code], ours.stderr).toEqual([0, 0]);
      expect(ours.stdout).toBe(theirs.stdout);
    }
    const listed = JSON.parse(hound(folder(files), ['inventory', '-i', 'inv/hosts.ini', '-i', 'with.yml', '--list']).stdout) as {
      _meta: { hostvars: Record<string, { seen: unknown }> };
    };
    // A tuple comes out as its text; group_vars/all is not read, as `all` is no parent of web yet.
    expect(listed._meta.hostvars.web2.seen).toBe("('front', 'host', None)");
  });
});
