// ansible.utils' nthhost, ipsubnet, ipmath, next_nth_usable, previous_nth_usable,
// network_in_usable, network_in_network, reduce_on_network, cidr_merge, usable_range, ip4_hex,
// hwaddr, macaddr and slaac filters, case by case against ansible-core's Templar with the
// collection Debian ships (and python3-netaddr 0.8): IPv4 and IPv6, first and last hosts, /31,
// /32, /127, /128, indexes out of range and negative, arguments of the wrong type, text that is
// no address, MAC addresses in every format netaddr reads and every dialect, and the failures.
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithAnsible, ORACLE_TIMEOUT_MS } from './templar-oracle.js';

/** A value as a Jinja2 literal. */
const q = (v: unknown): string => {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(q).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${q(k)}: ${q(x)}`)
      .join(', ')}}`;
  return typeof v === 'string' ? `'${v}'` : String(v);
};

/** `value | filter(args)` for every value and every argument list, as the expression to compare. */
const cases = (filter: string, values: unknown[], argLists: string[]) =>
  values.flatMap((value) => argLists.map((args) => `{{ ${q(value)} | ${filter}${args === '' ? '' : `(${args})`} }}`));

const V4 = ['10.0.0.0/8', '192.168.1.10/24', '192.168.1.0/24', '10.0.0.0/31', '10.0.0.1/31', '10.0.0.1', '10.0.0.1/32', '10.1.2.3/30'];
const V6 = ['2001:db8::/64', '2001:db8::5/64', 'fe80::/127', 'fe80::1/127', '::1', '::1/128', '2001:db8::/120', '::ffff:10.0.0.0/120'];
const ODD = ['x', '', '10/8', '10.1', '300.1.1.1', '1.2.3.4/33', '167772161', '::/0', '0.0.0.0/0', '10.0.0.0/255.255.255.0'];

const templates = [
  // nthhost
  ...cases('ansible.utils.nthhost', [...V4, ...V6, ...ODD], ['0', '1', '-1', '2', '255', '256', '-256', '-257']),
  ...cases(
    'ansible.utils.nthhost',
    ['10.0.0.0/24', '2001:db8::/64'],
    ['', 'None', "'1.7'", '1.7', 'True', "' 3 '", "'1_0'", "['1']", 'query=5', '1, 2, 3', 'bogus=2'],
  ),
  ...cases('nthhost', [167772160, true, null, 1.5, ['10.0.0.0/8'], { a: 1 }], ['1']),
  // ipsubnet
  ...cases('ansible.utils.ipsubnet', [...V4, ...V6, ...ODD], ['', '24', '26', '64', '120', '26, 0', '26, 1', '26, -1', '26, 5', '26, -5']),
  ...cases(
    'ansible.utils.ipsubnet',
    ['192.168.144.5', '192.168.0.0/16', '2600:1f1c:1b3:8f00::/56', '::/64'],
    [
      '20',
      '20, 0',
      '20, -1',
      '18, -1',
      '16, 0',
      '16, 1',
      '32',
      '32, 0',
      '128',
      '129',
      '0',
      '0, 0',
      '120, 0',
      '120, -1',
      '8, 0',
      "'192.168.0.0/16'",
      "'192.168.144.0/24'",
      "'2600:1f1c:1b3::/48'",
      "'10.0.0.0/8'",
      "'x'",
      "'26.0'",
      'True',
      'None',
      '26, None',
      "26, '1'",
      '26, 1.5',
      "26, 'x'",
      'query=20, index=1',
    ],
  ),
  "{{ '192.168.144.16/30' | ansible.utils.ipsubnet('192.168.144.0/24') }}",
  "{{ '192.168.144.1/30' | ansible.utils.ipsubnet('192.168.144.0/24') }}",
  "{{ '192.168.144.0/24' | ansible.utils.ipsubnet('192.168.144.0/30') }}",
  "{{ '2001:db8::1' | ansible.utils.ipsubnet('2001:db8::/120') }}",
  ...cases('ansible.utils.ipsubnet', ['1.2.3.4', '2001:db8::1'], ['8, 20', '8, 11', '8, 12', '8, -20', '26, -6', '26, -7', '120, 5', '100, 14', '100, -29']),
  // ipmath
  ...cases(
    'ansible.utils.ipmath',
    [
      ...V4,
      ...V6,
      ...ODD,
      '255.255.255.255',
      '0.0.0.0',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '::',
      '010.0.0.1',
      '0x0a000001',
      '10.0.0.1 ',
      ' 10.0.0.1',
      '1.2.3.4/x',
    ],
    ['1', '-1', '0', '256', '-11'],
  ),
  ...cases(
    'ansible.utils.ipmath',
    ['192.168.1.5', '2001:db8::1'],
    ["'3'", "' 3'", "'1_0'", '3.0', "'3.0'", "'0x10'", 'True', 'None', '', "'x'", 'amount=2', '1, 2', '99999999999', '-3232235781', '-3232235782', '65535'],
  ),
  ...cases('ipmath', [167772161, ['10.0.0.1'], null], ['1']),
  // next_nth_usable, previous_nth_usable
  ...['ansible.utils.next_nth_usable', 'ansible.utils.previous_nth_usable'].flatMap((f) => [
    ...cases(f, [...V4, ...V6, ...ODD, '10.0.0.5/24', '10.0.0.255/24', '2001:db8::ff/120'], ['0', '1', '2', '-1', '253', '254', '255']),
    ...cases(f, ['10.0.0.5/24', '::/120'], ['True', 'None', "'2'", '1.0', "'x'", 'offset=3', '']),
  ]),
  // network_in_usable, network_in_network
  ...['ansible.utils.network_in_usable', 'ansible.utils.network_in_network'].flatMap((f) =>
    cases(
      f,
      ['192.168.0.0/24', '192.168.0.0/31', '192.168.0.1', '2001:db8::/64', 'fe80::/127', 'x', '0.0.0.0/0'],
      [
        "'192.168.0.1'",
        "'192.168.0.0'",
        "'192.168.0.255'",
        "'192.168.0.254'",
        "'192.168.0.16/28'",
        "'192.168.0.0/24'",
        "'192.168.1.1'",
        "'2001:db8::1'",
        "'2001:db8::'",
        "'fe80::1'",
        "'x'",
        'None',
        "'0.0.0.0'",
        "'10/8'",
      ],
    ),
  ),
  "{{ '192.168.0.0/24' | network_in_usable('192.168.0.1') }} {{ '192.168.0.0/24' | ansible.netcommon.network_in_network('192.168.0.0') }}",
  "{{ '192.168.0.0/24' | ansible.utils.network_in_usable(test='192.168.0.1') }}",
  "{{ '192.168.0.0/24' | ansible.utils.network_in_usable(nope='192.168.0.1') }}",
  // reduce_on_network
  ...cases(
    'ansible.utils.reduce_on_network',
    [
      ['192.168.0.34', '10.45.0.4', '192.168.1.36', '192.168.0.0/28', '192.168.0.0/23', 'x', '', '0.0.0.0', 'fe80::1', '2001:db8::/120'],
      '192.168.0.1,10.0.0.1',
      '192.168.0.1',
      5,
    ],
    ["'192.168.0.0/24'", "'192.168.0.0/31'", "'192.168.0.34'", "'2001:db8::/64'", "'x'", 'None', '', "'0.0.0.0/0'"],
  ),
  "{{ {'a': 1} | ansible.utils.reduce_on_network('10.0.0.0/8') }}",
  // cidr_merge
  ...cases(
    'ansible.utils.cidr_merge',
    [
      ['192.168.0.0/17', '192.168.128.0/17', '192.168.128.1'],
      ['192.168.1.1', '192.168.1.2', '192.168.1.3', '192.168.1.4'],
      ['10.0.0.1/24', '10.0.1.0/24', '10.0.3.0/24'],
      ['10.0.0.0/8', '10.1.0.0/16'],
      ['10.1.0.0/16', '10.0.0.0/16', '10.3.0.0/16'],
      ['2001:db8::/64', '2001:db8:0:1::/64', '10.0.0.0/8', '2001:db8::1'],
      ['10.0.0.5/24'],
      ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.6'],
      ['::', '::1', '::2'],
      [],
      ['x'],
      '10.0.0.1,10.0.0.0',
      '10.0.0.1',
      5,
      [1, 2],
      [167772161],
      [null],
    ],
    ['', "'span'", "'merge'", "'other'", 'None', "action='span'"],
  ),
  "{{ {'10.0.0.0/31': 1} | ansible.utils.cidr_merge }}",
  "{{ ['10.0.0.0/24', '10.0.1.0/24'] | cidr_merge }} {{ ['10.0.0.0/24', '10.0.1.0/24'] | ansible.netcommon.cidr_merge('span') }}",
  // usable_range
  ...cases(
    'ansible.utils.usable_range',
    [
      '10.0.0.0/28',
      '10.0.0.0/30',
      '10.0.0.0/31',
      '10.1.1.1',
      '10.1.1.1/32',
      '2001:db8:abcd:0012::0/126',
      '::/127',
      '::ffff:0.0.0.0/126',
      '::1',
      '10.0.0.1/24',
      '10.0.0.0/255.255.255.252',
      '10.0.0.0/0.0.0.3',
      'x',
      '',
      '10/8',
      '2001:db8::/124',
      167772161,
    ],
    [''],
  ),
  "{{ ('127.0.0.0/28' | ansible.utils.usable_range).usable_ips[1:] }}",
  // hwaddr, macaddr
  ...['ansible.utils.hwaddr', 'ansible.utils.macaddr'].flatMap((f) =>
    cases(
      f,
      [
        '1a:2b:3c:4d:5e:6f',
        '1A-2B-3C-4D-5E-6F',
        '1a2b.3c4d.5e6f',
        '1a2b3c4d5e6f',
        'a2b3c4d5e6f',
        '1a2b3c-4d5e6f',
        '1a2b3c:4d5e6f',
        '1:2:3:4:5:6',
        '1a2b:3c4d:5e6f',
        '1a2b-3c4d-5e6f',
        '00:00:00:00:00:00',
        'ff:ff:ff:ff:ff:ff',
        '1a:2b:3c:4d:5e:6f\n',
        '1a:2b:3c:4d:5e:6f ',
        '1a:2b:3c:4d:5e',
        '1a:2b:3c:4d:5e:6g',
        '123',
        '0',
        '-5',
        '281474976710656',
        '10.0.0.1',
        '1:2:3:4:5:6:7:8',
        '0:0:0:1',
        'ffff:ffff:ffff:ffff',
        '0102030405060708',
        'x',
        '',
        12345,
      ],
      ['', "'bool'", "'int'", "'bare'", "'cisco'", "'eui48'", "'linux'", "'pgsql'", "'postgresql'", "'psql'", "'unix'", "'win'", "'nope'", 'None'],
    ),
  ),
  "{{ '1a:2b:3c:4d:5e:6f' | ansible.utils.hwaddr('cisco', 'myalias') }} {{ 'x' | ansible.utils.hwaddr(query='bool') }}",
  "{{ 'x' | ansible.utils.hwaddr('cisco', alias='myalias') }}",
  "{{ 'x' | ansible.utils.macaddr('cisco', 'other') }}",
  "{{ ['1a:2b:3c:4d:5e:6f'] | ansible.utils.hwaddr }}",
  // slaac
  ...cases(
    'ansible.utils.slaac',
    [
      'fdcf:1894:23b5:d38c::',
      'fdcf:1894:23b5:d38c:0000:0000:0000:0000',
      '2001:db8::/64',
      '2001:db8::5/64',
      '2001:db8::/48',
      '2001:db8::ffff:ffff:ffff:ffff/128',
      'ffff:ffff:ffff:ffff::/64',
      'ffff:ffff:ffff:ffff:ffff::/80',
      '::/0',
      '10.0.0.0/8',
      'x',
      '',
    ],
    ["'c2:31:b3:83:bf:2b'", "'00:00:00:00:00:00'", "'ffff.ffff.ffff'", "'0:0:0:1'", "'1:2:3:4:5:6:7:8'", "'x'", "''", 'None', '5'],
  ),
  // Ansible's names: short ones and ansible.netcommon's route to ansible.utils for all but usable_range and ip4_hex.
  ...[
    'nthhost(1)',
    'ipsubnet(26, 1)',
    'ipmath(1)',
    'next_nth_usable(1)',
    'previous_nth_usable(1)',
    "network_in_usable('10.0.0.1')",
    "network_in_network('10.0.0.1')",
    "reduce_on_network('10.0.0.0/8')",
    "cidr_merge('span')",
    'usable_range',
    'ip4_hex',
  ].flatMap((call) => ['', 'ansible.netcommon.'].map((prefix) => `{{ '10.0.0.0/24' | ${prefix}${call} }}`)),
  // ip4_hex
  ...cases(
    'ansible.utils.ip4_hex',
    ['192.168.1.5', '10.0.0.1', '0.0.0.0', '255.255.255.255', '1.2.3.4.5', '1.2.3', '300.1.-1.0', '1. 2 .3_0.4', 'x', '', 5],
    ['', "':'", "'-'", '5', 'None', "delimiter='.'"],
  ),
];

const FILTERS = [
  'nthhost',
  'ipsubnet',
  'ipmath',
  'next_nth_usable',
  'previous_nth_usable',
  'network_in_usable',
  'network_in_network',
  'reduce_on_network',
  'cidr_merge',
  'usable_range',
  'ip4_hex',
  'hwaddr',
  'macaddr',
  'slaac',
];

/** The filter a case calls (by its first filter's last name). */
const filterOf = (template: string) => /\| (?:ansible\.(?:utils|netcommon)\.)?(\w+)/.exec(template)![1];

describe('ansible.utils network filters, against ansible-core', () => {
  let result: ReturnType<typeof compareWithAnsible>;
  beforeAll(() => {
    result = compareWithAnsible(templates, {}, true);
  }, ORACLE_TIMEOUT_MS);

  it(`covers every filter, ${templates.length} cases in all, some of them failing in Ansible`, () => {
    expect(new Set(templates.map(filterOf))).toEqual(new Set(FILTERS));
    expect(result.expected.filter((e) => 'error' in e).length).toBeGreaterThan(100);
  });

  for (const filter of FILTERS) {
    it(`${filter}: Ansible's value, or a failure where Ansible fails`, () => {
      const mine = result.differences.filter((d) => filterOf(d.template) === filter);
      expect(mine).toEqual([]);
    });
  }
});
