// The lookups that read the controller (file, fileglob, first_found, template, pipe, lines),
// and the loop lookups through lookup() and query(), against ansible-core's own Templar with the
// same search path and playbook folder; and the with_ loops of the same plugins against
// ansible-playbook itself, on tasks as Kolla-Ansible and Kubespray write them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { maskSecrets } from '../../../base/secrets.js';
import { openVaultFilesWith } from '../../../playbook/lookup-plugins.js';
import { VaultKeyring } from '../../../vault/keyring.js';
import { CONTROLLER_COMMANDS, CONTROLLER_FILES, referencedNames, renderValue } from '../../../playbook/templating.js';
import { buildInventory } from './inventory-builder.js';
import { ansible, compareWithAnsible, ORACLE_TIMEOUT_MS, renderFailure } from './templar-oracle.js';
import { writeTree } from '../file-tree.js';

const root = mkdtempSync(path.join(tmpdir(), 'hound-file-lookups-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lookups of the controller, against ansible-core', () => {
  const project = path.join(root, 'project');
  const role = path.join(project, 'roles', 'web');
  writeTree(project, {
    'files/motd.txt': '  welcome\n\n',
    'files/only-play.txt': 'play\n',
    'top.txt': 'top level\n',
    'files/conf.d/a.conf': 'a\n',
    'files/conf.d/b.conf': 'b\n',
    'files/conf.d/.hidden.conf': 'h\n',
    'roles/web/files/motd.txt': 'role motd\n',
    'roles/web/files/b.conf': 'role b\n',
    'roles/web/templates/site.j2': 'server {{ name }};\n{% for p in ports %}\nlisten {{ p }};\n{% endfor %}\n',
    'roles/web/templates/list.j2': '[{% for p in ports %}{{ p }}, {% endfor %}]\n',
    'roles/web/templates/dict.j2': "{'name': '{{ name }}', 'extra': '{{ extra | default('none') }}'}",
    'roles/web/templates/outer.j2': "{% include 'inner.j2' %}/{{ template_path }}\n",
    'roles/web/templates/inner.j2': 'inner {{ name }}',
    'roles/web/tasks/main.yml': '- debug: msg=x\n',
    'custom/web/override.conf': 'custom\n',
    'creds/kept.creds': 'Kept-Pw.1\n',
    'creds/salted.creds': 'Pw2 salt=abcdefgh\n',
  });
  // A role task's search path, as ansible-playbook sets it.
  const vars = {
    ansible_search_path: [role, path.join(role, 'tasks'), project],
    playbook_dir: project,
    name: 'web1',
    ports: [80, 443],
    node_custom_config: path.join(project, 'custom'),
    users: [
      { name: 'a', keys: ['k1', 'k2'] },
      { name: 'b', keys: [] },
    ],
    d: { x: 1, y: [2] },
    groups: { all: ['a1', 'a2', 'b1', 'c1'], ungrouped: ['c1'], app: ['a1', 'a2'], db: ['b1'], web: ['a2', 'b1'] },
  };
  const templates = [
    // file: the role's files/ first, then the playbook's; rstrip by default.
    "{{ lookup('file', 'motd.txt') }}",
    "{{ lookup('file', 'only-play.txt') }}",
    "{{ lookup('file', 'top.txt') }}",
    "{{ lookup('file', 'files/motd.txt') }}",
    "{{ lookup('ansible.builtin.file', 'motd.txt', 'top.txt') }}",
    // unvault: the whole text, nothing stripped; a missing file fails.
    "{{ lookup('unvault', 'motd.txt') }}",
    "{{ query('unvault', 'motd.txt', 'top.txt') }}",
    "{{ lookup('unvault', 'nope.txt') }}",
    "{{ query('file', 'motd.txt', 'top.txt') }}",
    "{{ lookup('file', 'motd.txt', rstrip=False) }}",
    "{{ lookup('file', 'motd.txt', lstrip=True) }}",
    `{{ lookup('file', '${project}/files/motd.txt') }}`,
    "{{ lookup('file', 'nope.txt') }}",
    "{{ lookup('file', 'nope.txt', errors='ignore') }}",
    "{{ query('file', 'nope.txt', errors='ignore') }}",
    "{{ lookup('file', 'conf.d') }}",
    // first_found: names, {files, paths, skip}, the separators of files and paths.
    "{{ lookup('first_found', ['nope.conf', 'b.conf']) }}",
    "{{ lookup('first_found', 'nope.conf', 'motd.txt') }}",
    "{{ lookup('first_found', {'files': ['nope.conf', 'override.conf'], 'paths': [node_custom_config ~ '/web']}) }}",
    "{{ lookup('first_found', {'files': 'nope.conf;b.conf'}) }}",
    "{{ lookup('first_found', {'files': ['x.conf', 'a.conf'], 'paths': 'nope:conf.d'}) }}",
    "{{ query('first_found', {'files': ['nope.conf'], 'skip': True}) }}",
    "{{ lookup('first_found', {'files': ['nope.conf'], 'skip': True}) }}",
    "{{ lookup('first_found', ['nope.conf']) }}",
    "{{ lookup('first_found', ['nope.conf'], errors='ignore') }}",
    "{{ lookup('first_found', 'x.conf', files=['nope', 'a.conf'], paths=['conf.d']) }}",
    "{{ lookup('first_found', [node_custom_config ~ '/web/override.conf', 'b.conf']) }}",
    // fileglob: the named folder found on the search path, or each folder's files/ for a bare pattern.
    "{{ query('fileglob', 'conf.d/*.conf') | sort }}",
    "{{ lookup('fileglob', '*.txt') }}",
    "{{ query('fileglob', '*.conf') }}",
    "{{ query('fileglob', 'conf.d/.*') }}",
    "{{ query('fileglob', 'nope/*') }}",
    // template: the role's templates/, the task's variables, convert_data, template_vars, include.
    "{{ lookup('template', 'site.j2') }}",
    "{{ lookup('template', 'list.j2') }}",
    "{{ lookup('template', 'list.j2', convert_data=False) }}",
    "{{ lookup('template', 'dict.j2') }}",
    "{{ lookup('template', 'dict.j2', template_vars={'extra': 'given'}) }}",
    "{{ lookup('template', 'dict.j2', template_vars=dict(name='over')) }}",
    "{{ lookup('template', 'outer.j2') }}",
    "{{ lookup('template', 'nope.j2') }}",
    // pipe and lines: sh -c in the playbook's folder.
    "{{ lookup('pipe', 'echo one; echo two') }}",
    "{{ lookup('pipe', 'pwd') }}",
    "{{ lookup('pipe', 'printf \"a\\n\\n\"', 'echo b') }}",
    "{{ lookup('pipe', 'exit 3') }}",
    "{{ lookup('pipe', 'exit 3', errors='ignore') }}",
    "{{ query('lines', 'printf \"x\\ny\\n\"') }}",
    "{{ lookup('lines', 'printf \"x\\ny\\n\"', 'echo z') }}",
    // The loop lookups, through lookup() and query().
    "{{ query('dict', d) }}",
    "{{ lookup('dict', d) }}",
    "{{ query('items', [1, [2, [3]]], 4) }}",
    "{{ lookup('items', ['a', 'b']) }}",
    "{{ query('indexed_items', ['a', 'b']) }}",
    "{{ query('flattened', [1, [2, [3]]]) }}",
    "{{ query('sequence', 'start=1 end=5 stride=2') }}",
    "{{ lookup('sequence', 'count=3 format=node%02d') }}",
    "{{ query('together', [1, 2], ['a']) }}",
    "{{ query('nested', ['a', 'b'], [1, 2]) }}",
    "{{ query('subelements', users, 'keys') }}",
    "{{ query('list', 'a', 'b') }}",
    // password: seeded (as Random(seed) picks), read back from its file, Kubespray's options.
    "{{ lookup('password', '/dev/null seed=42') }}",
    "{{ lookup('password', '/dev/null length=64 chars=hexdigits seed=kube') | lower }}",
    "{{ lookup('password', '/dev/null length=32 chars=ascii_letters,digits seed=7') }}",
    "{{ lookup('password', '/dev/null chars=ascii_lowercase,,,digits length=30 seed=1') }}",
    "{{ lookup('password', '/dev/null', seed=3, length=5, chars=['digits', '?|']) }}",
    "{{ lookup('password', 'creds/kept.creds length=5') }}",
    "{{ lookup('password', 'creds/salted.creds') }}",
    "{{ lookup('password', '/dev/null nope=1') }}",
    // inventory_hostnames: patterns over an inventory made of `groups` (Kubespray, Kolla-Ansible).
    "{{ query('inventory_hostnames', 'all') }}",
    "{{ query('inventory_hostnames', 'app') }}",
    "{{ lookup('inventory_hostnames', 'app:db') }}",
    "{{ query('inventory_hostnames', 'app:&web') }}",
    "{{ query('inventory_hostnames', 'all:!db') }}",
    "{{ query('inventory_hostnames', 'app', 'db') }}",
    "{{ query('inventory_hostnames', 'a*') }}",
    "{{ query('inventory_hostnames', '~b.*') }}",
    "{{ query('inventory_hostnames', 'web[-1]') }}",
    "{{ query('inventory_hostnames', 'nope') }}",
    "{{ groups['all'] | difference(query('inventory_hostnames', 'a1,b1')) }}",
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars, false, project);
      // The cases that fail in Ansible too: a missing file or template, a folder, no first_found, exit 3.
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual([
        "{{ lookup('unvault', 'nope.txt') }}",
        "{{ lookup('file', 'nope.txt') }}",
        "{{ lookup('file', 'conf.d') }}",
        "{{ lookup('first_found', ['nope.conf']) }}",
        "{{ lookup('template', 'nope.j2') }}",
        "{{ lookup('pipe', 'exit 3') }}",
        "{{ lookup('password', '/dev/null nope=1') }}",
      ]);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it('says what failed and where it looked', () => {
    const missing = renderFailure("{{ lookup('file', 'nope.txt') }}", vars);
    expect(missing.code).toBe('LOOKUP_FAILED');
    expect(missing.message).toBe('could not locate file in lookup: nope.txt');
    expect(missing.hint).toContain(`in each of: ${role}, ${path.join(role, 'tasks')}, ${project}`);
    const none = renderFailure("{{ lookup('first_found', ['a.cfg', 'b.cfg']) }}", vars);
    expect(none.message).toBe('No file was found when using first_found.');
    expect(none.hint).toContain('skip: true');
    const exit = renderFailure("{{ lookup('pipe', 'echo oops >&2; exit 3') }}", vars);
    expect(exit.message).toBe('lookup_plugin.pipe(echo oops >&2; exit 3) returned 3');
    expect(exit.hint).toBe('oops');
    // Ansible takes these; hound says plainly that it does not.
    expect(renderFailure("{{ lookup('template', 'site.j2', jinja2_native=True) }}", vars).code).toBe('TEMPLATE_UNSUPPORTED');
    const delimiters = renderFailure("{{ lookup('template', 'site.j2', variable_start_string='[[') }}", vars);
    expect(delimiters.code).toBe('TEMPLATE_UNSUPPORTED');
    expect(delimiters.message).toBe("lookup('template'): variable_start_string other than '{{' is not supported");
  });

  it('keeps a new password in its file, private, masked, and reads it back the next time', () => {
    const template = "{{ lookup('password', 'creds/new/token.creds length=24 chars=ascii_letters seed=9') }}";
    const made = renderValue(template, vars) as string;
    // The same password Ansible makes with those options (the seed makes it Random(seed)'s).
    expect(ansible(["{{ lookup('password', '/dev/null length=24 chars=ascii_letters seed=9') }}"], vars, false, project)).toEqual([{ value: made }]);
    const file = path.join(project, 'creds/new/token.creds');
    expect(readFileSync(file, 'utf8')).toBe(`${made}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(renderValue("{{ lookup('password', 'creds/new/token.creds length=8 seed=other') }}", vars)).toBe(made);
    expect(maskSecrets(`token ${made}`)).not.toContain(made);
    expect(renderFailure("{{ lookup('password', '/dev/null encrypt=sha512_crypt') }}", vars).code).toBe('TEMPLATE_UNSUPPORTED');
  });

  it(
    "opens a vault-encrypted file with the run's vault password, as ansible does, and keeps what it held a secret",
    () => {
      // Encrypted by ansible-vault itself; read by ansible's file lookup and by hound's.
      const password = path.join(root, 'vault-pw');
      writeFileSync(password, 'lookup-vault-pw\n');
      const plain = 'registry-Pw-41\nsecond line\n';
      writeFileSync(path.join(project, 'files/secret.txt'), plain);
      execFileSync('ansible-vault', ['encrypt', '--vault-password-file', password, path.join(project, 'files/secret.txt')], { stdio: 'pipe' });
      const ansibleSays = execFileSync(
        'ansible',
        ['localhost', '-c', 'local', '-i', 'localhost,', '--vault-password-file', password, '-m', 'debug', '-a', "msg={{ lookup('file', 'secret.txt') }}"],
        { cwd: project, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } },
      );
      const expected = JSON.parse(/"msg": (".*")/.exec(ansibleSays)![1]) as string;
      expect(expected).toBe('registry-Pw-41\nsecond line');
      const ansibleUnvault = execFileSync(
        'ansible',
        ['localhost', '-c', 'local', '-i', 'localhost,', '--vault-password-file', password, '-m', 'debug', '-a', "msg={{ lookup('unvault', 'secret.txt') }}"],
        { cwd: project, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } },
      );
      const expectedWhole = JSON.parse(/"msg": (".*")/.exec(ansibleUnvault)![1]) as string;
      expect(expectedWhole).toBe(plain);
      writeTree(project, { 'templates/vaulted.j2': 'pw for {{ name }}: registry-Pw-41\n' });
      execFileSync('ansible-vault', ['encrypt', '--vault-password-file', password, path.join(project, 'templates/vaulted.j2')], { stdio: 'pipe' });
      const ansibleTemplate = execFileSync(
        'ansible',
        [
          'localhost',
          '-c',
          'local',
          '-i',
          'localhost,',
          '--vault-password-file',
          password,
          '-e',
          'name=web1',
          '-m',
          'debug',
          '-a',
          "msg={{ lookup('template', 'vaulted.j2') }}",
        ],
        { cwd: project, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } },
      );
      const expectedTemplate = JSON.parse(/"msg": (".*")/.exec(ansibleTemplate)![1]) as string;
      expect(expectedTemplate).toBe('pw for web1: registry-Pw-41\n');

      // Without a password: Ansible's failure, never the ciphertext.
      openVaultFilesWith(undefined);
      const refused = renderFailure("{{ lookup('file', 'secret.txt') }}", vars);
      expect(refused.code).toBe('LOOKUP_FAILED');
      expect(refused.message).toContain('A vault password or secret must be specified to decrypt');
      expect(refused.message).not.toContain('$ANSIBLE_VAULT');
      try {
        openVaultFilesWith(new VaultKeyring([{ id: 'default', password: Buffer.from('lookup-vault-pw'), source: password }]));
        expect(renderValue("{{ lookup('file', 'secret.txt') }}", vars)).toBe(expected);
        expect(renderValue("{{ lookup('unvault', 'secret.txt') }}", vars)).toBe(expectedWhole);
        expect(renderValue("{{ lookup('template', 'vaulted.j2') }}", { ...vars, ansible_search_path: [project], name: 'web1' })).toBe(expectedTemplate);
        expect(maskSecrets('password is registry-Pw-41')).not.toContain('registry-Pw-41');
        openVaultFilesWith(new VaultKeyring([{ id: 'default', password: Buffer.from('wrong'), source: password }]));
        expect(renderFailure("{{ lookup('file', 'secret.txt') }}", vars).code).toBe('VAULT_DECRYPT_FAILED');
      } finally {
        openVaultFilesWith(undefined);
      }
    },
    ORACLE_TIMEOUT_MS,
  );

  it('marks templates that read the controller, and any variable for a template lookup', () => {
    expect([...referencedNames("{{ lookup('file', 'x') }}")]).toEqual([CONTROLLER_FILES]);
    expect([...referencedNames("{{ lookup('pipe', cmd) }}")].sort()).toEqual([CONTROLLER_COMMANDS, 'cmd'].sort());
    expect([...referencedNames("{{ lookup('password', '/dev/null') }}")]).toEqual([CONTROLLER_COMMANDS]);
    expect([...referencedNames("{{ lookup('template', 'x.j2') }}")].sort()).toEqual(['*', CONTROLLER_FILES].sort());
    expect([...referencedNames("{{ query('dict', d) }}")]).toEqual(['d']);
  });
});

/** Each task's loop items on localhost as ansible-playbook runs them (the json callback), in task order. */
function ansiblePlaybookItems(playbook: string): unknown[][] {
  const out = execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', playbook], {
    encoding: 'utf8',
    cwd: path.dirname(playbook),
    env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0' },
    maxBuffer: 64 << 20,
  });
  const report = JSON.parse(out.slice(out.indexOf('{'))) as {
    plays: { tasks: { hosts: { localhost: { results?: { item: unknown }[]; skipped?: boolean } } }[] }[];
  };
  return report.plays.flatMap((play) => play.tasks.map((t) => (t.hosts.localhost.results ?? []).map((r) => r.item)));
}

/**
 * Each task's loop items as hound compiles them, on a node: on the controller a task that
 * writes (the template task) would make the later lookups wait for the run.
 */
function houndItems(playbook: string): unknown[][] {
  const inventory = buildInventory({ nodes: { hosts: { n1: {} } } });
  const plays = new PlaybookLoader().load(playbook).plays.map((p) => ({ ...p, hosts: 'nodes' }));
  const tasks = compilePlays(plays, { inventory }).plays.flatMap((play, i) => play.tasksByHost.get('n1')!.map((task) => ({ task, play: i })));
  const byTask = new Map<string, unknown[]>();
  for (const { task: t, play } of tasks) {
    expect(t.deferred ?? false).toBe(false);
    const key = `${play}:${t.order.join('.')}`;
    if (!byTask.has(key)) byTask.set(key, []);
    if (t.loopItem !== undefined) byTask.get(key)!.push(t.loopItem);
  }
  return [...byTask.values()];
}

describe('with_ loops of the lookups, against ansible-playbook', () => {
  const project = path.join(root, 'loops');
  const out = path.join(root, 'written');
  mkdirSync(out, { recursive: true });
  writeTree(project, {
    // Kolla-Ansible's ironic role (ansible/roles/ironic/tasks/config.yml at 1a681814): a node's own
    // file, then the deployment's, then the role's template; node_custom_config is the operator's.
    'roles/ironic/tasks/main.yml': `- name: Copying ironic-dnsmasq config
  template:
    src: "{{ item }}"
    dest: "${out}/ironic-dnsmasq.conf"
    mode: "0660"
  with_first_found:
    - "{{ node_custom_config }}/ironic/ironic-dnsmasq.conf"
    - "{{ node_custom_config }}/ironic/{{ inventory_hostname }}/ironic-dnsmasq.conf"
    - "ironic-dnsmasq.conf.j2"

- name: Copying over existing Ironic policy file
  debug: msg="{{ item }}"
  with_first_found:
    - files: "{{ supported_policy_format_list }}"
      paths:
        - "{{ node_custom_config }}/ironic/"
      skip: true

- name: Not defined here
  debug: msg="{{ item }}"
  with_first_found:
    - "{{ undefined_in_this_play }}/x.conf"
    - "ironic.txt"
`,
    'roles/ironic/templates/ironic-dnsmasq.conf.j2': 'port=0\n',
    'roles/ironic/files/ironic.txt': 'ironic\n',
    'custom/ironic/policy.yaml': 'a: 1\n',
    // Kubespray's pattern (roles/container-engine/containerd-common, roles/bootstrap_os at
    // 46dbdd39): os-specific variables, the first file found under vars/, skip when none.
    'roles/os/tasks/main.yml': `- name: Os specific vars
  include_vars: "{{ item }}"
  with_first_found:
    - files:
        - "{{ distro }}-{{ release }}.yml"
        - "{{ distro }}.yml"
        - "{{ family }}.yml"
      skip: true

- name: Nothing for this one
  include_vars: "{{ item }}"
  with_first_found:
    - files:
        - "nope-{{ distro }}.yml"
      skip: true
`,
    'roles/os/vars/debian.yml': 'pkg: apt\n',
    'roles/os/vars/redhat.yml': 'pkg: dnf\n',
    'lists/hosts.txt': 'n1\nn2\n',
    'files/a.txt': 'A\n',
    'files/b.txt': '  B  \n',
    'templates/t.j2': 'hello {{ distro }}\n',
    'files/hosts.csv': 'web1,10.0.0.1,8080\ndb1,10.0.0.2,5432\n',
    'files/ansible.ini': '[global]\nuser = alice\nhome = /home/%(user)s\n',
    'play.yml': `- hosts: localhost
  gather_facts: false
  vars:
    node_custom_config: "${project}/custom"
    supported_policy_format_list: [policy.yaml, policy.json]
    distro: debian
    release: bookworm
    family: debian
  roles: [ironic]
  tasks:
    - debug: msg="{{ item }}"
      with_file: [a.txt, b.txt]
    - debug: msg="{{ item }}"
      with_lines: cat lists/hosts.txt
    - debug: msg="{{ item }}"
      with_pipe: [echo one, echo two]
    - debug: msg="{{ item }}"
      with_template: [t.j2]
    - debug: msg="{{ item }}"
      with_fileglob: ["*.txt"]
    - debug: msg="{{ item }}"
      with_env: [HOUND_LOOP_ENV]
    - debug: msg="{{ item }}"
      with_vars: [distro, release]
    - debug: msg="{{ item }}"
      with_csvfile: ["web1 file=hosts.csv delimiter=,", "db1 file=hosts.csv delimiter=, col=2"]
    - debug: msg="{{ item }}"
      with_ini: [user, home]

# In a play of its own: a loop over include_vars files makes any later name a run-time one.
- hosts: localhost
  gather_facts: false
  vars:
    distro: debian
    release: bookworm
    family: debian
  roles: [os]
`,
  });
  process.env.HOUND_LOOP_ENV = 'from-env';

  it(
    'expands each loop to the items ansible-playbook runs, with the task kind choosing templates/, vars/ or files/',
    () => {
      const expected = ansiblePlaybookItems(path.join(project, 'play.yml'));
      const got = houndItems(path.join(project, 'play.yml'));
      expect(got).toEqual(expected);
      // What that means, so a change in both is seen: the role's template; the operator's policy;
      // the role's file past an undefined name; the files' text; … debian.yml from vars/; nothing.
      expect(expected.slice(0, 4)).toEqual([
        [path.join(project, 'roles/ironic/templates/ironic-dnsmasq.conf.j2')],
        [path.join(project, 'custom/ironic/policy.yaml')],
        [path.join(project, 'roles/ironic/files/ironic.txt')],
        ['A', '  B'],
      ]);
      expect(expected.slice(-4)).toEqual([['10.0.0.1', '5432'], ['alice', '/home/alice'], [path.join(project, 'roles/os/vars/debian.yml')], []]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it('waits for the run to read the controller after a task that may write there', () => {
    const file = path.join(project, 'fetch.yml');
    writeFileSync(
      file,
      `- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg="{{ lookup('file', 'a.txt') }}"
    - command: echo fetched
      delegate_to: localhost
    - debug: msg="{{ lookup('file', 'made-by-the-run.txt') }}"
    - debug: msg="{{ item }}"
      with_file: [made-by-the-run.txt]
    - debug: msg="{{ lookup('env', 'HOME') }}"
`,
    );
    const inventory = buildInventory({ nodes: { hosts: { n1: {} } } });
    const plays = new PlaybookLoader().load(file).plays.map((p) => ({ ...p, hosts: 'nodes' }));
    const tasks = compilePlays(plays, { inventory }).plays[0].tasksByHost.get('n1')!;
    expect(tasks.map((t) => t.deferred ?? false)).toEqual([false, false, true, true, false]);
  });

  it('runs no command and writes no file on the controller when nothing is to run (--syntax-check, --list-*)', () => {
    const file = path.join(project, 'listing.yml');
    const marker = path.join(root, 'ran-by-pipe');
    const passwordFile = path.join(root, 'made-by-password');
    writeFileSync(
      file,
      `- hosts: nodes
  gather_facts: false
  tasks:
    - debug: msg="{{ lookup('pipe', 'touch ${marker} && echo made') }}"
    - debug: msg="{{ lookup('password', '${passwordFile}') }}"
    - debug: msg="{{ item }}"
      with_lines: [touch ${marker}]
    - name: "Built {{ lookup('pipe', 'touch ${marker} && date') }}"
      debug: msg="{{ lookup('file', 'a.txt') }}"
`,
    );
    const inventory = buildInventory({ nodes: { hosts: { n1: {} } } });
    const compile = (controllerCommands?: boolean) =>
      compilePlays(new PlaybookLoader().load(file).plays, { inventory, controllerCommands }).plays[0].tasksByHost.get('n1')!;
    expect(compile(false).map((t) => t.deferred ?? false)).toEqual([true, true, true, false]);
    expect(existsSync(marker) || existsSync(passwordFile)).toBe(false);
    // A run (or a plan) compiles them as Ansible renders them, running the command.
    expect(compile().map((t) => t.deferred ?? false)).toEqual([false, false, false, false]);
    expect(existsSync(marker) && existsSync(passwordFile)).toBe(true);
  });
});
