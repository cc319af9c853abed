// The lookups hound runs (env, vars, varnames, by short or ansible.builtin. name, through
// lookup(), query() and q()) against ansible-core's own Templar; the ones it does not run are
// refused plainly; and a task reading variables by computed names waits for the run when a
// variable set at run time could be among them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { ANY_VARIABLE, referencedNames } from '../../../playbook/templating.js';
import { buildInventory } from './inventory-builder.js';
import { compareWithAnsible, ORACLE_TIMEOUT_MS, renderFailure } from './templar-oracle.js';

describe('lookup() and query(), against ansible-core', () => {
  // The oracle's python3 inherits this environment.
  process.env.HOUND_LOOKUP_WORDS = 'one two';
  process.env.HOUND_LOOKUP_X = 'x';
  delete process.env.HOUND_LOOKUP_UNSET;
  const vars = {
    a: 'A',
    b: 'B',
    n: 5,
    l: [1, 2],
    made: '{{ a }}-{{ n }}',
    inventory_hostname: 'node1',
    image_command_tool: 'nerdctl',
    nerdctl_image_pull_command: 'nerdctl -n k8s.io pull --quiet',
    crictl_image_pull_command: 'crictl pull',
    run_default_volumes_docker: ['/etc/localtime:/etc/localtime:ro'],
    kolla_container_engine: 'docker',
    kube_x_checksums: { amd64: 'a' },
    kube_y_checksums: { amd64: 'b' },
  };
  const templates = [
    "{{ lookup('vars', 'a') }}",
    "{{ lookup('vars', 'a', 'b') }}",
    "{{ lookup('vars', 'n') }}",
    "{{ lookup('vars', 'n', 'a') }}",
    "{{ lookup('vars', 'l') }}",
    "{{ lookup('vars', 'made') }}",
    "{{ lookup('vars', 'nope') }}",
    "{{ lookup('vars', 'nope', default='d') }}",
    "{{ lookup('vars', 'a', wantlist=True) }}",
    "{{ lookup('vars', 1) }}",
    "{{ lookup('vars') }}",
    "{{ query('vars', 'a', 'n') }}",
    "{{ q('vars', 'a') }}",
    "{{ lookup('ansible.builtin.vars', 'a') }}",
    // Kubespray's download role and Kolla-Ansible's services, as written there.
    "{{ lookup('vars', image_command_tool + '_image_pull_command') }}",
    "{{ lookup('vars', 'run_default_volumes_' + kolla_container_engine) }}",
    "{{ lookup('env', 'HOUND_LOOKUP_WORDS') }}",
    "{{ lookup('env', 'HOUND_LOOKUP_WORDS', 'HOUND_LOOKUP_X') }}",
    "{{ lookup('env', 'HOUND_LOOKUP_UNSET') }}",
    "{{ lookup('env', 'HOUND_LOOKUP_UNSET', default='fallback') }}",
    "{{ lookup('ansible.builtin.env', 'HOUND_LOOKUP_X') }}",
    "{{ query('varnames', '^kube_.+_checksums$') }}",
    "{{ lookup('varnames', '^kube_.+_checksums$') }}",
    "{{ query('ansible.builtin.varnames', '^nope') }}",
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      expect(expected.filter((o) => 'error' in o).length).toBe(2); // 'nope' undefined, a number as a name
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it('refuses the lookups it does not run, and their options, saying so', () => {
    const failure = (template: string) => renderFailure(template, vars);
    for (const plugin of ['url', 'config', 'ansible.builtin.url', 'community.general.passwordstore']) {
      const err = failure(`{{ lookup('${plugin}', 'x') }}`);
      expect(err.code).toBe('TEMPLATE_UNSUPPORTED');
      expect(err.message).toContain(`lookup('${plugin.replace(/^ansible\.builtin\./, '')}') is not supported`);
      expect(err.hint).toContain('env, vars, varnames');
    }
    expect(failure("{{ lookup('vars', 'a', errors='loud') }}").message).toContain("errors='loud' is not supported");
    // Outside a task (here: no task's result to carry the warning), errors='warn' is refused, not dropped.
    expect(failure("{{ lookup('file', 'nope.txt', errors='warn') }}").message).toContain("errors='warn' is supported in a task's values only");
    expect(failure("{{ lookup('vars', 'a', nope=1) }}").message).toContain("lookup('vars') option nope is not supported");
    expect(failure("{{ query('varnames', '(') }}").code).toBe('TEMPLATE_ERROR');
  });
});

describe('variables read by computed names', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-lookups-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const inventory = buildInventory({ g: { hosts: { h1: { prefix: 'res' } } } });
  const deferred = (tasks: string) => {
    const file = path.join(dir, 'play.yml');
    writeFileSync(file, `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`);
    return compilePlays(new PlaybookLoader().load(file).plays, { inventory })
      .plays[0].tasksByHost.get('h1')!
      .map((t) => t.deferred);
  };

  it('names what a vars lookup reads, or any variable when the name is made', () => {
    expect([...referencedNames("{{ lookup('vars', 'a', 'b') }}")].sort()).toEqual(['a', 'b']);
    expect([...referencedNames("{{ lookup('vars', prefix + 'ult') }}")].sort()).toEqual([ANY_VARIABLE, 'prefix']);
    expect([...referencedNames("{{ query('varnames', '^x') }}")]).toEqual([ANY_VARIABLE]);
    expect([...referencedNames("{{ lookup('env', 'HOME') }}")]).toEqual([]);
  });

  it('waits for the run when a registered result could be the one read', () => {
    const register = '    - command: echo hi\n      register: result\n';
    expect(deferred(`${register}    - debug: msg="{{ lookup('vars', 'result').stdout }}"\n`)).toEqual([false, true]);
    expect(deferred(`${register}    - debug: msg="{{ lookup('vars', prefix + 'ult').stdout }}"\n`)).toEqual([false, true]);
    expect(deferred(`    - debug: msg="{{ lookup('vars', 'pre' + 'fix') }}"\n${register}`)).toEqual([false, false]);
  });
});
