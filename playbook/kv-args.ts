// Ansible's `key=value` module arguments: `debug: var=result`, `image: name=nginx force=yes`,
// `command: ls -l chdir=/tmp`. Ports of ansible-core's split_args and parse_kv
// (lib/ansible/parsing/splitter.py), enough for the arguments hound's modules take: the
// string splits on whitespace outside quotes and outside Jinja2 blocks, a word with an
// unescaped `=` after its first character is an option, and the others are raw words, which
// only free-form modules (command) accept.

/**
 * Words of a module's argument string, quotes kept, `{{ … }}`/`{% … %}`/`{# … #}` kept whole.
 * `balance.unclosed` says whether a quote or a Jinja2 block was left open at the end (Ansible's
 * split_args fails there: "either an unbalanced jinja2 block or quotes").
 */
export function splitArgs(text: string, balance?: { unclosed: boolean }): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let jinja = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const pair = text.slice(i, i + 2);
    if (quote === undefined && (pair === '{{' || pair === '{%' || pair === '{#')) {
      jinja++;
      word += pair;
      i++;
      continue;
    }
    if (quote === undefined && jinja > 0 && (pair === '}}' || pair === '%}' || pair === '#}')) {
      jinja--;
      word += pair;
      i++;
      continue;
    }
    if (c === '\\' && quote !== undefined && i + 1 < text.length) {
      word += c + text[i + 1];
      i++;
      continue;
    }
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      word += c;
      continue;
    }
    if ((c === '"' || c === "'") && jinja === 0) {
      quote = c;
      word += c;
      continue;
    }
    if (/\s/.test(c) && jinja === 0) {
      if (word !== '') words.push(word);
      word = '';
      continue;
    }
    word += c;
  }
  if (word !== '') words.push(word);
  if (balance) balance.unclosed = quote !== undefined || jinja > 0;
  return words;
}

/** Ansible's unquote: one pair of matching outer quotes comes off. */
export function unquote(text: string): string {
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0] && text.at(-2) !== '\\') return text.slice(1, -1);
  return text;
}

/** Python's single-character escapes, as codecs' unicode-escape decodes them. */
const SINGLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Ansible's _decode_escapes (parsing/splitter.py), applied to each word of `k=v` arguments:
 * `\n`, `\t`, `\\`, `\'`, `\"`, `\xHH`, `\uHHHH`, `\UHHHHHHHH` become what Python decodes them to.
 * `\N{NAME}` (a character by its Unicode name) is left as written, and parseKeyValueArgs names
 * it among `namedEscapes`: hound has no Unicode name table, and its caller refuses the task.
 */
export function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\'"abfnrtv])/g, (whole, body: string) => {
    if (body.length === 1) return SINGLE_ESCAPES[body];
    const code = Number.parseInt(body.slice(1), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export interface KeyValueArgs {
  options: Record<string, string>;
  /** Words that are not options, in order. */
  raw: string[];
  /** `\N{NAME}` escapes in option values, which Ansible decodes and hound cannot. */
  namedEscapes: string[];
  /** A quote or Jinja2 block left open (splitArgs). */
  unclosed: boolean;
}

/**
 * Splits `text` into options and raw words. With `onlyKeys` (a free-form module's own
 * options, as ansible's check_raw does for command), other `k=v` words stay raw.
 */
export function parseKeyValueArgs(text: string, onlyKeys?: ReadonlySet<string>): KeyValueArgs {
  const options: Record<string, string> = {};
  const raw: string[] = [];
  const namedEscapes: string[] = [];
  const balance = { unclosed: false };
  for (const original of splitArgs(text, balance)) {
    const word = decodeEscapes(original);
    let at = -1;
    for (let i = word.indexOf('=', 1); i > 0; i = word.indexOf('=', i + 1)) {
      if (word[i - 1] !== '\\') {
        at = i;
        break;
      }
    }
    if (!word.includes('=')) {
      raw.push(original);
      continue;
    }
    if (at < 0) {
      raw.push(word.replace(/\\=/g, '='));
      continue;
    }
    const key = word.slice(0, at).trim();
    if (onlyKeys && !onlyKeys.has(key)) {
      raw.push(original);
      continue;
    }
    options[key] = unquote(word.slice(at + 1).trim());
    namedEscapes.push(...(options[key].match(/\\N\{[^}]+\}/g) ?? []));
  }
  return { options, raw, namedEscapes, unclosed: balance.unclosed };
}

const TRUE_WORDS = new Set(['yes', 'on', '1', 'true', 'y', 't']);
const FALSE_WORDS = new Set(['no', 'off', '0', 'false', 'n', 'f']);

/**
 * `k=v` values are strings; Ansible's argument spec then converts them. The same here, by the
 * module's JSON Schema: booleans from yes/no/true/false/on/off/1/0, integers from digits,
 * lists from comma-separated words. A value holding a template stays a string: it is
 * converted once rendered, by the template's own type.
 */
export function typedOptions(options: Record<string, string>, properties: Record<string, { type?: string | string[] }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const type = properties[key]?.type;
    const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
    if (value.includes('{{') || value.includes('{%')) out[key] = value;
    else if (types.includes('boolean') && TRUE_WORDS.has(value.toLowerCase())) out[key] = true;
    else if (types.includes('boolean') && FALSE_WORDS.has(value.toLowerCase())) out[key] = false;
    else if (types.includes('integer') && /^-?\d+$/.test(value)) out[key] = Number(value);
    else if (types.includes('array') && !types.includes('string')) out[key] = value === '' ? [] : value.split(',').map((s) => s.trim());
    else out[key] = value;
  }
  return out;
}
