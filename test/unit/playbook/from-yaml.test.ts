// from_yaml and from_yaml_all against ansible-core's own Templar: PyYAML's SafeLoader types
// (YAML 1.1: yes/no, octal, sexagesimal, timestamps), anchors and merge keys, several documents,
// errors; and Kubespray's use (roles/kubernetes/client/tasks/main.yml at 46dbdd39): a kubeconfig
// from a command's output, merged with an override and written back with to_nice_yaml.
import { describe, expect, it } from 'vitest';
import { compareWithAnsible, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

const KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://10.0.0.1:6443
  name: cluster.local
contexts:
- context:
    cluster: cluster.local
    user: kubernetes-admin
  name: kubernetes-admin@cluster.local
current-context: kubernetes-admin@cluster.local
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: LS0tLS1DRVJU
`;

describe('from_yaml and from_yaml_all, against ansible-core', () => {
  const vars = {
    kubeadm_admin_kubeconfig: { stdout: KUBECONFIG },
    override: { 'current-context': 'admin', preferences: { colors: true } },
    scalars: 'a: yes\nb: no\nc: on\nd: 010\ne: 0x1F\nf: 1:30\ng: ~\nh: 1e3\ni: 1.5e+3\nj: "quoted"\nm: y\nn: 0b101\n',
    // Timestamps: Python's date and datetime, printed as str() prints them (hound keeps that text).
    stamps: 'k: 2001-12-14\nl: 2001-12-14t21:59:43.10-05:00\nz: 2002-12-14 21:59:43Z\n',
    anchors: 'base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n',
    blocks: 'literal: |\n  one\n  two\nfolded: >\n  one\n  two\nkeep: |+\n  x\n\n',
    dup: 'a: 1\na: 2\n',
    docs: '--- 1\n--- [2]\n--- {a: 3}\n',
    bad: 'a: [1, 2\n',
    vaulted: 'a: !vault x\n',
  };
  const templates = [
    '{{ kubeadm_admin_kubeconfig.stdout | from_yaml }}',
    "{{ (kubeadm_admin_kubeconfig.stdout | from_yaml)['clusters'][0]['cluster']['server'] }}",
    '{{ kubeadm_admin_kubeconfig.stdout | from_yaml | combine(override, recursive=true) | to_nice_yaml(indent=2) }}',
    '{{ scalars | from_yaml }}',
    '{{ (stamps | from_yaml).k }}',
    '{{ (stamps | from_yaml).l }}',
    '{{ (stamps | from_yaml).z }}',
    '{{ anchors | from_yaml }}',
    '{{ blocks | from_yaml }}',
    '{{ dup | from_yaml }}',
    "{{ '' | from_yaml }}",
    "{{ '[1, 2]' | from_yaml }}",
    "{{ 'plain text' | from_yaml }}",
    "{{ '42' | from_yaml + 1 }}",
    '{{ override | from_yaml }}',
    '{{ docs | from_yaml_all | list }}',
    "{{ 'x: 1' | from_yaml_all | list }}",
    '{{ docs | from_yaml }}',
    '{{ bad | from_yaml }}',
    '{{ vaulted | from_yaml }}',
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual(['{{ docs | from_yaml }}', '{{ bad | from_yaml }}', '{{ vaulted | from_yaml }}']);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});
