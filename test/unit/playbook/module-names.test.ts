// Module names as Ansible reads them (modules/names.ts), and module arguments as Ansible's
// argument spec takes them (playbook/module-arguments.ts): each rule, and each refusal with
// its code and file:line:column.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import type { LoadedTask } from '../../../playbook/model.js';
import { resolveModule } from '../../../modules/names.js';
import { buildInventory } from './inventory-builder.js';
import { writeTree } from '../file-tree.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** Writes `files` (playbook first) into a fresh folder and loads the playbook. */
function load(playbook: string, files: Record<string, string> = {}): LoadedTask[] {
  const base = path.join(dir, String(counter++));
  writeTree(base, { 'play.yml': playbook, ...files });
  return new PlaybookLoader().load(path.join(base, 'play.yml')).plays.flatMap((p) => p.tasks);
}

function failure(
  playbook: string,
  files: Record<string, string> = {},
): { code: string; exit: number; line?: number; column?: number; message: string; hint?: string } {
  try {
    load(playbook, files);
  } catch (err) {
    if (!(err instanceof HoundError)) throw err;
    return { code: err.code, exit: err.exitCode, line: err.position?.line, column: err.position?.column, message: err.message, hint: err.hint };
  }
  throw new Error('the playbook loaded');
}

const play = (tasks: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`;

describe('module names', () => {
  it('every module answers to NAME, ansible.builtin.NAME and ansible.legacy.NAME, and shows as written', () => {
    const tasks = load(
      play('    - ansible.builtin.command: echo a\n    - ansible.legacy.debug: msg=b\n    - image: nginx\n    - ansible.builtin.image: nginx\n'),
    );
    expect(tasks.map((t) => [t.module, t.action])).toEqual([
      ['command', 'ansible.builtin.command'],
      ['debug', 'ansible.legacy.debug'],
      ['image', 'image'],
      ['image', 'ansible.builtin.image'],
    ]);
  });

  it('collection modules answer to their short names and FQCNs, community.general docker ones redirected', () => {
    expect(resolveModule('community.docker.docker_image')).toMatchObject({
      kind: 'module',
      definition: { name: 'docker_image', collection: 'community.docker' },
    });
    expect(resolveModule('docker_login')).toMatchObject({ kind: 'module', definition: { name: 'docker_login' } });
    expect(resolveModule('containers.podman.podman_image')).toMatchObject({ kind: 'module', definition: { name: 'podman_image' } });
    expect(resolveModule('community.general.docker_image')).toMatchObject({ kind: 'module', definition: { name: 'docker_image' } });
    expect(resolveModule('ansible.builtin.import_tasks')).toEqual({ kind: 'include', keyword: 'import_tasks' });
  });

  it('collections: on the play, a block or a role make that collection searched first', () => {
    // community.general's docker_network is routed to community.docker's, as its meta/runtime.yml says.
    expect(resolveModule('docker_network', ['community.general'])).toMatchObject({
      kind: 'module',
      definition: { name: 'docker_network', collection: 'community.docker' },
    });
    expect(resolveModule('docker_network_info')).toEqual(expect.objectContaining({ kind: 'not supported', fqcn: 'community.docker.docker_network_info' }));
    const tasks = load(
      '- hosts: all\n  collections: [community.docker]\n  tasks:\n    - block:\n        - docker_image_info: name=x\n      collections: containers.podman\n',
    );
    expect(tasks[0].module).toBe('docker_image_info');
    expect(failure('- hosts: all\n  collections: community\n  tasks: []\n')).toMatchObject({ code: 'SCHEMA_INVALID', line: 2 });
  });

  it('an unknown name gets a "did you mean" over every name, with file:line:column', () => {
    expect(failure(play('    - ansible.builtin.comand: ls\n'))).toMatchObject({
      code: 'UNKNOWN_MODULE',
      exit: 4,
      line: 4,
      column: 7,
      hint: "did you mean 'ansible.builtin.command'?",
    });
    expect(failure(play('    - community.docker.docker_imag: {name: x}\n'))).toMatchObject({ hint: "did you mean 'community.docker.docker_image'?" });
    expect(failure(play('    - some.collection.frobnicate: {}\n'))).toMatchObject({
      code: 'MODULE_NOT_SUPPORTED',
      message: "module 'some.collection.frobnicate' is not one hound runs",
    });
  });

  it('a module outside what hound is for is refused at load, naming it and pointing to the compatibility page', () => {
    const refused = failure(play('    - name: reboot\n      ansible.builtin.reboot: reboot_timeout=60\n'));
    expect(refused).toMatchObject({ code: 'MODULE_NOT_SUPPORTED', exit: 4, line: 5, column: 7 });
    expect(refused.message).toMatch(/^module 'ansible.builtin.reboot' is not supported: manages the node's system/);
    expect(refused.hint).toContain('docs/ansible-compatibility.md');
    expect(failure(play('    - fetch: src=a dest=b\n')).message).toMatch(/^module 'fetch' \(ansible.builtin.fetch\) is not supported: writes or reads files/);
    expect(failure(play('    - docker_swarm: {state: present}\n')).message).toMatch(/community.docker.docker_swarm.*not done yet/);
    // docker_container runs; an option it does not do yet is refused by name (here through its alias `ports`).
    const ports = failure(play("    - docker_container: {name: web, image: 'a:1', ports: ['80:80']}\n"));
    expect(ports).toMatchObject({ code: 'ARGUMENT_NOT_SUPPORTED', exit: 4 });
    expect(ports.message).toMatch(/'ports' is not supported by hound: not done yet by hound's docker_container/);
  });

  it('import_playbook answers to its ansible.builtin. name; as a task it is refused', () => {
    const base = `- ansible.builtin.import_playbook: other.yml\n`;
    expect(load(base, { 'other.yml': play('    - debug: msg=x\n') })[0].module).toBe('debug');
    expect(failure(play('    - import_playbook: other.yml\n'))).toMatchObject({ code: 'UNKNOWN_MODULE', line: 4 });
  });
});

describe('module arguments', () => {
  it('aliases are renamed, and Ansible converts the types of an Ansible module’s arguments', () => {
    const [login, image] = load(
      play(
        '    - docker_login: {registry: r.example, username: u, password: 1234, reauth: "yes"}\n    - docker_image: {name: app, tag: 1.10, source: pull, force_source: "no"}\n',
      ),
    );
    expect(login.args).toEqual({ registry_url: 'r.example', username: 'u', password: '1234', reauthorize: true });
    expect(image.args).toEqual({ name: 'app', tag: '1.1', source: 'pull', force_source: false });
  });

  it('an argument hound does not do is refused by name, with the value when the value is what is refused', () => {
    expect(failure(play('    - docker_image: {name: app, source: build, build: {path: ctx, http_timeout: 5}}\n'))).toMatchObject({
      code: 'ARGUMENT_NOT_SUPPORTED',
      exit: 4,
      line: 4,
      column: 48,
      message: expect.stringMatching(/^module 'docker_image': 'build.http_timeout' is not supported by hound: hound runs the node's `docker build`/) as unknown,
    });
    // An option inside a dict argument is refused with the value when the value is what is refused.
    expect(failure(play('    - docker_image: {name: app, source: build, build: {path: ctx, use_config_proxy: false}}\n')).message).toMatch(
      /'build.use_config_proxy: false' is not supported/,
    );
    expect(load(play('    - docker_image: {name: app, source: build, build: {path: ctx, use_config_proxy: true, nocache: true}}\n'))[0].args.build).toEqual({
      path: 'ctx',
      use_config_proxy: true,
      nocache: true,
    });
    expect(failure(play('    - containers.podman.podman_image: {name: app, ca_cert_dir: /etc/certs}\n')).message).toMatch(/'ca_cert_dir' is not supported/);
    expect(load(play('    - containers.podman.podman_image: {name: app, path: /srv/ctx, push: true, push_args: {dest: quay.io/acme}}\n'))[0].args.push).toBe(
      true,
    );
    expect(load(play('    - docker_image: {name: app, source: pull, archive_path: "{{ x }}", repository: "r/app:2", push: true}\n'))[0].args.push).toBe(true);
    expect(load(play('    - docker_image: {name: app, source: pull, push: false}\n'))[0].args.push).toBe(false);
    expect(failure(play('    - docker_image: {name: app, source: pull, docker_host: "tcp://10.0.0.1:2376"}\n'))).toMatchObject({
      code: 'ARGUMENT_NOT_SUPPORTED',
    });
    expect(load(play('    - docker_image: {name: app, source: pull, validate_certs: true, docker_host: "unix:///var/run/docker.sock"}\n'))).toHaveLength(1);
  });

  it('no error about an argument shows a password written on the same line', () => {
    const formatted = (playbook: string) => {
      try {
        load(playbook);
      } catch (err) {
        if (err instanceof HoundError) return err.format();
        throw err;
      }
      throw new Error('the playbook loaded');
    };
    // An argument the module does not take fails the task when it runs: its message names arguments, never values.
    const [unknown] = load(play('    - docker_login: {registry_url: r, username: u, password: "hunter 2", bogus: 1}\n'));
    expect(unknown.runFailure).toContain('module: bogus. Supported parameters include:');
    // base/secrets.ts masks a flow mapping's line from the secret on: where its value ends is not told.
    expect(formatted(play('    - registry_login: {registry: r, username: u, password: "hunter 2", bogus: 1}\n'))).toContain('password: ********');
    const refused = formatted(play('    - docker_login: registry_url=r username=u password=hunter2 docker_host=tcp://h:2376\n'));
    expect(refused).toContain("'docker_host: tcp://h:2376' is not supported");
    expect(refused).toContain('password=******** docker_host');
    for (const text of [unknown.runFailure, refused]) expect(text).not.toMatch(/hunter/);
  });

  it('a templated value is judged once rendered', () => {
    const tasks = load(play('    - docker_image: {name: app, source: pull, docker_host: "{{ how }}"}\n'));
    const inventory = buildInventory({ g: { hosts: { h1: { how: 'tcp://h:2376' }, h2: { how: 'unix:///var/run/docker.sock' } } } });
    expect(() => compilePlays([{ ...fakePlay(tasks), hosts: 'h2' }], { inventory })).not.toThrow();
    expect(() => compilePlays([{ ...fakePlay(tasks), hosts: 'h1' }], { inventory })).toThrow(/'docker_host: tcp:\/\/h:2376' is not supported/);
    // An option inside a dict argument too.
    const nested = load(play('    - docker_image: {name: app, source: build, build: {path: ctx, use_config_proxy: "{{ proxy }}"}}\n'));
    const proxies = buildInventory({ g: { hosts: { h1: { proxy: false }, h2: { proxy: true } } } });
    expect(() => compilePlays([{ ...fakePlay(nested), hosts: 'h2' }], { inventory: proxies })).not.toThrow();
    expect(() => compilePlays([{ ...fakePlay(nested), hosts: 'h1' }], { inventory: proxies })).toThrow(/'build.use_config_proxy: false' is not supported/);
  });

  it('community.docker required_if: state present needs source, source load needs load_path', () => {
    expect(failure(play('    - docker_image: {name: app}\n'))).toMatchObject({
      code: 'MODULE_ARGS_INVALID',
      message: "module 'docker_image' is missing 'source'",
    });
    expect(load(play('    - docker_image: {name: app, state: absent}\n'))[0].args).toEqual({ name: 'app', state: 'absent' });
    expect(failure(play('    - docker_image: {name: app, source: load}\n'))).toMatchObject({ message: "module 'docker_image' is missing 'load_path'" });
  });

  it('a task keyword indented under the arguments is left out of them, and the task fails when it runs, as in Ansible', () => {
    const [task] = load(play('    - docker_image:\n        name: "{{ item }}"\n        with_items: [a]\n        source: pull\n'));
    expect(task.args).toEqual({ name: '{{ item }}', source: 'pull' });
    expect(task.runFailure).toMatch(/^Unsupported parameters for \(docker_image\) module: with_items\. Supported parameters include: /);
  });

  it('the task keyword args: gives arguments too, those written with the module win', () => {
    const [task] = load(play('    - command: echo hi\n      args:\n        chdir: /tmp\n        stdin: secret\n        stdin_add_newline: false\n'));
    expect(task.args).toEqual({ cmd: 'echo hi', chdir: '/tmp', stdin: 'secret', stdin_add_newline: false });
    const [both] = load(play('    - debug: msg=inline\n      args: {msg: keyword}\n'));
    expect(both.args).toEqual({ msg: 'inline' });
    const [misspelt] = load(play('    - command: ls\n      args: {chdri: /tmp}\n'));
    expect(misspelt.runFailure).toMatch(/^Unsupported parameters for \(ansible\.legacy\.command\) module: chdri\. Supported parameters include: argv, /);
  });

  it('shell and command free forms take their own options out of the line', () => {
    const [shell] = load(play('    - shell: echo $HOME | wc -c chdir=/tmp executable=/bin/bash\n'));
    expect(shell.args).toEqual({ cmd: 'echo $HOME | wc -c', chdir: '/tmp', executable: '/bin/bash' });
    expect(failure(play('    - wait_for: {port: 22, path: /tmp/x}\n')).message).toBe("module 'wait_for' takes 'port' or 'path', not both");
    expect(failure(play('    - meta: reset_connection\n'))).toMatchObject({
      code: 'ARGUMENT_NOT_SUPPORTED',
      message: expect.stringContaining("'free_form: reset_connection'") as unknown,
    });
  });
});

describe('import_role and include_role options', () => {
  const role = {
    'roles/r/tasks/main.yml': '- debug: msg="{{ x }}"\n',
    'roles/r/vars/other.yml': 'x: from vars_from\n',
    'roles/r/defaults/main.yml': 'x: default\n',
  };

  it('takes vars_from and defaults_from; include_role applies apply: tags and when to the role’s tasks', () => {
    const tasks = load(play('    - include_role:\n        name: r\n        vars_from: other\n        apply: {tags: [t1], when: flag}\n'), role);
    expect(tasks[0].role?.vars).toEqual({ x: 'from vars_from' });
    expect(tasks[0].tags).toContain('t1');
    expect(tasks[0].when.map((w) => w.expr)).toEqual(['flag']);
  });

  it('refuses options Ansible refuses (vars) and public: true, which hound does not do', () => {
    expect(failure(play('    - import_role:\n        name: r\n        vars: {x: 1}\n'), role)).toMatchObject({ code: 'UNKNOWN_KEY', line: 6 });
    expect(failure(play('    - include_role: {name: r, public: true}\n'), role)).toMatchObject({ code: 'ARGUMENT_NOT_SUPPORTED', line: 4 });
  });
});

describe('include_tasks of a file that is not there', () => {
  it('loads, as Ansible checks the syntax: the include alone, marked missing, which fails only if it runs', () => {
    const tasks = load(play('    - include_tasks: gone.yml\n      when: false\n    - debug: msg=after\n'));
    expect(tasks.map((t) => t.module)).toEqual(['include_tasks', 'debug']);
    expect(tasks[0].args).toMatchObject({ missing: true, file: expect.stringMatching(/gone\.yml$/) as unknown });
    // A file that is there is read before the run, its tasks after the include.
    const present = load(play('    - include_tasks: here.yml\n'), { 'here.yml': '- debug: msg=inside\n' });
    expect(present.map((t) => t.module)).toEqual(['include_tasks', 'debug']);
    expect(present[0].args.missing).toBeUndefined();
  });
});

describe('include_vars', () => {
  it('a literal file is read before the run: later tasks, loops included, compile with its values above task vars', () => {
    const tasks = load(play('    - include_vars: images.yml\n    - debug: msg="{{ item }}"\n      loop: "{{ wanted }}"\n      vars: {wanted: [task]}\n'), {
      'vars/images.yml': 'wanted: [a, b]\n',
    });
    expect(tasks[0].includedVars).toEqual({ wanted: ['a', 'b'] });
    const run = compilePlays([fakePlay(tasks)], { inventory: buildInventory({ g: { hosts: { h1: {} } } }) });
    expect(
      run.plays[0].tasksByHost
        .get('h1')!
        .slice(1)
        .map((t) => t.args.msg),
    ).toEqual(['a', 'b']);
  });

  it('a file only known at run time makes the tasks after it wait for the run', () => {
    const tasks = load(play('    - include_vars: "{{ which }}.yml"\n    - debug: msg="{{ from_file }}"\n'));
    const run = compilePlays([fakePlay(tasks)], { inventory: buildInventory({ g: { hosts: { h1: { which: 'x' } } } }) });
    expect(run.plays[0].tasksByHost.get('h1')![1].deferred).toBe(true);
  });
});

function fakePlay(tasks: LoadedTask[]) {
  return {
    name: 'p',
    hosts: 'all',
    hostsAt: tasks[0].at,
    vars: {},
    serial: [],
    strategy: 'linear' as const,
    order: 'inventory' as const,
    anyErrorsFatal: false,
    forceHandlers: false,
    varsPrompt: [],
    keywords: {},
    environment: [],
    gatherFacts: false,
    tags: [],
    tasks,
    handlers: [],
    file: tasks[0].at.source.file,
    position: tasks[0].position,
  };
}
