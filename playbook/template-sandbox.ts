// The sandbox's member lookup and the functions templates may call. nunjucks' own runtime
// follows any property and calls any function (`range.constructor("...")()` runs code); this
// lookup reads only own data of plain objects, arrays and strings, plus a few safe methods.
import { pythonStr, isPlainObject, unsafeTemplateError, UndefinedValue } from './template-values.js';
import type { TemplateFunction } from './template-filters.js';

/** Names whose lookup is how code escapes a JavaScript template sandbox. */
const FORBIDDEN_NAMES = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'valueOf',
  'toString',
  'call',
  'apply',
  'bind',
]);

/** Every function a template may call. */
export const callable = new WeakSet<object>();
export function allow<T extends TemplateFunction>(fn: T): T {
  callable.add(fn);
  return fn;
}

function safeMethod(fn: TemplateFunction): TemplateFunction {
  return allow(fn);
}

function stringMethod(s: string, name: string): TemplateFunction | undefined {
  switch (name) {
    case 'split':
      return safeMethod((sep?: unknown, max?: unknown) => {
        const parts = sep === undefined || sep === null ? s.trim().split(/\s+/) : s.split(pythonStr(sep));
        if (typeof max !== 'number' || max < 0 || parts.length <= max + 1) return parts;
        return [...parts.slice(0, max), parts.slice(max).join(pythonStr(sep))];
      });
    case 'startswith':
      return safeMethod((prefix: unknown) => s.startsWith(pythonStr(prefix)));
    case 'endswith':
      return safeMethod((suffix: unknown) => s.endsWith(pythonStr(suffix)));
    case 'lower':
      return safeMethod(() => s.toLowerCase());
    case 'upper':
      return safeMethod(() => s.toUpperCase());
    case 'strip':
      return safeMethod(() => s.trim());
    case 'lstrip':
      return safeMethod(() => s.trimStart());
    case 'rstrip':
      return safeMethod(() => s.trimEnd());
    case 'replace':
      return safeMethod((from: unknown, to: unknown) => s.split(pythonStr(from)).join(pythonStr(to)));
    case 'join':
      return safeMethod((items: unknown) => (Array.isArray(items) ? items.map(pythonStr).join(s) : pythonStr(items)));
    default:
      return undefined;
  }
}

function dictMethod(d: Record<string, unknown>, name: string): TemplateFunction | undefined {
  switch (name) {
    case 'items':
      return safeMethod(() => Object.entries(d));
    case 'keys':
      return safeMethod(() => Object.keys(d));
    case 'values':
      return safeMethod(() => Object.values(d));
    case 'get':
      return safeMethod((key: unknown, fallback: unknown = null) => (Object.hasOwn(d, pythonStr(key)) ? d[pythonStr(key)] : fallback));
    default:
      return undefined;
  }
}

export function safeMemberLookup(obj: unknown, key: unknown): unknown {
  if (obj instanceof UndefinedValue) return obj;
  const name = typeof key === 'number' ? key : pythonStr(key);
  if (typeof name === 'string' && FORBIDDEN_NAMES.has(name)) throw unsafeTemplateError(`access to '${name}'`);
  if (typeof obj === 'function') throw unsafeTemplateError(`attribute '${String(name)}' of a function`);
  if (obj === null || obj === undefined) return new UndefinedValue(`attribute '${String(name)}' of None`);
  if (typeof obj === 'string' || Array.isArray(obj)) {
    const index = typeof name === 'number' ? name : /^-?\d+$/.test(name) ? Number(name) : undefined;
    if (index !== undefined) {
      const at = index < 0 ? obj.length + index : index;
      return at >= 0 && at < obj.length ? obj[at] : new UndefinedValue(`index ${index} (out of range)`);
    }
    if (typeof obj === 'string') return stringMethod(obj, name as string) ?? new UndefinedValue(`attribute '${String(name)}' of a string`);
    return new UndefinedValue(`attribute '${String(name)}' of a list`);
  }
  if (isPlainObject(obj)) {
    const prop = String(name);
    if (Object.hasOwn(obj, prop)) {
      const value = obj[prop];
      if (typeof value === 'function') throw unsafeTemplateError(`function-valued attribute '${prop}'`);
      return value;
    }
    return dictMethod(obj, prop) ?? new UndefinedValue(`'dict object' has no attribute '${prop}', so it`);
  }
  return new UndefinedValue(`attribute '${String(name)}' of ${typeof obj}`);
}
