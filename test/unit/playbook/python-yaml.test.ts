// pyyamlDump against Ansible's own to_yaml and to_nice_yaml (ansible-core 2.14 on Debian's
// /usr/bin/python3, whose PyYAML writes through libyaml): every case under every option set
// must come out as the same text, byte for byte, or fail on both sides.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pyyamlDump } from '../../../playbook/python-yaml.js';
import { pythonJsonDumps } from '../../../base/python-json.js';

/** Python answers all cases at once; the machine is shared and may be busy. */
const ORACLE_TIMEOUT_MS = 180_000;

const ORACLE = `
import json, sys
from ansible.plugins.filter.core import to_yaml, to_nice_yaml
cases, option_sets = json.load(sys.stdin)
out = []
for name, filter_name, kwargs in option_sets:
    f = to_yaml if filter_name == 'to_yaml' else to_nice_yaml
    row = []
    for case in cases:
        try:
            row.append({'text': f(case, **kwargs)})
        except Exception as e:
            row.append({'error': str(e)})
    out.append(row)
print(json.dumps(out))
`;

interface Kwargs {
  indent?: number;
  width?: number;
  sort_keys?: boolean;
  default_flow_style?: boolean | null;
}

type OptionSet = [name: string, filter: 'to_yaml' | 'to_nice_yaml', kwargs: Kwargs];

const OPTION_SETS: OptionSet[] = [
  ['to_nice_yaml', 'to_nice_yaml', {}],
  ['to_nice_yaml(indent=2)', 'to_nice_yaml', { indent: 2 }],
  ['to_nice_yaml(indent=2, width=1337)', 'to_nice_yaml', { indent: 2, width: 1337 }],
  ['to_nice_yaml(width=256)', 'to_nice_yaml', { width: 256 }],
  ['to_nice_yaml(sort_keys=False)', 'to_nice_yaml', { sort_keys: false }],
  ['to_nice_yaml(indent=10)', 'to_nice_yaml', { indent: 10 }],
  ['to_nice_yaml(indent=3, width=30)', 'to_nice_yaml', { indent: 3, width: 30 }],
  ['to_yaml', 'to_yaml', {}],
  ['to_yaml(indent=2, width=1337)', 'to_yaml', { indent: 2, width: 1337 }],
  ['to_yaml(default_flow_style=True)', 'to_yaml', { default_flow_style: true }],
  ['to_yaml(default_flow_style=False, width=40)', 'to_yaml', { default_flow_style: false, width: 40 }],
  ['to_yaml(width=20)', 'to_yaml', { width: 20 }],
];

/** What a filter call means in pyyamlDump's options. */
/**
 * The case as Python gets it, through JSON: every list and dict its own object. The cases reuse
 * one JavaScript value in several places (SCALARS' [] and {}), which PyYAML would write as an
 * anchor and aliases had it been one object in Python too.
 */
function unshared(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unshared);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unshared(v)]));
  return value;
}

function hound(value: unknown, [, filter, kw]: OptionSet): string {
  return pyyamlDump(unshared(value), {
    indent: kw.indent ?? (filter === 'to_nice_yaml' ? 4 : undefined),
    width: kw.width,
    sortKeys: kw.sort_keys,
    defaultFlowStyle: filter === 'to_nice_yaml' ? false : (kw.default_flow_style ?? null),
  });
}

const SENTENCE = 'The quick brown fox jumps over the lazy dog while the cluster rolls out a new containerd version, node by node.';
const LONG_SENTENCE = (SENTENCE + ' ' + SENTENCE).slice(0, 200);
const LONG_WORD = 'x'.repeat(120) + 'abcdefghij'.repeat(8);

/** Every scalar edge the emitter and the resolver decide on. */
const SCALARS: unknown[] = [
  '',
  'yes',
  'Yes',
  'YES',
  'yEs',
  'no',
  'No',
  'on',
  'On',
  'off',
  'OFF',
  'y',
  'n',
  'true',
  'True',
  'TRUE',
  'false',
  'null',
  'Null',
  'NULL',
  'nULL',
  '~',
  '1.0',
  '1.',
  '.5',
  '1e3',
  '1.0e+3',
  '1.0e3',
  '-1.5',
  '+1',
  '0x1F',
  '0x_1f',
  '0o17',
  '0b1010',
  '010',
  '08',
  '1_000',
  '12:30:45',
  '190:20:30.15',
  '1:60',
  '.inf',
  '-.Inf',
  '.NaN',
  '.nan.',
  '2024-01-02',
  '2024-1-2 3:04:05',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 Z',
  '<<',
  '=',
  '!',
  '&',
  '*',
  '-',
  '--',
  '---',
  '--- x',
  '...',
  '....',
  '- a',
  '-a',
  '?',
  '? a',
  '?a',
  ':',
  ':a',
  ': a',
  'a: b',
  'a:b',
  'a:',
  'a #b',
  'a#b',
  '#x',
  '@x',
  '`x`',
  '%x',
  '|x',
  '>x',
  '!x',
  '&x',
  '*x',
  '[x',
  ']x',
  '{x',
  '}x',
  ',x',
  'a,b',
  'a[b]',
  'a{b}',
  'a?b',
  "it's",
  "'quoted'",
  'say "hi"',
  '"double"',
  'back\\slash',
  ' lead',
  'trail ',
  ' ',
  '  ',
  'two  spaces',
  'tab\there',
  '\t',
  'bell\u0007',
  'nul\u0000x',
  'esc\u001b',
  'del\u007f',
  'c1\u0085x',
  'nbsp\u00a0x',
  'bom\ufeffx',
  'private\ue000x',
  '\ufffd\ufffe',
  'line\u2028sep',
  'para\u2029sep',
  'cr\rlf',
  'crlf\r\nx',
  'multi\nline',
  'multi\n\nblank',
  'multi\n\n\nblanks',
  'trailing newline\n',
  'trailing newlines\n\n',
  '\n',
  '\n\n',
  '\nleading newline',
  'space \nbefore break',
  'break\n after',
  'indented\n  lines\n    here',
  'é ü 中',
  'ünïcödé key',
  '中文字符',
  'emoji 😀 here',
  '😀',
  'Ωmega',
  LONG_SENTENCE,
  LONG_WORD,
  LONG_SENTENCE + '\n' + LONG_SENTENCE,
  LONG_SENTENCE + '\t',
  "it's " + LONG_SENTENCE,
  ' ' + LONG_SENTENCE,
  LONG_SENTENCE.replace(/ /g, '  '),
  'tab\t ' + LONG_SENTENCE.replace(/ /g, '  '),
  'tab\t' + LONG_SENTENCE.replace(/ /g, '   '),
  LONG_SENTENCE.replace(/ /g, '\n'),
  LONG_SENTENCE.replace(/ /g, ' \n'),
  LONG_SENTENCE.replace(/ /g, '\n '),
  'a \n b',
  '\u00a0',
  '\ufeff',
  '\t' + LONG_WORD,
  'https://example.com:8443/path?query=1#fragment',
  'http://registry.local:5000/v2/',
  'a, b, c',
  '{{ not_a_template }}',
  '[1, 2]',
  'key=value',
  'C:\\Windows\\path',
  '/etc/containerd/config.toml',
  'registry.k8s.io/pause:3.9',
  '--node-ip=10.0.0.1',
  '10.96.0.0/12',
  '0.0.0.0',
  '1.2.3',
  '127.0.0.1:6443',
  'x'.repeat(128),
  'x'.repeat(129),
  '中'.repeat(42),
  '中'.repeat(43),
  0,
  -1,
  1,
  42,
  1.5,
  -2.25,
  0.1,
  0.1 + 0.2,
  1e20,
  1.5e-7,
  1e-5,
  0.0001,
  123456789012,
  123456789.125,
  -0,
  Number.MAX_SAFE_INTEGER,
  4503599627370495.5,
  Infinity,
  -Infinity,
  NaN,
  true,
  false,
  null,
  [],
  {},
];

function keyed(s: unknown): Record<string, unknown> {
  return typeof s === 'string' ? { [s]: 'v' } : {};
}

const SHAPES: unknown[] = [
  {
    apiVersion: 'kubeadm.k8s.io/v1beta3',
    kind: 'ClusterConfiguration',
    kubernetesVersion: 'v1.28.4',
    controlPlaneEndpoint: 'lb.cluster.local:6443',
    networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' },
    apiServer: {
      certSANs: ['10.0.0.1', 'lb.cluster.local', 'localhost', '127.0.0.1'],
      extraArgs: { 'authorization-mode': 'Node,RBAC', 'enable-admission-plugins': 'NodeRestriction', 'audit-log-maxage': '30' },
      extraVolumes: [{ name: 'audit', hostPath: '/etc/kubernetes/audit', mountPath: '/etc/kubernetes/audit', readOnly: true, pathType: 'DirectoryOrCreate' }],
      timeoutForControlPlane: '4m0s',
    },
    etcd: { local: { dataDir: '/var/lib/etcd', extraArgs: { 'listen-metrics-urls': 'http://0.0.0.0:2381' } } },
  },
  {
    apiVersion: 'kubeadm.k8s.io/v1beta3',
    kind: 'InitConfiguration',
    bootstrapTokens: [
      { token: 'abcdef.0123456789abcdef', ttl: '24h0m0s', usages: ['signing', 'authentication'], groups: ['system:bootstrappers:kubeadm:default-node-token'] },
    ],
    nodeRegistration: {
      criSocket: 'unix:///run/containerd/containerd.sock',
      taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      kubeletExtraArgs: { 'node-ip': '10.0.0.11', 'cgroup-driver': 'systemd' },
      ignorePreflightErrors: [],
    },
    localAPIEndpoint: { advertiseAddress: '10.0.0.11', bindPort: 6443 },
  },
  {
    version: 2,
    root: '/var/lib/containerd',
    state: '/run/containerd',
    oom_score: 0,
    plugins: {
      'io.containerd.grpc.v1.cri': {
        sandbox_image: 'registry.k8s.io/pause:3.9',
        max_container_log_line_size: -1,
        enable_unprivileged_ports: false,
        containerd: {
          default_runtime_name: 'runc',
          snapshotter: 'overlayfs',
          runtimes: { runc: { runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: true, BinaryName: '' } } },
        },
        registry: { mirrors: { 'docker.io': { endpoint: ['https://mirror.gcr.io', 'https://registry-1.docker.io'] } } },
      },
    },
  },
  {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    clusterDNS: ['169.254.25.10'],
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%', 'imagefs.available': '15%' },
    systemReserved: { cpu: '500m', memory: '512Mi' },
    tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    rotateCertificates: true,
    serverTLSBootstrap: false,
    cpuManagerReconcilePeriod: '10s',
    featureGates: {},
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'coredns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
      annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        spec: {
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns:v1.10.1',
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
              ],
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['all'] }, readOnlyRootFilesystem: true },
              livenessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5 },
            },
          ],
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
          ],
          volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
        },
      },
    },
  },
  {
    data: {
      Corefile:
        '.:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n    cache 30\n}\n',
      'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n-----END CERTIFICATE-----\n',
    },
  },
  [
    ['a', 'b'],
    ['c', ['d', 'e']],
  ],
  [[[]], [{}], [[1, [2, [3]]]]],
  [{ a: 1, b: [1, 2], c: { d: [{ e: null }] } }, [{ f: 'g' }, { h: [] }]],
  {
    list_of_lists: [[1, 2], [3, 4], []],
    list_of_dicts: [
      { name: 'x', value: 1 },
      { name: 'y', value: [true, false] },
    ],
  },
  { a: { b: { c: { d: { e: { f: { g: { h: ['deep', { i: 'deeper' }] } } } } } } } },
  { z: 1, a: 2, m: 3, B: 4, _: 5, '10': 6, '9': 7, é: 8, '😀': 9, '\ue000': 10, ' ': 11 },
  { '': 'empty key', yes: 'bool key', null: 'null key', '1': 'int key', '1.5': 'float key', '~': 'tilde', '<<': 'merge', '- dash': 1, 'k: v': 2, '#c': 3 },
  { 'multi\nline key': 'v' },
  { ['k'.repeat(129)]: 'long key', ['中'.repeat(43)]: 'long unicode key', short: 'k' },
  { ['k'.repeat(129)]: { nested: [1, 2] }, ['q'.repeat(130)]: [{ a: 1 }, 'b'] },
  { ['k'.repeat(129)]: 'x' },
  [{ ['a b '.repeat(40)]: 1 }],
  { a: [], b: {}, c: [[]], d: [{}], e: '' },
  { lines: [LONG_SENTENCE, LONG_WORD, LONG_SENTENCE + '\n' + LONG_SENTENCE] },
  { flow: ['a, b', '[c]', '{d}', 'e: f', 'g #h', 'i?j', 'k'], keys: { 'a,b': 1, '[x]': 2, 'x:y': 3 } },
  { [LONG_SENTENCE.slice(0, 100)]: LONG_SENTENCE, [LONG_SENTENCE.slice(0, 127)]: [LONG_SENTENCE] },
  { nums: [0, -1, 1.5, 1e20, 1.5e-7, 123456789012, NaN, Infinity, -Infinity, 0.1] },
  Array.from({ length: 40 }, (_, i) => `item-${i}`),
  Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, i % 3 === 0 ? `value number ${i}` : i])),
  { hosts: Array.from({ length: 12 }, (_, i) => `node-${i}.cluster.example.com`) },
  { args: ['--kubeconfig=/etc/kubernetes/admin.conf', '--v=2', 'it\'s "quoted"', 'tab\tx', 'multi\nline'] },
  'a plain root scalar',
  "it's a root",
  'root\nmultiline',
];

/** Strings Python cannot encode to UTF-8: to_yaml fails on them, and so must pyyamlDump. */
const FAILING: unknown[] = ['lone \ud800 surrogate', { '\udc00': 1 }, ['ok', 'x\udbff']];

const CASES: unknown[] = [
  ...FAILING,
  ...SHAPES,
  ...SCALARS,
  ...SCALARS.map((s) => ({ key: s })),
  ...SCALARS.map((s) => ({ a_longer_key_name_here: s, nested: { deeper_key: s } })),
  ...SCALARS.map((s) => [s]),
  ...SCALARS.map((s) => [s, { k: s }, [s]]),
  ...SCALARS.map(keyed),
  ...SCALARS.map((s) => ({ outer: [{ inner: s, other: 'x' }] })),
];

type Outcome = { text: string } | { error: string };

function ansible(cases: unknown[], optionSets: OptionSet[]): Outcome[][] {
  const input = pythonJsonDumps([cases, optionSets]);
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', ORACLE], { input, encoding: 'utf8', maxBuffer: 256 << 20 })) as Outcome[][];
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
    (typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'bigint' || typeof v === 'symbol' ? String(v) : v,
  );
  return text ?? String(value);
}

describe('pyyamlDump: PyYAML through libyaml, as to_yaml and to_nice_yaml write', () => {
  it(
    'writes the same text as Ansible for every case and option set',
    () => {
      const expected = ansible(CASES, OPTION_SETS);
      const differing: string[] = [];
      let compared = 0;
      OPTION_SETS.forEach((set, s) => {
        CASES.forEach((value, c) => {
          const want = expected[s][c];
          let got: Outcome;
          try {
            got = { text: hound(value, set) };
          } catch (err) {
            got = { error: (err as Error).message };
          }
          compared++;
          const same = 'text' in want ? 'text' in got && got.text === want.text : 'error' in got;
          if (!same) differing.push(`${set[0]} ${show(value)}\n  ansible: ${JSON.stringify(want)}\n  hound:   ${JSON.stringify(got)}`);
        });
      });
      expect(compared).toBe(CASES.length * OPTION_SETS.length);
      // Ansible fails on the FAILING cases and on nothing else, so no case passes by both failing.
      expect(expected.flat().filter((o) => 'error' in o).length).toBe(FAILING.length * OPTION_SETS.length);
      expect(differing.join('\n')).toBe('');
    },
    ORACLE_TIMEOUT_MS,
  );

  it('refuses what has no PyYAML text here, as Ansible fails on it', () => {
    class Thing {}
    for (const value of [undefined, () => 1, new Thing(), new Date(0), new Map(), Symbol('s'), 1n, { a: undefined }, [undefined], 'lone \ud800 surrogate']) {
      expect(() => pyyamlDump(value), show(value)).toThrow(Error);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => pyyamlDump(cyclic)).toThrow(/contains itself/);
    expect(() => pyyamlDump('x', { width: 1.5 })).toThrow(/width/);
  });
});

describe('a value met twice', () => {
  const shared = [1, 2];
  const value = { a: shared, b: { c: shared }, d: [shared, { e: 'x' }] };

  it('is written once with an anchor, then as aliases, when asked (the inventory), as PyYAML writes one object', () => {
    expect(pyyamlDump(value, { defaultFlowStyle: false, aliases: true })).toBe('a: &id001\n- 1\n- 2\nb:\n  c: *id001\nd:\n- *id001\n- e: x\n');
    expect(pyyamlDump([value.d, value.d], { defaultFlowStyle: null, aliases: true })).toBe('- &id001\n  - [1, 2]\n  - {e: x}\n- *id001\n');
  });

  it('is written out each time otherwise (to_yaml), as hound shares values Ansible copies', () => {
    expect(pyyamlDump(value, { defaultFlowStyle: false })).toBe('a:\n- 1\n- 2\nb:\n  c:\n  - 1\n  - 2\nd:\n- - 1\n  - 2\n- e: x\n');
  });
});
