// ansible.utils' other network filters (collection 2.x, plugins/filter/*.py): nthhost, ipsubnet,
// ipmath, next_nth_usable, previous_nth_usable, network_in_usable, network_in_network,
// reduce_on_network, cidr_merge, usable_range, ip4_hex, slaac, hwaddr and macaddr, computed as
// the plugins compute them with netaddr 0.8 (through ipaddr, ip-filters.ts, where they call it;
// netaddr's EUI for the MAC ones) and, for usable_range, Python's ipaddress. Each plugin first checks its arguments against its DOCUMENTATION
// (AnsibleArgSpecValidator): `argumentSpec` does what that does to them. Pure: no lookups.
import { PythonFloat } from '../base/python-float.js';
import {
  addressText,
  answered,
  cidrText,
  firstLast,
  hostmaskOf,
  ipaddr,
  IpFilterError,
  type Net,
  networkOf,
  parseAddress,
  parseNetwork,
  pythonAddressText,
  pythonNetwork,
  sizeOf,
  WIDTH,
} from './ip-filters.js';
import { pythonStr, pythonTypeName, splitArguments, UndefinedValue } from './template-values.js';

// --- the arguments, as ansible.utils' AnsibleArgSpecValidator takes them

type ArgType = 'str' | 'int' | 'list';
/** An option: its name, type, and default (undefined: none). */
type Option = [name: string, type: ArgType, fallback?: unknown];

/** Options written `name:type` or `name:type=default` (`query:str=` defaults to ''), space-separated. */
function readOptions(spec: string): Option[] {
  return spec.split(' ').map((option) => {
    const [, name, type, fallback] = /^(\w+):(str|int|list)(?:=(.*))?$/.exec(option)!;
    return [name, type as ArgType, fallback];
  });
}

/** Python's int(text): an optional sign, digits (single underscores between them), spaces around. */
function pythonIntText(text: string): bigint | undefined {
  return /^\s*[+-]?\d+(_\d+)*\s*$/.test(text) ? BigInt(text.trim().replace(/_/g, '')) : undefined;
}

/** What check_type_str, check_type_int and check_type_list make of a value (an int as a bigint; a bool stays one). */
function convert(option: string, type: ArgType, value: unknown): unknown {
  const fail = () => {
    const typeName = pythonTypeName(value);
    return new IpFilterError(
      `argument '${option}' is of type <class '${typeName}'> and we were unable to convert to ${type}: <class '${typeName}'> cannot be converted to ${type === 'int' ? 'an int' : 'a list'}`,
    );
  };
  if (type === 'str') return pythonStr(value);
  if (type === 'int') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    const int = typeof value === 'string' ? pythonIntText(value) : undefined;
    if (int === undefined) throw fail();
    return int;
  }
  // A list of str.
  if (Array.isArray(value)) return value.map((item) => pythonStr(item));
  if (typeof value === 'string') return value.split(',');
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof PythonFloat) return [pythonStr(value)];
  throw fail();
}

/**
 * The plugin's arguments by name: the positional ones zipped onto the option names (extra ones
 * dropped, as zip drops them), then the keywords; an unknown keyword fails. An option not given
 * takes its default; one given as None stays None unless it is the value (required).
 */
export function argumentSpec(value: unknown, rest: unknown[], spec: string): Record<string, unknown> {
  const options = readOptions(spec);
  const { positional, keywords } = splitArguments(rest);
  const data: Record<string, unknown> = {};
  [value, ...positional].slice(0, options.length).forEach((arg, i) => (data[options[i][0]] = arg));
  Object.assign(data, keywords);
  const names = options.map(([name]) => name);
  const unknown = Object.keys(data).filter((key) => !names.includes(key));
  if (unknown.length > 0) throw new IpFilterError(`${unknown.sort().join(', ')}. Supported parameters include: ${[...names].sort().join(', ')}.`);
  const out: Record<string, unknown> = {};
  options.forEach(([name, type, fallback], i) => {
    let arg = Object.hasOwn(data, name) ? data[name] : fallback;
    if (arg instanceof UndefinedValue) arg.fail();
    if (arg === undefined) arg = null;
    out[name] = arg === null && i > 0 ? null : convert(name, type, arg);
  });
  return out;
}

// --- helpers the plugins share

/** The plugins' `ipaddr(value, 'type')`, then `'cidr'` or `'subnet'`, read back as an IPNetwork; undefined where that fails. */
function normalisedNetwork(value: string): Net | undefined {
  const type = ipaddr(value, 'type');
  const text = type === 'address' ? ipaddr(value, 'cidr') : type === 'network' ? ipaddr(value, 'subnet') : undefined;
  return typeof text === 'string' ? parseNetwork(text) : undefined;
}

/** netaddr.IPAddress(number): IPv4 when it fits in 32 bits, else IPv6; out of range fails. */
function addressOfInt(value: bigint): Net {
  if (value < 0n || value >= 1n << 128n) throw new IpFilterError('result outside valid IP address boundary!');
  return value < 1n << 32n ? { version: 4, value, prefix: 32 } : { version: 6, value, prefix: 128 };
}

/** Python's str(IPNetwork(text)) of a text made of an address and a prefix; a text netaddr refuses fails. */
function networkText(text: string): string {
  const n = parseNetwork(text);
  if (n === undefined) throw new IpFilterError(`invalid IPNetwork ${text}`);
  return cidrText(n);
}

/** Python's `int(x)` of an answer of ipaddr's, where `False` (and None, through `or`) counts as 0. */
function intOf(answer: unknown): bigint {
  return answered(answer) && typeof answer === 'string' ? parseNetwork(answer)!.value : 0n;
}

/** `ipaddr(ipaddr(v, a) or ipaddr(v, b), 'int')`, as the network_in_* plugins bound a range. */
function bound(v: unknown, query: string, fallback: string): bigint {
  const first = ipaddr(v, query);
  return intOf(answered(first) ? first : ipaddr(v, fallback));
}

/** The plugins' _address_normalizer: the value's subnet, or False. */
function addressNormalizer(value: unknown): unknown {
  try {
    const type = ipaddr(value, 'type');
    return type === 'address' || type === 'network' ? ipaddr(value, 'subnet') : false;
  } catch {
    return false;
  }
}

// --- the filters

/** nthhost(value, query): the query-th address of the value's network (negative from its end), or False. */
export function nthhost(value: string, query: string | null): unknown {
  const n = normalisedNetwork(value);
  if (n === undefined || !query) return false;
  const nth = pythonIntText(query);
  if (nth === undefined) return false;
  const size = sizeOf(n);
  if (size <= nth) return false;
  if (nth < -size) throw new IpFilterError('index out range for address range size!');
  const first = networkOf(n);
  return addressText(n.version, nth < 0n ? (first | hostmaskOf(n)) + nth + 1n : first + nth);
}

/** next_nth_usable / previous_nth_usable(value, offset): the address `offset` after (before) the network's, when usable. */
export function nthUsable(value: string, offset: unknown, direction: 1n | -1n): unknown {
  const n = normalisedNetwork(value);
  if (n === undefined) return false;
  if (typeof offset !== 'bigint') throw new IpFilterError('Must pass in an integer');
  if (sizeOf(n) <= 1n) return null;
  const [first, last] = firstLast(n)!;
  const nth = addressOfInt(n.value + direction * offset);
  return nth.value >= first && nth.value <= last ? addressText(nth.version, nth.value) : null;
}

/** ipmath(value, amount): the address (a network's own address, host bits kept) plus amount. */
export function ipmath(value: string, amount: unknown): string {
  const ip = value.includes('/') ? parseNetwork(value) : parseAddress(value);
  if (ip === undefined) throw new IpFilterError(`You must pass a valid IP address; ${value} is invalid`);
  if (typeof amount !== 'bigint' && typeof amount !== 'boolean')
    throw new IpFilterError(`You must pass an integer for arithmetic; ${pythonStr(amount)} is not a valid integer`);
  const result = ip.value + (typeof amount === 'boolean' ? BigInt(amount) : amount);
  if (result < 0n || result > (1n << BigInt(WIDTH[ip.version])) - 1n) throw new IpFilterError('result outside valid IP address boundary!');
  return addressText(ip.version, result);
}

/** ipsubnet(value, query, index): the value's network; subnets of it, supernets of an address, or its rank in another network. */
export function ipsubnet(value: string, query: string | null, index: unknown): unknown {
  const n = normalisedNetwork(value);
  if (n === undefined) return false;
  const net: Net = { ...n, value: networkOf(n) };
  // ipaddr(IPNetwork, 'type'): an address when it is one address, else a network.
  const vtype = sizeOf(net) === 1n ? 'address' : 'network';
  if (!query) return cidrText(net);
  const width = WIDTH[net.version];
  if (/^\d+$/.test(query)) {
    const prefix = Number(query);
    if (prefix > width) return false;
    const supernets = Array.from({ length: Math.max(0, net.prefix - prefix) }, (_, i) => {
      const p = prefix + i;
      return `${addressText(net.version, networkOf({ ...net, prefix: p }))}/${p}`;
    });
    if (index === null) {
      if (vtype === 'address') {
        if (supernets.length === 0) throw new IpFilterError('list index out of range');
        return supernets[0];
      }
      if (prefix < net.prefix) throw new IpFilterError(`Requested subnet size of ${prefix} is invalid`);
      return String(1n << BigInt(prefix - net.prefix));
    }
    let nth = typeof index === 'boolean' ? BigInt(index) : (index as bigint);
    if (vtype === 'address') {
      if (nth > BigInt(width + 1) - nth || nth < BigInt(prefix - width)) return false;
      const count = BigInt(supernets.length);
      if (nth < -count || nth >= count) throw new IpFilterError('list index out of range');
      return supernets[Number(nth < 0n ? nth + count : nth)];
    }
    // 2 ** (query - prefixlen) is a fraction below 1 when query is the shorter prefix: only index 0 is in range.
    const subnets = prefix >= net.prefix ? 1n << BigInt(prefix - net.prefix) : undefined;
    if (subnets === undefined) {
      if (nth !== 0n) return false;
    } else {
      if (nth < 0n) nth += subnets;
      if (nth < 0n || nth >= subnets) return false;
    }
    const start = addressOfInt(net.value + (nth << BigInt(width - prefix)));
    return networkText(`${addressText(start.version, start.value)}/${prefix}`);
  }
  const other = normalisedNetwork(query);
  if (other === undefined) throw new IpFilterError(`You must pass a valid subnet or IP address; ${query} is invalid`);
  if (other.prefix > width) throw new IpFilterError('negative shift count');
  const shift = BigInt(width - other.prefix);
  if (net.value >> shift === other.value >> shift) {
    if (net.prefix < other.prefix) throw new IpFilterError("unsupported operand type(s) for <<: 'float' and 'int'");
    const hostBits = BigInt(width - net.prefix);
    return String(((net.value & (((1n << BigInt(net.prefix - other.prefix)) - 1n) << hostBits)) >> hostBits) + 1n);
  }
  throw new IpFilterError(`${cidrText(net)} is not in the subnet ${cidrText({ ...other, value: networkOf(other) })}`);
}

/** network_in_usable / network_in_network(value, test): whether test's addresses are all usable (all) in value's network. */
export function networkIn(value: string, test: string | null, usable: boolean): boolean {
  const v = addressNormalizer(value);
  const w = addressNormalizer(test);
  const vFirst = bound(v, usable ? 'first_usable' : 'network', 'address');
  const vLast = bound(v, usable ? 'last_usable' : 'broadcast', 'address');
  const [wFirst, wLast] = [bound(w, 'network', 'address'), bound(w, 'broadcast', 'address')];
  return vFirst <= wFirst && wFirst <= vLast && vFirst <= wLast && wLast <= vLast;
}

/** reduce_on_network(value, network): the addresses of the list inside the network (by their range). */
export function reduceOnNetwork(value: string[], network: string | null): string[] {
  const n = addressNormalizer(network);
  const [first, last] = [bound(n, 'network', 'address'), bound(n, 'broadcast', 'address')];
  return value.filter((address) => {
    const a = addressNormalizer(address);
    const [aFirst, aLast] = [bound(a, 'network', 'address'), bound(a, 'broadcast', 'address')];
    return first <= aFirst && aFirst <= last && first <= aLast && aLast <= last;
  });
}

/** netaddr.IPNetwork(text) for cidr_merge, failing as it does. */
function mergeInput(text: string): Net {
  const n = parseNetwork(text);
  if (n === undefined) throw new IpFilterError(`cidr_merge: error in netaddr:\ninvalid IPNetwork ${text}`);
  return n;
}

const lastOf = (n: Net) => networkOf(n) | hostmaskOf(n);

/** netaddr's IPNetwork ordering (sort_key): version, network address, prefix length, host bits. */
function compareNetworks(a: Net, b: Net): number {
  const keys = (n: Net) => [BigInt(n.version), networkOf(n), BigInt(n.prefix), n.value - networkOf(n)];
  const [ka, kb] = [keys(a), keys(b)];
  for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/** netaddr's iprange_to_cidrs: the fewest aligned networks covering first..last. */
function rangeToCidrs(version: 4 | 6, first: bigint, last: bigint): string[] {
  const out: string[] = [];
  const width = WIDTH[version];
  let start = first;
  while (start <= last) {
    let bits = 0;
    while (bits < width && (start & ((1n << BigInt(bits + 1)) - 1n)) === 0n && start + (1n << BigInt(bits + 1)) - 1n <= last) bits++;
    out.push(`${addressText(version, start)}/${width - bits}`);
    start += 1n << BigInt(bits);
  }
  return out;
}

/** cidr_merge(value, action): netaddr's cidr_merge of the list ('merge'), or the one network spanning it ('span'). */
export function cidrMerge(value: string[], action: string | null): unknown {
  if (action === 'merge') {
    type Range = { version: 4 | 6; last: bigint; first: bigint; original?: Net };
    const ranges: Range[] = value.map((text) => {
      const n = mergeInput(text);
      return { version: n.version, last: lastOf(n), first: networkOf(n), original: n };
    });
    ranges.sort(
      (a, b) =>
        a.version - b.version ||
        (a.last < b.last ? -1 : a.last > b.last ? 1 : 0) ||
        (a.first < b.first ? -1 : a.first > b.first ? 1 : 0) ||
        compareNetworks(a.original!, b.original!),
    );
    for (let i = ranges.length - 1; i > 0; i--) {
      if (ranges[i].version === ranges[i - 1].version && ranges[i].first - 1n <= ranges[i - 1].last) {
        const first = ranges[i - 1].first < ranges[i].first ? ranges[i - 1].first : ranges[i].first;
        ranges.splice(i - 1, 2, { version: ranges[i].version, last: ranges[i].last, first });
      }
    }
    return ranges.flatMap((r) => (r.original ? [cidrText(r.original)] : rangeToCidrs(r.version, r.first, r.last)));
  }
  if (action === 'span') {
    if (value.length === 0) return null;
    if (value.length === 1) return cidrText(mergeInput(value[0]));
    const networks = value.map(mergeInput);
    let [min, max] = compareNetworks(networks[0], networks[1]) < 0 ? [networks[0], networks[1]] : [networks[1], networks[0]];
    for (const n of networks.slice(2)) {
      if (compareNetworks(n, min) < 0) min = n;
      if (compareNetworks(n, max) > 0) max = n;
    }
    if (min.version !== max.version) throw new IpFilterError('cidr_merge: error in netaddr:\nIP sequence cannot contain both IPv4 and IPv6!');
    const width = WIDTH[max.version];
    let ipnum = lastOf(max);
    let prefix = max.prefix;
    const lowest = networkOf(min);
    while (prefix > 0 && ipnum > lowest) {
      prefix -= 1;
      ipnum &= ~((1n << BigInt(width - prefix)) - 1n);
    }
    return `${addressText(max.version, ipnum)}/${prefix}`;
  }
  throw new IpFilterError(`cidr_merge: invalid action '${pythonStr(action)}'`);
}

/** Beyond this many addresses usable_range refuses, where Python would build the list for minutes or exhaust memory. */
const USABLE_RANGE_LIMIT = 1n << 20n;

/** usable_range(ip): every address of the network (Python's ipaddress, strict) and their number. */
export function usableRange(ip: string): { usable_ips: string[]; number_of_ips: number } {
  const n = pythonNetwork(ip);
  if (n === undefined) throw new IpFilterError(`Error while using plugin 'usable_range': ${pythonStr(ip)} does not appear to be an IPv4 or IPv6 network`);
  const size = sizeOf(n);
  if (size > USABLE_RANGE_LIMIT) throw new IpFilterError(`usable_range: ${ip} has ${size} addresses, more than hound lists`);
  const first = networkOf(n);
  const usable_ips = Array.from({ length: Number(size) }, (_, i) => pythonAddressText(n.version, first + BigInt(i)));
  return { usable_ips, number_of_ips: Number(size) };
}

/** ip4_hex(arg, delimiter): the first four dot-separated numbers as two hexadecimal digits each (Python's `{:02x}`: `-1` for -1). */
export function ip4Hex(arg: string, delimiter: string | null): string {
  const numbers = arg.split('.').map((part) => {
    const n = pythonIntText(part);
    if (n === undefined) throw new IpFilterError(`invalid literal for int() with base 10: '${part}'`);
    return n;
  });
  if (numbers.length < 4) throw new IpFilterError(`Replacement index ${numbers.length} out of range for positional args tuple`);
  return numbers
    .slice(0, 4)
    .map((n) => n.toString(16).padStart(2, '0'))
    .join(delimiter ?? 'None');
}

// --- hardware addresses: netaddr.EUI

interface Eui {
  version: 48 | 64;
  value: bigint;
}

const hexWords = (sep: string, count: number, digits: string) => new RegExp(`^${Array<string>(count).fill(`([0-9A-F]${digits})`).join(sep)}\\n?$`, 'i');

/** netaddr 0.8's EUI-48 formats (each word's width in bits by its count), then its EUI-64 ones; `$` as Python's, before a final newline too. */
const EUI48_FORMATS = [
  ...[':', '-'].map((sep) => hexWords(sep, 6, '{1,2}')),
  ...[':', '-', '\\.'].map((sep) => hexWords(sep, 3, '{1,4}')),
  ...['-', ':'].map((sep) => hexWords(sep, 2, '{5,6}')),
  hexWords('', 1, '{12}'),
  hexWords('', 1, '{11}'),
];
const EUI64_FORMATS = [
  ...[':', '-'].map((sep) => hexWords(sep, 8, '{1,2}')),
  ...[':', '-', '\\.'].map((sep) => hexWords(sep, 4, '{1,4}')),
  hexWords('', 1, '{16}'),
];

/** The words of the first format the text matches, joined at their width, as str_to_int does. */
function euiWords(text: string, formats: RegExp[], bits: number): bigint | undefined {
  for (const format of formats) {
    const match = format.exec(text);
    if (match === null) continue;
    const words = match.slice(1);
    const width = BigInt(bits / words.length);
    return words.reduce((acc, word) => (acc << width) | BigInt(`0x${word}`), 0n);
  }
  return undefined;
}

/** netaddr.EUI(text): an EUI-48 format, else Python's int() of the text as an EUI-48, then the same for EUI-64. */
function parseEui(text: string): Eui | undefined {
  const int = pythonIntText(text);
  for (const version of [48, 64] as const) {
    const value = euiWords(text, version === 48 ? EUI48_FORMATS : EUI64_FORMATS, version);
    if (value !== undefined) return { version, value };
    if (int !== undefined && int >= 0n && int < 1n << BigInt(version)) return { version, value: int };
  }
  return undefined;
}

/** netaddr's MAC dialects: bits a word, separator, and the word as `%x`, `%.2x`, `%.2X`... writes it. */
type Dialect = { bits: number; sep: string; digits: number; upper: boolean };
const DIALECTS: Record<string, Dialect> = {
  bare: { bits: 48, sep: '', digits: 12, upper: true },
  cisco: { bits: 16, sep: '.', digits: 4, upper: false },
  eui48: { bits: 8, sep: '-', digits: 2, upper: true },
  linux: { bits: 8, sep: ':', digits: 2, upper: false },
  pgsql: { bits: 24, sep: ':', digits: 6, upper: false },
  unix: { bits: 8, sep: ':', digits: 1, upper: false },
};

/** str(EUI) in a MAC dialect: six bytes' worth of words; an EUI-64 beyond 48 bits fails, as netaddr's int_to_words does. */
function euiText(eui: Eui, dialect: Dialect): string {
  if (eui.value >= 1n << 48n) throw new IpFilterError(`integer out of bounds: 0x${eui.value.toString(16)}!`);
  const count = 48 / dialect.bits;
  const words = Array.from({ length: count }, (_, i) => (eui.value >> BigInt(dialect.bits * (count - 1 - i))) & ((1n << BigInt(dialect.bits)) - 1n));
  return words
    .map((word) => {
      const hex = word.toString(16).padStart(dialect.digits, '0');
      return dialect.upper ? hex.toUpperCase() : hex;
    })
    .join(dialect.sep);
}

const HWADDR_QUERIES: Record<string, (eui: Eui | undefined, value: string) => unknown> = {
  '': (eui, value) => (eui ? value : null),
  bool: (eui) => (eui ? true : null),
  int: (eui) => Number(eui!.value),
  bare: (eui) => euiText(eui!, DIALECTS.bare),
  cisco: (eui) => euiText(eui!, DIALECTS.cisco),
  eui48: (eui) => euiText(eui!, DIALECTS.eui48),
  linux: (eui) => euiText(eui!, DIALECTS.linux),
  pgsql: (eui) => euiText(eui!, DIALECTS.pgsql),
  postgresql: (eui) => euiText(eui!, DIALECTS.pgsql),
  psql: (eui) => euiText(eui!, DIALECTS.pgsql),
  unix: (eui) => euiText(eui!, DIALECTS.unix),
  win: (eui) => euiText(eui!, DIALECTS.eui48),
};

/** hwaddr(value, query, alias) (macaddr is it with its own name): the MAC address written in the query's dialect. */
export function hwaddr(value: string, query: string | null, alias: string | null): unknown {
  const eui = parseEui(value);
  if (eui === undefined && query && query !== 'bool') throw new IpFilterError(`${pythonStr(alias)}: not a hardware address: ${value}`);
  const answer = HWADDR_QUERIES[query ?? 'None'];
  if (answer === undefined) throw new IpFilterError(`${pythonStr(alias)}: unknown filter type: ${pythonStr(query)}`);
  return answer(eui, value);
}

/** slaac(value, query): the IPv6 address SLAAC gives the MAC address `query` in the value's network (modified EUI-64 added to the network address). */
export function slaac(value: string, query: string | null): unknown {
  const n = normalisedNetwork(value);
  if (n === undefined || ipaddr(value, 'version') !== 6 || !query) return false;
  const mac = hwaddr(query, '', 'slaac');
  const eui = typeof mac === 'string' ? parseEui(mac) : undefined;
  if (eui === undefined) return false;
  const eui64 = eui.version === 48 ? ((eui.value >> 24n) << 40n) | 0xfffe000000n | (eui.value & 0xffffffn) : eui.value;
  const address = networkOf(n) + (eui64 ^ 0x0200000000000000n);
  if (address >= 1n << 128n) throw new IpFilterError(`${address} is not a valid IPv6 address`);
  return addressText(6, address);
}

/** The arguments argumentSpec converted, by option name: a text (or None, null), a list of texts, an int (a bigint) or a bool. */
type Args = Record<string, unknown>;
const text = (arg: unknown) => arg as string;
const textOrNone = (arg: unknown) => arg as string | null;
const texts = (arg: unknown) => arg as string[];

/** Each filter's options, as its DOCUMENTATION gives them, and what it makes of them (macaddr is hwaddr with its own name). */
export const NETWORK_FILTERS: Record<string, [options: string, run: (a: Args) => unknown]> = {
  nthhost: ['value:str query:str', (a) => nthhost(text(a.value), textOrNone(a.query))],
  ipsubnet: ['value:str query:str= index:int', (a) => ipsubnet(text(a.value), textOrNone(a.query), a.index)],
  ipmath: ['value:str amount:int', (a) => ipmath(text(a.value), a.amount)],
  next_nth_usable: ['value:str offset:int', (a) => nthUsable(text(a.value), a.offset, 1n)],
  previous_nth_usable: ['value:str offset:int', (a) => nthUsable(text(a.value), a.offset, -1n)],
  network_in_usable: ['value:str test:str', (a) => networkIn(text(a.value), textOrNone(a.test), true)],
  network_in_network: ['value:str test:str', (a) => networkIn(text(a.value), textOrNone(a.test), false)],
  reduce_on_network: ['value:list network:str', (a) => reduceOnNetwork(texts(a.value), textOrNone(a.network))],
  cidr_merge: ['value:list action:str=merge', (a) => cidrMerge(texts(a.value), textOrNone(a.action))],
  usable_range: ['ip:str', (a) => usableRange(text(a.ip))],
  ip4_hex: ['arg:str delimiter:str=', (a) => ip4Hex(text(a.arg), textOrNone(a.delimiter))],
  slaac: ['value:str query:str', (a) => slaac(text(a.value), textOrNone(a.query))],
  hwaddr: ['value:str query:str= alias:str=hwaddr', (a) => hwaddr(text(a.value), textOrNone(a.query), textOrNone(a.alias))],
  macaddr: ['value:str query:str=', (a) => hwaddr(text(a.value), textOrNone(a.query), 'macaddr')],
};
