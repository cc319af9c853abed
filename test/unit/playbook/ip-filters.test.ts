// ansible.utils' ipaddr, ipwrap, ipv4 and ipv6 filters and its IP tests, against ansible-core's
// Templar with the collection Debian ships (and python3-netaddr). The first cases are
// Kubespray's own lines at 46dbdd39 (inventory/sample/group_vars/k8s_cluster/k8s-cluster.yml:130
// and 229, roles/etcd/templates/etcd.env.j2:11, roles/kubernetes/control-plane/tasks/
// kubeadm-setup.yml:131, roles/network_plugin/calico/tasks/install.yml:91 and check.yml:79,
// roles/kubernetes/preinstall/vars/main.yml:21, playbooks/ansible_version.yml:24).
import { describe, expect, it } from 'vitest';
import { compareWithAnsible, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

describe('ansible.utils IP filters, against ansible-core', () => {
  const vars = {
    kube_service_subnets: '10.233.0.0/18,fd85:ee78:d8a6:8607::1000/116',
    kube_pods_subnet: '10.233.64.0/18',
    calico_pool_cidr: '10.233.64.0/20',
    etcd_address: 'fd00::10',
    etcd_metrics_port: 2381,
    apiserver_sans: ['10.0.0.1', 'lb.example.com', 'fd00::1', '127.0.0.1', 'kubernetes.default'],
    resolv: 'nameserver 10.0.0.2\nnameserver fe80::1%eth0\nnameserver 8.8.8.8\nsearch x\n',
    cluster_id: '244.0.0.1',
    v4: ['192.168.1.10', '192.168.1.0/24', '192.168.1.10/24', '10.0.0.0/8', '127.0.0.1', '169.254.3.4', '224.0.0.5', '8.8.8.8', '100.64.1.1'],
    v6: ['::1', 'fe80::1', '2001:db8::/32', '2001:db8::5/64', '::ffff:10.1.2.3', '::', 'ff02::1', '2001:0db8:0000:0000:0000:0000:0000:0001', 'fd00::1:0:0:1'],
    odd: [
      '10/8',
      '10.1',
      '300.1.1.1',
      '1.2.3.4/33',
      '10.0.0.0/255.255.0.0',
      '10.0.0.0/0.0.255.255',
      'x',
      '',
      '1.2.3.4/24/5',
      '167772161',
      '::/0',
      '1.2.3.4/255.255.255.255',
      '1.2.3.4/0.0.0.0',
      '1.2.3.4/0.0.0.255',
      'fd00::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ],
  };
  const templates = [
    "{{ kube_service_subnets.split(',') | first | ansible.utils.ipaddr('net') | ansible.utils.ipaddr(1) | ansible.utils.ipaddr('address') }}",
    "{{ kube_service_subnets.split(',') | first | ansible.utils.ipaddr('net') | ansible.utils.ipaddr(3) | ansible.utils.ipaddr('address') }}",
    "{{ kube_service_subnets.split(',') | last | ansible.utils.ipaddr('net') | ansible.utils.ipaddr(1) | ansible.utils.ipaddr('address') }}",
    'http://{{ etcd_address | ansible.utils.ipwrap }}:{{ etcd_metrics_port }},http://127.0.0.1:{{ etcd_metrics_port }}',
    "{{ apiserver_sans | map('ansible.utils.ipaddr') | reject('equalto', False) | list }}",
    '{{ [calico_pool_cidr] | ansible.utils.ipaddr(kube_pods_subnet) | length == 1 }}',
    '{{ cluster_id is ansible.utils.ipv4 }} {{ etcd_address is ansible.utils.ipv6 }} {{ "x" is ansible.utils.ipv4 }}',
    "{{ resolv | regex_findall('^nameserver\\\\s*(\\\\S*)', multiline=True) | ansible.utils.ipaddr }}",
    "{{ '127.0.0.1' | ansible.utils.ipaddr == '127.0.0.1' }}",
    // Every query on IPv4 and IPv6 addresses and networks.
    ...[
      '',
      'address',
      'bool',
      'broadcast',
      'cidr',
      'first_usable',
      'host',
      'hostmask',
      'int',
      'ip',
      'ip/prefix',
      'ip_netmask',
      'ipv4',
      'ipv6',
      'last_usable',
      'link-local',
      'loopback',
      'multicast',
      'net',
      'netmask',
      'network',
      'network/prefix',
      'network_netmask',
      'network_wildcard',
      'prefix',
      'private',
      'public',
      'range_usable',
      'revdns',
      'size',
      'size_usable',
      'subnet',
      'type',
      'unicast',
      'version',
      'wrap',
      'address/prefix',
      '0',
      '5',
      '-1',
      '-300',
      '1.5',
      '10.0.0.0/8',
      'fd00::/8',
      '6to4',
    ].flatMap((q) => [`{{ v4 | map('ansible.utils.ipaddr', '${q}') | list }}`, `{{ v6 | map('ansible.utils.ipaddr', '${q}') | list }}`]),
    "{{ odd | map('ansible.utils.ipaddr') | list }} {{ odd | map('ansible.utils.ipaddr', 'network') | list }}",
    "{{ v4 | ansible.utils.ipaddr('private') }} {{ v6 | ansible.utils.ipaddr('net') }} {{ v4 + v6 | ansible.utils.ipaddr('192.168.0.0/16') }}",
    '{{ v4 + v6 | ansible.utils.ipv4 }} {{ v4 + v6 | ansible.utils.ipv6 }} {{ v4 + v6 | ansible.utils.ipv4("address") }} {{ v6 | ansible.utils.ipv6("ipv4") }}',
    "{{ v4 | ansible.utils.ipv6('ipv6') }} {{ v4 | ansible.utils.ipv4('ipv6') }}",
    '{{ v4 + v6 + odd | ansible.utils.ipwrap }} {{ (v4 + v6) | ansible.utils.ipwrap("net") }} {{ (v4 + v6) | ansible.utils.ipwrap(query="net") }}',
    "{{ '10/8' | ansible.utils.ipwrap }} {{ '2001:DB8::1/64' | ansible.utils.ipwrap }} {{ 'host.fqdn' | ipwrap }} {{ '::1' | ipwrap(query='net') }} {{ '::/64' | ipwrap(query='net') }}",
    "{{ '192.168.1.1/30' | ansible.utils.ipaddr('peer') }} {{ '10.0.0.0/31' | ansible.utils.ipaddr('peer') }} {{ '10.0.0.5/24' | ansible.utils.ipaddr('next_usable') }} {{ '10.0.0.5/24' | ansible.utils.ipaddr('previous_usable') }}",
    "{{ 167772161 | ansible.utils.ipaddr }} {{ 167772161 | ansible.utils.ipv6 }} {{ '10.0.0.1' | ipaddr('address') }} {{ 'fd00::1' | ipwrap }}",
    "{{ '192.168.1.0/24' | ansible.utils.ipaddr('first_usable') }} {{ '192.168.1.0/24' | ansible.utils.ipaddr('last_usable') }}",
    "{{ ['2002:c0a8:10a::1', '2002:c0a8:10a::1/48', '2002::/16', '8.8.8.8/24', '192.88.99.1'] | map('ansible.utils.ipaddr', '6to4') | list }}",
    "{{ v4 + v6 + odd | map('ansible.utils.ipaddr', 'type') | list }}",
    "{{ [v4, v6] | map('map', 'ansible.utils.ipaddr', 'host') | map('list') | list }}",
    '{{ v4 | select("ansible.utils.ip_address") | list }} {{ v4 | select("ansible.utils.ipv4") | list }} {{ v6 | select("ansible.utils.ipv6") | list }} {{ v6 | select("ansible.utils.ipv6_address") | list }} {{ odd | select("ansible.utils.ip") | list }}',
    // Failures: an unknown query, a point-to-point query on an address, a dict.
    "{{ '10.0.0.1' | ansible.utils.ipaddr('nonsense') }}",
    "{{ '10.0.0.1' | ansible.utils.ipaddr('first_usable') }}",
    "{{ {'a': 1} | ansible.utils.ipaddr }}",
    "{{ '10.0.0.0/24' | ansible.utils.ipaddr('peer') }}",
  ];

  it(
    `gives Ansible's value, or fails where Ansible fails, in ${templates.length} cases`,
    () => {
      const { expected, differences } = compareWithAnsible(templates, vars);
      // The usable-range queries fail on an address (every list holds some), as the last four do.
      const usable = ['first_usable', 'last_usable', 'range_usable'].flatMap((q) =>
        ['v4', 'v6'].map((l) => `{{ ${l} | map('ansible.utils.ipaddr', '${q}') | list }}`),
      );
      expect(templates.filter((_, i) => 'error' in expected[i])).toEqual([...usable, ...templates.slice(-4)]);
      expect(differences).toEqual([]);
    },
    ORACLE_TIMEOUT_MS,
  );
});
