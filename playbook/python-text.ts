// Python's and Jinja2's text functions that Ansible's filters are made of, computed as CPython
// 3.11 (Debian's, the one ansible-playbook runs) computes them: int() and float() of a string,
// urllib.parse.urlsplit, uuid.uuid5, os.path.splitext, itertools' permutations and
// combinations, and Jinja2's escape, striptags, title, truncate, urlencode and filesizeformat.
// Each is checked against ansible-core in test/unit/playbook/python-methods.test.ts.
import { createHash } from 'node:crypto';

/** Python's int(text, base): sign, `0x`/`0o`/`0b` where the base allows, `_` between digits, spaces around. undefined: ValueError. */
export function pythonIntOfText(text: string, base: number): number | undefined {
  const m = /^\s*([-+]?)(.*?)\s*$/su.exec(text)!;
  let digits = m[2];
  let radix = base;
  const prefix = /^0([xob])/i.exec(digits)?.[1].toLowerCase();
  const prefixBase = prefix === 'x' ? 16 : prefix === 'o' ? 8 : prefix === 'b' ? 2 : undefined;
  if (prefixBase !== undefined && (base === 0 || base === prefixBase)) {
    radix = prefixBase;
    digits = digits.slice(2).replace(/^_/, '');
  } else if (base === 0) {
    radix = 10;
    // Python refuses a decimal with a leading zero in base 0 ('010'), but not zeros alone.
    if (/^0+_?[1-9]/.test(digits.replace(/_/g, ''))) return undefined;
  }
  if (radix < 2 || radix > 36) return undefined;
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix);
  if (digits === '' || digits.startsWith('_') || digits.endsWith('_') || digits.includes('__')) return undefined;
  let value = 0;
  for (const c of digits.toLowerCase()) {
    if (c === '_') continue;
    const d = alphabet.indexOf(c);
    if (d < 0) return undefined;
    value = value * radix + d;
  }
  return m[1] === '-' ? -value : value;
}

/** Python's float(text): decimal or exponent notation, `_` between digits, inf and nan, spaces around. undefined: ValueError. */
export function pythonFloatOfText(text: string): number | undefined {
  const t = text.trim();
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(t);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  const digits = String.raw`\d(?:_?\d)*`;
  if (!new RegExp(String.raw`^[-+]?(?:${digits}(?:\.(?:${digits})?)?|\.${digits})(?:[eE][-+]?${digits})?$`).test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

/** The parts of urllib.parse.urlsplit that Ansible's urlsplit filter returns. */
export interface SplitUrl {
  fragment: string;
  hostname: string | null;
  netloc: string;
  password: string | null;
  path: string;
  port: number | null;
  query: string;
  scheme: string;
  username: string | null;
}

/** urllib.parse.urlsplit(url) and its properties; throws Python's ValueError text for a bad port or bracket. */
export function pythonUrlsplit(input: string): SplitUrl {
  // eslint-disable-next-line no-control-regex
  let url = input.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z]/.test(url) && /^[A-Za-z0-9+\-.]+$/.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith('//')) {
    const ends = ['/', '?', '#'].map((c) => url.indexOf(c, 2)).filter((i) => i >= 0);
    const end = ends.length > 0 ? Math.min(...ends) : url.length;
    netloc = url.slice(2, end);
    url = url.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) throw new Error('Invalid IPv6 URL');
  }
  const hash = url.indexOf('#');
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)];
  const question = url.indexOf('?');
  if (question >= 0) [url, query] = [url.slice(0, question), url.slice(question + 1)];
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : undefined;
  const hostinfo = netloc.slice(at + 1);
  let host: string;
  let port: string;
  const bracket = hostinfo.indexOf('[');
  if (bracket >= 0) {
    const bracketed = hostinfo.slice(bracket + 1);
    const close = bracketed.indexOf(']');
    host = close >= 0 ? bracketed.slice(0, close) : bracketed;
    const after = close >= 0 ? bracketed.slice(close + 1) : '';
    port = after.includes(':') ? after.slice(after.indexOf(':') + 1) : '';
  } else {
    const c = hostinfo.indexOf(':');
    host = c >= 0 ? hostinfo.slice(0, c) : hostinfo;
    port = c >= 0 ? hostinfo.slice(c + 1) : '';
  }
  let portNumber: number | null = null;
  if (port !== '') {
    if (!/^[0-9]+$/.test(port)) throw new Error(`Port could not be cast to integer value as '${port}'`);
    portNumber = Number(port);
    if (portNumber > 65535) throw new Error('Port out of range 0-65535');
  }
  const zone = host.indexOf('%');
  const hostname = host === '' ? null : zone >= 0 ? host.slice(0, zone).toLowerCase() + host.slice(zone) : host.toLowerCase();
  const passwordAt = userinfo?.indexOf(':') ?? -1;
  return {
    fragment,
    hostname,
    netloc,
    password: userinfo !== undefined && passwordAt >= 0 ? userinfo.slice(passwordAt + 1) : null,
    path: url,
    port: portNumber,
    query,
    scheme,
    username: userinfo === undefined ? null : passwordAt >= 0 ? userinfo.slice(0, passwordAt) : userinfo,
  };
}

/** uuid.uuid5(namespace, name), in uuid's lower-case text. undefined: the namespace is not a UUID. */
export function pythonUuid5(namespace: string, name: string): string | undefined {
  const hex = namespace
    .replace(/^urn:uuid:/i, '')
    .replace(/[{}-]/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  const digest = createHash('sha1')
    .update(Buffer.concat([Buffer.from(hex, 'hex'), Buffer.from(name, 'utf8')]))
    .digest()
    .subarray(0, 16);
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const h = digest.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** os.path.splitext (POSIX): the extension starts at the last dot of the last part, leading dots not counted. */
export function pythonSplitext(p: string): [string, string] {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > slash) {
    let first = slash + 1;
    while (first < dot && p[first] === '.') first++;
    if (first < dot) return [p.slice(0, dot), p.slice(dot)];
  }
  return [p, ''];
}

/** ntpath.splitdrive: a drive (`C:`) or a UNC share (`\\host\share`) and the rest. */
export function ntSplitdrive(p: string): [string, string] {
  if (p.length >= 2) {
    const normp = p.replaceAll('/', '\\');
    if (normp.startsWith('\\\\')) {
      const start = normp.slice(0, 8).toUpperCase() === '\\\\?\\UNC\\' ? 8 : 2;
      const index = normp.indexOf('\\', start);
      if (index === -1) return [p, ''];
      const index2 = normp.indexOf('\\', index + 1);
      if (index2 === -1) return [p, ''];
      return [p.slice(0, index2), p.slice(index2)];
    }
    if (normp[1] === ':') return [p.slice(0, 2), p.slice(2)];
  }
  return ['', p];
}

/** ntpath.split: the head (without its trailing separators, unless it is only those) and the last part. */
export function ntSplit(path: string): [string, string] {
  const [drive, rest] = ntSplitdrive(path);
  let i = rest.length;
  while (i > 0 && !'\\/'.includes(rest[i - 1])) i--;
  const head = rest.slice(0, i);
  const trimmed = head.replace(/[\\/]+$/, '');
  return [drive + (trimmed === '' ? head : trimmed), rest.slice(i)];
}

/** itertools.permutations(items, r), in its order. */
export function permutations<T>(items: readonly T[], r = items.length): T[][] {
  if (r > items.length || r < 0) return [];
  const out: T[][] = [];
  const pick = (prefix: number[]) => {
    if (prefix.length === r) {
      out.push(prefix.map((i) => items[i]));
      return;
    }
    for (let i = 0; i < items.length; i++) if (!prefix.includes(i)) pick([...prefix, i]);
  };
  pick([]);
  return out;
}

/** itertools.combinations(items, r), in its order. */
export function combinations<T>(items: readonly T[], r: number): T[][] {
  if (r > items.length || r < 0) return [];
  const out: T[][] = [];
  const pick = (start: number, prefix: T[]) => {
    if (prefix.length === r) {
      out.push(prefix);
      return;
    }
    for (let i = start; i < items.length; i++) pick(i + 1, [...prefix, items[i]]);
  };
  pick(0, []);
  return out;
}

/** The number of items permutations(n, r) and combinations(n, r) make, counted before they are built. */
export function countPermutations(n: number, r: number, combinationsOnly: boolean): number {
  if (r > n || r < 0) return 0;
  let count = 1;
  for (let i = 0; i < r; i++) count *= n - i;
  if (combinationsOnly) for (let i = 2; i <= r; i++) count /= i;
  return count;
}

/** Jinja2's escape (markupsafe): &, <, >, ' and " as entities. */
export function markupEscape(text: string): string {
  return text.replace(/[&<>'"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&#34;' })[c]!);
}

/** The entities html.unescape knows that templates meet; a name outside these is left as written. */
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae' };

/**
 * Jinja2's striptags (markupsafe's): comments and tags removed, whitespace runs made one space,
 * then entities decoded (numeric ones, and the named ones in NAMED_ENTITIES).
 */
export function stripTags(text: string): string {
  const stripped = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]*?>/g, '')
    .split(/\s+/u)
    .filter(Boolean)
    .join(' ');
  return stripped.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code = /^#[xX]/.test(entity) ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[entity] ?? whole;
  });
}

/** Jinja2's title: a capital after a run of spaces, `-`, or an opening bracket, the rest of each word lower case. */
export function jinjaTitle(text: string): string {
  return text
    .split(/([-\s({[<]+)/u)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('');
}

/** Jinja2's truncate(length, killwords, end, leeway): text within length + leeway is kept whole. */
export function jinjaTruncate(text: string, length: number, killwords: boolean, end: string, leeway: number): string {
  if (length < end.length) throw new Error(`expected length >= ${end.length}, got ${length}`);
  if (leeway < 0) throw new Error(`expected leeway >= 0, got ${leeway}`);
  if (text.length <= length + leeway) return text;
  const kept = text.slice(0, length - end.length);
  if (killwords) return kept + end;
  const space = kept.lastIndexOf(' ');
  return (space >= 0 ? kept.slice(0, space) : kept) + end;
}

/** urllib.parse.unquote_plus: `+` as a space, each run of %XX bytes decoded as UTF-8 (an invalid byte as U+FFFD). */
export function unquotePlus(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replaceAll('%', ''), 'hex');
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });
}

/** urllib.parse.quote of UTF-8 bytes: letters, digits and `_.-~` kept, and `/` unless forQuery (then a space is `+`). */
export function urlQuote(text: string, forQuery: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(c) || (!forQuery && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return forQuery ? out.replace(/%20/g, '+') : out;
}
