// Python's repr() and str() of the values hound reads from YAML, JSON and templates. Ansible
// prints a list or dict inside a larger string as Python's repr, reads that text back as a
// literal, and ansible-inventory prints it in `--graph --vars`, so every escape must be Python's.
import { PythonFloat, pythonFloatRepr } from './python-float.js';
import { UnsafeText } from './unsafe-text.js';

/** A dict as YAML, JSON and templates make one: not a class instance, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Python's tuples, `(a, b)`: arrays here, marked so that repr() prints them as Python does
 * (Jinja2's literal tuples, dictsort's and zip's pairs) and a template cannot change them.
 */
const tuples = new WeakSet<object>();

/** Marks `value` (an array) a tuple, and returns it. */
export function markTuple<T extends object>(value: T): T {
  tuples.add(value);
  return value;
}

export function isTuple(value: unknown): boolean {
  return typeof value === 'object' && value !== null && tuples.has(value);
}

/** str() of a number: a whole one is an int (never an exponent, as Python's int prints), any other a float. */
export function pythonNumberStr(value: number): string {
  if (!Number.isInteger(value)) return pythonFloatRepr(value);
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/**
 * Python's repr() of a str: single quotes unless the text has one and no double quote,
 * backslash escapes for the quote, backslashes and control characters (C0, DEL and C1, which
 * Python counts as unprintable).
 */
export function pythonStringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (c === '\\' || c === quote) out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out + quote;
}

/**
 * Python's repr(). `check` sees every value met on the way down, so a caller can refuse one
 * (the templates' undefined values fail there rather than print).
 */
export function pythonRepr(value: unknown, check?: (value: unknown) => void): string {
  check?.(value);
  if (typeof value === 'string') return pythonStringRepr(value);
  if (value instanceof UnsafeText) return pythonStringRepr(value.text);
  if (Array.isArray(value)) {
    const items = value.map((v) => pythonRepr(v, check));
    if (!tuples.has(value)) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v, check)}`)
      .join(', ')}}`;
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumberStr(value);
  return String(value);
}
