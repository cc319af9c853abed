// The adversarial cases of #21, by kind: what a careless or hostile user feeds hound without
// a lab (files, options, signals, closed or full output). Each case names the files it
// writes, the command line, and the exit code Ansible's conventions call for; the suite
// (adversarial.test.ts) adds the checks every case must pass on top: no stack trace, no
// exit 250, no hang, bounded memory, and no secret in any byte of output in any encoding.

import { computePlan } from '../../../plan/planner.js';
import { toSavedPlan } from '../../../plan/plan-file.js';
import { REG, facts, node, remote, run } from '../plan/fixtures.js';

export type Kind = 'secrets' | 'non-regular files' | 'stack traces' | 'CPU' | 'timers' | 'parity with Ansible' | 'unclear messages';

export interface AdversarialCase {
  kind: Kind;
  name: string;
  /** Files to write in the case's folder (relative path → text); a value of `fifo` makes a named pipe. */
  files?: Record<string, string | { fifo: true }>;
  args: string[];
  exit: number;
  /** stderr must match (the error's code, file:line:column, what is wrong). */
  stderr?: RegExp;
  stdout?: RegExp;
  /** How stdout is connected: closed after the first byte (a reader like `head -1` going away) or /dev/full. */
  output?: 'closed-early' | 'full';
  /**
   * A signal sent `afterMs` after hound's first output (its handlers are in place then). With `unlessDone`, not sent once
   * stdout matches it (the run's last line): the run has ended first, and a signal landing while
   * Node tears the finished process down meets the default action there, which tests nothing of hound.
   */
  signal?: { name: NodeJS.Signals; afterMs: number; unlessDone?: RegExp };
  /** Bound on wall time for this case (default in the suite). */
  limitMs?: number;
}

/** The secret every secrets case hides: quotes, a backslash, URL-special and non-ASCII characters. */
export const SECRET = 'Zq7"w\\rd/+ü%x9';
const single = `'${SECRET}'`;

const INVENTORY = '[web]\nweb1 ansible_host=127.0.0.1 ansible_port=1\nweb2 ansible_host=127.0.0.1 ansible_port=1\n';
const PLAY = '- hosts: web\n  gather_facts: false\n  tasks:\n    - name: say\n      debug:\n        msg: hello\n';
const playWith = (task: string) => `- hosts: web\n  gather_facts: false\n  tasks:\n${task}`;
const bigRange = '[big]\nnode[0:199999]\n';
const roleMeta = (deps: string[]) => `dependencies:\n${deps.map((d) => `  - role: ${d}`).join('\n')}\n`;
const roleTasks = '- name: hi\n  debug:\n    msg: hi\n';

/** A plan file as `hound plan --out` writes it (one node pulling two images), its hosts and first image renamed. */
function planFile(host: string, image?: string): string {
  const app0 = `${REG}/hound/app0:latest`;
  const r = run(['n1'], [{ module: 'images', args: { names: [app0], exclusive: false } }]);
  const f = facts([node('n1', [])], [remote(app0, [['a', 10]])]);
  const text = JSON.stringify(toSavedPlan(computePlan(r, f), f, { playbook: 'p.yml', inventory: ['hosts.ini'] }), null, 2);
  const renamed = text.replaceAll('"n1"', JSON.stringify(host));
  return image ? renamed.replaceAll(app0, image) : renamed;
}

export const CASES: AdversarialCase[] = [
  // --- secrets: the quoted line of an error, escaped forms, listings
  {
    kind: 'secrets',
    name: 'unknown module argument next to password:',
    files: {
      'hosts.ini': INVENTORY,
      'p.yml': playWith(`    - registry_login:\n        registry: r.example\n        username: u\n        password: ${single}\n        bogus: 1\n`),
    },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /p\.yml:\d+:\d+: error \w+: .*bogus/,
  },
  {
    kind: 'secrets',
    name: 'host line with a bad range and ansible_password',
    files: { 'hosts.ini': `[web]\nweb[3:1] ansible_password=${single}\n` },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /hosts\.ini:2:\d+: error \w+: /,
  },
  {
    kind: 'secrets',
    name: 'host line with an unclosed quote after ansible_password',
    files: { 'hosts.ini': `[web]\nweb1 ansible_password='${SECRET} ansible_user=x\n` },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /hosts\.ini:2:\d+: error \w+: /,
  },
  {
    kind: 'secrets',
    // ansible-inventory 2.14 reads `ansible_password="abc` as the literal `"abc`, and so does hound:
    // accepted, and the value masked.
    name: '[group:vars] holding ansible_password with an unclosed quote',
    files: { 'hosts.ini': `[web]\nweb1\n[web:vars]\nansible_password="${SECRET.replace(/"/g, '')}\n` },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    exit: 0,
    stdout: /"ansible_password": "\*+"/,
  },
  {
    kind: 'secrets',
    name: 'YAML syntax error in an inventory holding a password',
    files: { 'hosts.yml': `all:\n  hosts:\n    web1:\n      ansible_password: ${single}\n     bad: [\n` },
    args: ['inventory', '--list', '-i', 'hosts.yml'],
    exit: 4,
    stderr: /hosts\.yml:\d+:\d+: error \w+: /,
  },
  {
    kind: 'secrets',
    name: 'YAML syntax error in host_vars holding a password',
    files: { 'inv/hosts.ini': '[web]\nweb1\n', 'inv/host_vars/web1.yml': `ansible_password: ${single}\n  oops: [\n` },
    args: ['inventory', '--list', '-i', 'inv/hosts.ini'],
    exit: 4,
    stderr: /web1\.yml:\d+:\d+: error \w+: /,
  },
  {
    kind: 'secrets',
    name: 'malformed -e holding a password',
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '-e', `ansible_password=${single} "unclosed`],
    exit: 5,
    stderr: /error \w+: /,
  },
  {
    kind: 'secrets',
    name: 'malformed -e JSON holding a password',
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '-e', `{"db_password": ${JSON.stringify(SECRET)}, "x": [}`],
    exit: 5,
    stderr: /error \w+: /,
  },
  {
    kind: 'secrets',
    name: 'inventory --list prints the password masked',
    files: { 'hosts.ini': `[web]\nweb1 ansible_password=${single}\n` },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    exit: 0,
    stdout: /"ansible_password": "\*+"/,
  },
  {
    kind: 'secrets',
    name: 'inventory --host -vvv with a password holding " and \\',
    files: { 'hosts.yml': `all:\n  hosts:\n    web1:\n      registry_token: ${single}\n` },
    args: ['inventory', '--host', 'web1', '-i', 'hosts.yml', '-vvv'],
    exit: 0,
    stdout: /registry_token/,
  },
  {
    kind: 'secrets',
    name: 'inventory --graph --vars with a vault-looking password',
    files: { 'hosts.ini': `[web]\nweb1\n[web:vars]\nansible_become_password=${single}\n` },
    args: ['inventory', '--graph', '--vars', '-i', 'hosts.ini'],
    exit: 0,
  },
  {
    kind: 'secrets',
    name: 'a password in a play var that a template with an undefined variable uses',
    files: {
      'hosts.ini': INVENTORY,
      'p.yml': `- hosts: web\n  gather_facts: false\n  vars:\n    db_password: ${single}\n  tasks:\n    - name: "{{ db_password }} {{ not_defined_anywhere }}"\n      debug:\n        msg: x\n`,
    },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 0,
  },
  {
    kind: 'secrets',
    name: 'an -e secret in a --limit that matches nothing',
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    // As JSON, so the value is SECRET itself: a k=v value has its escapes decoded (\\r is a carriage return), as Ansible's parse_kv does.
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '-e', JSON.stringify({ api_token: SECRET }), '--limit', SECRET],
    exit: 1,
  },

  // --- files that are not regular files: refused at once, naming the file
  ...(
    [
      ['include_tasks of /dev/zero', { 'p.yml': playWith('    - include_tasks: /dev/zero\n') }, ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'], 1],
      [
        'import_tasks of a FIFO',
        { 'p.yml': playWith('    - import_tasks: pipe.yml\n'), 'pipe.yml': { fifo: true } },
        ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
        1,
      ],
      [
        'vars_files of /dev/urandom',
        { 'p.yml': '- hosts: web\n  vars_files: [/dev/urandom]\n  tasks: []\n' },
        ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
        1,
      ],
      ['-e @FIFO', { 'p.yml': PLAY, 'vars.yml': { fifo: true } }, ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '-e', '@vars.yml'], 1],
      ['-e @/dev/zero', { 'p.yml': PLAY }, ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '-e', '@/dev/zero'], 1],
      ['the playbook is a FIFO', { 'p.yml': { fifo: true } }, ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'], 1],
      // Inventory problems are parse errors (exit 4), as every other inventory error of hound's.
      ['the inventory is /dev/zero', { 'p.yml': PLAY }, ['play', '--syntax-check', 'p.yml', '-i', '/dev/zero'], 4],
      ['--limit @FIFO', { 'p.yml': PLAY, 'limit.txt': { fifo: true } }, ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '--limit', '@limit.txt'], 5],
      ['hound apply of a FIFO', { 'plan.json': { fifo: true } }, ['apply', 'plan.json', '-i', 'hosts.ini'], 1],
      ['hound apply of /dev/urandom', {}, ['apply', '/dev/urandom', '-i', 'hosts.ini'], 1],
      [
        'group_vars file that is a FIFO',
        { 'inv/hosts.ini': '[web]\nweb1\n', 'inv/group_vars/web.yml': { fifo: true } },
        ['inventory', '--list', '-i', 'inv/hosts.ini'],
        4,
      ],
    ] as const
  ).map(([name, files, args, exit]): AdversarialCase => ({
    kind: 'non-regular files',
    name,
    files: { 'hosts.ini': INVENTORY, ...files },
    args: [...args],
    exit,
    stderr: /error [A-Z_]+: .*(FIFO|character device|not a regular file)/,
    limitMs: 20_000,
  })),
  {
    kind: 'non-regular files',
    name: 'ansible_ssh_private_key_file is a FIFO, then SIGTERM',
    files: { 'hosts.ini': '[web]\nweb1 ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_private_key_file=key\n', key: { fifo: true }, 'p.yml': PLAY },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '-T', '2'],
    signal: { name: 'SIGTERM', afterMs: 4000, unlessDone: /^\d+ hosts?, .* pulled in /m },
    // Either the run ends first (unreachable, the key skipped with its reason) or the signal ends it.
    exit: -1,
    limitMs: 30_000,
  },

  // --- what used to end in a stack trace, exit 250 or a raw Node error
  {
    kind: 'stack traces',
    name: 'a 20 MB host name',
    files: { 'hosts.ini': `[web]\nweb${'a'.repeat(20_000_000)} x=1\n` },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /hosts\.ini:2:\d+: error \w+: /,
  },
  {
    kind: 'stack traces',
    name: 'node[0:199999] with --graph',
    limitMs: 180_000,
    files: { 'hosts.ini': bigRange },
    args: ['inventory', '--graph', '-i', 'hosts.ini'],
    exit: 0,
    stdout: /node199999/,
  },
  {
    kind: 'stack traces',
    name: 'node[0:199999] with --list-hosts',
    limitMs: 180_000,
    files: { 'hosts.ini': bigRange, 'p.yml': '- hosts: big\n  tasks: []\n' },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--list-hosts'],
    exit: 0,
    stdout: /node199999/,
  },
  {
    // Each host with a task costs its variables (about 2.5 KB): 20 000 hosts fit the suite's 256 MiB heap.
    kind: 'stack traces',
    name: 'node[0:19999] with a task, --list-tasks',
    files: {
      'hosts.ini': '[big]\nnode[0:19999]\n',
      'p.yml': '- hosts: big\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: "{{ inventory_hostname }}"\n',
    },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--list-tasks'],
    exit: 0,
    stdout: /debug/,
  },
  {
    kind: 'stack traces',
    name: 'an anchor cycle in a playbook',
    files: { 'hosts.ini': INVENTORY, 'p.yml': '- &play\n  hosts: web\n  vars:\n    again: *play\n  tasks: []\n' },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /p\.yml:4:\d+: error YAML_ALIAS_CYCLE: /,
  },
  {
    kind: 'stack traces',
    name: '3000 levels of "- " in a playbook',
    files: { 'hosts.ini': INVENTORY, 'p.yml': '- '.repeat(3000) + 'x\n' },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /p\.yml:1:\d+: error YAML_TOO_DEEP: /,
  },
  {
    kind: 'stack traces',
    name: 'a host named __proto__ in a plan file',
    files: { 'hosts.ini': '[web]\n__proto__ ansible_host=127.0.0.1 ansible_port=1\n', 'plan.json': planFile('__proto__') },
    args: ['apply', 'plan.json', '-i', 'hosts.ini'],
    exit: -1,
  },
  {
    kind: 'stack traces',
    name: 'plan --out to a folder',
    files: { 'p.yml': PLAY, 'hosts.ini': INVENTORY, 'out/x': '' },
    args: ['plan', 'p.yml', '-i', 'hosts.ini', '--out', 'out'],
    exit: 5,
    stderr: /^error OUTPUT_NOT_WRITABLE: --out out is a folder/,
  },
  {
    kind: 'stack traces',
    name: 'plan --out to /dev/full',
    files: { 'p.yml': PLAY, 'hosts.ini': INVENTORY },
    args: ['plan', 'p.yml', '-i', 'hosts.ini', '--out', '/dev/full'],
    exit: 5,
    stderr: /^error OUTPUT_NOT_WRITABLE: /,
  },
  {
    kind: 'stack traces',
    name: 'plan --out into a missing folder',
    files: { 'p.yml': PLAY, 'hosts.ini': INVENTORY },
    args: ['plan', 'p.yml', '-i', 'hosts.ini', '--out', 'missing/plan.json'],
    exit: 5,
    stderr: /^error OUTPUT_NOT_WRITABLE: the folder \S+missing for --out does not exist/,
  },
  {
    kind: 'stack traces',
    name: 'init onto an existing file',
    files: { taken: 'mine' },
    args: ['init', 'taken'],
    exit: 5,
    stderr: /^error INIT_NOT_A_FOLDER: /,
  },
  {
    kind: 'stack traces',
    name: 'init into a folder that refuses writes',
    args: ['init', '/sys/hound-starter'],
    exit: 5,
    stderr: /^error OUTPUT_NOT_WRITABLE: /,
  },
  {
    kind: 'stack traces',
    name: 'stdout closed after the first byte (| head -c1)',
    files: { 'hosts.ini': bigRange },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    output: 'closed-early',
    exit: 0,
  },
  {
    kind: 'stack traces',
    name: 'stdout on a full disk (> /dev/full)',
    files: { 'hosts.ini': INVENTORY },
    args: ['inventory', '--list', '-i', 'hosts.ini'],
    output: 'full',
    exit: 1,
    stderr: /error WRITE_FAILED: cannot write to standard output: no space left on the device/,
  },
  {
    kind: 'stack traces',
    name: 'a JSON -e nested 50 000 deep',
    files: { 'p.yml': PLAY, 'hosts.ini': INVENTORY },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini', '-e', `{"a": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`],
    exit: 5,
    stderr: /error \w+: .*deep/,
  },

  // --- CPU: templates, patterns, compile time
  {
    kind: 'CPU',
    name: 'nested range(100000) loops in one template',
    files: {
      'hosts.ini': INVENTORY,
      'p.yml':
        '- hosts: web\n  vars:\n    x: "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}"\n  tasks:\n    - debug:\n        msg: "{{ x }}"\n',
    },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '-T', '1'],
    exit: -1,
    stderr: /error TEMPLATE_TOO_EXPENSIVE: /,
  },
  {
    kind: 'CPU',
    name: 'catastrophic backtracking in regex_search',
    files: { 'hosts.ini': INVENTORY, 'p.yml': `- hosts: web\n  tasks:\n    - debug:\n        msg: "{{ '${'a'.repeat(5000)}!' | regex_search('(a+)+$') }}"\n` },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '-T', '1'],
    exit: -1,
    limitMs: 30_000,
  },
  {
    kind: 'CPU',
    name: "--limit '~(a+)+$' on long host names",
    files: { 'hosts.ini': `[web]\n${'a'.repeat(1000)}b\n${'a'.repeat(1000)}c\n`, 'p.yml': PLAY },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--list-hosts', '--limit', '~(a+)+$'],
    exit: 1,
    limitMs: 30_000,
  },
  {
    kind: 'CPU',
    name: 'a playbook of 20 000 tasks compiles',
    files: { 'hosts.ini': INVENTORY, 'p.yml': '- hosts: web\n  tasks:\n' + '    - name: t\n      debug:\n        msg: hi\n'.repeat(20_000) },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 0,
    limitMs: 60_000,
  },

  // --- timers past Node's range
  {
    kind: 'timers',
    name: '-T 3000000',
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '-T', '3000000'],
    exit: 5,
    stderr: /2 ?147 ?483/,
  },
  {
    kind: 'timers',
    name: 'delay: 3000000',
    files: {
      'hosts.ini': INVENTORY,
      'p.yml': playWith('    - name: wait\n      command: "true"\n      retries: 2\n      delay: 3000000\n      until: "1 == 2"\n'),
    },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 4,
    stderr: /p\.yml:\d+:\d+: error \w+: .*2 ?147 ?483/,
  },
  {
    kind: 'timers',
    name: '--stall-timeout 3000000',
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--stall-timeout', '3000000'],
    exit: 5,
    stderr: /2 ?147 ?483/,
  },

  // --- parity with Ansible's exit codes and refusals
  {
    kind: 'parity with Ansible',
    name: '--limit that matches no host',
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--limit', 'nope'],
    exit: 1,
  },
  {
    kind: 'parity with Ansible',
    name: "--limit ':::' selects no host",
    files: { 'hosts.ini': INVENTORY, 'p.yml': PLAY },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--limit', ':::'],
    exit: 1,
  },
  {
    kind: 'parity with Ansible',
    name: 'a role that depends on itself',
    files: { 'hosts.ini': INVENTORY, 'p.yml': '- hosts: web\n  roles: [a]\n', 'roles/a/meta/main.yml': roleMeta(['a']), 'roles/a/tasks/main.yml': roleTasks },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 1,
    stderr: /error ROLE_RECURSION: /,
  },
  {
    kind: 'parity with Ansible',
    name: 'roles a → b → a',
    files: {
      'hosts.ini': INVENTORY,
      'p.yml': '- hosts: web\n  roles: [a]\n',
      'roles/a/meta/main.yml': roleMeta(['b']),
      'roles/a/tasks/main.yml': roleTasks,
      'roles/b/meta/main.yml': roleMeta(['a']),
      'roles/b/tasks/main.yml': roleTasks,
    },
    args: ['play', '--syntax-check', 'p.yml', '-i', 'hosts.ini'],
    exit: 1,
    stderr: /error ROLE_RECURSION: /,
  },
  {
    kind: 'parity with Ansible',
    name: '{{ 1 / 0 }} is a ZeroDivisionError, not null',
    files: { 'hosts.ini': INVENTORY, 'p.yml': '- hosts: web\n  vars:\n    x: "{{ 1 / 0 }}"\n  tasks:\n    - debug:\n        msg: "{{ x }}"\n' },
    args: ['play', 'p.yml', '-i', 'hosts.ini', '-T', '1'],
    exit: -1,
  },
  {
    kind: 'parity with Ansible',
    name: 'apply refuses a host the plan names but the inventory lacks',
    files: { 'hosts.ini': '[web]\nweb1 ansible_host=127.0.0.1 ansible_port=1\n', 'p.yml': PLAY, 'plan.json': planFile('ghost') },
    args: ['apply', 'plan.json', '-i', 'hosts.ini'],
    exit: -1,
    stderr: /ghost/,
  },
  {
    kind: 'parity with Ansible',
    name: 'a bad image reference in a plan file is exit 4',
    files: { 'hosts.ini': '[web]\nweb1 ansible_host=127.0.0.1 ansible_port=1\n', 'p.yml': PLAY, 'plan.json': planFile('web1', 'UPPER CASE!!') },
    args: ['apply', 'plan.json', '-i', 'hosts.ini'],
    exit: 4,
  },
  {
    kind: 'parity with Ansible',
    name: 'SIGINT while a large inventory loads is "interrupted", exit 99',
    // 200 000 hosts: loading takes seconds; a million would not fit the suite's 256 MiB heap.
    files: { 'hosts.ini': bigRange, 'p.yml': '- hosts: big\n  tasks: []\n' },
    // -v: hound says which configuration it uses first (as ansible-playbook -v does), then loads.
    args: ['play', 'p.yml', '-i', 'hosts.ini', '--list-hosts', '-v'],
    // Soon after that first line: on a quiet machine the whole run took 1.4–1.7 s, and a
    // signal 1.5 s after the line met a run that had listed its hosts and exited 0.
    signal: { name: 'SIGINT', afterMs: 200 },
    exit: 99,
    stderr: /interrupted/,
    limitMs: 180_000,
  },
];
