// Python's and Jinja2's text functions that Ansible's filters are made of, computed as CPython
// 3.11 (Debian's, the one ansible-playbook runs) computes them: int() and float() of a string,
// urllib.parse.urlsplit, uuid.uuid5, os.path.splitext, itertools' permutations and
// combinations, and Jinja2's escape, striptags, title, truncate, urlencode, filesizeformat,
// wordwrap (textwrap), urlize and pprint (pprint.pformat). Each is checked against ansible-core
// in test/unit/playbook/python-methods.test.ts.
import { createHash } from 'node:crypto';
import { isTuple } from '../base/python-repr.js';
import { isPlainObject, pythonOrder, pythonRepr } from './template-values.js';

/** Python's whitespace (str.isspace, str.split(), str.strip(), re's `\s`); not JavaScript's `\s` (which has U+FEFF, lacks U+001C-1F, U+0085). */
export const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's line boundaries (str.splitlines): control characters among them, by Python's definition. */
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

/** str.splitlines(keepends). */
export function pythonSplitlines(s: string, keepends: boolean): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of s.matchAll(LINE_BREAK)) {
    out.push(s.slice(from, keepends ? m.index + m[0].length : m.index));
    from = m.index + m[0].length;
  }
  if (from < s.length) out.push(s.slice(from));
  return out;
}

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

/** Python's `\w` (re, on text): a letter, a digit or number of any script, or `_`. */
export const PY_WORD = '\\p{L}\\p{N}_';
/** Python's `[^\d\W]`: `\w` but a decimal digit. */
const LETTER = '[\\p{L}\\p{Nl}\\p{No}_]';
const WRAP_SPACE = '[\\t\\n\\v\\f\\r ]';
const WORD_PUNCT = `[${PY_WORD}!"'&.,?]`;
/** textwrap.TextWrapper.wordsep_re: whitespace, an em-dash, or a word up to a hyphen that may break it. */
const WORDSEP = new RegExp(
  `(${WRAP_SPACE}+|(?<=${WORD_PUNCT})-{2,}(?=[${PY_WORD}])|[^\\t\\n\\v\\f\\r ]+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})|(?=${WRAP_SPACE}|$)|(?<=${WORD_PUNCT})(?=-{2,}[${PY_WORD}])))`,
  'u',
);
const WORDSEP_SIMPLE = new RegExp(`(${WRAP_SPACE}+)`, 'u');
const BLANK = new RegExp(`^[${PY_SPACE}]*$`, 'u');

/** What Python's textwrap raises: `kind` is the exception's name. */
export class PythonTextError extends Error {
  constructor(
    readonly kind: 'TypeError' | 'ValueError',
    message: string,
  ) {
    super(message);
  }
}

/**
 * textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False, break_long_words,
 * break_on_hyphens), as Jinja2's wordwrap calls it on each line: lengths in code points, as
 * Python's. textwrap splits words at hyphens only when break_on_hyphens `is True`
 * (`splitAtHyphens`), and breaks a long word after a hyphen when it is true at all
 * (`breakAfterHyphen`). A width that is not a whole number (`wholeWidth` false) fails where
 * textwrap slices with it, as Python does.
 */
export function textWrap(
  text: string,
  width: number,
  options: { wholeWidth: boolean; breakLongWords: boolean; splitAtHyphens: boolean; breakAfterHyphen: boolean },
): string[] {
  const { wholeWidth, breakLongWords, splitAtHyphens, breakAfterHyphen } = options;
  if (width <= 0) throw new PythonTextError('ValueError', `invalid width ${width} (must be > 0)`);
  const chunks = text.split(splitAtHyphens ? WORDSEP : WORDSEP_SIMPLE).filter((c) => c !== '');
  chunks.reverse();
  const size = (s: string) => Array.from(s).length;
  const blank = (s: string) => BLANK.test(s);
  const lines: string[] = [];
  while (chunks.length > 0) {
    const line: string[] = [];
    let length = 0;
    if (blank(chunks[chunks.length - 1]) && lines.length > 0) chunks.pop();
    while (chunks.length > 0 && length + size(chunks[chunks.length - 1]) <= width) {
      length += size(chunks[chunks.length - 1]);
      line.push(chunks.pop()!);
    }
    // The next chunk fits on no line: break it (after a hyphen when it can), or give it a line of its own.
    if (chunks.length > 0 && size(chunks[chunks.length - 1]) > width) {
      const spaceLeft = width < 1 ? 1 : width - length;
      if (breakLongWords) {
        if (!wholeWidth) throw new PythonTextError('TypeError', 'slice indices must be integers or None or have an __index__ method');
        const chunk = Array.from(chunks[chunks.length - 1]);
        let end = spaceLeft;
        if (breakAfterHyphen && chunk.length > spaceLeft) {
          const hyphen = chunk.slice(0, spaceLeft).lastIndexOf('-');
          if (hyphen > 0 && chunk.slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1;
        }
        line.push(chunk.slice(0, end).join(''));
        chunks[chunks.length - 1] = chunk.slice(end).join('');
      } else if (line.length === 0) line.push(chunks.pop()!);
    }
    if (line.length > 0 && blank(line[line.length - 1])) line.pop();
    if (line.length > 0) lines.push(line.join(''));
  }
  return lines;
}

const SPACE_RUN = new RegExp(`([${PY_SPACE}]+)`, 'u');
/** jinja2.utils._http_re: a URL with a scheme or `www.`, a bare domain under a common TLD, or an IP address with a scheme. */
const HTTP_URL = new RegExp(
  `^((https?://|www\\.)(([${PY_WORD}%-]+\\.)+)?([a-z]{2,63}|xn--[${PY_WORD}%]{2,59})|([${PY_WORD}%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)|(https?://)((\\p{Nd}{1,3}(\\.\\p{Nd}{1,3}){3})|(\\[([\\p{Nd}a-f]{0,4}:){2}([\\p{Nd}a-f]{0,4}:?){1,6}\\])))(?::\\p{Nd}{1,5})?(?:[/?#][^${PY_SPACE}]*)?$`,
  'iu',
);
const EMAIL_DOMAIN = new RegExp(`^[${PY_WORD}][${PY_WORD}.-]*$`, 'u');
const EMAIL_TLD = new RegExp(`\\.[${PY_WORD}]+$`, 'u');

/** jinja2.utils._email_re, `^\S+@\w[\w.-]*\.\w+$`, without its backtracking: only the last `@` can start the domain. */
function isEmail(text: string): boolean {
  const at = text.lastIndexOf('@');
  const domain = text.slice(at + 1);
  return at > 0 && !new RegExp(`[${PY_SPACE}]`, 'u').test(text) && EMAIL_DOMAIN.test(domain) && EMAIL_TLD.test(domain);
}

/** Jinja2's _uri_scheme_re: what urlize's extra_schemes may hold (`ftp://`, `tel:`). */
export function isUriSchemePrefix(scheme: string): boolean {
  return new RegExp(`^[${PY_WORD}.+-]{2,}:/{0,2}$`, 'u').test(scheme);
}

/**
 * jinja2.utils.urlize: the text escaped, and each word that is a URL or an email address made a
 * link. `trimUrl` shortens a link's text; `rel` and `target` are the attributes' values ('' for
 * none).
 */
export function jinjaUrlize(text: string, trimUrl: (url: string) => string, rel: string, target: string, extraSchemes: readonly string[]): string {
  const relAttr = rel ? ` rel="${markupEscape(rel)}"` : '';
  const targetAttr = target ? ` target="${markupEscape(target)}"` : '';
  const count = (s: string, part: string) => s.split(part).length - 1;
  return markupEscape(text)
    .split(SPACE_RUN)
    .map((word) => {
      let middle = word;
      const head = /^(?:[(<]|&lt;)+/.exec(middle)?.[0] ?? '';
      middle = middle.slice(head.length);
      let tail = '';
      if ([')', '>', '.', ',', '\n', '&gt;'].some((end) => middle.endsWith(end))) {
        const m = /(?:[)>.,\n]|&gt;)+$/.exec(middle);
        if (m) {
          tail = m[0];
          middle = middle.slice(0, m.index);
        }
      }
      // Brackets the URL opens take their closing ones back from the tail.
      for (const [open, close] of [
        ['(', ')'],
        ['<', '>'],
        ['&lt;', '&gt;'],
      ]) {
        const opened = count(middle, open);
        if (opened <= count(middle, close)) continue;
        for (let n = Math.min(opened, count(tail, close)); n > 0; n--) {
          const end = tail.indexOf(close) + close.length;
          middle += tail.slice(0, end);
          tail = tail.slice(end);
        }
      }
      if (HTTP_URL.test(middle)) {
        const href = middle.startsWith('https://') || middle.startsWith('http://') ? middle : `https://${middle}`;
        middle = `<a href="${href}"${relAttr}${targetAttr}>${trimUrl(middle)}</a>`;
      } else if (middle.startsWith('mailto:') && isEmail(middle.slice(7))) middle = `<a href="${middle}">${middle.slice(7)}</a>`;
      else if (middle.includes('@') && !middle.startsWith('www.') && !middle.includes(':') && isEmail(middle))
        middle = `<a href="mailto:${middle}">${middle}</a>`;
      else
        for (const scheme of extraSchemes)
          if (middle !== scheme && middle.startsWith(scheme)) middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
      return head + middle + tail;
    })
    .join('');
}

/**
 * pprint.pformat(value): Python's repr (dicts with their keys sorted) when it fits in 80
 * columns, else a list, tuple or dict one item a line and a long text in pieces, as
 * PrettyPrinter (indent 1, width 80) lays them out. `check` sees every value on the way down.
 */
export function pythonPformat(value: unknown, check: (value: unknown) => void): string {
  const width = 80;
  const size = (s: string) => Array.from(s).length;
  const entries = (dict: Record<string, unknown>) => Object.entries(dict).sort(([a], [b]) => pythonOrder(a, b));
  const repr = (v: unknown): string => {
    check(v);
    if (Array.isArray(v)) {
      const items = v.map(repr);
      if (!isTuple(v)) return `[${items.join(', ')}]`;
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    if (isPlainObject(v))
      return `{${entries(v)
        .map(([k, item]) => `${pythonRepr(k)}: ${repr(item)}`)
        .join(', ')}}`;
    return pythonRepr(v);
  };
  let out = '';
  const items = (list: unknown[], indent: number, allowance: number, level: number) => {
    indent += 1;
    list.forEach((item, i) => {
      if (i > 0) out += `,\n${' '.repeat(indent)}`;
      format(item, indent, i === list.length - 1 ? allowance : 1, level);
    });
  };
  const text = (s: string, indent: number, allowance: number, level: number) => {
    const lines = pythonSplitlines(s, true);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const chunks: string[] = [];
    let rep = '';
    lines.forEach((line, i) => {
      rep = pythonRepr(line);
      const room = width - indent - (i === lines.length - 1 ? allowance : 0);
      if (size(rep) <= room) return void chunks.push(rep);
      // Alternating runs of non-space and space, put together while they fit.
      const parts = line.match(new RegExp(`[^${PY_SPACE}]*[${PY_SPACE}]*`, 'gu'))!.slice(0, -1);
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        const fits = width - indent - (j === parts.length - 1 && i === lines.length - 1 ? allowance : 0);
        if (size(pythonRepr(candidate)) > fits) {
          if (current) chunks.push(pythonRepr(current));
          current = part;
        } else current = candidate;
      });
      if (current) chunks.push(pythonRepr(current));
    });
    // (pprint writes the last line's repr when there is one chunk, as here.)
    if (chunks.length === 1) return void (out += rep);
    const joined = chunks.join(`\n${' '.repeat(indent)}`);
    out += level === 1 ? `(${joined})` : joined;
  };
  const format = (v: unknown, indent: number, allowance: number, level: number): void => {
    const rep = repr(v);
    if (size(rep) <= width - indent - allowance) return void (out += rep);
    if (typeof v === 'string' && v !== '') return text(v, indent, allowance, level + 1);
    if (Array.isArray(v)) {
      const end = !isTuple(v) ? ']' : v.length === 1 ? ',)' : ')';
      out += isTuple(v) ? '(' : '[';
      items(v, indent, allowance + end.length, level + 1);
      return void (out += end);
    }
    if (isPlainObject(v)) {
      out += '{';
      const pairs = entries(v);
      pairs.forEach(([key, item], i) => {
        const keyRep = pythonRepr(key);
        if (i > 0) out += `,\n${' '.repeat(indent + 1)}`;
        out += `${keyRep}: `;
        format(item, indent + 1 + size(keyRep) + 2, i === pairs.length - 1 ? allowance + 1 : 1, level + 1);
      });
      return void (out += '}');
    }
    out += rep;
  };
  format(value, 0, 0, 0);
  return out;
}
