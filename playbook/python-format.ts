// Python's printf-style string formatting (`'%s-%04d' % (name, n)`, `'%(k)s' % d`), which
// Jinja's `%` does on a string left operand and playbooks use (`'test-%0x' % (2**32 | random)`).
import { isPythonFloat } from '../base/python-float.js';
import { isPlainObject, isPythonNumber, pythonError, pythonRepr, pythonStr, pythonTypeName } from './template-values.js';
import { spendCharacters } from './template-budget.js';

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

function integerOf(value: unknown, conversion: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  // %d, %i and %u take a float's whole part; %x, %o and %c take ints only.
  if (isPythonFloat(value) && 'xXoc'.includes(conversion)) throw pythonError('TypeError', `%${conversion} format: an integer is required, not float`);
  if (isPythonNumber(value) && Number.isFinite(Number(value))) return Math.trunc(Number(value));
  throw pythonError('TypeError', `%${conversion} format: a real number is required, not ${pythonTypeName(value)}`);
}

/** A number's sign as a format asks for it: '-' when negative, else '+' or ' ' when its flag says so. */
function signFor(negative: boolean, flag: string | undefined): string {
  return negative ? '-' : flag === '+' || flag === ' ' ? flag : '';
}

type Alignment = '<' | '^' | '=' | '>';

/**
 * `lead` (a number's sign and prefix) and `body` padded to `width` code points with `fill`:
 * after them (<), around them (^), between them (=, zero padding) or before them (>).
 */
function aligned(lead: string, body: string, width: number, fill: string, align: Alignment): string {
  const length = Array.from(lead + body).length;
  // A width is text the template asks for: counted against its budget before it is built.
  spendCharacters(Math.max(width, length));
  const pad = Math.max(0, width - length);
  switch (align) {
    case '<':
      return lead + body + fill.repeat(pad);
    case '^':
      return fill.repeat(Math.floor(pad / 2)) + lead + body + fill.repeat(pad - Math.floor(pad / 2));
    case '=':
      return lead + fill.repeat(pad) + body;
    default:
      return fill.repeat(pad) + lead + body;
  }
}

/** One %-conversion's text before padding: a number's sign and prefix (its lead) and its digits, or the characters. */
function convert(value: unknown, conversion: string, flags: string, precision: number | undefined): { lead: string; body: string } {
  const flag = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : undefined;
  switch (conversion) {
    case 's':
      return { lead: '', body: precision === undefined ? pythonStr(value) : pythonStr(value).slice(0, precision) };
    case 'r':
    case 'a':
      return { lead: '', body: precision === undefined ? pythonRepr(value) : pythonRepr(value).slice(0, precision) };
    case 'c':
      if (typeof value === 'string' && [...value].length === 1) return { lead: '', body: value };
      return { lead: '', body: String.fromCodePoint(integerOf(value, 'c')) };
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      const n = integerOf(value, conversion);
      const radix = conversion === 'o' ? 8 : conversion === 'x' || conversion === 'X' ? 16 : 10;
      let digits = Math.abs(n).toString(radix);
      if (precision !== undefined) digits = digits.padStart(precision, '0');
      if (conversion === 'X') digits = digits.toUpperCase();
      const prefix = flags.includes('#') && radix !== 10 ? `0${conversion === 'o' ? 'o' : conversion}` : '';
      return { lead: signFor(n < 0, flag) + prefix, body: digits };
    }
    default: {
      if (!isPythonNumber(value)) throw pythonError('TypeError', `must be real number, not ${pythonTypeName(value)}`);
      const n = Number(value);
      const places = precision ?? 6;
      const lower = conversion.toLowerCase();
      let digits =
        lower === 'f'
          ? Math.abs(n).toFixed(places)
          : lower === 'e'
            ? pythonExponent(Math.abs(n).toExponential(places))
            : pythonGeneral(Math.abs(n), places, { alternate: flags.includes('#') });
      if (conversion === conversion.toUpperCase()) digits = digits.toUpperCase();
      return { lead: signFor(n < 0 || Object.is(n, -0), flag), body: digits };
    }
  }
}

/** JavaScript writes `1e+5`, Python `1e+05`. */
function pythonExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * %g at that many significant digits: the exponent form when the exponent (after rounding) is
 * below -4 or at least the precision, else fixed; trailing zeros dropped unless `alternate` (#).
 * `repr` is str.format's form without a type: the exponent form from one digit earlier, and a
 * fixed result keeps one digit after the point (`'{:.3}'.format(1.0)` is 1.0).
 */
function pythonGeneral(n: number, precision: number, options: { alternate?: boolean; repr?: boolean } = {}): string {
  const p = precision === 0 ? 1 : precision;
  const exponent = n === 0 ? 0 : Number(n.toExponential(p - 1).split('e')[1]);
  const exponential = exponent < -4 || exponent >= (options.repr === true ? p - 1 : p);
  let text = exponential ? pythonExponent(n.toExponential(p - 1)) : n.toFixed(Math.max(0, p - 1 - exponent));
  if (options.alternate === true) return text.includes('.') ? text : text.replace(/(?=e|$)/, '.');
  text = text.replace(/(\.\d*?)0+(?=e|$)/, '$1').replace(/\.(?=e|$)/, '');
  return options.repr === true && !exponential && !text.includes('.') ? `${text}.0` : text;
}

/** `format % values` as Python computes it for str; a list on the right is the tuple of values. */
export function percentFormat(format: string, values: unknown): string {
  const byKey = isPlainObject(values) ? values : undefined;
  const queue: unknown[] = Array.isArray(values) ? [...(values as unknown[])] : [values];
  let used = 0;
  let anyKeyed = false;
  const out = format.replace(
    SPEC,
    (whole: string, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string | undefined) => {
      if (conversion === undefined) throw pythonError('ValueError', `incomplete format in ${pythonRepr(format)}`);
      if (conversion === '%') return '%';
      let value: unknown;
      if (key !== undefined) {
        anyKeyed = true;
        if (!byKey) throw pythonError('TypeError', 'format requires a mapping');
        if (!Object.hasOwn(byKey, key)) throw pythonError('KeyError', pythonRepr(key));
        value = byKey[key];
      } else {
        if (used >= queue.length) throw pythonError('TypeError', 'not enough arguments for format string');
        value = queue[used++];
      }
      const { lead, body } = convert(value, conversion, flags, precision === undefined ? undefined : Number(precision));
      // '-' pads on the right; '0' pads a number with zeros after its sign and prefix.
      const align: Alignment = flags.includes('-') ? '<' : flags.includes('0') && !'srac'.includes(conversion) ? '=' : '>';
      return aligned(lead, body, width === undefined ? 0 : Number(width), align === '=' ? '0' : ' ', align);
    },
  );
  if (!anyKeyed && !byKey && used < queue.length) throw pythonError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

// ---------------------------------------------------------------------------------------
// str.format(): `'{}-{:>5}'.format(name, n)`, `'{host}:{port}'.format(host=h, port=p)`.

/** A replacement field of a format string: `{name!conversion:spec}`, and where the field ends. */
interface BraceField {
  name: string;
  conversion?: string;
  spec: string;
  end: number;
}

/** The field that starts after the `{` at `start - 1`, as Python's MarkupIterator reads it. */
function braceField(format: string, start: number): BraceField {
  const unclosed = () => pythonError('ValueError', "expected '}' before end of string");
  let i = start;
  while (i < format.length && !':!}'.includes(format[i])) {
    if (format[i] === '{') throw pythonError('ValueError', "unexpected '{' in field name");
    if (format[i] === '[') {
      const close = format.indexOf(']', i);
      if (close < 0) throw unclosed();
      i = close + 1;
    } else i++;
  }
  if (i >= format.length) throw unclosed();
  const name = format.slice(start, i);
  let conversion: string | undefined;
  if (format[i] === '!') {
    if (i + 1 >= format.length) throw pythonError('ValueError', 'end of string while looking for conversion specifier');
    conversion = format[i + 1];
    i += 2;
    if (i >= format.length) throw unclosed();
    if (format[i] !== ':' && format[i] !== '}') throw pythonError('ValueError', "expected ':' after conversion specifier");
  }
  let spec = '';
  if (format[i] === ':') {
    const from = ++i;
    for (let depth = 1; ; i++) {
      if (i >= format.length) throw unclosed();
      if (format[i] === '{') depth++;
      else if (format[i] === '}' && --depth === 0) break;
    }
    spec = format.slice(from, i);
  }
  return { name, conversion, spec, end: i + 1 };
}

/** `.attr` and `[key]` after a field's first name: Python's getattr and getitem. */
function fieldLookup(value: unknown, rest: string, field: string): unknown {
  let i = 0;
  while (i < rest.length) {
    if (rest[i] === '.') {
      const name = /^[^.[]*/.exec(rest.slice(i + 1))?.[0] ?? '';
      if (name === '') throw pythonError('ValueError', 'Empty attribute in format string');
      throw pythonError('AttributeError', `'${pythonTypeName(value)}' object has no attribute '${name}'`);
    }
    if (rest[i] !== '[') throw pythonError('ValueError', "Only '.' or '[' may follow ']' in format field specifier");
    const close = rest.indexOf(']', i);
    const key = rest.slice(i + 1, close);
    if (key === '') throw pythonError('ValueError', 'Empty attribute in format string');
    i = close + 1;
    if (Array.isArray(value) || typeof value === 'string') {
      if (!/^\d+$/.test(key)) throw pythonError('TypeError', `${pythonTypeName(value)} indices must be integers or slices, not str`);
      const at = Number(key);
      if (at >= value.length) throw pythonError('IndexError', `${pythonTypeName(value)} index out of range`);
      value = value[at];
    } else if (isPlainObject(value)) {
      if (!Object.hasOwn(value, key)) throw pythonError('KeyError', pythonRepr(/^\d+$/.test(key) ? Number(key) : key));
      value = value[key];
    } else throw pythonError('TypeError', `'${pythonTypeName(value)}' object is not subscriptable (format field ${field})`);
  }
  return value;
}

/** repr() with non-ASCII written as escapes: Python's ascii(). */
function asciiRepr(value: unknown): string {
  return pythonRepr(value).replace(/[^\p{ASCII}]/gu, (c) => {
    const code = c.codePointAt(0) as number;
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : code < 0x10000
        ? `\\u${code.toString(16).padStart(4, '0')}`
        : `\\U${code.toString(16).padStart(8, '0')}`;
  });
}

const FORMAT_SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/u;

/** Digits in groups of `size` from the right, joined by `separator`. */
function grouped(digits: string, separator: string | undefined, size: number): string {
  if (separator === undefined) return digits;
  const out: string[] = [];
  for (let end = digits.length; end > 0; end -= size) out.unshift(digits.slice(Math.max(0, end - size), end));
  return out.join(separator);
}

/** A value formatted by a spec, as format(value, spec) does for Python's str, int, bool and float (others take only an empty spec). */
export function formatWithSpec(value: unknown, spec: string): string {
  if (spec === '') return pythonStr(value);
  const m = FORMAT_SPEC.exec(spec);
  if (m === null) throw pythonError('ValueError', 'Invalid format specifier');
  const [, fillChar, alignChar, signChar, , alternate, zero, widthText, separator, precisionText, typeChar] = m;
  const width = widthText === undefined ? 0 : Number(widthText);
  const precision = precisionText === undefined ? undefined : Number(precisionText);
  let fill = fillChar ?? ' ';
  let align = alignChar as Alignment | undefined;
  if (zero !== undefined && alignChar === undefined) {
    fill = fillChar ?? '0';
    align = '=';
  }
  const isInt = (typeof value === 'number' && Number.isInteger(value) && !isPythonFloat(value)) || typeof value === 'boolean';
  const isFloat = isPythonFloat(value) || (typeof value === 'number' && !Number.isInteger(value));
  let sign = '';
  let prefix = '';
  let body: string;
  if (typeof value === 'string') {
    if (typeChar !== undefined && typeChar !== 's') throw pythonError('ValueError', `Unknown format code '${typeChar}' for object of type 'str'`);
    if (signChar !== undefined) throw pythonError('ValueError', 'Sign not allowed in string format specifier');
    if (alternate !== undefined) throw pythonError('ValueError', 'Alternate form (#) not allowed in string format specifier');
    if (align === '=') throw pythonError('ValueError', "'=' alignment not allowed in string format specifier");
    if (separator !== undefined) throw pythonError('ValueError', `Cannot specify '${separator}' with 's'.`);
    body = precision === undefined ? value : Array.from(value).slice(0, precision).join('');
    align ??= '<';
  } else if (isInt && (typeChar === undefined || 'bcdnoxX'.includes(typeChar))) {
    if (precision !== undefined) throw pythonError('ValueError', 'Precision not allowed in integer format specifier');
    const n = Number(value);
    if (typeChar === 'c') {
      if (signChar !== undefined) throw pythonError('ValueError', "Sign not allowed with integer format specifier 'c'");
      if (n < 0 || n > 0x10ffff) throw pythonError('OverflowError', '%c arg not in range(0x110000)');
      body = String.fromCodePoint(n);
    } else {
      const base = typeChar === 'b' ? 2 : typeChar === 'o' ? 8 : typeChar === 'x' || typeChar === 'X' ? 16 : 10;
      if (separator === ',' && base !== 10) throw pythonError('ValueError', `Cannot specify ',' with '${typeChar}'.`);
      sign = signFor(n < 0, signChar);
      if (alternate !== undefined && base !== 10) prefix = `0${typeChar}`;
      let digits = Math.abs(n).toString(base);
      if (typeChar === 'X') digits = digits.toUpperCase();
      const size = base === 10 ? 3 : 4;
      // Zero padding takes the separators too, as Python's does ('{:010,}' of 1234 is 00,001,234).
      if (align === '=' && fill === '0' && separator !== undefined)
        while (sign.length + prefix.length + grouped(digits, separator, size).length < width) digits = `0${digits}`;
      body = grouped(digits, separator, size);
    }
    align ??= '>';
  } else if (isInt || isFloat) {
    if (typeChar !== undefined && !'eEfFgGn%'.includes(typeChar))
      throw pythonError('ValueError', `Unknown format code '${typeChar}' for object of type '${isInt ? 'int' : 'float'}'`);
    const n = Number(value);
    sign = signFor(n < 0 || (Object.is(n, -0) && m[4] === undefined), signChar);
    const a = Math.abs(n);
    let digits: string;
    if (!Number.isFinite(a)) digits = Number.isNaN(a) ? 'nan' : 'inf';
    else if (typeChar === 'f' || typeChar === 'F') digits = a.toFixed(precision ?? 6);
    else if (typeChar === 'e' || typeChar === 'E') digits = pythonExponent(a.toExponential(precision ?? 6));
    else if (typeChar === '%') digits = `${(a * 100).toFixed(precision ?? 6)}%`;
    else if (typeChar === undefined && precision === undefined) digits = isInt ? String(a) : pythonStr(isPythonFloat(value) ? value : a).replace(/^-/, '');
    else {
      digits = pythonGeneral(a, precision ?? 6, { alternate: alternate !== undefined, repr: typeChar === undefined && !isInt });
    }
    if (typeChar !== undefined && typeChar === typeChar.toUpperCase() && typeChar !== '%') digits = digits.toUpperCase();
    if (alternate !== undefined && !digits.includes('.') && /^\d/.test(digits)) digits = digits.replace(/^(\d+)/, '$1.');
    const [whole, fraction] = [/^\d+/.exec(digits)?.[0] ?? '', digits.replace(/^\d+/, '')];
    let wholeDigits = whole;
    if (align === '=' && fill === '0' && separator !== undefined && whole !== '')
      while (sign.length + grouped(wholeDigits, separator, 3).length + fraction.length < width) wholeDigits = `0${wholeDigits}`;
    body = (whole === '' ? '' : grouped(wholeDigits, separator, 3)) + fraction;
    align ??= '>';
  } else {
    throw pythonError('TypeError', `unsupported format string passed to ${pythonTypeName(value)}.__format__`);
  }
  return aligned(sign + prefix, body, width, fill, align);
}

/**
 * `format.format(*positional, **keywords)` as Python's str.format computes it: `{}` numbered
 * automatically or `{0}` by hand (not both), `{name}` by keyword, `.attr` and `[key]` after the
 * name, `!s`, `!r` and `!a`, and a format spec, which may hold fields of its own.
 */
export function braceFormat(format: string, positional: readonly unknown[], keywords: Readonly<Record<string, unknown>>): string {
  // One count for the whole call: a spec's own fields (`'{:{}}'.format(s, 5)`) number on from the field's.
  let next = 0;
  let numbering: 'automatic' | 'manual' | undefined;
  const argument = (first: string): unknown => {
    if (first !== '' && !/^\d+$/.test(first)) {
      if (!Object.hasOwn(keywords, first)) throw pythonError('KeyError', pythonRepr(first));
      return keywords[first];
    }
    const kind = first === '' ? 'automatic' : 'manual';
    if (numbering !== undefined && numbering !== kind)
      throw pythonError(
        'ValueError',
        kind === 'automatic'
          ? 'cannot switch from manual field specification to automatic field numbering'
          : 'cannot switch from automatic field numbering to manual field specification',
      );
    numbering = kind;
    const index = first === '' ? next++ : Number(first);
    if (index >= positional.length) throw pythonError('IndexError', `Replacement index ${index} out of range for positional args tuple`);
    return positional[index];
  };
  const render = (text: string, depth: number): string => {
    // CPython's build_string: the call itself at 2, a spec's fields at 1, a spec inside those is too deep.
    if (depth <= 0) throw pythonError('ValueError', 'Max string recursion exceeded');
    const out: string[] = [];
    let i = 0;
    while (i < text.length) {
      const open = text.indexOf('{', i);
      const close = text.indexOf('}', i);
      if (close >= 0 && (open < 0 || close < open)) {
        if (text[close + 1] !== '}') throw pythonError('ValueError', "Single '}' encountered in format string");
        out.push(text.slice(i, close + 1));
        i = close + 2;
        continue;
      }
      if (open < 0) {
        out.push(text.slice(i));
        break;
      }
      out.push(text.slice(i, open));
      if (text[open + 1] === '{') {
        out.push('{');
        i = open + 2;
        continue;
      }
      if (open + 1 >= text.length) throw pythonError('ValueError', "Single '{' encountered in format string");
      const field = braceField(text, open + 1);
      const first = /^[^.[]*/.exec(field.name)?.[0] ?? '';
      let value = fieldLookup(argument(first), field.name.slice(first.length), field.name);
      if (field.conversion !== undefined) {
        if (field.conversion === 's') value = pythonStr(value);
        else if (field.conversion === 'r') value = pythonRepr(value);
        else if (field.conversion === 'a') value = asciiRepr(value);
        else throw pythonError('ValueError', `Unknown conversion specifier ${field.conversion}`);
      }
      out.push(formatWithSpec(value, field.spec.includes('{') ? render(field.spec, depth - 1) : field.spec));
      i = field.end;
    }
    const rendered = out.join('');
    spendCharacters(rendered.length);
    return rendered;
  };
  return render(format, 2);
}
