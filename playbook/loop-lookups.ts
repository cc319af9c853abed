// What a loop iterates over, once its value is rendered: `loop:` takes a list as it is; each
// `with_<lookup>` form is the lookup plugin of that name, as ansible-core 2.14 runs it
// (items flattens one level, dict gives key/value pairs, fileglob reads the controller's
// files, together zips, sequence counts, ...).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { EXIT, HoundError } from '../base/errors.js';
import { isDirectory, isFile } from '../base/file-kind.js';
import { globToRegExp } from '../base/fnmatch.js';
import { isPlainObject, pythonRepr, pythonStr } from './template-values.js';

export interface LoopContext {
  /** The playbook's folder, and the role's when the task is a role's: where fileglob looks. */
  playbookDir: string;
  roleDir?: string;
}

function loopError(message: string, hint?: string): HoundError {
  return new HoundError('LOOP_INVALID', message, EXIT.PARSE, { hint });
}

function listify(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The items of a loop of `kind` (`loop`, or the lookup of a with_ form) over the rendered `value`. */
export function loopItems(kind: string, value: unknown, context: LoopContext): unknown[] {
  switch (kind) {
    case 'loop':
      if (!Array.isArray(value)) {
        const got = value === null ? 'None' : isPlainObject(value) ? 'a mapping' : `a ${typeof value}`;
        throw new HoundError('LOOP_NOT_LIST', `the loop is not a list (got ${got})`, EXIT.PARSE, {
          hint: 'loop: takes a list; for a dict use `{{ mydict | dict2items }}`',
        });
      }
      return value;
    case 'items':
      return listify(value).flatMap((term) => (Array.isArray(term) ? (term as unknown[]) : [term]));
    case 'list':
      return listify(value);
    case 'indexed_items':
      return loopItems('items', value, context).map((item, index) => [index, item]);
    case 'flattened':
      return flattenDeep(listify(value));
    case 'dict':
      return dictItems(value);
    case 'together':
      return together(listify(value));
    case 'nested':
    case 'cartesian':
      return cartesian(listify(value).map((term) => listify(term)));
    case 'subelements':
      return subelements(listify(value));
    case 'sequence':
      return listify(value).flatMap((term) => sequence(pythonStr(term)));
    case 'fileglob':
      return listify(value).flatMap((term) => fileglob(pythonStr(term), context));
    case 'random_choice': {
      const terms = listify(value);
      return terms.length === 0 ? [] : [terms[Math.floor(Math.random() * terms.length)]];
    }
    default:
      throw loopError(`with_${kind} is not a loop hound expands`, 'see docs/ansible-compatibility.md for the with_ forms hound has');
  }
}

function flattenDeep(items: unknown[]): unknown[] {
  return items.flatMap((item) => (Array.isArray(item) ? flattenDeep(item as unknown[]) : [item]));
}

function dictItems(value: unknown): unknown[] {
  const dicts = Array.isArray(value) ? value : [value];
  return dicts.flatMap((dict) => {
    if (!isPlainObject(dict)) throw loopError(`with_dict expects a dict, got ${pythonRepr(dict)}`, 'give it a mapping, e.g. with_dict: "{{ my_dict }}"');
    return Object.entries(dict).map(([key, v]) => ({ key, value: v }));
  });
}

/** izip_longest: the n-th item of each list, None where one is shorter. */
function together(lists: unknown[]): unknown[] {
  if (lists.length === 0) throw loopError('with_together requires at least one element in each list');
  const columns = lists.map((list) => listify(list));
  const length = Math.max(...columns.map((c) => c.length));
  return Array.from({ length }, (_, i) => columns.map((c) => (i < c.length ? c[i] : null)));
}

function cartesian(lists: unknown[][]): unknown[] {
  if (lists.length === 0) throw loopError('with_nested requires at least one element in the nested list');
  return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]);
}

function subelements(terms: unknown[]): unknown[] {
  const [source, key, flags] = terms;
  if (typeof key !== 'string')
    throw loopError('with_subelements takes a list (or dict) and the name of a key holding a list', 'e.g. with_subelements: [users, keys]');
  const skipMissing = isPlainObject(flags) && flags.skip_missing === true;
  const elements = isPlainObject(source) ? Object.values(source) : listify(source);
  const out: unknown[] = [];
  for (const element of elements) {
    if (!isPlainObject(element)) throw loopError(`with_subelements: ${pythonRepr(element)} is not a mapping`);
    if (element.skipped === true) continue;
    let current: unknown = element;
    for (const part of key.split('.')) {
      current = isPlainObject(current) && Object.hasOwn(current, part) ? current[part] : undefined;
    }
    if (current === undefined) {
      if (skipMissing) continue;
      throw loopError(`with_subelements: could not find '${key}' key in iterated item ${pythonRepr(element)}`, 'add skip_missing: true to skip such items');
    }
    if (!Array.isArray(current)) throw loopError(`with_subelements: the key '${key}' should point to a list, got ${pythonRepr(current)}`);
    for (const sub of current) out.push([element, sub]);
  }
  return out;
}

/** with_sequence's terms: `start=1 end=5 stride=1 format=%d`, `count=N`, or the short `[start-]end[/stride][:format]`. */
function sequence(term: string): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const number = (text: string, what: string): number => {
    const n = /^0x[0-9a-f]+$/i.test(text)
      ? parseInt(text, 16)
      : /^0o?[0-7]+$/i.test(text) && text !== '0'
        ? parseInt(text.replace(/^0o?/i, ''), 8)
        : Number(text);
    if (!Number.isInteger(n)) throw loopError(`with_sequence: can't parse ${what}=${text} as integer`);
    return n;
  };
  const shortcut = /^(?:([0-9a-fx]+)-)?([0-9a-fx]+)(?:\/([0-9a-fx]+))?(?::(.+))?$/i.exec(term.trim());
  if (shortcut && !term.includes('=')) {
    if (shortcut[1] !== undefined) start = number(shortcut[1], 'start');
    end = number(shortcut[2], 'end');
    if (shortcut[3] !== undefined) stride = number(shortcut[3], 'stride');
    if (shortcut[4] !== undefined) format = shortcut[4];
  } else {
    for (const word of term.split(/\s+/).filter((w) => w !== '')) {
      const [key, ...rest] = word.split('=');
      const v = rest.join('=');
      if (key === 'start') start = number(v, key);
      else if (key === 'end') end = number(v, key);
      else if (key === 'count') count = number(v, key);
      else if (key === 'stride') stride = number(v, key);
      else if (key === 'format') format = v;
      else throw loopError(`with_sequence: unrecognized arguments to with_sequence: ${key}`);
    }
  }
  if (count !== undefined && end !== undefined) throw loopError("with_sequence: can't specify both count and end in with_sequence");
  if (count !== undefined) end = start + count * stride - stride;
  if (end === undefined) throw loopError('with_sequence: must specify count or end in with_sequence');
  if (stride > 0 && end < start) throw loopError('with_sequence: to count backwards make stride negative');
  if (stride < 0 && end > start) throw loopError("with_sequence: to count forward don't make stride negative");
  if (stride === 0) return [];
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) {
    out.push(
      format.replace(/%(0?\d*)([dxXos])/, (_m, width: string, conv: string) => {
        const digits = conv === 'x' ? i.toString(16) : conv === 'X' ? i.toString(16).toUpperCase() : conv === 'o' ? i.toString(8) : String(i);
        return width.startsWith('0') ? digits.padStart(Number(width), '0') : digits.padStart(Number(width || 0), ' ');
      }),
    );
    if (out.length > 100_000) throw loopError('with_sequence: more than 100000 items');
  }
  return out;
}

/** with_fileglob: files (not folders) matching the pattern, looked up in `files/` first, as Ansible does. */
function fileglob(pattern: string, context: LoopContext): string[] {
  const dirPart = path.dirname(pattern);
  const base = path.basename(pattern);
  const candidates = path.isAbsolute(pattern)
    ? [dirPart]
    : [
        ...(context.roleDir ? [path.join(context.roleDir, 'files', dirPart), path.join(context.roleDir, dirPart)] : []),
        path.join(context.playbookDir, 'files', dirPart),
        path.join(context.playbookDir, dirPart),
      ];
  const dir = candidates.find((c) => isDirectory(c));
  if (dir === undefined) return [];
  const matcher = globToRegExp(base);
  return readdirSync(dir)
    .filter((name) => matcher.test(name) && (base.startsWith('.') || !name.startsWith('.')))
    .map((name) => path.join(dir, name))
    .filter((file) => isFile(file))
    .sort();
}

/** Ansible's `ansible_loop` (loop_control.extended) for item `index` of `items`. */
export function extendedLoopVars(items: readonly unknown[], index: number, withAllItems: boolean): Record<string, unknown> {
  const length = items.length;
  const loop: Record<string, unknown> = {
    index: index + 1,
    index0: index,
    revindex: length - index,
    revindex0: length - index - 1,
    first: index === 0,
    last: index === length - 1,
    length,
  };
  if (withAllItems) loop.allitems = items;
  if (index > 0) loop.previtem = items[index - 1];
  if (index < length - 1) loop.nextitem = items[index + 1];
  return loop;
}
