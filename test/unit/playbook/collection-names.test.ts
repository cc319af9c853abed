// Filters and tests by their collection names, against ansible-core's own Templar: ansible-core's
// own filters and tests as ansible.builtin.<name> and ansible.legacy.<name> (Jinja2's builtins
// have no such name), community.general's dict, and json_query with the JMESPath expressions
// Kubespray, Kolla-Ansible and ceph-ansible write (each line's origin beside it).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ANSIBLE_CORE_FILTERS, ANSIBLE_CORE_TESTS } from '../../../playbook/template-filters.js';
import { ansible, differences, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

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
      const expected = ansible(templates, vars);
      // Jinja2's own filters and tests have no ansible.builtin name; a pair of three; a bad expression.
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual([
        "{{ 'x' | ansible.builtin.upper }}",
        '{{ a | ansible.builtin.sort }}',
        "{{ '1' | ansible.builtin.int }}",
        '{{ 3 is ansible.builtin.odd }}',
        "{{ [['a', 1, 2]] | community.general.dict }}",
        "{{ members | json_query('members[') }}",
      ]);
      expect(differences(templates, vars)).toEqual([]);
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
