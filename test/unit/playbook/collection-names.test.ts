// Filters and tests by their collection names, against ansible-core's own Templar: ansible-core's
// own filters and tests as ansible.builtin.<name> and ansible.legacy.<name> (Jinja2's builtins
// have no such name), community.general's dict, and json_query with the JMESPath expressions
// Kubespray, Kolla-Ansible and ceph-ansible write (each line's origin beside it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ANSIBLE_CORE_FILTERS, ANSIBLE_CORE_TESTS } from '../../../playbook/template-filters.js';
import { compareWithAnsible, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

describe('collection names of filters and tests, against ansible-core', () => {
  const vars = {
    a: [1, 2, 2, 3],
    b: [2, 3, 4],
    r: { failed: true, changed: false },
    os_release: { stdout_lines: ['ID=debian', 'VERSION_ID="12"', 'junk'] },
    // What `kubectl get pods -o json`, `etcdctl member list -w json`, a CNI config and Ansible's mount facts hold.
    pods: {
      items: [
        { metadata: { name: 'a' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
        { metadata: { name: 'b' }, status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] } },
      ],
    },
    query_pods_not_running: "items[?status.phase != 'Running']",
    query_pods_not_ready: "items[?(status.conditions[?type == 'Ready'])[0].status != 'True']",
    members: {
      members: [
        { name: 'etcd1', ID: 11 },
        { name: 'etcd2', ID: 12 },
      ],
    },
    cni_config: { plugins: [{ bridge: 'kube-bridge', ipam: { subnet: '10.233.64.0/24' } }, { type: 'portmap' }] },
    mounts: [
      { mount: '/boot', size_total: 1 },
      { mount: '/', size_total: 9 },
    ],
    hostsvars: [
      { inventory_hostname: 'n1', container_manager: 'docker' },
      { inventory_hostname: 'n2', container_manager: 'containerd' },
    ],
    host_query: "[?container_manager=='containerd']|[0].inventory_hostname",
    decoded: { resources: [{ providers: [{ secretbox: { keys: [{ secret: 'c2VjcmV0' }] } }] }] },
  };
  const templates = [
    '{{ a | ansible.builtin.unique }}',
    '{{ a | ansible.legacy.unique }}',
    // Kubespray's roles/kubernetes/preinstall (46dbdd39) intersects groups this way.
    '{{ a | ansible.builtin.intersect(b) }}',
    '{{ a | ansible.builtin.difference(b) }}',
    "{{ {'x': 1} | ansible.builtin.combine({'y': 2}) }}",
    "{{ 'a.b' | ansible.builtin.regex_replace('\\\\.', '-') }}",
    "{{ 'x' | ansible.builtin.b64encode }}",
    '{{ a | ansible.builtin.to_json }}',
    "{{ 'x' | ansible.builtin.upper }}",
    '{{ a | ansible.builtin.sort }}',
    "{{ '1' | ansible.builtin.int }}",
    '{{ r is ansible.builtin.failed }}',
    '{{ r is not ansible.builtin.changed }}',
    "{{ '1.2' is ansible.builtin.version('1.1', '>') }}",
    "{{ 'abc' is ansible.builtin.match('a') }}",
    '{{ [1] is ansible.builtin.subset(a) }}',
    '{{ 3 is ansible.builtin.odd }}',
    // Kubespray's roles/bootstrap_os/tasks/main.yml (46dbdd39).
    "{{ os_release.stdout_lines | select('regex', '^.+=.*$') | map('regex_replace', '\"', '') | map('split', '=') | community.general.dict }}",
    "{{ [['a', 1], ('b', 2)] | community.general.dict }}",
    "{{ [['a', 1, 2]] | community.general.dict }}",
    // Kubespray's tests/testcases/020_check-pods-running.yml.
    "{{ pods | json_query(query_pods_not_running + '.metadata') }}",
    "{{ pods | json_query(query_pods_not_ready + '.metadata') }}",
    '{{ pods | json_query(query_pods_not_running) == [] }}',
    // Kolla-Ansible's roles/etcd/tasks/remove_deleted_members.yml (1a681814).
    "{{ members | json_query('members[].name') }}",
    "{{ members | json_query('members[].{key: name, value: ID}') | items2dict }}",
    // Kubespray's kube-router and multus roles, and its encrypt-at-rest task.
    "{{ cni_config | json_query('plugins[?bridge==`kube-bridge`].ipam.subnet') | first }}",
    '{{ hostsvars | json_query(host_query) }}',
    "{{ decoded | json_query('resources[*].providers[0].secretbox.keys[0].secret') | first | b64decode }}",
    // ceph-ansible's tests/functional/setup.yml (8599b192).
    "{{ mounts | community.general.json_query('[?mount==`/`]|[0]') }}",
    "{{ members | json_query('length(members)') }}",
    "{{ members | json_query('members[') }}",
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      // Jinja2's own filters and tests have no ansible.builtin name; a pair of three; a bad expression.
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual([
        "{{ 'x' | ansible.builtin.upper }}",
        '{{ a | ansible.builtin.sort }}',
        "{{ '1' | ansible.builtin.int }}",
        '{{ 3 is ansible.builtin.odd }}',
        "{{ [['a', 1, 2]] | community.general.dict }}",
        "{{ members | json_query('members[') }}",
      ]);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );

  it("names exactly ansible-core's own filters and tests", () => {
    const listed = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import json, importlib
f = set(); t = set()
for m in ['core', 'mathstuff', 'urls', 'urlsplit', 'encryption']:
    f.update(importlib.import_module('ansible.plugins.filter.' + m).FilterModule().filters())
for m in ['core', 'files', 'mathstuff', 'uri']:
    t.update(importlib.import_module('ansible.plugins.test.' + m).TestModule().tests())
print(json.dumps([sorted(f), sorted(t)]))`,
        ],
        { encoding: 'utf8' },
      ),
    ) as [string[], string[]];
    expect([...ANSIBLE_CORE_FILTERS].sort()).toEqual(listed[0]);
    expect([...ANSIBLE_CORE_TESTS].sort()).toEqual(listed[1]);
  });
});

describe("ansible-core's own tests, against ansible-core", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-tests-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'f.txt'), 'x');
  symlinkSync(path.join(dir, 'f.txt'), path.join(dir, 'link'));
  symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
  const vars = {
    ok: { changed: false, failed: false },
    bad: { failed: true, msg: 'no' },
    loop: { results: [{ changed: false }, { changed: true }] },
    loop_same: { results: [{ changed: false }] },
    async_job: { started: 1, finished: 0, ansible_job_id: 'j1' },
    gone: { unreachable: true },
    plain: {},
    text: 'x',
    dir,
    file: path.join(dir, 'f.txt'),
    link: path.join(dir, 'link'),
    dangling: path.join(dir, 'dangling'),
    missing: path.join(dir, 'missing'),
  };
  const templates = [
    '{{ ok is failed }}',
    '{{ bad is failed }}',
    '{{ bad is failure }}',
    '{{ bad is succeeded }}',
    '{{ ok is successful }}',
    '{{ loop is changed }}',
    '{{ loop_same is change }}',
    '{{ plain is changed }}',
    '{{ plain is skipped }}',
    '{{ gone is unreachable }}',
    '{{ ok is reachable }}',
    '{{ async_job is started }}',
    '{{ async_job is finished }}',
    '{{ ok is finished }}',
    '{{ text is failed }}',
    '{{ [0, 1] is any }}',
    '{{ [0, 1] is all }}',
    '{{ [] is all }}',
    "{{ 'nan' | float is nan }}",
    '{{ 1 is isnan }}',
    "{{ 'x' is nan }}",
    '{{ dir is directory }}',
    '{{ file is file }}',
    '{{ file is is_dir }}',
    '{{ link is link }}',
    '{{ file is link }}',
    '{{ dangling is exists }}',
    '{{ dangling is link_exists }}',
    '{{ missing is exists }}',
    "{{ '/' is mount }}",
    '{{ dir is mount }}',
    "{{ '/proc' is is_mount }}",
    '{{ file is same_file(link) }}',
    '{{ file is abs }}',
    "{{ 'rel/x' is is_abs }}",
    "{{ 'https://example.org/a' is url }}",
    "{{ 'mailto:a@example.org' is url }}",
    "{{ 'mailto:a@example.org' is uri }}",
    "{{ 'file:///etc/hosts' is url }}",
    "{{ '//host/path' is url }}",
    "{{ 'not a url' is uri }}",
    "{{ 'urn:isbn:0451450523' is urn }}",
    "{{ 'https://example.org' is uri(['http', 'https']) }}",
    "{{ 'ftp://example.org' is url(['http', 'https']) }}",
    '{{ 42 is uri }}',
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual(['{{ text is failed }}']);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});
