// The Jinja2/Ansible filters and tests playbook authors expect, implemented over plain
// data only (no filter hands a function or a JavaScript object back to a template).
import { versionTest } from './version-test.js';
import { pythonJsonDumps, pythonJsonLoads, type JsonDumpOptions } from '../base/python-json.js';
import { isPythonFloat, PythonFloat, pythonFloat } from '../base/python-float.js';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { search as jmespathSearch } from 'jmespath';
import { parseAllDocuments } from 'yaml';
import { pyyamlDump } from './python-yaml.js';
import { ipaddr, IpFilterError, ipwrap, pythonIpVersion } from './ip-filters.js';
import { argumentSpec, NETWORK_FILTERS } from './ip-network-filters.js';
import { findYamlLimitProblem, MAX_YAML_DEPTH } from '../base/yaml-limits.js';
import { pyyamlCustomTags } from '../inventory/pyyaml-scalars.js';
import { spendCharacters, spendSteps } from './template-budget.js';
import { createHash } from 'node:crypto';
import { isFile } from '../base/file-kind.js';
import { pythonGlob } from '../base/glob.js';
import { registerSecret, registerSecretText } from '../base/secrets.js';
import { encryptAes256 } from '../vault/aes256.js';
import { formatEnvelope, isVaultText } from '../vault/envelope.js';
import { VaultKeyring } from '../vault/keyring.js';
import { passwordHash, PasswordHashError } from './password-hash.js';
import { EXIT, HoundError } from '../base/errors.js';
import { UserRegex, UserRegexError, type UserRegexFlags } from '../base/user-regex.js';
import { shlexQuote } from '../base/shlex.js';
import { markTuple } from '../base/python-repr.js';
import { randomSource, randrange } from './python-random.js';
import { percentFormat } from './python-format.js';
import { pythonStrftime } from './python-time.js';
import { pythonStrptime, timeDeltaUnary } from './python-datetime.js';
import {
  checkPrintable,
  bindArguments,
  REQUIRED,
  isPlainObject,
  isPythonNumber,
  pythonCompare,
  pythonContains,
  pythonEqual,
  pythonError,
  pythonOrder,
  pythonRepr,
  pythonStr,
  pythonTruthy,
  refuseMethodValue,
  PythonObject,
  pythonTypeName,
  splitArguments,
  UndefinedValue,
  unknownNameError,
} from './template-values.js';
import { dictKey, iterableItems, pythonMethod } from './python-methods.js';
import {
  combinations,
  countPermutations,
  isUriSchemePrefix,
  jinjaTitle,
  jinjaTruncate,
  jinjaUrlize,
  markupEscape,
  ntSplit,
  ntSplitdrive,
  permutations,
  PY_WORD,
  pythonFloatOfText,
  pythonIntOfText,
  pythonPformat,
  pythonSplitext,
  pythonSplitlines,
  PythonTextError,
  pythonUrlsplit,
  pythonUuid5,
  stripTags,
  textWrap,
  unquotePlus,
  urlQuote,
} from './python-text.js';

export type TemplateFunction = (...args: unknown[]) => unknown;

function filterError(name: string, message: string): HoundError {
  return new HoundError('TEMPLATE_ERROR', `filter '${name}': ${message}`, EXIT.PARSE);
}

/** Vault data as Ansible's is_encrypted tells it: ASCII text that starts with the vault header. */
function isAsciiVaultText(text: string): boolean {
  return isVaultText(text) && !/[^\p{ASCII}]/u.test(text);
}

/** posixpath.expanduser: `~` is $HOME (else the user's home), `~name` that user's home from /etc/passwd; unknown, the path as it is. */
function expandUser(p: string): string {
  if (!p.startsWith('~')) return p;
  const slash = p.indexOf('/', 1);
  const end = slash < 0 ? p.length : slash;
  let home: string | undefined;
  if (end === 1) home = process.env.HOME ?? os.userInfo().homedir;
  else {
    const name = p.slice(1, end);
    const entry = existsSync('/etc/passwd')
      ? readFileSync('/etc/passwd', 'utf8')
          .split('\n')
          .map((line) => line.split(':'))
          .find((fields) => fields[0] === name && fields.length >= 7)
      : undefined;
    if (entry === undefined) return p;
    home = entry[5];
  }
  return home.replace(/\/+$/, '') + p.slice(end) || '/';
}

/** os.path.realpath: the absolute path with the symbolic links of its existing part resolved; the rest as written. */
function realPath(p: string): string {
  const absolute = path.resolve(p);
  const parts = absolute.split('/').filter((part) => part !== '');
  for (let n = parts.length; n >= 0; n--) {
    const existing = `/${parts.slice(0, n).join('/')}`;
    try {
      return path.join(realpathSync(existing), ...parts.slice(n));
    } catch {
      // Not there (or not readable): try the part before it.
    }
  }
  return absolute;
}

/** Each row a tuple, as Python's zip, itertools and dict.items() give them. */
function tuplesOf<T extends object>(rows: T[]): T[] {
  for (const row of rows) markTuple(row);
  return rows;
}

function asList(name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw filterError(name, `expected a list, got ${pythonRepr(value)}`);
}

function asString(value: unknown): string {
  return pythonStr(value);
}

/** Reads `a.b.0` style attributes as Jinja's `attribute=` arguments do. */
function attributeOf(item: unknown, attribute: string): unknown {
  let current: unknown = item;
  for (const part of attribute.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isPlainObject(current) && Object.hasOwn(current, part)) current = current[part];
    else return new UndefinedValue(`'${attribute}' of ${pythonRepr(item)}`);
  }
  return current;
}

/** A pattern from a template, on the linear-time engine (base/user-regex.ts); a bad one is a template error. */
export function userRegex(filter: string, pattern: unknown, flags: UserRegexFlags = {}): UserRegex {
  try {
    return UserRegex.compile(asString(pattern), flags);
  } catch (err) {
    if (err instanceof UserRegexError) throw filterError(filter, `${pythonRepr(pattern)}: ${err.message}`);
    throw err;
  }
}

/** Runs a regex operation, turning a bad replacement (unknown group) into a template error. */
function regexCall<T>(filter: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof UserRegexError) throw filterError(filter, err.message);
    throw err;
  }
}

/**
 * Membership by Python equality, in constant time for strings, numbers and the like (a Set)
 * and by comparison only among lists and dicts: `range(100000) | unique` stays linear.
 */
class ValueSet {
  private readonly primitives = new Set<unknown>();
  private readonly composites: unknown[] = [];
  has(item: unknown): boolean {
    const hashable = ValueSet.hashable(item);
    if (hashable !== undefined) return this.primitives.has(hashable.key);
    return this.composites.some((x) => pythonEqual(x, item));
  }
  add(item: unknown): void {
    const hashable = ValueSet.hashable(item);
    if (hashable !== undefined) this.primitives.add(hashable.key);
    else this.composites.push(item);
  }
  /** What a Set can hold for a value Python hashes: numbers by value, as Python's True == 1 == 1.0. */
  private static hashable(item: unknown): { key: unknown } | undefined {
    if (typeof item === 'boolean') return { key: Number(item) };
    if (item instanceof PythonFloat) return { key: item.value };
    return item === null || typeof item !== 'object' ? { key: item } : undefined;
  }
  static of(items: unknown[]): ValueSet {
    const set = new ValueSet();
    for (const item of items) set.add(item);
    return set;
  }
}

/** The first of each distinct item (by `key`: the item itself unless given). */
function uniqueList(items: unknown[], key: (item: unknown) => unknown = (item) => item): unknown[] {
  const out: unknown[] = [];
  const seen = new ValueSet();
  for (const item of items) {
    if (item instanceof UndefinedValue) item.fail();
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

/**
 * What Jinja2's sort, min, max, unique and groupby compare: the item or its `attribute`, a
 * string in lower case unless case_sensitive is true (Jinja2's ignore_case).
 */
function sortKey(attribute: unknown, caseSensitive: unknown): (item: unknown) => unknown {
  return (x: unknown) => {
    const v = typeof attribute === 'string' ? attributeOf(x, attribute) : x;
    return toBoolean(caseSensitive ?? false) || typeof v !== 'string' ? v : v.toLowerCase();
  };
}

/** A filter's count argument: Python would fail on anything but an int. */
function wholeNumber(filter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw filterError(filter, `TypeError: expected a whole number, not ${pythonRepr(value)}`);
  return value;
}

/**
 * Python's round(x, digits): the double nearest the decimal that the exact value of x rounds to,
 * a tie (exactly half, as 2.5 or 0.125 are) going to the even digit. toFixed(100) gives x's exact
 * decimal digits, where x * 10 ** digits would itself round (2.675 is 2.67499… and rounds down).
 */
function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (digits < 0) {
    const scale = 10 ** -digits;
    return halfEven(x / scale) * scale;
  }
  if (Math.abs(x) >= 1e21) return x; // no fraction left to round
  const [whole, fraction] = Math.abs(x).toFixed(100).split('.');
  const rest = fraction.slice(digits);
  let kept = BigInt(whole + fraction.slice(0, digits));
  const overHalf = rest[0] > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)));
  if (overHalf || (rest[0] === '5' && kept % 2n === 1n)) kept += 1n;
  const text = kept.toString().padStart(digits + 1, '0');
  const rounded = Number(digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`);
  return x < 0 ? -rounded : rounded;
}

/** The nearest integer to x, a half going to the even one (Python's round(x) on a double). */
function halfEven(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}

/** Text read as PyYAML's SafeLoader reads it: one document (None when there is none), or with `all` the list of them. */
function pyyamlLoad(filter: string, text: string, all: boolean): unknown {
  spendCharacters(text.length);
  const documents = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, customTags: pyyamlCustomTags, logLevel: 'silent' });
  const list = [...documents];
  if (!all && list.length > 1) throw filterError(filter, 'expected a single document in the stream, but found another document');
  const values = list.map((doc) => {
    const error = doc.errors[0];
    if (error) throw filterError(filter, `the text is not YAML: ${error.message.split('\n')[0]}`);
    const unknownTag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (unknownTag) throw filterError(filter, `could not determine a constructor for the tag (${unknownTag.message.split('\n')[0]})`);
    const limit = findYamlLimitProblem(doc);
    if (limit)
      throw filterError(
        filter,
        limit.kind === 'too-deep' ? `the YAML nests more than ${MAX_YAML_DEPTH} levels deep` : `the alias *${limit.anchor} refers to a node that contains it`,
      );
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  });
  if (all) return values;
  return values.length === 0 ? null : (values[0] ?? null);
}

function combineDicts(base: Record<string, unknown>, extra: Record<string, unknown>, recursive: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = out[key];
    out[key] = recursive && isPlainObject(existing) && isPlainObject(value) ? combineDicts(existing, value, true) : value;
  }
  return out;
}

function flattenList(items: unknown[], levels: number | undefined): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (Array.isArray(item) && (levels === undefined || levels > 0)) out.push(...flattenList(item, levels === undefined ? undefined : levels - 1));
    else if (item !== null) out.push(item);
  }
  return out;
}

/**
 * Jinja2's int(value, default, base): Python's int() of the value (of a string in `base`), else
 * int(float(value)) ('42.23' is 42, '1e3' 1000), else the default.
 */
function toInteger(value: unknown, fallback: unknown, base = 10): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof PythonFloat) value = value.value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return fallback;
    if (!Number.isFinite(value)) throw filterError('int', 'OverflowError: cannot convert float infinity to integer');
    return Math.trunc(value);
  }
  if (typeof value !== 'string') return fallback;
  const whole = pythonIntOfText(value, base);
  if (whole !== undefined) return whole;
  const real = pythonFloatOfText(value);
  return real === undefined ? fallback : toInteger(real, fallback);
}

/** Jinja2's float(value, default): Python's float() of a number, a boolean or a string, else the default. */
function toFloat(value: unknown, fallback: unknown): unknown {
  if (value instanceof PythonFloat) return value;
  if (typeof value === 'number') return pythonFloat(value);
  if (typeof value === 'boolean') return pythonFloat(value ? 1 : 0);
  if (typeof value === 'string') {
    const real = pythonFloatOfText(value);
    return real === undefined ? fallback : pythonFloat(real);
  }
  return fallback;
}

/** A number argument of a math filter, or its TypeError. */
function numberArgument(name: string, value: unknown): number {
  if (typeof value === 'number' || value instanceof PythonFloat) return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw filterError(name, `${name}() can only be used on numbers: must be real number, not ${pythonRepr(value)}`);
}

/** The first undefined value inside a list or dict (which a filter writing the whole value fails on, naming it). */
function firstUndefined(value: unknown): UndefinedValue | undefined {
  if (value instanceof UndefinedValue) return value;
  const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
  for (const item of items) {
    const found = firstUndefined(item);
    if (found) return found;
  }
  return undefined;
}

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || value instanceof PythonFloat) return Number(value) === 1;
  if (typeof value === 'string') return ['yes', 'on', '1', 'true', 't', 'y'].includes(value.trim().toLowerCase());
  return false;
}

/** Filters are looked up by name for `map('name')` too, hence a function that sees the table. */
export function buildFilters(applyTest: (name: string, value: unknown, args: unknown[]) => boolean): Record<string, TemplateFunction> {
  const filters: Record<string, TemplateFunction> = {};

  const defaultFilter = (value: unknown, fallback: unknown = '', whenFalsy: unknown = false): unknown => {
    if (value instanceof UndefinedValue) return fallback;
    if (whenFalsy === true && !pythonTruthy(value)) return fallback;
    return value;
  };
  filters.default = defaultFilter;
  filters.d = defaultFilter;
  filters.mandatory = (value: unknown, message?: unknown) => {
    if (value instanceof UndefinedValue) {
      if (typeof message === 'string') throw new HoundError('UNDEFINED_VARIABLE', message, EXIT.PARSE);
      value.fail();
    }
    return value;
  };
  // Jinja2's join(value, d='', attribute=None).
  filters.join = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const separator = positional[0] ?? keywords.d ?? '';
    const attribute = positional[1] ?? keywords.attribute;
    return asList('join', value)
      .map((item) => {
        const v = attribute === undefined || attribute === null ? item : attributeOf(item, asString(attribute));
        if (v instanceof UndefinedValue) v.fail();
        return asString(v);
      })
      .join(asString(separator));
  };
  filters.length = (value: unknown) => (isPlainObject(value) ? Object.keys(value).length : asList('length', value).length);
  filters.count = filters.length;
  filters.lower = (value: unknown) => asString(value).toLowerCase();
  filters.upper = (value: unknown) => asString(value).toUpperCase();
  filters.capitalize = (value: unknown) => {
    const s = asString(value);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  };
  // Jinja2's trim(value, chars=None): str.strip, of whitespace or of the characters given.
  filters.trim = (value: unknown, chars?: unknown) => pythonMethod(asString(value), 'strip')!(chars ?? null);
  filters.replace = (value: unknown, from: unknown, to: unknown, count?: unknown) => {
    const s = asString(value);
    const needle = asString(from);
    const limit = typeof count === 'number' ? count : Infinity;
    if (needle === '') return s;
    const parts = s.split(needle);
    if (parts.length - 1 <= limit) return parts.join(asString(to));
    return parts.slice(0, limit + 1).join(asString(to)) + needle + parts.slice(limit + 1).join(needle);
  };
  filters.regex_replace = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const [pattern = '', replacement = '', ignorecase = keywords.ignorecase, multiline = keywords.multiline, count = keywords.count] = positional;
    const re = userRegex('regex_replace', pattern, { ignoreCase: ignorecase === true, multiline: multiline === true });
    return regexCall('regex_replace', () => re.replace(asString(value), asString(replacement), typeof count === 'number' ? count : 0));
  };
  filters.regex_search = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const [pattern = ''] = positional;
    const match = userRegex('regex_search', pattern, { ignoreCase: keywords.ignorecase === true, multiline: keywords.multiline === true }).search(
      asString(value),
    );
    if (!match) return null;
    const groups = positional.slice(1).map(asString);
    if (groups.length === 0) return match.groups[0];
    return groups.map((g) => (g.startsWith('\\g<') ? match.named[g.slice(3, -1)] : match.groups[Number(g.replace(/^\\/, ''))]) ?? null);
  };
  filters.regex_findall = (value: unknown, pattern: unknown, ...rest: unknown[]) => {
    const { keywords } = splitArguments(rest);
    const re = userRegex('regex_findall', pattern, { ignoreCase: keywords.ignorecase === true, multiline: keywords.multiline === true });
    return re.all(asString(value)).map((m) => (m.groups.length > 2 ? m.groups.slice(1) : m.groups.length === 2 ? m.groups[1] : m.groups[0]) ?? '');
  };
  filters.split = (value: unknown, separator?: unknown) =>
    separator === undefined ? asString(value).trim().split(/\s+/).filter(Boolean) : asString(value).split(asString(separator));
  filters.first = (value: unknown) => asList('first', value)[0] ?? new UndefinedValue('first item of an empty list');
  filters.last = (value: unknown) => {
    const list = asList('last', value);
    return list.length > 0 ? list[list.length - 1] : new UndefinedValue('last item of an empty list');
  };
  filters.list = (value: unknown) => [...asList('list', value)];
  // Ansible's unique is Jinja2's: strings compared ignoring case unless case_sensitive=true, attribute=.
  filters.unique = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    return uniqueList(asList('unique', value), sortKey(positional[1] ?? keywords.attribute, positional[0] ?? keywords.case_sensitive));
  };
  filters.union = (value: unknown, other: unknown) => uniqueList([...asList('union', value), ...asList('union', other)]);
  filters.intersect = (value: unknown, other: unknown) => {
    const others = ValueSet.of(asList('intersect', other));
    return uniqueList(asList('intersect', value).filter((x) => others.has(x)));
  };
  filters.difference = (value: unknown, other: unknown) => {
    const others = ValueSet.of(asList('difference', other));
    return uniqueList(asList('difference', value).filter((x) => !others.has(x)));
  };
  filters.symmetric_difference = (value: unknown, other: unknown) => [
    ...(filters.difference(value, other) as unknown[]),
    ...(filters.difference(other, value) as unknown[]),
  ];
  filters.flatten = (value: unknown, levels?: unknown) => flattenList(asList('flatten', value), typeof levels === 'number' ? levels : undefined);
  filters.sort = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const reverse = toBoolean(positional[0] ?? keywords.reverse ?? false);
    const attribute = positional[2] ?? keywords.attribute;
    const caseSensitive = positional[1] ?? keywords.case_sensitive;
    // Jinja2 sorts on several attributes when they are written `attribute='a,b'`, in that order.
    const keys = (typeof attribute === 'string' ? attribute.split(',') : [attribute]).map((a) => sortKey(a, caseSensitive));
    const compare = (a: unknown, b: unknown) => {
      for (const key of keys) {
        const order = pythonOrder(key(a), key(b));
        if (order !== 0) return order;
      }
      return 0;
    };
    // Python's sorted(reverse=True) keeps equal items in their order, as a stable sort on the reversed comparison does.
    return [...asList('sort', value)].sort((a, b) => (reverse ? -1 : 1) * compare(a, b));
  };
  // Jinja2's dictsort(value, case_sensitive=False, by='key', reverse=False): the (key, value) pairs, sorted.
  filters.dictsort = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    if (!isPlainObject(value)) throw filterError('dictsort', `expected a dict, got ${pythonRepr(value)}`);
    const by = positional[1] ?? keywords.by ?? 'key';
    if (by !== 'key' && by !== 'value') throw filterError('dictsort', 'You can only sort by either "key" or "value"');
    const reverse = toBoolean(positional[2] ?? keywords.reverse ?? false);
    const key = sortKey(undefined, positional[0] ?? keywords.case_sensitive);
    const at = by === 'key' ? 0 : 1;
    return tuplesOf(Object.entries(value).sort((a, b) => (reverse ? -1 : 1) * pythonOrder(key(a[at]), key(b[at]))));
  };
  filters.reverse = (value: unknown) => (typeof value === 'string' ? [...value].reverse().join('') : [...asList('reverse', value)].reverse());
  const extreme =
    (name: 'min' | 'max') =>
    (value: unknown, ...rest: unknown[]) => {
      const { positional, keywords } = splitArguments(rest);
      const attribute = positional[1] ?? keywords.attribute;
      const key = sortKey(attribute, positional[0] ?? keywords.case_sensitive);
      // Python's min/max: the first of equal items.
      const items = asList(name, value);
      let best: unknown = undefined;
      for (const item of items)
        if (best === undefined || (name === 'min' ? pythonOrder(key(item), key(best)) < 0 : pythonOrder(key(item), key(best)) > 0)) best = item;
      return best === undefined ? new UndefinedValue(`${name} of an empty sequence`) : best;
    };
  filters.min = extreme('min');
  filters.max = extreme('max');
  // Jinja2's sum(iterable, attribute=None, start=0): Python's + over the items (numbers add, lists join).
  filters.sum = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const attribute = positional[0] ?? keywords.attribute;
    let total: unknown = positional[1] ?? keywords.start ?? 0;
    for (const item of asList('sum', value)) {
      const v = typeof attribute === 'string' ? attributeOf(item, attribute) : item;
      if (v instanceof UndefinedValue) v.fail();
      if (Array.isArray(total) && Array.isArray(v)) total = [...(total as unknown[]), ...(v as unknown[])];
      else if (isPythonNumber(total) && isPythonNumber(v))
        total = isPythonFloat(total) || isPythonFloat(v) ? pythonFloat(Number(total) + Number(v)) : Number(total) + Number(v);
      else throw filterError('sum', `unsupported operand type(s) for +: ${pythonRepr(total)} and ${pythonRepr(v)}`);
    }
    return total;
  };
  filters.groupby = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const attribute = asString(positional[0] ?? keywords.attribute);
    const fallback = positional[1] ?? keywords.default;
    const exact = (x: unknown) => {
      const v = attributeOf(x, attribute);
      return v instanceof UndefinedValue && fallback !== undefined ? fallback : v;
    };
    const caseSensitive = toBoolean(positional[2] ?? keywords.case_sensitive ?? false);
    const key = (x: unknown) => {
      const v = exact(x);
      if (v instanceof UndefinedValue) v.fail();
      return caseSensitive || typeof v !== 'string' ? v : v.toLowerCase();
    };
    const sorted = [...asList('groupby', value)].sort((a, b) => pythonOrder(key(a), key(b)));
    const groups: Array<[unknown, unknown[]]> = [];
    for (const item of sorted) {
      const last = groups.at(-1);
      if (last !== undefined && pythonEqual(key(last[1][0]), key(item))) last[1].push(item);
      else groups.push([exact(item), [item]]);
    }
    // Jinja2's _GroupTuple(grouper, list): a tuple as repr() prints it.
    return tuplesOf(groups);
  };
  // Jinja2's format: `'%s-%s' | format(a, b)`, Python's % (python-format.ts).
  filters.format = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    if (positional.length > 0 && Object.keys(keywords).length > 0)
      throw filterError('format', "can't handle positional and keyword arguments at the same time");
    return percentFormat(asString(value), Object.keys(keywords).length > 0 ? keywords : positional);
  };
  // Jinja2's items: a dict's (key, value) pairs.
  filters.items = (value: unknown) => {
    if (value instanceof UndefinedValue) return [];
    if (!isPlainObject(value)) throw filterError('items', `can only get item pairs from a mapping, not ${pythonRepr(value)}`);
    return tuplesOf(Object.entries(value));
  };
  filters.int = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const base = positional[1] ?? keywords.base ?? 10;
    if (typeof base !== 'number' || !Number.isInteger(base)) throw filterError('int', `base must be an integer, not ${pythonRepr(base)}`);
    if (typeof value === 'string' && base !== 0 && (base < 2 || base > 36)) throw filterError('int', 'ValueError: int() base must be >= 2 and <= 36, or 0');
    return toInteger(value, positional[0] ?? keywords.default ?? 0, base);
  };
  filters.float = (value: unknown, fallback: unknown = new PythonFloat(0)) => toFloat(value, fallback);
  // Ansible's math filters: pow, log (natural unless a base is given) and root (square unless a base is given).
  // They are Python's math functions, which give floats: `8 | root(3)` is 2.0.
  filters.pow = (value: unknown, exponent: unknown) => pythonFloat(Math.pow(numberArgument('pow', value), numberArgument('pow', exponent)));
  filters.log = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const base = positional[0] ?? keywords.base;
    const x = numberArgument('log', value);
    if (x <= 0) throw filterError('log', 'ValueError: math domain error');
    if (base === undefined) return pythonFloat(Math.log(x));
    const b = numberArgument('log', base);
    return pythonFloat(b === 10 ? Math.log10(x) : Math.log(x) / Math.log(b));
  };
  filters.root = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const base = positional[0] ?? keywords.base ?? 2;
    const x = numberArgument('root', value);
    const b = numberArgument('root', base);
    if (b === 2) {
      if (x < 0) throw filterError('root', 'root() can only be used on numbers: math domain error');
      return pythonFloat(Math.sqrt(x));
    }
    return pythonFloat(Math.pow(x, 1 / b));
  };
  filters.abs = (value: unknown) => timeDeltaUnary('abs', value) ?? (isPythonFloat(value) ? pythonFloat(Math.abs(Number(value))) : Math.abs(Number(value)));
  // Jinja2's batch and slice, whose fill_with may be any value but None (nunjucks' dropped a falsy one: 0, '').
  filters.batch = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    // As Python compares it: a size that is not a number never equals a batch's length, so nothing splits.
    const size = positional[0] ?? keywords.linecount;
    const fill = positional[1] ?? keywords.fill_with ?? null;
    if (fill !== null && typeof size !== 'number') wholeNumber('batch', size);
    const out: unknown[][] = [];
    let batch: unknown[] = [];
    for (const item of asList('batch', value)) {
      if (batch.length === size) {
        out.push(batch);
        batch = [];
      }
      batch.push(item);
    }
    if (batch.length > 0) {
      while (fill !== null && batch.length < Number(size)) batch.push(fill);
      out.push(batch);
    }
    return out;
  };
  filters.slice = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const slices = wholeNumber('slice', positional[0] ?? keywords.slices);
    const fill = positional[1] ?? keywords.fill_with ?? null;
    const items = asList('slice', value);
    if (slices <= 0) throw filterError('slice', 'ZeroDivisionError: the number of slices must be positive');
    const perSlice = Math.floor(items.length / slices);
    const withExtra = items.length % slices;
    const out: unknown[][] = [];
    let offset = 0;
    for (let n = 0; n < slices; n++) {
      const start = offset + n * perSlice;
      if (n < withExtra) offset += 1;
      const part = items.slice(start, offset + (n + 1) * perSlice);
      if (fill !== null && n >= withExtra) part.push(fill);
      out.push(part);
    }
    return out;
  };
  // Jinja2's round: Python's round() for 'common', so a half goes to the even neighbour (2.5 is 2,
  // 3.5 is 4; nunjucks' rounded halves up), and math.ceil/floor of value × 10^precision otherwise.
  filters.round = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const precision = positional[0] ?? keywords.precision ?? 0;
    const method = positional[1] ?? keywords.method ?? 'common';
    if (method !== 'common' && method !== 'ceil' && method !== 'floor') throw filterError('round', 'method must be common, ceil or floor');
    if (value instanceof UndefinedValue) value.fail();
    if (!isPythonNumber(value)) throw filterError('round', `TypeError: type ${pythonTypeName(value)} doesn't define __round__ method`);
    if (typeof precision !== 'number' || !Number.isInteger(precision))
      throw filterError('round', `TypeError: the precision must be an integer, not ${pythonRepr(precision)}`);
    const x = Number(value);
    // Python's round(x, n) keeps x's kind: round(2.7) here is 3.0, round(3) is 3. ceil and floor divide, so a float.
    if (method === 'common') return isPythonFloat(value) ? pythonFloat(pythonRound(x, precision)) : pythonRound(x, precision);
    const scale = 10 ** precision;
    return pythonFloat((method === 'ceil' ? Math.ceil(x * scale) : Math.floor(x * scale)) / scale);
  };
  // Ansible's `random`: an integer end gives randrange(start, end, step), a list (or string) one of its items.
  filters.random = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const [start = keywords.start, step = keywords.step, seed = keywords.seed] = positional;
    const source = randomSource(seed);
    if (typeof value === 'number' && Number.isInteger(value)) {
      try {
        return randrange(source, typeof start === 'number' && start ? start : 0, value, typeof step === 'number' && step ? step : 1);
      } catch (err) {
        throw filterError('random', (err as Error).message);
      }
    }
    if (Array.isArray(value) || typeof value === 'string') {
      if (start || step) throw filterError('random', 'start and step can only be used with integer values');
      const items = asList('random', value);
      if (items.length === 0) throw filterError('random', 'Cannot choose from an empty sequence');
      return items[source.below(items.length)];
    }
    throw filterError('random', 'random can only be used on sequences and integers');
  };
  filters.bool = (value: unknown) => toBoolean(value);
  filters.string = (value: unknown) => asString(value);
  // Python's json.dumps, as Ansible's filters call it (python-json.ts).
  const jsonOptions = (rest: unknown[], nice: boolean): JsonDumpOptions => {
    const { keywords } = splitArguments(rest);
    const indent = keywords.indent ?? (nice ? 4 : undefined);
    return {
      indent: indent === undefined || indent === null ? undefined : Number(indent),
      sortKeys: toBoolean(keywords.sort_keys ?? nice),
      ensureAscii: toBoolean(keywords.ensure_ascii ?? true),
      check: checkPrintable,
    };
  };
  filters.to_json = (value: unknown, ...rest: unknown[]) => pythonJsonDumps(value, jsonOptions(rest, false));
  filters.to_nice_json = (value: unknown, ...rest: unknown[]) => pythonJsonDumps(value, jsonOptions(rest, true));
  filters.from_json = (value: unknown) => {
    try {
      return pythonJsonLoads(asString(value));
    } catch (err) {
      throw filterError('from_json', (err as Error).message);
    }
  };
  // PyYAML's SafeLoader, as Ansible's from_yaml and from_yaml_all call it: YAML 1.1's implicit
  // types as PyYAML resolves them (inventory/pyyaml-scalars.ts); anything but text is returned as it is.
  filters.from_yaml = (value: unknown) => (typeof value === 'string' ? pyyamlLoad('from_yaml', value, false) : value);
  // A list of the documents (Ansible's is a generator, which `| list` makes the same list).
  filters.from_yaml_all = (value: unknown) => (typeof value === 'string' ? pyyamlLoad('from_yaml_all', value, true) : value);
  // PyYAML's yaml.dump as Ansible's filters call it (python-yaml.ts): to_yaml with flow style for
  // collections of scalars, to_nice_yaml all in block style and indented by 4 unless told.
  const yamlDump = (name: 'to_yaml' | 'to_nice_yaml', value: unknown, rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const known = name === 'to_yaml' ? ['indent', 'width', 'sort_keys', 'default_flow_style'] : ['indent', 'width', 'sort_keys'];
    for (const option of Object.keys(keywords))
      if (!known.includes(option))
        throw new HoundError(
          'TEMPLATE_UNSUPPORTED',
          `filter '${name}': the option ${option}= is not supported (${known.map((k) => `${k}=`).join(', ')})`,
          EXIT.PARSE,
        );
    if (positional.length > (name === 'to_nice_yaml' ? 1 : 0)) throw filterError(name, 'takes its options as keywords (indent=2, width=1337)');
    const number = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));
    const flow = keywords.default_flow_style;
    try {
      return pyyamlDump(value, {
        indent: number(name === 'to_nice_yaml' ? (positional[0] ?? keywords.indent ?? 4) : keywords.indent),
        width: number(keywords.width),
        sortKeys: toBoolean(keywords.sort_keys ?? true),
        defaultFlowStyle: name === 'to_nice_yaml' ? false : flow === undefined || flow === null ? null : toBoolean(flow),
      });
    } catch (err) {
      if (err instanceof HoundError) throw err;
      firstUndefined(value)?.fail();
      throw filterError(name, (err as Error).message);
    }
  };
  filters.to_yaml = (value: unknown, ...rest: unknown[]) => yamlDump('to_yaml', value, rest);
  filters.to_nice_yaml = (value: unknown, ...rest: unknown[]) => yamlDump('to_nice_yaml', value, rest);
  // Jinja2's indent: every line but the first (with first=true that one too), blank lines left
  // blank unless blank=true; a string width is the indentation itself.
  filters.indent = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const [width = keywords.width ?? 4, first = keywords.first ?? false, blank = keywords.blank ?? false] = positional;
    const text = asString(value);
    const lines = `${text}\n`.split(/\r\n|\n|\r/);
    lines.pop(); // Python's splitlines() has no empty last item
    // Counted before anything is built: indent(10**9) must not allocate first.
    const size = typeof width === 'string' ? width.length : Math.max(0, Math.trunc(Number(width)) || 0);
    spendCharacters(text.length + size * (lines.length + 1));
    const indention = typeof width === 'string' ? width : ' '.repeat(size);
    let out = toBoolean(blank)
      ? lines.join(`\n${indention}`)
      : [lines[0] ?? '', ...lines.slice(1).map((line) => (line === '' ? line : indention + line))].join('\n');
    if (toBoolean(first)) out = indention + out;
    return out;
  };
  filters.dict2items = (value: unknown, ...rest: unknown[]) => {
    if (!isPlainObject(value)) throw filterError('dict2items', `expected a dict, got ${pythonRepr(value)}`);
    const { keywords } = splitArguments(rest);
    const keyName = asString(keywords.key_name ?? 'key');
    const valueName = asString(keywords.value_name ?? 'value');
    return Object.entries(value).map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
  };
  filters.items2dict = (value: unknown, ...rest: unknown[]) => {
    const { keywords } = splitArguments(rest);
    const keyName = asString(keywords.key_name ?? 'key');
    const valueName = asString(keywords.value_name ?? 'value');
    const out: Record<string, unknown> = {};
    for (const item of asList('items2dict', value)) {
      if (!isPlainObject(item)) throw filterError('items2dict', `expected dicts with '${keyName}' and '${valueName}'`);
      out[asString(item[keyName])] = item[valueName];
    }
    return out;
  };
  filters.combine = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    let out = isPlainObject(value) ? value : {};
    for (const other of positional.flat()) {
      if (!isPlainObject(other)) throw filterError('combine', `expected dicts, got ${pythonRepr(other)}`);
      out = combineDicts(out, other, keywords.recursive === true);
    }
    return out;
  };
  filters.basename = (value: unknown) => path.posix.basename(asString(value));
  filters.dirname = (value: unknown) => path.posix.dirname(asString(value));
  filters.quote = (value: unknown) => shlexQuote(value === undefined || value === null ? '' : asString(value));
  // Ansible's b64encode/b64decode (UTF-8 text, as by default), hash and checksum (hashlib's hex digest).
  filters.b64encode = (value: unknown) => Buffer.from(asString(value), 'utf8').toString('base64');
  filters.b64decode = (value: unknown) => {
    const text = asString(value).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
      throw filterError('b64decode', 'Incorrect padding or characters outside the base64 alphabet');
    const bytes = Buffer.from(text, 'base64');
    const decoded = new TextDecoder('utf-8', { fatal: true });
    try {
      return decoded.decode(bytes);
    } catch {
      throw filterError('b64decode', 'the decoded bytes are not UTF-8 text');
    }
  };
  const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
  filters.hash = (value: unknown, algorithm: unknown = 'sha1') => {
    const name = asString(algorithm);
    if (!HASHES.has(name)) throw filterError('hash', `unsupported hash type ${name} (md5, sha1, sha224, sha256, sha384, sha512)`);
    return createHash(name).update(asString(value), 'utf8').digest('hex');
  };
  filters.checksum = (value: unknown) => filters.hash(value, 'sha1');
  // Ansible's password_hash, as ansible-core runs it without passlib (password-hash.ts); the password is a secret from now on.
  filters.password_hash = (value: unknown, ...rest: unknown[]) => {
    const {
      hashtype,
      salt,
      salt_size: saltSize,
      rounds,
      ident,
    } = bindArguments('get_encrypted_password', rest, { hashtype: 'sha512', salt: null, salt_size: null, rounds: null, ident: null });
    for (const v of [value, hashtype, salt, saltSize, rounds, ident]) if (v instanceof UndefinedValue) v.fail();
    if (typeof value === 'string') registerSecret(value);
    try {
      return passwordHash(value, { hashtype, salt, saltSize, rounds, ident, onRounds: (n) => spendSteps(n / 1024, 'password_hash rounds') });
    } catch (err) {
      if (!(err instanceof PasswordHashError)) throw err;
      throw new HoundError('TEMPLATE_ERROR', `filter 'password_hash': ${err.message}`, EXIT.PARSE, { hint: err.hint });
    }
  };
  // Ansible's vault and unvault (plugins/filter/encryption.py), with vault/'s cipher and envelope:
  // the secret, what is vaulted and what is unvaulted are secrets from now on, as !vault values are.
  filters.vault = (value: unknown, ...rest: unknown[]) => {
    const { secret, salt, vaultid } = bindArguments('do_vault', rest, { secret: REQUIRED, salt: null, vaultid: 'filter_default', wrap_object: false });
    if (typeof secret !== 'string' && !(secret instanceof UndefinedValue))
      throw filterError('vault', `Secret passed is required to be a string, instead we got: <class '${pythonTypeName(secret)}'>`);
    if (typeof value !== 'string' && !(value instanceof UndefinedValue))
      throw filterError('vault', `Can only vault strings, instead we got: <class '${pythonTypeName(value)}'>`);
    if (secret instanceof UndefinedValue) secret.fail();
    if (value instanceof UndefinedValue) value.fail();
    registerSecret(secret as string);
    registerSecretText(value as string);
    if (isAsciiVaultText(value as string)) throw filterError('vault', 'Unable to encrypt: input is already encrypted');
    if (salt instanceof UndefinedValue) salt.fail();
    if (salt !== null && !pythonTruthy(salt)) throw filterError('vault', 'Unable to encrypt: Empty or invalid salt passed to encrypt()');
    const saltBytes = salt === null ? undefined : Buffer.from(asString(salt), 'utf8');
    const body = encryptAes256(Buffer.from(value as string, 'utf8'), Buffer.from(secret as string, 'utf8'), saltBytes);
    // wrap_object: Ansible's AnsibleVaultEncryptedUnicode renders as this same text.
    return formatEnvelope(body, pythonTruthy(vaultid) ? asString(vaultid) : undefined);
  };
  filters.unvault = (value: unknown, ...rest: unknown[]) => {
    const { secret, vaultid } = bindArguments('do_unvault', rest, { secret: REQUIRED, vaultid: 'filter_default' });
    if (typeof secret !== 'string' && !(secret instanceof UndefinedValue))
      throw filterError('unvault', `Secret passed is required to be as string, instead we got: <class '${pythonTypeName(secret)}'>`);
    if (typeof value !== 'string' && !(value instanceof UndefinedValue))
      throw filterError('unvault', `Vault should be in the form of a string, instead we got: <class '${pythonTypeName(value)}'>`);
    if (secret instanceof UndefinedValue) secret.fail();
    if (value instanceof UndefinedValue) value.fail();
    registerSecret(secret as string);
    // Text that is not vault data (Ansible's is_encrypted: ASCII, with the header) comes back as it is.
    if (!isAsciiVaultText(value as string)) return value;
    const keyring = new VaultKeyring([{ id: asString(vaultid), password: Buffer.from(secret as string, 'utf8'), source: "the unvault filter's secret" }]);
    let plaintext: string;
    try {
      plaintext = keyring.decrypt(value as string, 'the vault text').toString('utf8');
    } catch (err) {
      if (!(err instanceof HoundError)) throw err;
      const why = err.code === 'VAULT_DECRYPT_FAILED' ? 'Decryption failed (no vault secrets were found that could decrypt)' : err.message;
      throw filterError('unvault', `Unable to decrypt: ${why}`);
    }
    registerSecretText(plaintext);
    return plaintext;
  };
  // Ansible's fileglob filter: glob.glob on the controller (relative to the folder hound runs in), the files only.
  filters.fileglob = (value: unknown) => {
    if (value instanceof UndefinedValue) value.fail();
    if (typeof value !== 'string') throw filterError('fileglob', `expected str, bytes or os.PathLike object, not ${pythonTypeName(value)}`);
    return pythonGlob(value).filter((file) => isFile(file));
  };
  // Python's re.escape (3.7 and later: only the characters special in a pattern).
  filters.regex_escape = (value: unknown, reType: unknown = 'python') => {
    if (reType !== 'python') throw filterError('regex_escape', `re_type ${pythonRepr(reType)} is not supported (only 'python')`);
    return asString(value).replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
  };
  // Ansible's zip and zip_longest (Python's, of tuples), and product (itertools.product).
  filters.zip = (value: unknown, ...others: unknown[]) => {
    const lists = [asList('zip', value), ...others.map((o) => asList('zip', o))];
    const length = Math.min(...lists.map((l) => l.length));
    return tuplesOf(Array.from({ length }, (_, i) => lists.map((l) => l[i])));
  };
  filters.zip_longest = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const lists = [asList('zip_longest', value), ...positional.map((o) => asList('zip_longest', o))];
    const length = Math.max(...lists.map((l) => l.length));
    const fill = keywords.fillvalue ?? null;
    return tuplesOf(Array.from({ length }, (_, i) => lists.map((l) => (i < l.length ? l[i] : fill))));
  };
  filters.product = (value: unknown, ...others: unknown[]) => {
    const lists = [asList('product', value), ...others.map((o) => asList('product', o))];
    spendSteps(
      lists.reduce((n, l) => n * l.length, 1),
      'product',
    );
    return tuplesOf(lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]));
  };
  filters.extract = (key: unknown, container: unknown, more?: unknown) => {
    let value =
      Array.isArray(container) || isPlainObject(container)
        ? attributeOf(container, pythonStr(key))
        : new UndefinedValue(`${pythonRepr(key)} of ${pythonRepr(container)}`);
    for (const next of more === undefined ? [] : Array.isArray(more) ? more : [more]) {
      if (value instanceof UndefinedValue) break;
      value = attributeOf(value, pythonStr(next));
    }
    return value;
  };
  // Ansible's ternary(value, true_val, false_val, none_val=None).
  filters.ternary = (value: unknown, whenTrue: unknown, whenFalse: unknown, whenNone: unknown = null) =>
    value === null && whenNone !== null ? whenNone : pythonTruthy(value) ? whenTrue : whenFalse;
  // Jinja2's text filters, as Jinja2 computes them (python-text.ts). escape gives plain text: a
  // template's output is never HTML-escaped again here (autoescape is off, as in Ansible).
  filters.escape = (value: unknown) => markupEscape(asString(value));
  filters.e = filters.escape;
  filters.forceescape = filters.escape;
  filters.striptags = (value: unknown) => stripTags(asString(value));
  filters.title = (value: unknown) => jinjaTitle(asString(value));
  filters.truncate = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const [length = keywords.length ?? 255, killwords = keywords.killwords ?? false, end = keywords.end ?? '...', leeway = keywords.leeway ?? 5] = positional;
    try {
      return jinjaTruncate(asString(value), Number(length), toBoolean(killwords), asString(end), Number(leeway));
    } catch (err) {
      throw filterError('truncate', `AssertionError: ${(err as Error).message}`);
    }
  };
  // Jinja2's center, wordwrap, wordcount, urlize, pprint and safe, with Python's arguments (bindArguments).
  filters.center = (value: unknown, ...rest: unknown[]) => {
    const { width } = bindArguments('do_center', rest, { width: 80 });
    return pythonMethod(asString(value), 'center')!(width);
  };
  // Each line wrapped by textwrap, joined by wrapstring (None: the environment's newline, '\n' under Ansible).
  filters.wordwrap = (value: unknown, ...rest: unknown[]) => {
    const args = bindArguments('do_wordwrap', rest, { width: 79, break_long_words: true, wrapstring: null, break_on_hyphens: true }, 2);
    const { width, wrapstring } = args;
    if (typeof value !== 'string') throw pythonError('AttributeError', `'${pythonTypeName(value)}' object has no attribute 'splitlines'`);
    const joiner = wrapstring ?? '\n';
    if (typeof joiner !== 'string') throw pythonError('AttributeError', `'${pythonTypeName(joiner)}' object has no attribute 'join'`);
    const lines = pythonSplitlines(value, false);
    if (lines.length > 0 && !isPythonNumber(width))
      throw pythonError('TypeError', `'<=' not supported between instances of '${pythonTypeName(width)}' and 'int'`);
    const options = {
      wholeWidth: typeof width === 'boolean' || Number.isInteger(width),
      breakLongWords: pythonTruthy(args.break_long_words),
      splitAtHyphens: args.break_on_hyphens === true,
      breakAfterHyphen: pythonTruthy(args.break_on_hyphens),
    };
    try {
      return lines.map((line) => textWrap(line, Number(width), options).join(joiner)).join(joiner);
    } catch (err) {
      if (err instanceof PythonTextError) throw pythonError(err.kind, err.message);
      throw err;
    }
  };
  filters.wordcount = (value: unknown, ...rest: unknown[]) => {
    bindArguments('do_wordcount', rest, {});
    return asString(value).match(new RegExp(`[${PY_WORD}]+`, 'gu'))?.length ?? 0;
  };
  // rel gets Jinja2's policy urlize.rel, "noopener", which Ansible's environment keeps (nunjucks' urlize had none).
  filters.urlize = (value: unknown, ...rest: unknown[]) => {
    const args = bindArguments('do_urlize', rest, { trim_url_limit: null, nofollow: false, target: null, rel: null, extra_schemes: null }, 2);
    const rel = new Set(['noopener']);
    if (pythonTruthy(args.rel)) {
      const split = pythonMethod(args.rel, 'split');
      if (typeof args.rel !== 'string' || split === undefined)
        throw pythonError('AttributeError', `'${pythonTypeName(args.rel)}' object has no attribute 'split'`);
      for (const part of split() as string[]) rel.add(part);
    }
    if (pythonTruthy(args.nofollow)) rel.add('nofollow');
    const schemes = args.extra_schemes === null ? [] : iterableItems('urlize', args.extra_schemes);
    for (const scheme of schemes) {
      if (typeof scheme !== 'string') throw pythonError('TypeError', `expected string or bytes-like object, got '${pythonTypeName(scheme)}'`);
      if (!isUriSchemePrefix(scheme)) throw filterError('urlize', `${pythonRepr(scheme)} is not a valid URI scheme prefix.`);
    }
    const limit = args.trim_url_limit;
    const trimUrl = (url: string) => {
      const points = Array.from(url);
      if (limit === null || !pythonCompare(points.length, '>', limit)) return url;
      if (typeof limit !== 'boolean' && !Number.isInteger(limit))
        throw pythonError('TypeError', 'slice indices must be integers or None or have an __index__ method');
      return `${points.slice(0, Number(limit)).join('')}...`;
    };
    const target = pythonTruthy(args.target) ? asString(args.target) : '';
    return jinjaUrlize(asString(value), trimUrl, [...rel].sort(pythonOrder).join(' '), target, schemes as string[]);
  };
  filters.pprint = (value: unknown, ...rest: unknown[]) => {
    bindArguments('do_pprint', rest, {});
    return pythonPformat(value, checkPrintable);
  };
  // Markup(value): its text. Nothing is escaped again here (autoescape is off, as in Ansible), so nothing more.
  filters.safe = (value: unknown, ...rest: unknown[]) => {
    bindArguments('do_mark_safe', rest, {});
    return asString(value);
  };
  filters.urlencode = (value: unknown) => {
    if (typeof value === 'string' || (!Array.isArray(value) && !isPlainObject(value))) return urlQuote(asString(value), false);
    const pairs = isPlainObject(value) ? Object.entries(value) : value.map((pair) => asList('urlencode', pair));
    return pairs.map(([k, v]) => `${urlQuote(asString(k), true)}=${urlQuote(asString(v), true)}`).join('&');
  };
  // Jinja2's tojson: json.dumps with sorted keys, and <, >, & and ' escaped for HTML.
  filters.tojson = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const indent = positional[0] ?? keywords.indent;
    return pythonJsonDumps(value, {
      indent: indent === undefined || indent === null ? undefined : Number(indent),
      sortKeys: true,
      ensureAscii: true,
      check: checkPrintable,
    }).replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  };
  // Jinja2's filesizeformat: decimal units (kB, MB) or with binary=true binary ones (KiB, MiB), one decimal.
  filters.filesizeformat = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const binary = positional[0] ?? keywords.binary ?? false;
    const real = toFloat(value, undefined);
    if (!isPythonNumber(real)) throw filterError('filesizeformat', `could not convert ${pythonRepr(value)} to float`);
    const size = Number(real);
    const base = toBoolean(binary) ? 1024 : 1000;
    const units = toBoolean(binary) ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (size === 1) return '1 Byte';
    if (size < base) return `${Math.trunc(size)} Bytes`;
    let i = 0;
    while (i < units.length - 1 && size >= base ** (i + 2)) i++;
    return `${percentFormat('%.1f', [(base * size) / base ** (i + 2)])} ${units[i]}`;
  };
  // Ansible's path filters: os.path.splitext (a tuple) and os.path.join of a list (an absolute part starts over).
  // Ansible's subelements filter: each element with each item of the list under `key` (dotted,
  // or a list of keys, for a nested one), as (element, item) tuples; unlike with_subelements'
  // lookup it leaves the element whole.
  filters.subelements = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const key = positional[0] ?? keywords.subelements;
    const skipMissing = pythonTruthy(positional[1] ?? keywords.skip_missing ?? false);
    const elements = isPlainObject(value) ? Object.values(value) : Array.isArray(value) ? value : undefined;
    if (elements === undefined) throw filterError('subelements', 'obj must be a list of dicts or a nested dict');
    const path = typeof key === 'string' ? key.split('.') : Array.isArray(key) ? key : undefined;
    if (path === undefined) throw filterError('subelements', 'subelements must be a list or a string');
    const out: unknown[][] = [];
    for (const element of elements) {
      let values: unknown = element;
      for (const part of path) {
        if (isPlainObject(values) && Object.hasOwn(values, String(part))) values = values[String(part)];
        else if (isPlainObject(values)) {
          if (!skipMissing) throw filterError('subelements', `could not find ${pythonRepr(part)} key in iterated item ${pythonRepr(values)}`);
          values = [];
          break;
        } else throw filterError('subelements', `the key ${pythonStr(part)} should point to a dictionary, got '${pythonStr(values)}'`);
      }
      if (!Array.isArray(values)) throw filterError('subelements', `the key ${pythonRepr(path.at(-1))} should point to a list, got ${pythonRepr(values)}`);
      spendSteps(values.length, 'subelements');
      for (const item of values) out.push([element, item]);
    }
    return tuplesOf(out);
  };
  // Ansible's strftime: time.strftime(format, time.localtime(second)), gmtime when utc is true; now without a second.
  filters.strftime = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const second = positional[0] ?? keywords.second;
    let seconds = Date.now() / 1000;
    if (second !== undefined && second !== null) {
      const n = typeof second === 'string' ? pythonFloatOfText(second) : isPythonNumber(second) ? Number(second) : undefined;
      if (n === undefined || !Number.isFinite(n)) throw filterError('strftime', `Invalid value for epoch value (${pythonStr(second)})`);
      seconds = n;
    }
    return pythonStrftime(asString(value), seconds, pythonTruthy(positional[1] ?? keywords.utc ?? false));
  };
  // Ansible's to_datetime(string, format='%Y-%m-%d %H:%M:%S'): datetime.strptime (python-datetime.ts).
  filters.to_datetime = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    return pythonStrptime(value, positional[0] ?? keywords.format ?? '%Y-%m-%d %H:%M:%S');
  };
  // os.path's expanduser, expandvars, realpath and relpath, on the controller, as Ansible's filters run there.
  filters.expanduser = (value: unknown) => expandUser(asString(value));
  filters.expandvars = (value: unknown) =>
    asString(value).replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
      const key = name.startsWith('{') ? name.slice(1, -1) : name;
      return Object.hasOwn(process.env, key) ? (process.env[key] as string) : whole;
    });
  filters.realpath = (value: unknown) => realPath(asString(value));
  filters.relpath = (value: unknown, start?: unknown) => {
    const from = start === undefined || start === null ? '.' : asString(start);
    if (asString(value) === '') throw filterError('relpath', 'no path specified');
    return path.relative(path.resolve(from), path.resolve(asString(value))) || '.';
  };
  // ntpath's basename, dirname and splitdrive (a tuple), for Windows paths.
  filters.win_basename = (value: unknown) => ntSplit(asString(value))[1];
  filters.win_dirname = (value: unknown) => ntSplit(asString(value))[0];
  filters.win_splitdrive = (value: unknown) => markTuple(ntSplitdrive(asString(value)));
  // Ansible's urldecode: urllib's unquote_plus (`+` is a space, %XX bytes read as UTF-8).
  filters.urldecode = (value: unknown) => unquotePlus(asString(value));
  // Ansible's shuffle: list(value) in random order, Python's Random(seed).shuffle with a seed; a
  // value list() cannot take comes back as it is (Ansible swallows that error).
  filters.shuffle = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const seed = positional[0] ?? keywords.seed;
    const items: unknown[] | undefined = Array.isArray(value)
      ? [...(value as unknown[])]
      : typeof value === 'string'
        ? Array.from(value)
        : isPlainObject(value)
          ? Object.keys(value)
          : undefined;
    if (items === undefined) return value;
    spendSteps(items.length, 'shuffle');
    const source = randomSource(pythonTruthy(seed ?? null) ? seed : undefined);
    for (let i = items.length - 1; i > 0; i--) {
      const j = source.below(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  // Jinja2's attr: an attribute, never an item (`d | attr('a')` is undefined for a key 'a');
  // the attributes of hound's values are Python's methods, which are not values here.
  filters.attr = (value: unknown, name: unknown) => {
    const attribute = pythonStr(name);
    refuseMethodValue(pythonMethod(value, attribute));
    return new UndefinedValue(`'${pythonTypeName(value)} object' has no attribute '${attribute}', so it`);
  };
  // Jinja2's xmlattr: a dict as XML attributes, each value escaped; None and undefined ones left out.
  filters.xmlattr = (value: unknown, autospace: unknown = true) => {
    if (!isPlainObject(value)) throw filterError('xmlattr', `expected a dict, got ${pythonRepr(value)}`);
    const parts = Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined && !(v instanceof UndefinedValue))
      .map(([k, v]) => `${markupEscape(k)}="${markupEscape(pythonStr(v))}"`);
    const text = parts.join(' ');
    return pythonTruthy(autospace) && text !== '' ? ` ${text}` : text;
  };
  filters.splitext = (value: unknown) => markTuple(pythonSplitext(asString(value)));
  filters.path_join = (value: unknown) => {
    if (typeof value === 'string') return value;
    return asList('path_join', value)
      .map(asString)
      .reduce((joined, part) => (part.startsWith('/') || joined === '' ? part : joined.endsWith('/') ? joined + part : `${joined}/${part}`), '');
  };
  // Ansible's comment(text, style='plain', **kw), as plugins/filter/core.py builds it.
  filters.comment = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const styles: Record<string, Record<string, string>> = {
      plain: { decoration: '# ' },
      erlang: { decoration: '% ' },
      c: { decoration: '// ' },
      cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
      xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
    };
    const style = asString(positional[0] ?? keywords.style ?? 'plain');
    if (!Object.hasOwn(styles, style)) throw filterError('comment', `KeyError: ${pythonRepr(style)} (styles: plain, erlang, c, cblock, xml)`);
    const given = Object.fromEntries(Object.entries(keywords).filter(([k]) => k !== 'style'));
    const around = asString(given.decoration ?? styles[style].decoration).trimEnd();
    const p: Record<string, unknown> = {
      newline: '\n',
      beginning: '',
      prefix: around,
      prefix_count: 1,
      decoration: '',
      postfix: around,
      postfix_count: 1,
      end: '',
      ...styles[style],
      ...given,
    };
    const [newline, beginning, prefix, decoration, postfix, end] = ['newline', 'beginning', 'prefix', 'decoration', 'postfix', 'end'].map((k) =>
      asString(p[k]),
    );
    const prefixCount = toInteger(p.prefix_count, 1) as number;
    const postfixCount = toInteger(p.postfix_count, 1) as number;
    spendCharacters(asString(value).length * 2 + (prefix.length + postfix.length + 1) * (Math.max(0, prefixCount) + Math.max(0, postfixCount)));
    const head = beginning ? beginning + newline : '';
    const prefixText = prefix ? (prefix !== newline ? prefix + newline : newline).repeat(Math.max(0, prefixCount)) : '';
    const body = (
      decoration +
      asString(value)
        .split(newline)
        .join(newline + decoration)
    )
      .split(decoration + newline)
      .join(decoration.trimEnd() + newline);
    const postfixText = ['', ...Array.from({ length: Math.max(0, postfixCount) }, () => postfix)].join(newline);
    const tail = end ? newline + end : '';
    return head + prefixText + body + postfixText + tail;
  };
  // Ansible's human_readable and human_to_bytes (module_utils/common/text/formatters.py).
  const SIZE_RANGES: Array<[string, number]> = [
    ['Y', 2 ** 80],
    ['Z', 2 ** 70],
    ['E', 2 ** 60],
    ['P', 2 ** 50],
    ['T', 2 ** 40],
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
    ['B', 1],
  ];
  filters.human_readable = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const isbits = toBoolean(positional[0] ?? keywords.isbits ?? false);
    const unit = positional[1] ?? keywords.unit ?? null;
    if (!isPythonNumber(value)) throw filterError('human_readable', `human_readable() failed on bad input: ${pythonRepr(value)} is not a number`);
    const size = Number(value);
    const base = isbits ? 'bits' : 'Bytes';
    let [suffix, limit] = SIZE_RANGES[SIZE_RANGES.length - 1];
    for (const [s, l] of SIZE_RANGES) {
      [suffix, limit] = [s, l];
      if ((unit === null && size >= l) || (unit !== null && asString(unit).toUpperCase() === s)) break;
    }
    return `${percentFormat('%.2f', [size / limit])} ${limit !== 1 ? suffix + base[0] : base}`;
  };
  filters.human_to_bytes = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const defaultUnit = positional[0] ?? keywords.default_unit ?? null;
    const isbits = toBoolean(positional[1] ?? keywords.isbits ?? false);
    const text = asString(value);
    const fail = () => filterError('human_to_bytes', `human_to_bytes() can't interpret following string: ${text}`);
    const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text);
    const number = m === null ? undefined : pythonFloatOfText(m[1]);
    if (m === null || number === undefined) throw fail();
    const unit = m[2] ?? (defaultUnit === null ? undefined : asString(defaultUnit));
    if (unit === undefined) return halfEven(number);
    const range = SIZE_RANGES.find(([s]) => s === unit[0].toUpperCase());
    if (range === undefined) throw fail();
    const unitClass = isbits ? 'b' : 'B';
    if (unit.length > 1 && !unit.toLowerCase().includes(isbits ? 'bit' : 'byte') && unit[1] !== unitClass) throw fail();
    return halfEven(number * range[1]);
  };
  // itertools' permutations and combinations (tuples), counted against the template budget first.
  filters.permutations = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const r = positional[0] ?? keywords.r;
    const items = asList('permutations', value);
    const size = r === undefined || r === null ? items.length : Number(r);
    spendSteps(countPermutations(items.length, size, false) * Math.max(1, size), 'permutations');
    return tuplesOf(permutations(items, size));
  };
  filters.combinations = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const r = positional[0] ?? keywords.r;
    const items = asList('combinations', value);
    spendSteps(countPermutations(items.length, Number(r), true) * Math.max(1, Number(r)), 'combinations');
    return tuplesOf(combinations(items, Number(r)));
  };
  // Ansible's urlsplit: urllib.parse.urlsplit as a dict, or one of its parts.
  filters.urlsplit = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const query = positional[0] ?? keywords.query ?? '';
    let parts: Record<string, unknown>;
    try {
      parts = { ...pythonUrlsplit(asString(value)) };
    } catch (err) {
      throw filterError('urlsplit', `ValueError: ${(err as Error).message}`);
    }
    if (query === '' || query === null) return parts;
    const name = asString(query);
    if (!Object.hasOwn(parts, name)) throw filterError('urlsplit', `urlsplit: unknown URL component: ${name}`);
    return parts[name];
  };
  filters.to_uuid = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const namespace = positional[0] ?? keywords.namespace ?? '361E6D51-FAEC-444A-9079-341386DA8E2E';
    const uuid = pythonUuid5(asString(namespace), asString(value));
    if (uuid === undefined) throw filterError('to_uuid', `Invalid value ${pythonRepr(namespace)} for 'namespace': badly formed hexadecimal UUID string`);
    return uuid;
  };
  // Python's type name: the one a value of that kind has in facts and registered results (YAML's own are Ansible's subclasses there).
  filters.type_debug = (value: unknown) => {
    if (value === null) return 'NoneType';
    if (typeof value === 'boolean') return 'bool';
    if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
    if (value instanceof PythonFloat) return 'float';
    if (typeof value === 'string') return 'str';
    if (Array.isArray(value)) return 'list';
    if (isPlainObject(value)) return 'dict';
    if (value instanceof PythonObject) return value.typeName;
    if (value instanceof UndefinedValue) value.fail();
    throw filterError('type_debug', 'a value that is not data');
  };
  filters.md5 = (value: unknown) => filters.hash(value, 'md5');
  filters.sha1 = (value: unknown) => filters.hash(value, 'sha1');
  // Ansible's rekey_on_member(data, key, duplicates='error'): a dict of the dicts, keyed by one of their members.
  filters.rekey_on_member = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const key = positional[0] ?? keywords.key;
    const duplicates = positional[1] ?? keywords.duplicates ?? 'error';
    if (duplicates !== 'error' && duplicates !== 'overwrite')
      throw filterError('rekey_on_member', `duplicates parameter to rekey_on_member has unknown value: ${asString(duplicates)}`);
    if (typeof value === 'string' || (!Array.isArray(value) && !isPlainObject(value)))
      throw filterError('rekey_on_member', 'Type is not a valid list, set, or dict');
    const out: Record<string, unknown> = {};
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      if (!isPlainObject(item)) throw filterError('rekey_on_member', 'List item is not a valid dict');
      const name = asString(key);
      if (!Object.hasOwn(item, name)) throw filterError('rekey_on_member', `Key ${name} was not found`);
      const k = asString(item[name]);
      if (Object.hasOwn(out, k) && duplicates === 'error') throw filterError('rekey_on_member', `Key ${k} is not unique, cannot correctly turn into dict`);
      out[k] = item;
    }
    return out;
  };
  filters.map = (value: unknown, ...rest: unknown[]) => {
    const { positional, keywords } = splitArguments(rest);
    const list = asList('map', value);
    if (typeof keywords.attribute === 'string') {
      const attribute = keywords.attribute;
      return list.map((item) => {
        const found = attributeOf(item, attribute);
        return found instanceof UndefinedValue && Object.hasOwn(keywords, 'default') ? keywords.default : found;
      });
    }
    const [filterName, ...filterArgs] = positional;
    if (filterName === undefined) throw filterError('map', 'map requires a filter argument');
    const filter = typeof filterName === 'string' && Object.hasOwn(filters, filterName) ? filters[filterName] : undefined;
    if (!filter) throw missingFilterError(String(filterName));
    return list.map((item) => filter(item, ...filterArgs));
  };
  const selecting =
    (name: string, keep: boolean, byAttribute: boolean) =>
    (value: unknown, ...rest: unknown[]) => {
      const { positional } = splitArguments(rest);
      const attribute = byAttribute ? asString(positional.shift()) : undefined;
      const [testName, ...testArgs] = positional;
      return asList(name, value).filter((item) => {
        const subject = attribute === undefined ? item : attributeOf(item, attribute);
        const passed =
          testName === undefined ? !(subject instanceof UndefinedValue) && pythonTruthy(subject) : applyTest(asString(testName), subject, testArgs);
        return passed === keep;
      });
    };
  filters.select = selecting('select', true, false);
  filters.reject = selecting('reject', false, false);
  filters.selectattr = selecting('selectattr', true, true);
  filters.rejectattr = selecting('rejectattr', false, true);
  // community.general's dict: a dict of key-value pairs (Kubespray's `map('split', '=') | community.general.dict`).
  filters['community.general.dict'] = (value: unknown) => {
    const out: Record<string, unknown> = {};
    for (const pair of iterableItems('dict', value)) {
      const parts = iterableItems('dict', pair);
      if (parts.length !== 2)
        throw filterError('community.general.dict', `ValueError: dictionary update sequence element has length ${parts.length}; 2 is required`);
      out[dictKey(parts[0])] = parts[1];
    }
    return out;
  };
  // community.general's json_query: a JMESPath search, by jmespath.js, the specification's own JavaScript implementation.
  filters.json_query = (value: unknown, expression: unknown) => {
    if (typeof expression !== 'string') throw filterError('json_query', `the expression must be text, not ${pythonRepr(expression)}`);
    try {
      return jmespathSearch(value, expression) as unknown;
    } catch (err) {
      throw filterError('json_query', `JMESPath error in json_query filter plugin: ${(err as Error).message}`);
    }
  };
  filters['community.general.json_query'] = filters.json_query;
  // ansible.utils' IP filters (ip-filters.ts), also by ansible.netcommon's older names and short ones, as Ansible routes them.
  const ipFilter = (name: string, accepts: (value: unknown) => boolean, run: (value: unknown, query: string) => unknown): TemplateFunction => {
    return (value: unknown, ...rest: unknown[]) => {
      if (value instanceof UndefinedValue) value.fail();
      if (!accepts(value)) throw filterError(name, `Unrecognized type <class '${pythonTypeName(value)}'> for ${name} filter <value>`);
      const { positional, keywords } = splitArguments(rest);
      // ipwrap's plugin drops its positional arguments: only `query=` reaches it.
      const query = (name === 'ipwrap' ? undefined : positional[0]) ?? keywords.query ?? '';
      if (query instanceof UndefinedValue) query.fail();
      // The filter's argument spec takes query as a str: a number or a boolean is its text.
      if (typeof query !== 'string' && !isPythonNumber(query))
        throw filterError(name, `argument 'query' is of type ${pythonTypeName(query)} and we were unable to convert to str`);
      try {
        return run(value, typeof query === 'string' ? query : pythonStr(query));
      } catch (err) {
        if (err instanceof IpFilterError) throw filterError(name, err.message);
        throw err;
      }
    };
  };
  const textListOrInt = (v: unknown) => typeof v === 'string' || Array.isArray(v) || typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
  const ipFilters: Record<string, TemplateFunction> = {
    ipaddr: ipFilter('ipaddr', textListOrInt, (v, q) => ipaddr(v, q, 0, 'ipaddr')),
    ipv4: ipFilter('ipv4', textListOrInt, (v, q) => ipaddr(v, q, 4, 'ipv4')),
    ipv6: ipFilter('ipv6', textListOrInt, (v, q) => ipaddr(v, q, 6, 'ipv6')),
    ipwrap: ipFilter(
      'ipwrap',
      (v) => typeof v === 'string' || Array.isArray(v) || typeof v === 'boolean',
      (v, q) => ipwrap(v, q),
    ),
  };
  for (const [name, fn] of Object.entries(ipFilters)) {
    filters[name] = fn;
    filters[`ansible.utils.${name}`] = fn;
    filters[`ansible.netcommon.${name}`] = fn;
  }
  // ansible.utils' other network filters (ip-network-filters.ts), each with its argument spec. Ansible
  // 2.14 routes the short names to ansible.netcommon, which redirects to ansible.utils all but
  // usable_range and ip4_hex (its redirect names a filter that is not there); macaddr has no short name.
  for (const [name, [options, run]] of Object.entries(NETWORK_FILTERS)) {
    const fn: TemplateFunction = (value: unknown, ...rest: unknown[]) => {
      if (value instanceof UndefinedValue) value.fail();
      try {
        return run(argumentSpec(value, rest, options));
      } catch (err) {
        if (err instanceof IpFilterError) throw filterError(name, err.message);
        throw err;
      }
    };
    filters[`ansible.utils.${name}`] = fn;
    if (name === 'usable_range' || name === 'ip4_hex') continue;
    filters[`ansible.netcommon.${name}`] = fn;
    if (name !== 'macaddr') filters[name] = fn;
  }
  // ansible-core's own filters by their full names (`| ansible.builtin.intersect(...)`); Jinja2's builtins have none.
  for (const name of ANSIBLE_CORE_FILTERS) {
    if (!Object.hasOwn(filters, name)) continue;
    filters[`ansible.builtin.${name}`] = filters[name];
    filters[`ansible.legacy.${name}`] = filters[name];
  }
  return filters;
}

/** A filter hound has not: refused by name, saying so when it is one of ansible-core's own (`where` before the message, `at` after it). */
export function missingFilterError(name: string, where = '', at = ''): HoundError {
  return unknownNameError('filter', name, where, at, ANSIBLE_CORE_FILTERS.includes(name.replace(/^ansible\.(builtin|legacy)\./, '')));
}

/** A test hound has not, as missingFilterError says a filter. */
export function missingTestError(name: string, where = '', at = ''): HoundError {
  return unknownNameError('test', name, where, at, ANSIBLE_CORE_TESTS.includes(name.replace(/^ansible\.(builtin|legacy)\./, '')));
}

/** The filters ansible-core 2.14 itself defines (plugins/filter/*.py), which it names ansible.builtin.<name> too. */
export const ANSIBLE_CORE_FILTERS: readonly string[] = [
  'b64decode',
  'b64encode',
  'basename',
  'bool',
  'checksum',
  'combinations',
  'combine',
  'comment',
  'dict2items',
  'difference',
  'dirname',
  'expanduser',
  'expandvars',
  'extract',
  'fileglob',
  'flatten',
  'from_json',
  'from_yaml',
  'from_yaml_all',
  'hash',
  'human_readable',
  'human_to_bytes',
  'intersect',
  'items2dict',
  'log',
  'mandatory',
  'md5',
  'password_hash',
  'path_join',
  'permutations',
  'pow',
  'product',
  'quote',
  'random',
  'realpath',
  'regex_escape',
  'regex_findall',
  'regex_replace',
  'regex_search',
  'rekey_on_member',
  'relpath',
  'root',
  'sha1',
  'shuffle',
  'split',
  'splitext',
  'strftime',
  'subelements',
  'symmetric_difference',
  'ternary',
  'to_datetime',
  'to_json',
  'to_nice_json',
  'to_nice_yaml',
  'to_uuid',
  'to_yaml',
  'type_debug',
  'union',
  'unique',
  'unvault',
  'urldecode',
  'urlsplit',
  'vault',
  'win_basename',
  'win_dirname',
  'win_splitdrive',
  'zip',
  'zip_longest',
];

/** The tests ansible-core 2.14 itself defines (plugins/test/*.py), which it names ansible.builtin.<name> too. */
export const ANSIBLE_CORE_TESTS: readonly string[] = [
  'abs',
  'all',
  'any',
  'change',
  'changed',
  'contains',
  'directory',
  'exists',
  'failed',
  'failure',
  'falsy',
  'file',
  'finished',
  'is_abs',
  'is_dir',
  'is_file',
  'is_link',
  'is_mount',
  'is_same_file',
  'isnan',
  'issubset',
  'issuperset',
  'link',
  'link_exists',
  'match',
  'mount',
  'nan',
  'reachable',
  'regex',
  'same_file',
  'search',
  'skip',
  'skipped',
  'started',
  'subset',
  'succeeded',
  'success',
  'successful',
  'superset',
  'truthy',
  'unreachable',
  'uri',
  'url',
  'urn',
  'vault_encrypted',
  'version',
  'version_compare',
];

/** A registered result, which Ansible's result tests require: anything else is their error. */
function registeredResult(test: string, value: unknown): Record<string, unknown> {
  if (value instanceof UndefinedValue) value.fail();
  if (!isPlainObject(value)) throw new HoundError('TEMPLATE_ERROR', `The '${test}' test expects a dictionary`, EXIT.PARSE);
  return value;
}

/** A key of a registered result, as result.get(key, False) is true. */
function registeredFlag(test: string, value: unknown, key: string): boolean {
  const result = registeredResult(test, value);
  return Object.hasOwn(result, key) && pythonTruthy(result[key]);
}

/** An async result's started or finished: equal to 1, or true when the result is not an async one's (Ansible warns). */
function asyncFlag(test: string, value: unknown): boolean {
  const result = registeredResult(test, value);
  return Object.hasOwn(result, test) ? pythonEqual(result[test], 1) : true;
}

/** A controller path's kind, asked without throwing (os.path's tests); relative paths from hound's working directory. */
function pathStat(value: unknown, link = false): Stats | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return link ? lstatSync(value) : statSync(value);
  } catch {
    return undefined;
  }
}

/** os.path.ismount: a folder (not a link) on another device than its parent's, or the root. */
function isMountPoint(value: unknown): boolean {
  const own = pathStat(value, true);
  if (own === undefined || own.isSymbolicLink() || !own.isDirectory()) return false;
  const parent = pathStat(path.join(value as string, '..'), true);
  return parent === undefined || parent.dev !== own.dev || parent.ino === own.ino;
}

/** Ansible's uri test: text urlparse reads (always, for text) whose scheme is one of `schemes` when given. */
function isUri(value: unknown, schemes?: unknown): boolean {
  if (typeof value !== 'string') return false;
  let scheme: string;
  try {
    scheme = pythonUrlsplit(value).scheme;
  } catch {
    return false;
  }
  return schemes === undefined || schemes === null || !pythonTruthy(schemes) || pythonContains(schemes, scheme);
}

export function buildTests(): Record<string, TemplateFunction> {
  const tests: Record<string, TemplateFunction> = {};
  tests.defined = (value: unknown) => !(value instanceof UndefinedValue);
  tests.undefined = (value: unknown) => value instanceof UndefinedValue;
  tests.none = (value: unknown) => value === null;
  tests.in = (value: unknown, container: unknown) => pythonContains(container, value);
  tests.equalto = (value: unknown, other: unknown) => pythonEqual(value, other);
  tests.eq = tests.equalto;
  tests['=='] = tests.equalto;
  tests.ne = (value: unknown, other: unknown) => !pythonEqual(value, other);
  tests['!='] = tests.ne;
  tests.match = (value: unknown, pattern: unknown) => typeof value === 'string' && userRegex('match', `^(?:${asString(pattern)})`).test(value);
  tests.search = (value: unknown, pattern: unknown) => typeof value === 'string' && userRegex('search', pattern).test(value);
  tests.regex = tests.search;
  tests.string = (value: unknown) => typeof value === 'string';
  tests.number = (value: unknown) => typeof value === 'number' || value instanceof PythonFloat;
  tests.integer = (value: unknown) => Number.isInteger(value);
  tests.boolean = (value: unknown) => typeof value === 'boolean';
  tests.mapping = (value: unknown) => isPlainObject(value);
  tests.sequence = (value: unknown) => Array.isArray(value) || typeof value === 'string';
  tests.iterable = tests.sequence;
  tests.truthy = (value: unknown) => pythonTruthy(value);
  tests.falsy = (value: unknown) => !pythonTruthy(value);
  tests.true = (value: unknown) => value === true;
  tests.false = (value: unknown) => value === false;
  tests.gt = (value: unknown, other: unknown) => pythonCompare(value, '>', other);
  tests.ge = (value: unknown, other: unknown) => pythonCompare(value, '>=', other);
  tests.lt = (value: unknown, other: unknown) => pythonCompare(value, '<', other);
  tests.le = (value: unknown, other: unknown) => pythonCompare(value, '<=', other);
  // Jinja2's other names for them (`selectattr('size', '>', 1000)`), which nunjucks had as JavaScript's or not at all.
  Object.assign(tests, { '>': tests.gt, greaterthan: tests.gt, '>=': tests.ge, '<': tests.lt, lessthan: tests.lt, '<=': tests.le });
  tests.even = (value: unknown) => Number(value) % 2 === 0;
  tests.odd = (value: unknown) => Math.abs(Number(value) % 2) === 1;
  tests.divisibleby = (value: unknown, n: unknown) => Number(value) % Number(n) === 0;
  tests.float = (value: unknown) => isPythonFloat(value);
  // Jinja2's lower and upper: str(value).islower() and .isupper(), of any value (`['a'] is lower`).
  tests.lower = (value: unknown, ...rest: unknown[]) => (bindArguments('test_lower', rest, {}), pythonMethod(pythonStr(value), 'islower')!());
  tests.upper = (value: unknown, ...rest: unknown[]) => (bindArguments('test_upper', rest, {}), pythonMethod(pythonStr(value), 'isupper')!());
  // Python's callable(): a method, a macro, a global function (range, lookup); and an undefined
  // value, which Ansible's Undefined is (calling it fails).
  tests.callable = (value: unknown, ...rest: unknown[]) => {
    bindArguments('callable', rest, {});
    return typeof value === 'function' || value instanceof UndefinedValue;
  };
  // Jinja2's escaped: hasattr(value, '__html__'), which Ansible's Undefined answers (it has every
  // attribute) and Markup does. hound keeps no Markup: escape, safe and tojson give plain text,
  // so `x | e is escaped` is false here, true in Ansible (docs/variables.md says so).
  tests.escaped = (value: unknown, ...rest: unknown[]) => (bindArguments('test_escaped', rest, {}), value instanceof UndefinedValue);
  // ansible.utils' IP tests (Kubespray's `cluster_id is ansible.utils.ipv4`), by Python's ipaddress.
  const ipTests: Record<string, (value: unknown) => boolean> = {
    ip: (value) => pythonIpVersion(value, false) !== undefined,
    ipv4: (value) => pythonIpVersion(value, false) === 4,
    ipv6: (value) => pythonIpVersion(value, false) === 6,
    ip_address: (value) => pythonIpVersion(value, true) !== undefined,
    ipv4_address: (value) => pythonIpVersion(value, true) === 4,
    ipv6_address: (value) => pythonIpVersion(value, true) === 6,
  };
  for (const [name, test] of Object.entries(ipTests)) {
    tests[name] = test;
    tests[`ansible.utils.${name}`] = test;
  }
  // Python's `is`: the same object; for numbers, strings and the like, the same value.
  tests.sameas = (value: unknown, other: unknown) => value === other;
  // Ansible's set tests (set(a) <= set(b)) and contains (`value in seq`, for selectattr).
  tests.subset = (value: unknown, other: unknown) => {
    const others = ValueSet.of(asList('subset', other));
    return asList('subset', value).every((x) => others.has(x));
  };
  tests.issubset = tests.subset;
  tests.superset = (value: unknown, other: unknown) => tests.subset(other, value);
  tests.issuperset = tests.superset;
  tests.contains = (value: unknown, item: unknown) => pythonContains(value, item);
  // Ansible's tests on registered results (ansible-core's test/core.py): `when: result is changed`.
  tests.failed = (value: unknown) => registeredFlag('failed', value, 'failed');
  tests.failure = tests.failed;
  tests.succeeded = (value: unknown) => !registeredFlag('success', value, 'failed');
  tests.success = tests.succeeded;
  tests.successful = tests.succeeded;
  tests.unreachable = (value: unknown) => registeredFlag('unreachable', value, 'unreachable');
  tests.reachable = (value: unknown) => !registeredFlag('unreachable', value, 'unreachable');
  tests.changed = (value: unknown) => {
    const result = registeredResult('changed', value);
    if (Object.hasOwn(result, 'changed')) return pythonTruthy(result.changed);
    // A loop's result: changed when any item's is.
    const results = result.results;
    return Array.isArray(results) && isPlainObject(results[0]) && results.some((r) => isPlainObject(r) && pythonTruthy(r.changed ?? false));
  };
  tests.change = tests.changed;
  tests.skipped = (value: unknown) => registeredFlag('skipped', value, 'skipped');
  tests.skip = tests.skipped;
  tests.started = (value: unknown) => asyncFlag('started', value);
  tests.finished = (value: unknown) => asyncFlag('finished', value);
  // Python's any() and all() (a dict's keys, a string's characters).
  tests.any = (value: unknown) => iterableItems('any', value).some((item) => pythonTruthy(item));
  tests.all = (value: unknown) => iterableItems('all', value).every((item) => pythonTruthy(item));
  // math.isnan, false for what is not a number.
  tests.nan = (value: unknown) => typeof value === 'number' && Number.isNaN(value);
  tests.isnan = tests.nan;
  // (No vault_encrypted: hound decrypts a `!vault` value as it loads it, so it could not tell one any more.)
  // Paths on the controller (ansible-core's test/files.py, os.path's answers).
  tests.exists = (value: unknown) => pathStat(value) !== undefined;
  tests.link_exists = (value: unknown) => pathStat(value, true) !== undefined;
  tests.file = (value: unknown) => pathStat(value)?.isFile() === true;
  tests.is_file = tests.file;
  tests.directory = (value: unknown) => pathStat(value)?.isDirectory() === true;
  tests.is_dir = tests.directory;
  tests.link = (value: unknown) => pathStat(value, true)?.isSymbolicLink() === true;
  tests.is_link = tests.link;
  tests.abs = (value: unknown) => typeof value === 'string' && value.startsWith('/');
  tests.is_abs = tests.abs;
  tests.mount = (value: unknown) => isMountPoint(value);
  tests.is_mount = tests.mount;
  tests.same_file = (value: unknown, other: unknown) => {
    const [a, b] = [pathStat(value), pathStat(other)];
    if (a === undefined || b === undefined) throw pythonError('FileNotFoundError', `${pythonRepr(a === undefined ? value : other)}`);
    return a.dev === b.dev && a.ino === b.ino;
  };
  tests.is_same_file = tests.same_file;
  // ansible-core's test/uri.py: any text is a URI (urlparse reads it); a URL has a host or is file:.
  tests.uri = (value: unknown, schemes?: unknown) => isUri(value, schemes);
  tests.url = (value: unknown, schemes?: unknown) => {
    if (!isUri(value, schemes)) return false;
    const parts = pythonUrlsplit(value as string);
    return parts.netloc !== '' || parts.scheme === 'file';
  };
  tests.urn = (value: unknown) => isUri(value, ['urn']);
  tests.version = versionTest;
  tests.version_compare = versionTest;
  for (const name of ANSIBLE_CORE_TESTS) {
    if (!Object.hasOwn(tests, name)) continue;
    tests[`ansible.builtin.${name}`] = tests[name];
    tests[`ansible.legacy.${name}`] = tests[name];
  }
  return tests;
}
