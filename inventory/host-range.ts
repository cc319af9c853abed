// Host names with ranges (`node[01:12]`, `db-[a:d]`, `x[1:9:2]y[a:b]`) and `host:port`,
// expanded the way Ansible's inventory plugins do (parse_address + expand_hostname_range).

export class HostRangeError extends Error {}

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const IPV4_PART = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const IPV6_PART = String.raw`(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
// Python's \w is Unicode-aware; so is \p{L}\p{N} with the `u` flag.
const WORD = String.raw`[\p{L}\p{N}_]`;
const LABEL = String.raw`(?:${WORD}|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(String.raw`^(?:${IPV4_PART}\.){3}${IPV4_PART}$`, 'i');
const IPV6_ALTERNATIVES = [
  `(?:${IPV6_PART}:){7}${IPV6_PART}`,
  `(?:${IPV6_PART}:){1,6}:`,
  `(?:${IPV6_PART}:)(?::${IPV6_PART}){1,6}`,
  `(?:${IPV6_PART}:){2}(?::${IPV6_PART}){1,5}`,
  `(?:${IPV6_PART}:){3}(?::${IPV6_PART}){1,4}`,
  `(?:${IPV6_PART}:){4}(?::${IPV6_PART}){1,3}`,
  `(?:${IPV6_PART}:){5}(?::${IPV6_PART}){1,2}`,
  `(?:${IPV6_PART}:){6}(?::${IPV6_PART})`,
  `:(?::${IPV6_PART}){1,6}`,
  `${IPV6_PART}?::`,
  String.raw`(?:0:){6}(?:${IPV6_PART}\.){3}${IPV6_PART}`,
  String.raw`::(?:ffff:)?(?:${IPV6_PART}\.){3}${IPV6_PART}`,
  String.raw`(?:0:){5}ffff:(?:${IPV6_PART}\.){3}${IPV6_PART}`,
];
const IPV6 = new RegExp(`^(?:${IPV6_ALTERNATIVES.join('|')})$`, 'i');
/**
 * Ansible's own ipv6 pattern, as Python reads it: its `^...|...$` leaves `$` on the last
 * alternative only, so re.match() accepts any text that merely starts like an IPv6 address
 * (`:::`, `a:::b`). parse_address() uses this one, so host patterns split as Ansible's do.
 */
const IPV6_AS_ANSIBLE_MATCHES = new RegExp(`^(?:${IPV6_ALTERNATIVES.slice(0, -1).join('|')})|^(?:${IPV6_ALTERNATIVES.at(-1)!})$`, 'i');
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`, 'iu');

/** True for an IPv4 or IPv6 address (Ansible keeps those whole as inventory_hostname_short). */
export function isIpAddress(name: string): boolean {
  return IPV4.test(name) || IPV6.test(name);
}

/** Ansible's parse_address(address, allow_ranges=True): host and optional port, or null when not an address. */
export function parseAddress(address: string): { host: string; port: number | null } | null {
  if (address.length > MAX_HOST_ENTRY_LENGTH) return null;
  let port: number | null = null;
  let rest = address;
  // Ansible tries both forms in turn, the second on what the first left.
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(rest);
    if (m) {
      rest = m[1]!;
      port = parseInt(m[2], 10);
    }
  }
  if (IPV4.test(rest) || IPV6_AS_ANSIBLE_MATCHES.test(rest) || HOSTNAME.test(rest)) return { host: rest, port };
  return null;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Refuses to build inventories larger than this from one line (a typo like [0:99999999]). */
export const MAX_RANGE_HOSTS = 1_000_000;

/** expand_hostname_range: every name the first [...] in `name` stands for, recursively. */
export function expandHostnameRange(name: string, budget = { left: MAX_RANGE_HOSTS }): string[] {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open + 1);
  // Python splits on the first '[' and first ']' after replacing them; a missing ']' is an error.
  const firstClose = name.indexOf(']');
  if (close < 0 || firstClose < open) throw new HostRangeError(`host range is not closed: ${name}`);
  const head = name.slice(0, open);
  const nrange = name.slice(open + 1, close);
  const tail = name.slice(close + 1);
  if (tail.includes('|') || head.includes('|') || nrange.includes('|')) throw new HostRangeError(`invalid host range: ${name}`);
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError('host range must be begin:end or begin:end:step');
  let beg = bounds[0];
  const end = bounds[1];
  const stepText = bounds.length === 3 ? bounds[2] : '1';
  if (!beg) beg = '0';
  if (!end) throw new HostRangeError('host range must specify end value');
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    const width = beg.length;
    if (width !== end.length) throw new HostRangeError('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(width, '0');
  }
  const step = pythonInt(stepText);
  if (step === 0) throw new HostRangeError('host range step must not be zero');
  let seq: Array<string | number>;
  // Python's ascii_letters.index() finds substrings too, so `[ab:cd]` is a letter range.
  const iBeg = LETTERS.indexOf(beg);
  const iEnd = LETTERS.indexOf(end);
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new HostRangeError('host range must have begin <= end');
    seq = [];
    // A negative step over letters is an empty slice in Python.
    if (step > 0) for (let k = iBeg; k <= iEnd; k += step) seq.push(LETTERS[k]);
  } else {
    const b = pythonInt(beg);
    const e = pythonInt(end);
    // Python's range(b, e + 1, step); counted first so a typo cannot exhaust memory.
    const stop = e + 1;
    const count = step > 0 ? Math.max(0, Math.ceil((stop - b) / step)) : Math.max(0, Math.ceil((b - stop) / -step));
    if (count > budget.left) throw new HostRangeError(`host range expands to more than ${MAX_RANGE_HOSTS} hosts`);
    seq = [];
    for (let n = 0; n < count; n++) seq.push(b + n * step);
  }
  const out: string[] = [];
  for (const item of seq) {
    const expanded = expandHostnameRange(head + fill(item) + tail, budget);
    budget.left -= expanded.length;
    if (budget.left < 0) throw new HostRangeError(`host range expands to more than ${MAX_RANGE_HOSTS} hosts`);
    for (const h of expanded) out.push(h);
  }
  return out;
}

/** Python's int(text) for the digits a range may hold; anything else is an error as in Ansible. */
function pythonInt(text: string): number {
  const t = text.trim();
  if (!/^[+-]?[0-9](?:_?[0-9])*$/.test(t)) throw new HostRangeError(`invalid literal for int() with base 10: '${text}'`);
  return parseInt(t.replace(/_/g, ''), 10);
}

/**
 * Host entries longer than this are refused: a DNS name is at most 253 characters, and the
 * address patterns below would work through a 20 MB "name" character by character.
 */
export const MAX_HOST_ENTRY_LENGTH = 1024;

/** A host entry of an inventory (INI or YAML key): its host names and the port it gives them. */
export function expandHostPattern(pattern: string): { hosts: string[]; port: number | null } {
  if (pattern.length > MAX_HOST_ENTRY_LENGTH) {
    throw new HostRangeError(`host name of ${pattern.length} characters, longer than the ${MAX_HOST_ENTRY_LENGTH} hound accepts: ${pattern.slice(0, 40)}…`);
  }
  const parsed = parseAddress(pattern);
  const host = parsed ? parsed.host : pattern;
  const port = parsed ? parsed.port : null;
  const hosts = host.includes('[') ? expandHostnameRange(host) : [host];
  // Python's range() makes [3:1] empty and Ansible then adds no host without a word; an entry
  // that names no host is almost always a typo, so it is refused where it is written.
  if (hosts.length === 0) throw new HostRangeError(`host range ${host} gives no hosts (its begin is after its end); write it as [begin:end] with begin <= end`);
  return { hosts, port };
}
