// The sandbox's member lookup and the functions templates may call. nunjucks' own runtime
// follows any property and calls any function (`range.constructor("...")()` runs code); this
// lookup reads only own data of plain objects, arrays and strings, plus Python's own methods of
// str, list and dict (python-methods.ts), each a function of ours over plain data.
import { pythonStr, isPlainObject, PythonObject, unsafeTemplateError, UndefinedValue } from './template-values.js';
import type { TemplateFunction } from './template-filters.js';
import { pythonMethod } from './python-methods.js';

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

/** A Python method of the value (python-methods.ts), callable from the template. */
function method(value: unknown, name: string): TemplateFunction | undefined {
  const fn = pythonMethod(value, name);
  return fn === undefined ? undefined : allow(fn);
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
    if (typeof obj === 'string') return method(obj, name as string) ?? new UndefinedValue(`attribute '${String(name)}' of a string`);
    return method(obj, name as string) ?? new UndefinedValue(`attribute '${String(name)}' of a list`);
  }
  if (isPlainObject(obj)) {
    const prop = String(name);
    if (Object.hasOwn(obj, prop)) {
      const value = obj[prop];
      // Only hound's own functions (loop.cycle, loop.changed) may be read from a dict.
      if (typeof value === 'function' && !callable.has(value)) throw unsafeTemplateError(`function-valued attribute '${prop}'`);
      return value;
    }
    return method(obj, prop) ?? new UndefinedValue(`'dict object' has no attribute '${prop}', so it`);
  }
  if (obj instanceof PythonObject) {
    const value = typeof name === 'string' ? obj.attribute(name) : undefined;
    if (typeof value === 'function') return allow(value as TemplateFunction);
    return value ?? new UndefinedValue(`'${obj.qualifiedTypeName} object' has no attribute '${String(name)}', so it`);
  }
  return new UndefinedValue(`attribute '${String(name)}' of ${typeof obj}`);
}
