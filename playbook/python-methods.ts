// Python's own methods of str, list and dict, which templates call as Jinja2 lets them:
// Ansible renders with a Jinja2 environment that is not sandboxed, so a playbook may write
// `groups['etcd'].index(inventory_hostname)` (Kolla-Ansible), `filename.rstrip('.xz')`
// (Kubespray) or `{% set _ = paths.append(p) %}` (Kolla-Ansible's fluentd templates). Each is
// computed here as CPython computes it (test/unit/playbook/python-methods.test.ts holds them
// against python3), with Python's exception named in the error.
//
// The methods that change a value (append, update, pop, ...) change only values the running
// render owns: a literal (`{% set l = [] %}`, `{}`), a fresh result (split(), copy(), a + of
// lists), or its own copy of a variable. Values hound holds (variables, facts, registered
// results) are shared between tasks and hosts; Ansible hands each templating its own copy, so a
// change (`{{ groups_x.append('d') }}`) shows within that template and nowhere after it. A
// template that names such a method therefore reads its variables as copies
// (templating.ts, MUTATING_METHODS); a change reaching a value the render does not own
// anyway (a method named at run time) fails plainly (TEMPLATE_UNSUPPORTED), as do the Python
// methods hound does not compute (str.format_map, str.encode, …).
import { EXIT, HoundError } from '../base/errors.js';
import { spendCharacters, spendSteps } from './template-budget.js';
import { isPlainObject, pythonEqual, pythonError, pythonRepr, pythonStr, pythonTypeName, splitArguments, UndefinedValue } from './template-values.js';
import { PythonFloat } from '../base/python-float.js';
import { isTuple, markTuple } from '../base/python-repr.js';
import { braceFormat } from './python-format.js';
import { PY_SPACE, pythonSplitlines } from './python-text.js';

export type PythonMethod = (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------------
// Values this render built, which its methods may change. A stack: a variable whose value
// is a template renders inside the render that reads it, and what it built is not the
// reader's (it is cached as the variable's value).

/** One entry per render running (renders nest); a render's Set is made when it first owns a value, as most own none. */
const owned: (Set<object> | undefined)[] = [];

/** Runs a render; the values it builds (ownValue) are its own until it returns. */
export function withOwnedValues<T>(render: () => T): T {
  owned.push(undefined);
  try {
    return render();
  } finally {
    owned.pop();
  }
}

/** Marks a list or dict the running render built (a literal, a fresh result) as its own. */
export function ownValue<T>(value: T): T {
  if (value !== null && typeof value === 'object' && owned.length > 0) (owned[owned.length - 1] ??= new Set()).add(value);
  return value;
}

/** The methods that change their list or dict: a template naming one reads its variables as copies. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'append',
  'extend',
  'insert',
  'pop',
  'remove',
  'clear',
  'reverse',
  'update',
  'setdefault',
  'sort',
  'popitem',
  '__setitem__',
  '__delitem__',
]);

/**
 * A copy of a variable's value that the running render owns, lists and dicts all the way
 * down (the budget counts each): its methods may change it, and the variable is untouched.
 */
export function ownedCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    spendSteps(value.length, 'a copy of a variable changed in place');
    return ownValue(value.map(ownedCopy));
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    spendSteps(keys.length, 'a copy of a variable changed in place');
    for (const k of keys) out[k] = ownedCopy(value[k]);
    return ownValue(out);
  }
  return value;
}

function isOwned(value: object): boolean {
  return owned[owned.length - 1]?.has(value) ?? false;
}

// ---------------------------------------------------------------------------------------
// Errors, as Python names them.

function unsupported(what: string, hint: string): HoundError {
  return new HoundError('TEMPLATE_UNSUPPORTED', what, EXIT.PARSE, { hint });
}

function notChanged(type: 'list' | 'dict', method: string): HoundError {
  return unsupported(
    `${type}.${method}() on a value this template neither built nor copied (the method's name was not written in the template): hound does not change a variable's value, a fact or a registered result in place`,
    type === 'list'
      ? 'start from a list the template builds itself (`{% set found = [] %}` … `{% set _ = found.append(x) %}`), or make a new one: `{{ names + [x] }}`, set_fact'
      : 'start from a dict the template builds itself (`{% set d = {} %}` … `{% set _ = d.update({k: v}) %}`), or make a new one: `{{ d | combine({k: v}) }}`, set_fact',
  );
}

const UNSUPPORTED_HINT = 'use a filter instead (docs/variables.md lists those hound has), or compute the value with set_fact';

/** Python methods hound does not compute: called, they say so (looked up, they exist, as in Python). */
const NOT_COMPUTED: Record<'str' | 'list' | 'dict', ReadonlySet<string>> = {
  str: new Set(['format_map', 'encode', 'expandtabs', 'translate', 'maketrans', 'isidentifier', 'isprintable', 'istitle', 'isascii', 'casefold']),
  list: new Set(['sort', '__getitem__', '__delitem__']),
  dict: new Set(['popitem', 'fromkeys', '__getitem__', '__delitem__']),
};

// ---------------------------------------------------------------------------------------
// Arguments.

function defined(args: unknown[]): void {
  for (const a of args) if (a instanceof UndefinedValue) a.fail();
}

/** The positional arguments of a method taking `min` to `max` of them (no keywords). */
function positional(method: string, args: unknown[], min: number, max: number): unknown[] {
  defined(args);
  const { positional: p, keywords } = splitArguments(args);
  const names = Object.keys(keywords);
  if (names.length > 0) throw pythonError('TypeError', `${method}() takes no keyword arguments`);
  if (p.length < min || p.length > max) {
    const wanted = min === max ? `exactly ${min}` : p.length < min ? `at least ${min}` : `at most ${max}`;
    throw pythonError('TypeError', `${method}() takes ${wanted} argument${(p.length < min ? min : max) === 1 ? '' : 's'} (${p.length} given)`);
  }
  return p;
}

function str(method: string, value: unknown, what = 'argument'): string {
  if (typeof value !== 'string') throw pythonError('TypeError', `${method}() ${what} must be str, not ${pythonTypeName(value)}`);
  return value;
}

function int(method: string, value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw pythonError('TypeError', `'${pythonTypeName(value)}' object cannot be interpreted as an integer (${method}())`);
}

/** str(None-or-str) for the optional `sep`/`chars` arguments. */
function optionalStr(method: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return str(method, value);
}

// ---------------------------------------------------------------------------------------
// str

const IS_SPACE = new RegExp(`^[${PY_SPACE}]$`);

/** Code points, as Python indexes a str. */
function chars(s: string): string[] {
  return Array.from(s);
}

/**
 * The start/end arguments of find, count, startswith, list.index, as CPython's
 * ADJUST_INDICES reads them: negative from the end (then at least 0), the end at most the
 * length; a start past the end is kept, and the caller's `end - start` says nothing fits.
 */
function adjust(method: string, length: number, start: unknown, end: unknown): [number, number] {
  let from = start === undefined || start === null ? 0 : int(method, start);
  let to = end === undefined || end === null ? length : int(method, end);
  if (to > length) to = length;
  else if (to < 0) to = Math.max(0, to + length);
  if (from < 0) from = Math.max(0, from + length);
  return [from, to];
}

/** Where `sub` first (or last) occurs in s[start:end], in code points; -1 when nowhere. */
function findIn(method: string, s: string, args: unknown[], last: boolean): number {
  const [subArg, start, end] = positional(method, args, 1, 3);
  const sub = chars(str(method, subArg));
  const cs = chars(s);
  const [from, to] = adjust(method, cs.length, start, end);
  if (to - from < sub.length) return -1;
  if (sub.length === 0) return last ? to : from;
  const window = cs.slice(from, to).join('');
  const unit = last ? window.lastIndexOf(sub.join('')) : window.indexOf(sub.join(''));
  return unit < 0 ? -1 : from + chars(window.slice(0, unit)).length;
}

function countIn(s: string, args: unknown[]): number {
  const [subArg, start, end] = positional('count', args, 1, 3);
  const sub = str('count', subArg);
  const cs = chars(s);
  const [from, to] = adjust('count', cs.length, start, end);
  if (to - from < chars(sub).length) return 0;
  if (sub === '') return to - from + 1;
  const window = cs.slice(from, to).join('');
  let n = 0;
  for (let at = window.indexOf(sub); at >= 0; at = window.indexOf(sub, at + sub.length)) n++;
  return n;
}

function splitWhitespace(s: string, max: number, fromRight: boolean): string[] {
  const cs = chars(s);
  if (fromRight) cs.reverse();
  const out: string[] = [];
  let i = 0;
  const space = (c: string | undefined) => c !== undefined && IS_SPACE.test(c);
  while (i < cs.length) {
    while (space(cs[i])) i++;
    if (i >= cs.length) break;
    if (max >= 0 && out.length === max) {
      // The rest, from its first non-space character, trailing whitespace kept.
      out.push(cs.slice(i).join(''));
      break;
    }
    let j = i;
    while (j < cs.length && !space(cs[j])) j++;
    out.push(cs.slice(i, j).join(''));
    i = j;
  }
  if (fromRight) return out.reverse().map((part) => chars(part).reverse().join(''));
  return out;
}

function splitOn(method: 'split' | 'rsplit', s: string, args: unknown[]): string[] {
  const { positional: p, keywords } = splitArguments(args);
  defined([...p, ...Object.values(keywords)]);
  for (const name of Object.keys(keywords))
    if (name !== 'sep' && name !== 'maxsplit') throw pythonError('TypeError', `${method}() got an unexpected keyword argument '${name}'`);
  if (p.length > 2) throw pythonError('TypeError', `${method}() takes at most 2 arguments (${p.length} given)`);
  const sep = optionalStr(method, p[0] ?? keywords.sep);
  const maxArg = p[1] ?? keywords.maxsplit;
  const max = maxArg === undefined ? -1 : int(method, maxArg);
  let out: string[];
  if (sep === null) out = splitWhitespace(s, max, method === 'rsplit');
  else {
    if (sep === '') throw pythonError('ValueError', 'empty separator');
    const parts = s.split(sep);
    if (max < 0 || parts.length <= max + 1) out = parts;
    else if (method === 'split') out = [...parts.slice(0, max), parts.slice(max).join(sep)];
    else out = [parts.slice(0, parts.length - max).join(sep), ...parts.slice(parts.length - max)];
  }
  spendSteps(out.length, `str.${method}()`);
  return ownValue(out);
}

function stripChars(method: 'strip' | 'lstrip' | 'rstrip', s: string, args: unknown[]): string {
  const [charsArg] = positional(method, args, 0, 1);
  const set = optionalStr(method, charsArg);
  const strip = set === null ? (c: string) => IS_SPACE.test(c) : (c: string) => set.includes(c);
  const cs = chars(s);
  let from = 0;
  let to = cs.length;
  if (method !== 'rstrip') while (from < to && strip(cs[from])) from++;
  if (method !== 'lstrip') while (to > from && strip(cs[to - 1])) to--;
  return cs.slice(from, to).join('');
}

function startsOrEnds(method: 'startswith' | 'endswith', s: string, args: unknown[]): boolean {
  const [affix, start, end] = positional(method, args, 1, 3);
  const options = Array.isArray(affix) ? affix : [affix];
  for (const o of options)
    if (typeof o !== 'string')
      throw pythonError(
        'TypeError',
        Array.isArray(affix)
          ? `tuple for ${method} must only contain str, not ${pythonTypeName(o)}`
          : `${method} first arg must be str or a tuple of str, not ${pythonTypeName(o)}`,
      );
  const cs = chars(s);
  const [from, to] = adjust(method, cs.length, start, end);
  const window = to > from ? cs.slice(from, to).join('') : '';
  if (to < from) return false;
  return (options as string[]).some((o) => (method === 'startswith' ? window.startsWith(o) : window.endsWith(o)));
}

function replaceIn(s: string, args: unknown[]): string {
  const [fromArg, toArg, countArg] = positional('replace', args, 2, 3);
  const from = str('replace', fromArg, 'argument 1');
  const to = str('replace', toArg, 'argument 2');
  let count = countArg === undefined ? -1 : int('replace', countArg);
  if (count < 0) count = Number.POSITIVE_INFINITY;
  // Python puts an empty `from` between every code point and at both ends.
  const parts = from === '' ? ['', ...chars(s), ''] : s.split(from);
  const joins = parts.length - 1;
  // Counted before it is built: a long `to` times many matches must not allocate first.
  spendCharacters(s.length + Math.min(joins, count) * (to.length - from.length));
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    out += parts[i];
    if (i < joins) out += i < count ? to : from;
  }
  return out;
}

function isCased(c: string): boolean {
  return c.toLowerCase() !== c.toUpperCase();
}

function title(s: string): string {
  let out = '';
  let previousCased = false;
  for (const c of s) {
    if (isCased(c)) {
      out += previousCased ? c.toLowerCase() : c.toUpperCase();
      previousCased = true;
    } else {
      out += c;
      previousCased = false;
    }
  }
  return out;
}

function swapcase(s: string): string {
  let out = '';
  for (const c of s) out += c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return out;
}

/** str.isdigit and friends: true when s is not empty and every code point passes. */
function every(s: string, test: (c: string) => boolean): boolean {
  return s.length > 0 && chars(s).every(test);
}

const DECIMAL = /^\p{Nd}$/u;
const DIGIT =
  /^[\p{Nd}\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792]$/u;
const NUMERIC = /^\p{N}$/u;
const ALPHA = /^\p{L}$/u;

function caseTest(s: string, wanted: 'lower' | 'upper'): boolean {
  let cased = false;
  for (const c of s) {
    if (!isCased(c)) continue;
    if (wanted === 'lower' ? c !== c.toLowerCase() || c === c.toUpperCase() : c !== c.toUpperCase() || c === c.toLowerCase()) return false;
    cased = true;
  }
  return cased;
}

function pad(method: 'ljust' | 'rjust' | 'center', s: string, args: unknown[]): string {
  const [widthArg, fillArg] = positional(method, args, 1, 2);
  const width = int(method, widthArg);
  const fill = fillArg === undefined ? ' ' : str(method, fillArg);
  if (chars(fill).length !== 1) throw pythonError('TypeError', `The fill character must be exactly one character long`);
  const length = chars(s).length;
  if (width <= length) return s;
  spendCharacters(width);
  const margin = width - length;
  if (method === 'ljust') return s + fill.repeat(margin);
  if (method === 'rjust') return fill.repeat(margin) + s;
  // CPython's pad(): the odd column goes left only when the width is odd too.
  const left = Math.floor(margin / 2) + (margin & width & 1);
  return fill.repeat(left) + s + fill.repeat(margin - left);
}

function zfill(s: string, args: unknown[]): string {
  const [widthArg] = positional('zfill', args, 1, 1);
  const width = int('zfill', widthArg);
  const length = chars(s).length;
  if (width <= length) return s;
  spendCharacters(width);
  const sign = s[0] === '+' || s[0] === '-' ? s[0] : '';
  return sign + '0'.repeat(width - length) + s.slice(sign.length);
}

function partition(method: 'partition' | 'rpartition', s: string, args: unknown[]): string[] {
  const [sepArg] = positional(method, args, 1, 1);
  const sep = str(method, sepArg);
  if (sep === '') throw pythonError('ValueError', 'empty separator');
  const at = method === 'partition' ? s.indexOf(sep) : s.lastIndexOf(sep);
  if (at < 0) return method === 'partition' ? [s, '', ''] : ['', '', s];
  return [s.slice(0, at), sep, s.slice(at + sep.length)];
}

function joinItems(s: string, args: unknown[]): string {
  const [items] = positional('join', args, 1, 1);
  const list = typeof items === 'string' ? chars(items) : Array.isArray(items) ? items : isPlainObject(items) ? Object.keys(items) : undefined;
  if (list === undefined) throw pythonError('TypeError', `can only join an iterable`);
  spendSteps(list.length, 'str.join()');
  list.forEach((item, i) => {
    if (typeof item !== 'string') throw pythonError('TypeError', `sequence item ${i}: expected str instance, ${pythonTypeName(item)} found`);
  });
  const out = (list as string[]).join(s);
  spendCharacters(out.length);
  return out;
}

function stringMethod(s: string, name: string): PythonMethod | undefined {
  const no = (method: string) => (args: unknown[]) => positional(method, args, 0, 0);
  switch (name) {
    case 'format':
      return (...args) => {
        const { positional: values, keywords } = splitArguments(args);
        defined([...values, ...Object.values(keywords)]);
        return braceFormat(s, values, keywords);
      };
    case 'split':
    case 'rsplit':
      return (...args) => splitOn(name, s, args);
    case 'splitlines':
      return (...args) => {
        const [keepends] = positional('splitlines', args, 0, 1);
        const out = pythonSplitlines(s, keepends === true || keepends === 1);
        spendSteps(out.length, 'str.splitlines()');
        return ownValue(out);
      };
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return (...args) => stripChars(name, s, args);
    case 'startswith':
    case 'endswith':
      return (...args) => startsOrEnds(name, s, args);
    case 'find':
    case 'rfind':
      return (...args) => findIn(name, s, args, name === 'rfind');
    case 'index':
    case 'rindex':
      return (...args) => {
        const at = findIn(name, s, args, name === 'rindex');
        if (at < 0) throw pythonError('ValueError', 'substring not found');
        return at;
      };
    case 'count':
      return (...args) => countIn(s, args);
    case 'replace':
      return (...args) => replaceIn(s, args);
    case 'join':
      return (...args) => joinItems(s, args);
    case 'lower':
      return (...args) => (no(name)(args), s.toLowerCase());
    case 'upper':
      return (...args) => (no(name)(args), s.toUpperCase());
    case 'title':
      return (...args) => (no(name)(args), title(s));
    case 'capitalize':
      return (...args) => {
        no(name)(args);
        const [first = '', ...rest] = chars(s);
        return first.toUpperCase() + rest.join('').toLowerCase();
      };
    case 'swapcase':
      return (...args) => (no(name)(args), swapcase(s));
    case 'isdigit':
      return (...args) => (no(name)(args), every(s, (c) => DIGIT.test(c)));
    case 'isdecimal':
      return (...args) => (no(name)(args), every(s, (c) => DECIMAL.test(c)));
    case 'isnumeric':
      return (...args) => (no(name)(args), every(s, (c) => NUMERIC.test(c)));
    case 'isalpha':
      return (...args) => (no(name)(args), every(s, (c) => ALPHA.test(c)));
    case 'isalnum':
      return (...args) => (no(name)(args), every(s, (c) => ALPHA.test(c) || NUMERIC.test(c)));
    case 'isspace':
      return (...args) => (no(name)(args), every(s, (c) => IS_SPACE.test(c)));
    case 'islower':
      return (...args) => (no(name)(args), caseTest(s, 'lower'));
    case 'isupper':
      return (...args) => (no(name)(args), caseTest(s, 'upper'));
    case 'ljust':
    case 'rjust':
    case 'center':
      return (...args) => pad(name, s, args);
    case 'zfill':
      return (...args) => zfill(s, args);
    case 'partition':
    case 'rpartition':
      return (...args) => partition(name, s, args);
    case 'removeprefix':
      return (...args) => {
        const prefix = str(name, positional(name, args, 1, 1)[0]);
        return prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s;
      };
    case 'removesuffix':
      return (...args) => {
        const suffix = str(name, positional(name, args, 1, 1)[0]);
        return suffix !== '' && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
      };
    default:
      return NOT_COMPUTED.str.has(name) ? notComputed('str', name) : undefined;
  }
}

// ---------------------------------------------------------------------------------------
// list

/** A Python list index: negative counts from the end (the caller checks the range, or clamps it as insert() does). */
function listIndex(method: string, length: number, value: unknown): number {
  const n = int(method, value);
  return n < 0 ? n + length : n;
}

/** What Python iterates in a value: a list's items, a string's characters, a dict's keys; else its TypeError (`method` says where: `extend()`, or unpacking). */
export function iterableItems(method: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return chars(value);
  if (isPlainObject(value)) return Object.keys(value);
  if (method === 'unpack') throw pythonError('TypeError', `cannot unpack non-iterable ${pythonTypeName(value)} object`);
  throw pythonError('TypeError', `'${pythonTypeName(value)}' object is not iterable (${method}())`);
}

function changing(list: unknown[], method: string): void {
  if (!isOwned(list)) throw notChanged('list', method);
}

function listMethod(list: unknown[], name: string): PythonMethod | undefined {
  // A tuple has a tuple's methods only.
  if (isTuple(list) && name !== 'index' && name !== 'count') return undefined;
  switch (name) {
    case 'index':
      return (...args) => {
        const [item, start, end] = positional('index', args, 1, 3);
        const [from, to] = adjust('index', list.length, start, end);
        spendSteps(Math.max(0, to - from), 'list.index()');
        for (let i = from; i < to; i++) if (pythonEqual(list[i], item)) return i;
        throw pythonError('ValueError', `${pythonRepr(item)} is not in list`);
      };
    case 'count':
      return (...args) => {
        const [item] = positional('count', args, 1, 1);
        spendSteps(list.length, 'list.count()');
        return list.filter((x) => pythonEqual(x, item)).length;
      };
    case 'copy':
      return (...args) => (positional('copy', args, 0, 0), spendSteps(list.length, 'list.copy()'), ownValue([...list]));
    case 'append':
      return (...args) => {
        const [item] = positional('append', args, 1, 1);
        changing(list, 'append');
        spendSteps(1, 'list.append()');
        list.push(item);
        return null;
      };
    case 'extend':
      return (...args) => {
        const [items] = positional('extend', args, 1, 1);
        changing(list, 'extend');
        const more = iterableItems('extend', items);
        spendSteps(more.length, 'list.extend()');
        list.push(...more);
        return null;
      };
    case 'insert':
      return (...args) => {
        const [at, item] = positional('insert', args, 2, 2);
        changing(list, 'insert');
        const i = listIndex('insert', list.length, at);
        list.splice(Math.max(0, Math.min(i, list.length)), 0, item);
        return null;
      };
    case 'pop':
      return (...args) => {
        const [at] = positional('pop', args, 0, 1);
        changing(list, 'pop');
        if (list.length === 0) throw pythonError('IndexError', 'pop from empty list');
        const i = at === undefined ? list.length - 1 : listIndex('pop', list.length, at);
        if (i < 0 || i >= list.length) throw pythonError('IndexError', 'pop index out of range');
        return list.splice(i, 1)[0];
      };
    case 'remove':
      return (...args) => {
        const [item] = positional('remove', args, 1, 1);
        changing(list, 'remove');
        const i = list.findIndex((x) => pythonEqual(x, item));
        if (i < 0) throw pythonError('ValueError', 'list.remove(x): x not in list');
        list.splice(i, 1);
        return null;
      };
    case '__setitem__':
      return (...args) => {
        const [at, item] = positional('__setitem__', args, 2, 2);
        changing(list, '__setitem__');
        const i = listIndex('__setitem__', list.length, at);
        if (i < 0 || i >= list.length) throw pythonError('IndexError', 'list assignment index out of range');
        list[i] = item;
        return null;
      };
    case 'clear':
      return (...args) => (positional('clear', args, 0, 0), changing(list, 'clear'), list.splice(0), null);
    case 'reverse':
      return (...args) => (positional('reverse', args, 0, 0), changing(list, 'reverse'), list.reverse(), null);
    default:
      return NOT_COMPUTED.list.has(name) ? notComputed('list', name) : undefined;
  }
}

// ---------------------------------------------------------------------------------------
// dict

/**
 * A dict key as hound's dicts hold them: text (YAML's and JSON's keys are). Python keys a dict
 * on the value itself; a number, boolean or None is held as its str() here, and reading it back
 * with the same value (`d[1]`) finds it. Lists and dicts are not keys, in Python either.
 */
export function dictKey(value: unknown, call?: string): string {
  if (value instanceof UndefinedValue) value.fail();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value instanceof PythonFloat) return pythonStr(value);
  throw pythonError('TypeError', `unhashable type: '${pythonTypeName(value)}'${call === undefined ? '' : ` (${call})`}`);
}

/**
 * `from`'s keys and values into `d`, as dict.update(from) and dict(from) take them: a dict's
 * items, or pairs (two-item lists, or two-character strings, as Python iterates them).
 */
export function updateDict(d: Record<string, unknown>, from: unknown, call: string): void {
  if (isPlainObject(from)) {
    Object.assign(d, from);
    return;
  }
  if (!Array.isArray(from)) throw pythonError('TypeError', `'${pythonTypeName(from)}' object is not iterable (${call})`);
  spendSteps(from.length, call);
  const items: readonly unknown[] = from;
  items.forEach((item, i) => {
    const pair: unknown = typeof item === 'string' ? Array.from(item) : item;
    if (!Array.isArray(pair)) throw pythonError('TypeError', `cannot convert dictionary update sequence element #${i} to a sequence`);
    if (pair.length !== 2) throw pythonError('ValueError', `dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
    d[dictKey(pair[0], call)] = pair[1];
  });
}

function dictMethod(d: Record<string, unknown>, name: string): PythonMethod | undefined {
  const changing = (method: string) => {
    if (!isOwned(d)) throw notChanged('dict', method);
  };
  switch (name) {
    case 'items':
      return (...args) => (positional('items', args, 0, 0), ownValue(Object.entries(d).map((entry) => markTuple(entry))));
    case 'keys':
      return (...args) => (positional('keys', args, 0, 0), ownValue(Object.keys(d)));
    case 'values':
      return (...args) => (positional('values', args, 0, 0), ownValue(Object.values(d)));
    case 'get':
      return (...args) => {
        const [k, fallback = null] = positional('get', args, 1, 2);
        const name = dictKey(k, 'dict.get()');
        return Object.hasOwn(d, name) ? d[name] : fallback;
      };
    case 'copy':
      return (...args) => (positional('copy', args, 0, 0), ownValue({ ...d }));
    case 'update':
      return (...args) => {
        defined(args);
        const { positional: p, keywords } = splitArguments(args);
        if (p.length > 1) throw pythonError('TypeError', `update expected at most 1 argument, got ${p.length}`);
        changing('update');
        if (p.length > 0) updateDict(d, p[0], 'dict.update()');
        Object.assign(d, keywords);
        return null;
      };
    case 'pop':
      return (...args) => {
        const [k, ...fallback] = positional('pop', args, 1, 2);
        changing('pop');
        const name = dictKey(k, 'dict.pop()');
        if (!Object.hasOwn(d, name)) {
          if (fallback.length > 0) return fallback[0];
          throw pythonError('KeyError', pythonRepr(k));
        }
        const value = d[name];
        delete d[name];
        return value;
      };
    case '__setitem__':
      return (...args) => {
        const [k, item] = positional('__setitem__', args, 2, 2);
        changing('__setitem__');
        d[dictKey(k, 'dict.__setitem__()')] = item;
        return null;
      };
    case 'setdefault':
      return (...args) => {
        const [k, fallback = null] = positional('setdefault', args, 1, 2);
        const name = dictKey(k, 'dict.setdefault()');
        if (Object.hasOwn(d, name)) return d[name];
        changing('setdefault');
        d[name] = fallback;
        return fallback;
      };
    case 'clear':
      return (...args) => {
        positional('clear', args, 0, 0);
        changing('clear');
        for (const k of Object.keys(d)) delete d[k];
        return null;
      };
    default:
      return NOT_COMPUTED.dict.has(name) ? notComputed('dict', name) : undefined;
  }
}

function notComputed(type: 'str' | 'list' | 'dict', name: string): PythonMethod {
  return () => {
    throw unsupported(`the Python method ${type}.${name}() is not supported in hound's templates`, UNSUPPORTED_HINT);
  };
}

/**
 * The Python method `name` of a str, list or dict, or undefined when Python has no such
 * method (or hound does not know it). Plain data only: the caller decides what a template may reach.
 */
export function pythonMethod(value: unknown, name: string): PythonMethod | undefined {
  if (typeof value === 'string') return stringMethod(value, name);
  if (Array.isArray(value)) return listMethod(value, name);
  if (isPlainObject(value)) return dictMethod(value, name);
  return undefined;
}
