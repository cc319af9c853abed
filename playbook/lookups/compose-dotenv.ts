// A project's `.env` (or `--env-file`) as compose-go's dotenv package reads it: `KEY=value`
// or `KEY: value`, an optional `export `, comments, unquoted values cut at ` #` and trimmed,
// 'single quotes' taken literally, "double quotes" with escapes (\n, \t, \", \\, \$) and
// several lines; values are interpolated (`${OTHER:-x}`) against the environment first and
// the keys already read; a bare `KEY` takes the environment's value.
import { ParseError, lineOf } from '../../base/errors.js';
import { interpolate, InvalidTemplateError, RequiredVariableError, type Lookup } from './compose-interpolation.js';

const KEY_CHAR = /[A-Za-z0-9_.\-[\]]/;
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\', $: '$$' };

/** The variables `text` (the content of `file`) defines; `environment` wins in interpolation. */
export function parseDotenv(text: string, file: string, environment: Lookup): Record<string, string> {
  const out: Record<string, string> = {};
  const lookup: Lookup = (name) => environment(name) ?? (Object.hasOwn(out, name) ? out[name] : undefined);
  let i = 0;
  const src = text.replace(/\r\n/g, '\n');
  const lineAt = (offset: number) => src.slice(0, offset).split('\n').length;
  const fail = (offset: number, message: string): never => {
    const line = lineAt(offset);
    throw new ParseError('COMPOSE_ENV_FILE', `${message} in env file`, { position: { file, line, column: 1, sourceLine: lineOf(src, line) } });
  };
  const expand = (value: string, at: number): string => {
    try {
      return interpolate(value, lookup).value;
    } catch (err) {
      if (err instanceof RequiredVariableError || err instanceof InvalidTemplateError) return fail(at, err.message);
      throw err;
    }
  };
  while (i < src.length) {
    while (i < src.length && /\s/.test(src[i])) i++;
    if (i >= src.length) break;
    if (src[i] === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl + 1;
      continue;
    }
    const start = i;
    if (/^export[ \t]+/.test(src.slice(i, i + 16))) i += /^export[ \t]+/.exec(src.slice(i))![0].length;
    let key = '';
    let inherited = false;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '=' || c === ':' || c === '\n') {
        inherited = c === '\n';
        i++;
        break;
      }
      if (c === ' ' || c === '\t') continue;
      if (!KEY_CHAR.test(c)) fail(start, `unexpected character ${JSON.stringify(c)} in variable name`);
      key += c;
    }
    if (i >= src.length && !inherited && !/[=:]/.test(src.slice(start))) inherited = true;
    if (inherited) {
      const value = environment(key);
      if (value !== undefined) out[key] = value;
      continue;
    }
    while (src[i] === ' ' || src[i] === '\t') i++;
    const quote = src[i];
    if (quote === '"' || quote === "'") {
      let value = '';
      let j = i + 1;
      let closed = false;
      for (; j < src.length; j++) {
        const c = src[j];
        if (c === '\\' && j + 1 < src.length) {
          const n = src[j + 1];
          if (n === quote) {
            value += n;
            j++;
            continue;
          }
          if (quote === '"' && Object.hasOwn(ESCAPES, n)) {
            value += ESCAPES[n];
            j++;
            continue;
          }
          value += c;
          continue;
        }
        if (c === quote) {
          closed = true;
          break;
        }
        value += c;
      }
      if (!closed) fail(i, 'unterminated quoted value');
      out[key] = quote === '"' ? expand(value, i) : value;
      const nl = src.indexOf('\n', j + 1);
      i = nl < 0 ? src.length : nl + 1;
      continue;
    }
    const nl = src.indexOf('\n', i);
    const raw = src.slice(i, nl < 0 ? src.length : nl);
    const comment = raw.indexOf(' #');
    out[key] = expand((comment >= 0 ? raw.slice(0, comment) : raw).trimEnd(), i);
    i = nl < 0 ? src.length : nl + 1;
  }
  return out;
}
