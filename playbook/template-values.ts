// Values as Jinja2 (Python) shows and compares them, so rendered strings read the way
// Ansible users expect: True/False, lists as ['a', 'b'], None as '' in output.
import { HoundError, EXIT } from '../base/errors.js';
import { PythonFloat } from '../base/python-float.js';
import { isPlainObject, pythonNumberStr, pythonRepr as basePythonRepr } from '../base/python-repr.js';

export { isPlainObject };

/** What a template sees for a name it cannot find: an error only when it is used. */
export class UndefinedValue {
  /** `factsGathered`: the host's facts were gathered in this run (the name is one hound did not gather). */
  constructor(
    readonly description: string,
    readonly factsGathered = false,
  ) {}

  fail(): never {
    throw undefinedVariableError(this.description, this.factsGathered);
  }

  // Comparing or concatenating an undefined value is an error, as with Ansible's StrictUndefined.
  [Symbol.toPrimitive](): never {
    this.fail();
  }
}

export function undefinedVariableError(description: string, factsGathered = false): HoundError {
  const name = /^'(\w+)'$/.exec(description)?.[1];
  let hint = 'define it (inventory, vars, vars_files, -e) or guard it with `| default(...)` or `is defined`';
  if (name !== undefined && isAnsibleFact(name)) {
    hint = factsGathered
      ? `'${name}' is not among the facts hound gathered for this host: hound gathers the facts listed in docs/variables.md, and gather_subset may have left it out; guard it with \`| default(...)\` or set it with -e`
      : `'${name}' is one of Ansible's gathered facts, and no facts are gathered before this point (gather_facts: false, or gathering = explicit in ansible.cfg): gather them (gather_facts: true, or a setup task before this one), or guard it with \`| default(...)\``;
  }
  return new HoundError('UNDEFINED_VARIABLE', `${description} is undefined`, EXIT.PARSE, { hint });
}

/** Ansible's connection and behaviour variables share the prefix but come from the inventory. */
const ANSIBLE_SETTINGS =
  /^ansible_(host|port|user|connection|ssh_|become|password|private_key_file|python_interpreter|shell_|timeout|pipelining|remote_tmp|check_mode|diff_mode|verbosity|play_|run_tags|skip_tags|limit|loop_var|index_var|parent_role|role_|version|collection_name|config_file|inventory_sources|forks|search_path|dependent_role_names)/;

/** Names Ansible's setup module defines (ansible_architecture, ansible_facts, …). */
export function isAnsibleFact(name: string): boolean {
  return name.startsWith('ansible_') && !ANSIBLE_SETTINGS.test(name);
}

/** The Python exceptions a template raises, as Jinja2 reports them (`KeyError: 'port'`). */
export type PythonErrorKind =
  'TypeError' | 'ValueError' | 'IndexError' | 'KeyError' | 'AttributeError' | 'ZeroDivisionError' | 'OverflowError' | 'RuntimeError' | 'FileNotFoundError';

/** A template's error as Python would raise it: the kind first, as Ansible's message shows it. */
export function pythonError(kind: PythonErrorKind, message: string, hint?: string): HoundError {
  return new HoundError('TEMPLATE_ERROR', `${kind}: ${message}`, EXIT.PARSE, hint === undefined ? {} : { hint });
}

/**
 * A filter or test hound does not have: a misspelt name, or one of a collection hound does not
 * carry. Refused by name before anything runs, whatever the task's ignore_errors says.
 */
export function unknownNameError(kind: 'filter' | 'test', name: string, where = '', at = '', ansibleCore = false): HoundError {
  if (ansibleCore)
    return new HoundError('TEMPLATE_UNSUPPORTED', `${where}ansible-core's ${kind} '${name}' is not supported by hound${at}`, EXIT.PARSE, {
      hint: `compute the value another way; docs/variables.md lists the ${kind}s hound has`,
    });
  return new HoundError('TEMPLATE_UNSUPPORTED', `${where}${kind} not found: ${name}${at}`, EXIT.PARSE, {
    hint: `check the spelling; docs/variables.md lists the ${kind}s hound has (ansible-core's and some collections')`,
  });
}

export function unsafeTemplateError(what: string): HoundError {
  return new HoundError('TEMPLATE_UNSAFE', `template refused: ${what}`, EXIT.PARSE, {
    hint: 'templates may read variables and call filters; they cannot reach JavaScript objects or functions',
  });
}

/**
 * A Python object that is not data: datetime's datetime, date and timedelta
 * (python-datetime.ts), which `now()` and `to_datetime` make. Templates compute with them; a
 * template's whole value is never one (Ansible prints it, asJinjaText). Each says how Python
 * prints, compares and tests it, and what its attributes are.
 */
export abstract class PythonObject {
  /** How many have been made: a render that made none cannot return one (templating.ts). */
  static made = 0;

  constructor() {
    PythonObject.made++;
  }

  /** type(x).__name__, as type_debug gives it (`datetime`). */
  abstract readonly typeName: string;
  /** The name in Python's TypeErrors (`datetime.datetime`). */
  abstract readonly qualifiedTypeName: string;
  /** str(x). */
  abstract str(): string;
  /** repr(x). */
  abstract repr(): string;
  /** An attribute, or a method bound to the object (a function, which the sandbox lets templates call), or undefined when Python has no such attribute. */
  abstract attribute(name: string): unknown;
  /** x == other. */
  abstract equals(other: unknown): boolean;
  /** Python's order of x and other (<0, 0, >0), or undefined when Python refuses to order them (its TypeError). */
  abstract order(other: unknown, op: string): number | undefined;

  truthy(): boolean {
    return true;
  }

  /** What json.dumps with Ansible's encoder writes; by default, as Python, it cannot. */
  toJSON(): unknown {
    throw pythonError('TypeError', `Object of type ${this.typeName} is not JSON serializable`);
  }

  /** The plain scalar PyYAML writes, or undefined when it cannot represent the object. */
  yamlScalar(): string | undefined {
    return undefined;
  }

  // pythonRepr (base/python-repr.ts), which knows nothing of templates, prints any other object with String().
  toString(): string {
    return this.repr();
  }
}

/** Jinja's str(): what `{{ value }}` prints inside a larger string. */
export function pythonStr(value: unknown): string {
  if (value instanceof UndefinedValue) value.fail();
  if (typeof value === 'string') return value;
  if (value instanceof PythonObject) return value.str();
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumberStr(value);
  return pythonRepr(value);
}

/** Jinja's repr(): strings quoted, used inside lists and dicts; an undefined value or a method fails. */
export function pythonRepr(value: unknown): string {
  return basePythonRepr(value, checkPrintable);
}

/** A value a template writes out (printed, or as JSON), at any depth: an undefined one fails, a method is refused. */
export function checkPrintable(value: unknown): void {
  if (value instanceof UndefinedValue) value.fail();
  refuseMethodValue(value);
}

/**
 * A method not called (`{{ d.items }}`, `[range]`): Jinja2 prints `<built-in method items of
 * dict object at 0x…>`, text nothing can use; hound printed its own JavaScript. Refused, saying
 * how to call it.
 */
export function refuseMethodValue(value: unknown): void {
  if (typeof value === 'function')
    throw new HoundError('TEMPLATE_UNSUPPORTED', 'a method used as a value (such as `d.items` without parentheses) is not supported', EXIT.PARSE, {
      hint: 'call it: `d.items()`; for a key of that name write `d["items"]`',
    });
}

/** Python truthiness: empty strings, lists and dicts are false. */
export function pythonTruthy(value: unknown): boolean {
  if (value instanceof UndefinedValue) value.fail();
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  if (value instanceof PythonFloat) return value.value !== 0;
  if (value instanceof PythonObject) return value.truthy();
  return Boolean(value);
}

/** Python ==: structural for lists and dicts; a bool is a number (True == 1), text is never equal to a number ('1' != 1). */
export function pythonEqual(a: unknown, b: unknown): boolean {
  if (a instanceof UndefinedValue) a.fail();
  if (b instanceof UndefinedValue) b.fail();
  if (a === b) return true;
  if (a instanceof PythonObject) return a.equals(b);
  if (b instanceof PythonObject) return b.equals(a);
  if (isPythonNumber(a) && isPythonNumber(b)) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pythonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pythonEqual(a[k], b[k]));
  }
  return false;
}

/** An int, a float or a bool: Python's bool is a subclass of int, so True + 1 == 2 and True < 2. */
export function isPythonNumber(value: unknown): value is number | boolean | PythonFloat {
  return typeof value === 'number' || typeof value === 'boolean' || value instanceof PythonFloat;
}

/** Python's name for a value's type, as its TypeErrors say it. */
export function pythonTypeName(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'dict';
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (value instanceof PythonFloat) return 'float';
  if (value instanceof PythonObject) return value.qualifiedTypeName;
  return typeof value;
}

/**
 * Python's order of two values, as `<`, `sorted()`, `min()` and `max()` see it: numbers (bools
 * among them) by value, text by code point, lists item by item and then by length. Anything
 * else is Python's TypeError (`'<' not supported between instances of 'str' and 'int'`), where
 * JavaScript would compare '9' < 10 as numbers and a list with a dict as text. NaN orders as
 * equal here; the comparison operators handle it themselves (every order with NaN is false).
 */
export function pythonOrder(a: unknown, b: unknown, op = '<'): number {
  if (a instanceof UndefinedValue) a.fail();
  if (b instanceof UndefinedValue) b.fail();
  if (isPythonNumber(a) && isPythonNumber(b)) return Math.sign(Number(a) - Number(b)) || 0;
  if (typeof a === 'string' && typeof b === 'string') return codePointOrder(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (!pythonEqual(a[i], b[i])) return pythonOrder(a[i], b[i], op);
    return Math.sign(a.length - b.length);
  }
  const order = a instanceof PythonObject ? a.order(b, op) : undefined;
  if (order !== undefined) return order;
  throw pythonError('TypeError', `'${op}' not supported between instances of '${pythonTypeName(a)}' and '${pythonTypeName(b)}'`);
}

/** Python compares text by code point; JavaScript's < compares UTF-16 units, which orders U+FF01 after an emoji. */
function codePointOrder(a: string, b: string): number {
  if (a === b) return 0;
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done === true || y.done === true) return x.done === true ? (y.done === true ? 0 : -1) : 1;
    if (x.value !== y.value) return x.value.codePointAt(0)! < y.value.codePointAt(0)! ? -1 : 1;
  }
}

/** One of Jinja2's comparison operators as Python evaluates it, for `a < b`, `a == b` and each link of `a < b < c`. */
export function pythonCompare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return pythonEqual(a, b);
    case '!=':
      return !pythonEqual(a, b);
    case '<':
    case '>':
    case '<=':
    case '>=': {
      const order = pythonOrder(a, b, op);
      if (Number.isNaN(Number(a)) && isPythonNumber(a)) return false;
      if (Number.isNaN(Number(b)) && isPythonNumber(b)) return false;
      return op === '<' ? order < 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order >= 0;
    }
    default:
      throw new HoundError('TEMPLATE_SYNTAX', `'${op}' is not a Jinja2 comparison operator`, EXIT.PARSE, { hint: 'compare with ==, !=, <, >, <= or >=' });
  }
}

/** Python's `x in container`. */
export function pythonContains(container: unknown, item: unknown): boolean {
  if (container instanceof UndefinedValue) container.fail();
  if (item instanceof UndefinedValue) item.fail();
  if (typeof container === 'string') {
    // Python's TypeError, where joining the number into text would find '1' in 'v1.2'.
    if (typeof item !== 'string') throw pythonError('TypeError', `'in <string>' requires string as left operand, not ${pythonTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pythonEqual(x, item));
  if (isPlainObject(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  throw new HoundError('TEMPLATE_ERROR', `cannot use 'in' on ${container === null ? 'None' : typeof container}`, EXIT.PARSE);
}

export interface Keywords {
  [name: string]: unknown;
}

/** nunjucks passes `name=value` arguments as a trailing object marked `__keywords`. */
export function splitArguments(args: unknown[]): { positional: unknown[]; keywords: Keywords } {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && (last as Keywords).__keywords === true) {
    const { __keywords: _, ...keywords } = last as Keywords;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: args, keywords: {} };
}

/** A parameter of bindArguments without a default: the call must give it. */
export const REQUIRED: unique symbol = Symbol('required');

/**
 * The arguments of Python's function `name` after its first `before` (the value, and Jinja2's
 * environment or context where it takes one), by position then by keyword, each defaulting to
 * `params` (REQUIRED: none); too many, an unknown keyword, one given twice or a required one
 * left out is Python's TypeError.
 */
export function bindArguments(name: string, args: unknown[], params: Record<string, unknown>, before = 1): Record<string, unknown> {
  const { positional, keywords } = splitArguments(args);
  const names = Object.keys(params);
  if (positional.length > names.length) {
    const least = before + names.filter((key) => params[key] === REQUIRED).length;
    const most = before + names.length;
    const takes = least === most ? `${most} positional argument${most === 1 ? '' : 's'}` : `from ${least} to ${most} positional arguments`;
    throw pythonError('TypeError', `${name}() takes ${takes} but ${before + positional.length} were given`);
  }
  const bound = { ...params };
  positional.forEach((value, i) => (bound[names[i]] = value));
  for (const [key, value] of Object.entries(keywords)) {
    if (!Object.hasOwn(params, key)) throw pythonError('TypeError', `${name}() got an unexpected keyword argument '${key}'`);
    if (names.indexOf(key) < positional.length) throw pythonError('TypeError', `${name}() got multiple values for argument '${key}'`);
    bound[key] = value;
  }
  const missing = names.find((key) => bound[key] === REQUIRED);
  if (missing !== undefined) throw pythonError('TypeError', `${name}() missing 1 required positional argument: '${missing}'`);
  return bound;
}
