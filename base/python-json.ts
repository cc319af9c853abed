// Python's json.dumps, which Ansible's to_json and to_nice_json call: `", "` and `": "` between
// items (to_nice_json: `","` at line ends), non-ASCII escaped as \uXXXX unless ensure_ascii is
// false, keys in their order or sorted (to_nice_json sorts by default). JavaScript's
// JSON.stringify differs in every one of these, so a command line or file built with to_json
// read differently from what ansible-playbook writes.
import { PythonFloat, pythonFloatRepr } from './python-float.js';
import { isPlainObject } from './python-repr.js';
import { UnsafeText } from './unsafe-text.js';

/** A number as Python's json writes it: an int's digits, a float's repr. */
function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (!Number.isInteger(value)) return pythonFloatRepr(value);
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

export interface JsonDumpOptions {
  /** Spaces per level; one line when absent. */
  indent?: number;
  sortKeys?: boolean;
  ensureAscii?: boolean;
  /** Between items and between a key and its value (Python's `separators`). */
  separators?: [string, string];
  /** Called on every value written, which it may refuse by throwing (templates: undefined values, methods). */
  check?: (value: unknown) => void;
}

function quoted(text: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    // UTF-16 units, as Python writes a character past U+FFFF: its surrogate pair.
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out + '"';
}

/** json.dumps(value, indent=…, sort_keys=…, ensure_ascii=…, separators=…). */
export function pythonJsonDumps(value: unknown, options: JsonDumpOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const indent = options.indent;
  const [itemSeparator, keySeparator] = options.separators ?? (indent === undefined ? [', ', ': '] : [',', ': ']);
  const write = (v: unknown, depth: number): string => {
    options.check?.(v);
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return number(v);
    if (v instanceof PythonFloat) return pythonFloatRepr(v.value);
    if (typeof v === 'string') return quoted(v, ensureAscii);
    if (v instanceof UnsafeText) return quoted(v.text, ensureAscii);
    if (v instanceof Date) return quoted(v.toISOString(), ensureAscii);
    // An object that says how JSON writes it (the templates' datetime: its isoformat(); others refuse, as Python's encoder does).
    if (!Array.isArray(v) && !isPlainObject(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function')
      return write((v as { toJSON(): unknown }).toJSON(), depth);
    const entries: Array<[string | undefined, unknown]> = Array.isArray(v)
      ? v.map((item) => [undefined, item])
      : isPlainObject(v)
        ? Object.entries(v)
        : [[undefined, String(v)]];
    if (isPlainObject(v) && options.sortKeys === true) entries.sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return open + close;
    const parts = entries.map(([k, item]) => (k === undefined ? '' : quoted(k, ensureAscii) + keySeparator) + write(item, depth + 1));
    if (indent === undefined) return open + parts.join(itemSeparator) + close;
    const pad = (n: number) => '\n' + ' '.repeat(indent * n);
    return open + pad(depth + 1) + parts.join(itemSeparator + pad(depth + 1)) + pad(depth) + close;
  };
  return write(value, 0);
}

/** A JSON number token written as a float (with a fraction or an exponent), or a string token, which is skipped whole. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+(?:[eE][-+]?\d+)?|[eE][-+]?\d+)/g;
/** What a float token becomes for the reviver: no JSON string can hold a lone U+FFFF from a `\uffff` escape and this prefix by chance. */
const FLOAT_MARK = '\uffff\u0000float:';

/**
 * Python's json.loads as far as JSON goes: a number written with a fraction or an exponent is a
 * float (`1.0` stays 1.0, as PythonFloat), one without is an int. JSON.parse reads both as one
 * number, so whole-valued float tokens are carried through it as marked strings.
 */
export function pythonJsonLoads(text: string): unknown {
  let marked = false;
  const source = text.replace(JSON_TOKEN, (token) => {
    if (token.startsWith('"') || !Number.isInteger(Number(token))) return token;
    marked = true;
    return JSON.stringify(FLOAT_MARK + token);
  });
  if (!marked) return JSON.parse(text);
  return JSON.parse(source, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(FLOAT_MARK) ? new PythonFloat(Number(value.slice(FLOAT_MARK.length))) : value,
  );
}
