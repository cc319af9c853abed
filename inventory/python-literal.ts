// Ansible types INI values with Python's `ast.literal_eval`: numbers, strings, True/False/None,
// lists, tuples and dicts become typed values; anything else stays the raw string. This is a
// reader for exactly that subset of Python expression syntax, so `x=[1, 'a']` in an INI
// file gives the same value it gives in Ansible.
import { walkBackslashEscapes } from '../base/backslash-escapes.js';
import { setVar } from './vars-object.js';
import { PythonFloat, pythonFloat } from '../base/python-float.js';

export type LiteralResult = { ok: true; value: unknown } | { ok: false };

// Thrown (and always caught) when the text is not a literal. One instance, made once: most
// INI values are plain words, and building a stack trace for each would dominate parsing time.
class NotALiteral extends Error {}
const NOT_A_LITERAL = new NotALiteral();
// A bare word is a Python name, never a literal, unless it is one of the three constants.
const BARE_WORD = /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*$/;

type Token = { kind: 'num'; value: number; float: boolean } | { kind: 'str'; value: string } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

const NAME_START = /[A-Za-z_\u0080-\uffff]/;
const NAME_PART = /[A-Za-z0-9_\u0080-\uffff]/;
const STRING_PREFIX = /^(?:[rRuUbB]|[rR][bB]|[bB][rR])$/;

// Number forms of Python 3 (underscores only between digits; no leading zeros on non-zero ints).
const NUMBER_RE =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)/;

function readNumber(text: string): { value: number; length: number; float: boolean } {
  const m = NUMBER_RE.exec(text);
  if (!m) throw NOT_A_LITERAL;
  const raw = m[0];
  const length = raw.length;
  // An identifier character right after the number (`1j`, `1x`, `0x1g`) is not a plain number.
  if (length < text.length && NAME_PART.test(text[length])) throw NOT_A_LITERAL;
  const clean = raw.replace(/_/g, '');
  let value: number;
  let float = false;
  if (/^0[xX]/.test(clean)) value = parseInt(clean.slice(2), 16);
  else if (/^0[oO]/.test(clean)) value = parseInt(clean.slice(2), 8);
  else if (/^0[bB]/.test(clean)) value = parseInt(clean.slice(2), 2);
  else if (/[.eE]/.test(clean)) {
    value = parseFloat(clean.startsWith('.') ? `0${clean}` : clean);
    float = true;
  } else {
    // Python 3 rejects `007` (but accepts `000`).
    if (/^0+[1-9]/.test(clean)) throw NOT_A_LITERAL;
    value = parseInt(clean, 10);
  }
  return { value, length, float };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

function unescape(body: string, raw: boolean): string {
  if (raw) return body;
  let out = '';
  walkBackslashEscapes(
    body,
    (c) => (out += c),
    (n, i) => {
      if (n in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[n];
        return 1;
      }
      if (/[0-7]/.test(n)) {
        const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
        out += String.fromCodePoint(parseInt(m, 8));
        return m.length;
      }
      if (n === 'x' || n === 'u' || n === 'U') {
        const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
        const hex = body.slice(i + 2, i + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw NOT_A_LITERAL;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw NOT_A_LITERAL;
        out += String.fromCodePoint(cp);
        return 1 + len;
      }
      // Python keeps unknown escapes as written.
      return 0;
    },
  );
  return out;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') break; // a comment runs to the end of the (single) line
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const { value, length, float } = readNumber(text.slice(i));
      tokens.push({ kind: 'num', value, float });
      i += length;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i;
      while (j < text.length && NAME_PART.test(text[j])) j++;
      const word = text.slice(i, j);
      const q = text[j];
      if ((q === '"' || q === "'") && STRING_PREFIX.test(word)) {
        // f-strings are not literals; other prefixes only change escaping.
        const { value, end } = readString(text, j, /[rR]/.test(word));
        tokens.push({ kind: 'str', value });
        i = end;
        continue;
      }
      tokens.push({ kind: 'name', value: word });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      const { value, end } = readString(text, i, false);
      tokens.push({ kind: 'str', value });
      i = end;
      continue;
    }
    if ('[](){},:+-'.includes(c)) {
      tokens.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    throw NOT_A_LITERAL;
  }
  return tokens;
}

function readString(text: string, start: number, raw: boolean): { value: string; end: number } {
  const q = text[start];
  const triple = text.startsWith(q.repeat(3), start);
  const delim = triple ? q.repeat(3) : q;
  let i = start + delim.length;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
      continue;
    }
    if (!triple && text[i] === '\n') throw NOT_A_LITERAL;
    if (text.startsWith(delim, i)) {
      return { value: unescape(text.slice(start + delim.length, i), raw), end: i + delim.length };
    }
    i++;
  }
  throw NOT_A_LITERAL;
}

class LiteralParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parseTop(): unknown {
    const first = this.parseExpr();
    if (this.peekOp(',')) {
      const items = [first];
      while (this.peekOp(',')) {
        this.pos++;
        if (this.atEnd()) break;
        items.push(this.parseExpr());
      }
      if (!this.atEnd()) throw NOT_A_LITERAL;
      return items;
    }
    if (!this.atEnd()) throw NOT_A_LITERAL;
    return first;
  }

  private atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  private peekOp(op: string): boolean {
    const t = this.tokens[this.pos];
    return t !== undefined && t.kind === 'op' && t.value === op;
  }

  private expectOp(op: string): void {
    if (!this.peekOp(op)) throw NOT_A_LITERAL;
    this.pos++;
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw NOT_A_LITERAL;
    return t;
  }

  private parseExpr(): unknown {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return t.float ? pythonFloat(t.value) : t.value;
      case 'str': {
        // Adjacent string literals concatenate, as in Python source.
        let s = t.value;
        while (this.tokens[this.pos]?.kind === 'str') s += (this.next() as { value: string }).value;
        return s;
      }
      case 'name':
        if (t.value === 'True') return true;
        if (t.value === 'False') return false;
        if (t.value === 'None') return null;
        throw NOT_A_LITERAL;
      case 'op':
        if (t.value === '-' || t.value === '+') {
          const n = this.next();
          if (n.kind !== 'num') throw NOT_A_LITERAL;
          const signed = t.value === '-' ? -n.value : n.value;
          return n.float ? pythonFloat(signed) : signed;
        }
        if (t.value === '[') return this.parseSequence(']');
        if (t.value === '(') {
          if (this.peekOp(')')) {
            this.pos++;
            return [];
          }
          const first = this.parseExpr();
          if (this.peekOp(')')) {
            this.pos++;
            return first;
          }
          this.expectOp(',');
          const rest = this.parseSequence(')');
          return [first, ...rest];
        }
        if (t.value === '{') return this.parseBraces();
        throw NOT_A_LITERAL;
    }
  }

  private parseSequence(close: string): unknown[] {
    const items: unknown[] = [];
    while (!this.peekOp(close)) {
      items.push(this.parseExpr());
      if (this.peekOp(',')) this.pos++;
      else if (!this.peekOp(close)) throw NOT_A_LITERAL;
    }
    this.pos++;
    return items;
  }

  private parseBraces(): unknown {
    if (this.peekOp('}')) {
      this.pos++;
      return {};
    }
    const firstKey = this.parseExpr();
    if (!this.peekOp(':')) {
      // A set literal: serialised as a list.
      const items = [firstKey];
      if (this.peekOp(',')) this.pos++;
      return items.concat(this.parseSequence('}'));
    }
    // Python merges keys that compare equal (1, 1.0 and True); the first spelling stays.
    const entries = new Map<string, { key: string; value: unknown }>();
    let key: unknown = firstKey;
    for (;;) {
      if (Array.isArray(key) || (typeof key === 'object' && key !== null && !(key instanceof PythonFloat))) throw NOT_A_LITERAL; // unhashable
      this.expectOp(':');
      const value = this.parseExpr();
      const identity = typeof key === 'string' ? `s:${key}` : key === null ? 'None' : `n:${Number(key)}`;
      const known = entries.get(identity);
      entries.set(identity, { key: known ? known.key : keyString(key), value });
      if (this.peekOp(',')) this.pos++;
      if (this.peekOp('}')) {
        this.pos++;
        const out: Record<string, unknown> = {};
        for (const e of entries.values()) setVar(out, e.key, e.value);
        return out;
      }
      key = this.parseExpr();
    }
  }
}

/** The JSON key Python's json.dumps writes for a dict key. */
function keyString(key: unknown): string {
  if (key === true) return 'true';
  if (key === false) return 'false';
  if (key === null) return 'null';
  return String(key);
}

/** `ast.literal_eval(text)`; `{ ok: false }` where Python raises ValueError or SyntaxError. */
export function pythonLiteral(text: string): LiteralResult {
  if (BARE_WORD.test(text)) {
    const word = text.trim();
    if (word === 'True') return { ok: true, value: true };
    if (word === 'False') return { ok: true, value: false };
    if (word === 'None') return { ok: true, value: null };
    return { ok: false };
  }
  try {
    // Python 3.10+ strips leading spaces and tabs before parsing.
    const tokens = tokenize(text.replace(/^[ \t]+/, ''));
    if (tokens.length === 0) return { ok: false };
    return { ok: true, value: new LiteralParser(tokens).parseTop() };
  } catch (err) {
    if (err === NOT_A_LITERAL || err instanceof RangeError) return { ok: false };
    throw err;
  }
}
