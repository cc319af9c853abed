// ansible.utils' ipaddr, ipwrap, ipv4 and ipv6 filters (collection 2.x, plugin_utils/base/
// ipaddr_utils.py), which Kubespray calls 73 times (`kube_service_addresses |
// ansible.utils.ipaddr('net') | ansible.utils.ipaddr(1) | ansible.utils.ipaddr('address')`,
// `ip | ansible.utils.ipwrap`) and Kolla-Ansible and ceph-ansible too. They read addresses as
// netaddr 0.8 does (IPNetwork: an IPv4 address in decimal dotted form or a partial one, `10/8`;
// an IPv6 one as inet_pton reads it; a prefix as a length, a netmask or a hostmask) and write
// them as it does (IPv6 as glibc's inet_ntop compacts it). Pure: no lookups, no network.

/** An IPNetwork: the address as written (host bits kept) and its prefix length. */
export interface Net {
  version: 4 | 6;
  value: bigint;
  prefix: number;
}

/** A filter's failure, as AnsibleFilterError says it; the caller makes it a template error. */
export class IpFilterError extends Error {}

export const WIDTH = { 4: 32, 6: 128 } as const;

function allOnes(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

function netmaskOf(n: Net): bigint {
  const width = WIDTH[n.version];
  return allOnes(width) ^ allOnes(width - n.prefix);
}

export function hostmaskOf(n: Net): bigint {
  return allOnes(WIDTH[n.version] - n.prefix);
}

export function networkOf(n: Net): bigint {
  return n.value & netmaskOf(n);
}

export function sizeOf(n: Net): bigint {
  return 1n << BigInt(WIDTH[n.version] - n.prefix);
}

/** netaddr's broadcast: none for a /31, /32, /127 or /128. */
export function broadcastOf(n: Net): bigint | undefined {
  return WIDTH[n.version] - n.prefix <= 1 ? undefined : n.value | hostmaskOf(n);
}

// --- reading

/** inet_pton(AF_INET): four decimal octets, no leading zero. */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** netaddr's expand_partial_address: `10`, `10.1`, `10.1.2` as 10.0.0.0, 10.1.0.0, 10.1.2.0. */
function parsePartialIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  while (parts.length < 4) parts.push('0');
  return parseIpv4(parts.map((p) => String(Number(p))).join('.'));
}

/** inet_pton(AF_INET6): hex groups of 1 to 4 digits, one `::`, an IPv4 tail in the last two groups. */
export function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let groups: number[];
  let tail = text;
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let v4Groups: number[] = [];
  if (v4) {
    const value = parseIpv4(v4[2]);
    if (value === undefined) return undefined;
    v4Groups = [Number(value >> 16n), Number(value & 0xffffn)];
    tail = v4[1].endsWith('::') ? v4[1] : v4[1].slice(0, -1);
  }
  const halves = tail.split('::');
  if (halves.length > 2) return undefined;
  const words = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = words(halves[0]);
  const rest = halves.length === 2 ? words(halves[1]) : [];
  if (head === undefined || rest === undefined) return undefined;
  const known = head.length + rest.length + v4Groups.length;
  if (halves.length === 2) {
    if (known > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...v4Groups];
  } else {
    if (known !== 8) return undefined;
    groups = [...head, ...v4Groups];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** A prefix as netaddr takes it: Python's int() of the text, else a netmask, else a hostmask. */
function parsePrefix(text: string, version: 4 | 6): number | undefined {
  const width = WIDTH[version];
  if (/^\s*[+-]?\d+\s*$/.test(text)) {
    const n = Number(text.trim());
    return n >= 0 && n <= width ? n : undefined;
  }
  const mask = version === 4 ? parseIpv4(text) : parseIpv6(text);
  if (mask === undefined) return undefined;
  return netmaskPrefix(version, mask) ?? hostmaskPrefix(version, mask);
}

/**
 * netaddr.IPAddress(text) (no flags): IPv4 as glibc's inet_aton reads it (one to four parts,
 * each decimal, octal `010` or hexadecimal `0x0a`, the last filling the remaining bytes: `10.1`
 * is 10.0.0.1, `167772161` 10.0.0.1; anything after a space ignored), else IPv6 as inet_pton.
 */
export function parseAddress(text: string): Net | undefined {
  const end = text.search(/\s/);
  const head = end < 0 ? text : text.slice(0, end);
  const parts = head.split('.');
  if (parts.length <= 4 && parts.every((p) => /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.test(p))) {
    const values = parts.map((p) => (/^0[0-7]+$/.test(p) ? BigInt(`0o${p.slice(1)}`) : BigInt(p)));
    const last = values.pop()!;
    if (values.every((v) => v <= 0xffn) && last < 1n << BigInt(8 * (4 - values.length))) {
      const value = values.reduce((acc, v, i) => acc | (v << BigInt(24 - 8 * i)), 0n) | last;
      return { version: 4, value, prefix: 32 };
    }
  }
  const value = parseIpv6(text);
  return value === undefined ? undefined : { version: 6, value, prefix: 128 };
}

/** netaddr.IPNetwork(text): IPv4 first (exact, then partial), then IPv6. */
export function parseNetwork(text: string): Net | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  for (const version of [4, 6] as const) {
    const value = version === 4 ? (parseIpv4(address) ?? parsePartialIpv4(address)) : parseIpv6(address);
    if (value === undefined) continue;
    const prefix = prefixText === undefined ? WIDTH[version] : parsePrefix(prefixText, version);
    if (prefix === undefined) return undefined;
    return { version, value, prefix };
  }
  return undefined;
}

// --- writing

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** glibc's inet_ntop(AF_INET6): the longest run of two or more zero groups as `::` (the first of equals), an IPv4 tail when the address is IPv4-compatible or -mapped. */
function ipv6Text(value: bigint, dottedTail = true): string {
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { base: -1, len: 0 };
  let current = { base: -1, len: 0 };
  words.forEach((word, i) => {
    if (word === 0) {
      current = current.base === -1 ? { base: i, len: 1 } : { base: current.base, len: current.len + 1 };
      if (current.len > best.len) best = { ...current };
    } else current = { base: -1, len: 0 };
  });
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (dottedTail && i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += ipv4Text(value & 0xffffffffn);
      break;
    }
    out += words[i].toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

export function addressText(version: 4 | 6, value: bigint): string {
  return version === 4 ? ipv4Text(value) : ipv6Text(value);
}

/** An address as Python's ipaddress writes it: IPv6 compacted as inet_ntop does, but never with an IPv4 tail. */
export function pythonAddressText(version: 4 | 6, value: bigint): string {
  return version === 4 ? ipv4Text(value) : ipv6Text(value, false);
}

const ipText = (n: Net) => addressText(n.version, n.value);
export const cidrText = (n: Net) => `${ipText(n)}/${n.prefix}`;

// --- ranges netaddr names

const V4_PRIVATE = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '239.0.0.0/8'];
const V6_PRIVATE = ['fc00::/7', 'fec0::/10'];

/** `n` (all of it) inside the network `cidr`, as netaddr's `in`. */
function within(n: Net, cidr: string): boolean {
  const outer = parseNetwork(cidr)!;
  if (outer.version !== n.version || n.prefix < outer.prefix) return false;
  return networkOf({ ...n, prefix: outer.prefix }) === networkOf(outer);
}

function isPrivate(n: Net): boolean {
  return (n.version === 4 ? V4_PRIVATE : V6_PRIVATE).some((c) => within(n, c)) || isLinkLocal(n);
}

function isLinkLocal(n: Net): boolean {
  return within(n, n.version === 4 ? '169.254.0.0/16' : 'fe80::/10');
}

function isMulticast(n: Net): boolean {
  return within(n, n.version === 4 ? '224.0.0.0/4' : 'ff00::/8');
}

/** An address (not a network): is_loopback, as IPAddress has it. */
function isLoopbackAddress(n: Net): boolean {
  return n.version === 4 ? within({ ...n, prefix: 32 }, '127.0.0.0/8') : n.value === 1n;
}

/** The prefix length whose netmask `value` is (`255.255.255.0` → 24), or undefined. */
function netmaskPrefix(version: 4 | 6, value: bigint): number | undefined {
  const width = WIDTH[version];
  for (let p = 0; p <= width; p++) if (value === (allOnes(width) ^ allOnes(width - p))) return p;
  return undefined;
}

/** The prefix length whose hostmask `value` is (`0.0.0.255` → 24), or undefined. */
function hostmaskPrefix(version: 4 | 6, value: bigint): number | undefined {
  const width = WIDTH[version];
  for (let p = 0; p <= width; p++) if (value === allOnes(width - p)) return p;
  return undefined;
}

// --- the queries

type Query = (n: Net, vtype: 'address' | 'network', value: unknown) => unknown;

export function firstLast(n: Net): [bigint, bigint] | undefined {
  const size = sizeOf(n);
  const first = networkOf(n);
  const last = first | hostmaskOf(n);
  if (size === 2n) return [first, last];
  if (size > 1n) return [first + 1n, last - 1n];
  return undefined;
}

function needsNetwork(vtype: 'address' | 'network'): void {
  if (vtype === 'address') throw new IpFilterError('Not a network address');
}

const ip: Query = (n) => {
  const broadcast = broadcastOf(n);
  if (sizeOf(n) === 1n) return ipText(n);
  if (n.value !== networkOf(n) || broadcast === undefined) return ipText(n);
  if (n.version === 6) return ipText(n);
  return undefined;
};
const addressPrefix: Query = (n) => (sizeOf(n) > 2n && (n.value === networkOf(n) || n.value === broadcastOf(n)) ? false : cidrText(n));
const subnet: Query = (n) => `${addressText(n.version, networkOf(n))}/${n.prefix}`;
const hostmask: Query = (n) => addressText(n.version, hostmaskOf(n));
const ipv4Query: Query = (n, _vtype, value) => {
  if (n.version === 4) return value;
  // IPNetwork.ipv4(): only an IPv4-compatible or -mapped network converts.
  const high = n.value >> 32n;
  if (high !== 0n && high !== 0xffffn) return false;
  const prefix = n.prefix - 96;
  if (prefix < 0) return false;
  return `${ipv4Text(n.value & 0xffffffffn)}/${prefix}`;
};
const ipv6Query: Query = (n, _vtype, value) => (n.version === 6 ? value : `${ipv6Text(0xffff00000000n | n.value)}/${n.prefix + 96}`);
const loopback: Query = (n, _vtype, value) => (isLoopbackAddress(n) ? value : undefined);

/** The 6to4 prefix of a public or private IPv4 address; an IPv6 address or host inside 2002::/16 as it is. */
const sixToFour: Query = (n, vtype, value) => {
  if (n.version === 4) {
    if (sizeOf(n) > 1n && n.value === networkOf(n)) return false;
    const address = ipText(n);
    if (!answered(ipaddr(address, 'public')) && !answered(ipaddr(address, 'private'))) return false;
    const hex = address.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0'));
    return `2002:${hex[0]}${hex[1]}:${hex[2]}${hex[3]}::1/48`;
  }
  if (vtype === 'address') return answered(ipaddr(cidrText(n), '2002::/16')) ? value : false;
  return n.value !== networkOf(n) && answered(ipaddr(ipText(n), '2002::/16')) ? value : false;
};

const QUERIES: Record<string, Query> = {
  '': (n, vtype) => (vtype === 'address' ? ipText(n) : cidrText(n)),
  '6to4': sixToFour,
  address: ip,
  'address/prefix': addressPrefix,
  bool: () => true,
  broadcast: (n) => {
    const b = broadcastOf(n);
    return sizeOf(n) > 2n && b !== undefined ? addressText(n.version, b) : undefined;
  },
  cidr: (n) => cidrText(n),
  first_usable: (n, vtype) => {
    needsNetwork(vtype);
    const size = sizeOf(n);
    if (size === 2n) return addressText(n.version, networkOf(n));
    return size > 1n ? addressText(n.version, networkOf(n) + 1n) : undefined;
  },
  gateway: addressPrefix,
  gw: addressPrefix,
  host: (n) => {
    if (sizeOf(n) === 1n) return cidrText(n);
    return n.value !== networkOf(n) || broadcastOf(n) === undefined ? cidrText(n) : undefined;
  },
  'host/prefix': addressPrefix,
  hostmask,
  hostnet: addressPrefix,
  int: (n, vtype) => (vtype === 'address' ? Number(n.value) : `${n.value}/${n.prefix}`),
  ip,
  'ip/prefix': (n) => (sizeOf(n) === 2n || (sizeOf(n) > 1n && n.value !== networkOf(n)) ? cidrText(n) : undefined),
  ip_netmask: (n) => (sizeOf(n) === 2n || (sizeOf(n) > 1n && n.value !== networkOf(n)) ? `${ipText(n)} ${addressText(n.version, netmaskOf(n))}` : undefined),
  ipv4: ipv4Query,
  ipv6: ipv6Query,
  last_usable: (n, vtype) => {
    needsNetwork(vtype);
    const range = firstLast(n);
    return range === undefined ? undefined : addressText(n.version, range[1]);
  },
  'link-local': (n, _vtype, value) => (isLinkLocal({ ...n, prefix: WIDTH[n.version] }) ? value : undefined),
  lo: loopback,
  loopback,
  multicast: (n, _vtype, value) => (isMulticast(n) ? value : undefined),
  net: (n) => (sizeOf(n) > 1n && n.value === networkOf(n) ? `${addressText(n.version, networkOf(n))}/${n.prefix}` : undefined),
  next_usable: (n, vtype) => {
    needsNetwork(vtype);
    const range = firstLast(n);
    if (range === undefined) return undefined;
    const next = n.value + 1n;
    return next >= range[0] && next <= range[1] ? addressText(n.version, next) : undefined;
  },
  netmask: (n) => addressText(n.version, netmaskOf(n)),
  network: (n) => addressText(n.version, networkOf(n)),
  network_id: (n) => addressText(n.version, networkOf(n)),
  'network/prefix': subnet,
  network_netmask: (n) => `${addressText(n.version, networkOf(n))} ${addressText(n.version, netmaskOf(n))}`,
  network_wildcard: (n) => `${addressText(n.version, networkOf(n))} ${addressText(n.version, hostmaskOf(n))}`,
  peer: (n, vtype) => {
    needsNetwork(vtype);
    const size = sizeOf(n);
    if (size === 2n) return addressText(n.version, n.value ^ 1n);
    if (size === 4n) {
      if (n.value % 4n === 0n) throw new IpFilterError('Network address of /30 has no peer');
      if (n.value % 4n === 3n) throw new IpFilterError('Broadcast address of /30 has no peer');
      return addressText(n.version, n.value ^ 3n);
    }
    throw new IpFilterError('Not a point-to-point network');
  },
  prefix: (n) => n.prefix,
  previous_usable: (n, vtype) => {
    needsNetwork(vtype);
    const range = firstLast(n);
    if (range === undefined) return undefined;
    const previous = n.value - 1n;
    return previous >= range[0] && previous <= range[1] ? addressText(n.version, previous) : undefined;
  },
  private: (n, _vtype, value) => (isPrivate(n) ? value : undefined),
  public: (n, _vtype, value) => {
    const address: Net = { ...n, prefix: WIDTH[n.version] };
    const isPublic =
      !isMulticast(address) &&
      !isPrivate(address) &&
      !isLoopbackAddress(address) &&
      netmaskPrefix(n.version, n.value) === undefined &&
      hostmaskPrefix(n.version, n.value) === undefined;
    return isPublic ? value : undefined;
  },
  range_usable: (n, vtype) => {
    needsNetwork(vtype);
    const range = firstLast(n);
    return range === undefined ? undefined : `${addressText(n.version, range[0])}-${addressText(n.version, range[1])}`;
  },
  revdns: (n) =>
    n.version === 4
      ? `${ipv4Text(n.value).split('.').reverse().join('.')}.in-addr.arpa.`
      : `${[...n.value.toString(16).padStart(32, '0')].reverse().join('.')}.ip6.arpa.`,
  router: addressPrefix,
  size: (n) => Number(sizeOf(n)),
  size_usable: (n) => {
    const size = sizeOf(n);
    return Number(size === 1n ? 0n : size === 2n ? 2n : size - 2n);
  },
  subnet,
  type: (n) => (sizeOf(n) === 1n || n.value !== networkOf(n) ? 'address' : 'network'),
  unicast: (n, _vtype, value) => (isMulticast(n) ? undefined : value),
  v4: ipv4Query,
  v6: ipv6Query,
  version: (n) => n.version,
  wildcard: hostmask,
  wrap: (n, vtype, value) => (n.version === 6 ? (vtype === 'address' ? `[${ipText(n)}]` : `[${ipText(n)}]/${n.prefix}`) : value),
};

/** Python's truthiness of an answer: false, None, '' and 0 are no answer. */
export function answered(answer: unknown): boolean {
  return answer !== false && answer !== null && answer !== undefined && answer !== '' && answer !== 0;
}

/** Python's str.isdigit() for what these filters test it on. */
const isDigits = (text: string) => /^\d+$/.test(text);

/**
 * ipaddr(value, query, version): the query's answer for an address or network, false when the
 * value is not one (or not of `version`); a list gives the truthy answers of its items.
 */
export function ipaddr(value: unknown, query = '', version: 0 | 4 | 6 = 0, alias = 'ipaddr'): unknown {
  if (Array.isArray(value)) return value.map((item) => ipaddr(item, query, version, alias)).filter(answered);
  if (value === false || value === true || value === '' || value === 0 || value === null || value === undefined) return false;
  const text = String(value);
  let n: Net | undefined;
  let vtype: 'address' | 'network';
  let original: unknown = value;
  if (isDigits(text)) {
    const int = BigInt(text);
    if (version !== 6 && int <= allOnes(32)) n = { version: 4, value: int, prefix: 32 };
    else if (int <= allOnes(128)) n = { version: 6, value: int, prefix: 128 };
    else return false;
    original = cidrText(n);
    vtype = 'address';
  } else {
    n = parseNetwork(text);
    if (n !== undefined) vtype = text.split('/').length === 2 ? 'network' : 'address';
    else {
      // `address/prefix` as integers.
      const parts = text.split('/');
      if (parts.length !== 2 || !/^\s*[+-]?\d+\s*$/.test(parts[0]) || !/^\s*[+-]?\d+\s*$/.test(parts[1])) return false;
      const [address, prefix] = [BigInt(parts[0].trim()), Number(parts[1].trim())];
      if (address >= 0n && address <= allOnes(32) && prefix >= 0 && prefix <= 32) n = { version: 4, value: address, prefix };
      else if (address >= 0n && address <= allOnes(128) && prefix >= 0 && prefix <= 128) n = { version: 6, value: address, prefix };
      else return false;
      original = cidrText(n);
      vtype = 'network';
    }
  }
  let lookup: Net | undefined;
  if (query !== '' && (!(query in QUERIES) || query === 'cidr_lookup') && !isDigits(query) && ipaddr(query, 'network') !== false) lookup = parseNetwork(query);
  if (version !== 0 && n.version !== version) return false;
  if (lookup !== undefined) {
    const inside = lookup.version === n.version && n.prefix >= lookup.prefix && networkOf({ ...n, prefix: lookup.prefix }) === networkOf(lookup);
    return inside ? original : null;
  }
  const answer = QUERIES[query];
  // A query that answers nothing is Python's None.
  if (answer !== undefined) return answer(n, vtype, original) ?? null;
  // A number: the nth address of the network (negative from its end), with the prefix.
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(query) || /^\s*[+-]?(inf|infinity|nan)\s*$/i.test(query)) {
    const size = sizeOf(n);
    if (size === 1n) return vtype === 'address' ? ipText(n) : cidrText(n);
    if (!/^\s*[+-]?\d+\s*$/.test(query)) return false;
    const index = BigInt(query.trim());
    const first = networkOf(n);
    const last = first | hostmaskOf(n);
    if (index < 0n && -index <= size) return `${addressText(n.version, last + index + 1n)}/${n.prefix}`;
    if (index >= 0n && index < size) return `${addressText(n.version, first + index)}/${n.prefix}`;
    return false;
  }
  throw new IpFilterError(`${alias}: unknown filter type: ${query}`);
}

/**
 * ipwrap(value, query): IPv6 addresses in brackets, anything else as it was. A list's items are
 * wrapped as written; a single value is first normalised by the query (`10/8` is 10.0.0.0/8).
 * (The plugin passes only `value` on from its positional arguments, so `ipwrap('net')` queries
 * nothing: the caller gives the query only when it is a keyword.)
 */
export function ipwrap(value: unknown, query = ''): unknown {
  const normalised = (item: unknown): unknown => {
    try {
      return ipaddr(item, query, 0, 'ipwrap');
    } catch {
      return false;
    }
  };
  if (Array.isArray(value)) return (value as unknown[]).map((item) => (answered(normalised(item)) ? ipaddr(item, 'wrap') : item));
  const answer = normalised(value);
  return answered(answer) ? ipaddr(answer, 'wrap') : value;
}

/**
 * Python's ipaddress.ip_network(text) (strict) and ip_address(text), as ansible.utils' tests
 * (`is ansible.utils.ipv4`, `is ip_address`) read a value: decimal dotted IPv4 only, no host bits
 * set in a network, a netmask or hostmask only for IPv4. The version read, or undefined.
 */
export function pythonIpVersion(value: unknown, addressOnly: boolean): 4 | 6 | undefined {
  return pythonNetwork(value, addressOnly)?.version;
}

/** The network Python's ipaddress.ip_network(text) reads (ip_address when `addressOnly`), as pythonIpVersion says. */
export function pythonNetwork(value: unknown, addressOnly = false): Net | undefined {
  if (typeof value !== 'string') return undefined;
  const slash = value.indexOf('/');
  if (addressOnly && slash >= 0) return undefined;
  const address = slash < 0 ? value : value.slice(0, slash);
  const prefixText = slash < 0 ? undefined : value.slice(slash + 1);
  for (const version of [4, 6] as const) {
    const parsed = version === 4 ? parseIpv4(address) : parseIpv6(address);
    if (parsed === undefined) continue;
    if (prefixText === undefined) return { version, value: parsed, prefix: WIDTH[version] };
    const prefix = /^\d+$/.test(prefixText) ? Number(prefixText) : version === 4 ? parsePrefix(prefixText, 4) : undefined;
    if (prefix === undefined || prefix > WIDTH[version]) return undefined;
    const n: Net = { version, value: parsed, prefix };
    return networkOf(n) === parsed ? n : undefined;
  }
  return undefined;
}
