// Python's ast.literal_eval over a template's text output, as Ansible's templating applies it:
// a template that renders to text starting with `[` or `{`, or to `True`/`False`, becomes the
// list, dict or boolean that text spells when it is a Python literal, and stays text when it is
// not (ansible/template/native_helpers.py, ansible_eval_concat, in ansible-core 2.14). So a
// playbook's `servers: "{% set arr = [] %}…{{ arr }}"` (Kolla-Ansible) or
// `"[{% for h in groups.db %}'{{ h }}',{% endfor %}]"` is a list, as under ansible-playbook.
//
// The literals: str (quotes of each kind, prefixes r/u, escapes, adjacent strings joined),
// int and float (with _, 0x/0o/0b, exponents, a sign), True, False, None (and JSON's true,
// false, null, which Ansible maps to those first), lists, tuples (a
// list here) and dicts (keys as python-methods.ts's dictKey holds them). What else
// literal_eval accepts (bytes, sets, complex numbers) leaves the text as it is.
import { dictKey } from './python-methods.js';
import { PythonFloat, pythonFloat } from '../base/python-float.js';

class NotALiteral extends Error {}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER =
  /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)(?![A-Za-z0-9_.])/y;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

/**
 * A string literal's body with Python's escapes decoded (`\n`, `\\`, `\x41`, `\101`, `\u2603`, a
 * backslash-newline dropped; an unknown escape such as `\d` kept as written), as CPython's
 * string literals and its unicode-escape codec decode them. undefined where Python refuses the
 * text: a truncated `\x`, `\u` or `\U` escape, a code point past U+10FFFF, `\N{…}` (names are
 * not known here), or a lone backslash at the end.
 */
export function pythonUnescape(body: string): string | undefined {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let at = 0; at < body.length;) {
    const c = body[at];
    if (c !== '\\') {
      out += c;
      at++;
      continue;
    }
    const next = body[at + 1];
    if (next === undefined || next === 'N') return undefined;
    at += 2;
    if (Object.hasOwn(SIMPLE_ESCAPES, next)) out += SIMPLE_ESCAPES[next];
    else if (next === 'x' || next === 'u' || next === 'U') {
      const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(at, at + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      at += width;
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(at - 1))![0];
      out += String.fromCodePoint(parseInt(octal, 8));
      at += octal.length - 1;
    } else out += c + next; // Python keeps an unknown escape as written
  }
  return out;
}

/** Brackets nested deeper than this leave the text as it is (Python's parser has a limit too). */
const MAX_DEPTH = 100;

class LiteralParser {
  private at = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  parse(): unknown {
    const value = this.value();
    this.space();
    if (this.at !== this.text.length) throw new NotALiteral();
    return value;
  }

  /** Whitespace, and newlines inside brackets (Python joins those lines); a comment runs to the line's end. */
  private space(): void {
    for (;;) {
      const c = this.text[this.at];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.at++;
      else if (c === '\\' && this.text[this.at + 1] === '\n') this.at += 2;
      else if (c === '#') while (this.at < this.text.length && this.text[this.at] !== '\n') this.at++;
      else return;
    }
  }

  private value(): unknown {
    this.space();
    const c = this.text[this.at];
    if (c === "'" || c === '"') return this.strings();
    if (c === '[' || c === '(' || c === '{') {
      if (++this.depth > MAX_DEPTH) throw new NotALiteral();
      const value = c === '{' ? this.dict() : this.sequence(c === '[' ? ']' : ')');
      this.depth--;
      return value;
    }
    if (c === '+' || c === '-') {
      this.at++;
      this.space();
      const n = this.number();
      return c === '-' ? (n instanceof PythonFloat ? new PythonFloat(-n.value) : -n) : n;
    }
    if (c !== undefined && /[0-9.]/.test(c)) return this.number();
    IDENTIFIER.lastIndex = this.at;
    const word = IDENTIFIER.exec(this.text)?.[0];
    if (word === undefined) throw new NotALiteral();
    const quote = this.text[this.at + word.length];
    if ((quote === "'" || quote === '"') && /^(?:[rRuU])$/.test(word)) return this.strings();
    this.at += word.length;
    // JSON's names too: Ansible maps true, false and null to Python's before it evaluates (Json2Python).
    if (word === 'True' || word === 'true') return true;
    if (word === 'False' || word === 'false') return false;
    if (word === 'None' || word === 'null') return null;
    throw new NotALiteral();
  }

  private number(): number | PythonFloat {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) throw new NotALiteral();
    this.at += match[0].length;
    const digits = match[0].replace(/_/g, '');
    if (/^0[xXoObB]/.test(digits)) return Number(digits.toLowerCase());
    // Python refuses a leading zero on a non-zero integer (`012`).
    if (/^0\d*[1-9]\d*$/.test(digits)) throw new NotALiteral();
    // A fraction or an exponent makes a float (`1.0`, `1e3`), which keeps its kind.
    return /[.eE]/.test(digits) ? pythonFloat(Number(digits)) : Number(digits);
  }

  /** One or more adjacent string literals, joined. */
  private strings(): string {
    let out = '';
    let any = false;
    for (;;) {
      this.space();
      const start = this.at;
      let raw = false;
      const prefix = this.text[this.at];
      if (prefix !== undefined && /[rRuU]/.test(prefix) && /['"]/.test(this.text[this.at + 1] ?? '')) {
        raw = prefix === 'r' || prefix === 'R';
        this.at++;
      }
      const quote = this.text[this.at];
      if (quote !== "'" && quote !== '"') {
        this.at = start;
        if (!any) throw new NotALiteral();
        return out;
      }
      out += this.string(quote, raw);
      any = true;
    }
  }

  private string(quote: string, raw: boolean): string {
    const triple = this.text.startsWith(quote.repeat(3), this.at);
    const end = triple ? quote.repeat(3) : quote;
    this.at += end.length;
    let out = '';
    for (;;) {
      if (this.at >= this.text.length) throw new NotALiteral();
      if (this.text.startsWith(end, this.at)) {
        this.at += end.length;
        return out;
      }
      const c = this.text[this.at];
      if (c === '\n' && !triple) throw new NotALiteral();
      if (c !== '\\') {
        out += c;
        this.at++;
        continue;
      }
      const next = this.text[this.at + 1];
      if (next === undefined) throw new NotALiteral();
      // The escape and its argument (\x41, \101, \u2603), decoded below with the rest.
      const escape = /^\\(?:x[0-9a-fA-F]{0,2}|u[0-9a-fA-F]{0,4}|U[0-9a-fA-F]{0,8}|[0-7]{1,3}|[^])/.exec(this.text.slice(this.at, this.at + 10))![0];
      this.at += escape.length;
      if (raw) out += escape;
      else {
        const decoded = pythonUnescape(escape);
        if (decoded === undefined) throw new NotALiteral();
        out += decoded;
      }
    }
  }

  private sequence(close: ']' | ')'): unknown[] {
    this.at++;
    const out: unknown[] = [];
    let commas = 0;
    for (;;) {
      this.space();
      if (this.text[this.at] === close) {
        this.at++;
        // `(x)` is x in Python, not a tuple; `(x,)` and `()` are tuples.
        if (close === ')' && out.length === 1 && commas === 0) return out[0] as unknown[];
        return out;
      }
      if (out.length > commas) throw new NotALiteral();
      out.push(this.value());
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        commas++;
      }
    }
  }

  private dict(): Record<string, unknown> {
    this.at++;
    const out: Record<string, unknown> = {};
    let entries = 0;
    let commas = 0;
    for (;;) {
      this.space();
      if (this.text[this.at] === '}') {
        this.at++;
        return out;
      }
      if (entries > commas) throw new NotALiteral();
      const key = this.value();
      this.space();
      // `{1, 2}` is a set, which hound has no value for: the text stays text.
      if (this.text[this.at] !== ':') throw new NotALiteral();
      this.at++;
      const value = this.value();
      if (Array.isArray(key) || (key !== null && typeof key === 'object' && !(key instanceof PythonFloat))) throw new NotALiteral();
      Object.defineProperty(out, dictKey(key), { value, enumerable: true, writable: true, configurable: true });
      entries++;
      this.space();
      if (this.text[this.at] === ',') {
        this.at++;
        commas++;
      }
    }
  }
}

/** The value Ansible makes of a template's text output: a literal's value when it is one (see above), else the text. */
export function ansibleTextResult(text: string): unknown {
  if (!(text.startsWith('[') || text.startsWith('{') || text === 'True' || text === 'False')) return text;
  try {
    return new LiteralParser(text).parse();
  } catch (err) {
    if (err instanceof NotALiteral) return text;
    throw err;
  }
}
