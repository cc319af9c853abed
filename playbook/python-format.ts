// Python's printf-style string formatting (`'%s-%04d' % (name, n)`, `'%(k)s' % d`), which
// Jinja's `%` does on a string left operand and playbooks use (`'test-%0x' % (2**32 | random)`).
import { HoundError, EXIT } from '../base/errors.js';
import { isPythonFloat } from '../base/python-float.js';
import { isPlainObject, isPythonNumber, pythonRepr, pythonStr, pythonTypeName } from './template-values.js';
import { spendCharacters } from './template-budget.js';

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

function formatError(message: string): HoundError {
  return new HoundError('TEMPLATE_ERROR', `TypeError: ${message}`, EXIT.PARSE);
}

function integerOf(value: unknown, conversion: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  // %d, %i and %u take a float's whole part; %x, %o and %c take ints only.
  if (isPythonFloat(value) && 'xXoc'.includes(conversion)) throw formatError(`%${conversion} format: an integer is required, not float`);
  if (isPythonNumber(value) && Number.isFinite(Number(value))) return Math.trunc(Number(value));
  throw formatError(`%${conversion} format: a real number is required, not ${pythonTypeName(value)}`);
}

/** One conversion's text before padding: its digits (with sign and prefix) or its characters. */
function convert(value: unknown, conversion: string, flags: string, precision: number | undefined): string {
  const sign = (negative: boolean) => (negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '');
  switch (conversion) {
    case 's':
      return precision === undefined ? pythonStr(value) : pythonStr(value).slice(0, precision);
    case 'r':
    case 'a':
      return precision === undefined ? pythonRepr(value) : pythonRepr(value).slice(0, precision);
    case 'c':
      if (typeof value === 'string' && [...value].length === 1) return value;
      return String.fromCodePoint(integerOf(value, 'c'));
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
      return sign(n < 0) + prefix + digits;
    }
    default: {
      if (!isPythonNumber(value)) throw formatError(`must be real number, not ${pythonTypeName(value)}`);
      const n = Number(value);
      const places = precision ?? 6;
      const lower = conversion.toLowerCase();
      let digits =
        lower === 'f' ? Math.abs(n).toFixed(places) : lower === 'e' ? pythonExponent(Math.abs(n).toExponential(places)) : pythonGeneral(Math.abs(n), places);
      if (conversion === conversion.toUpperCase()) digits = digits.toUpperCase();
      return sign(n < 0 || Object.is(n, -0)) + digits;
    }
  }
}

/** JavaScript writes `1e+5`, Python `1e+05`. */
function pythonExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** %g: the shorter of %e and %f at that many significant digits, trailing zeros dropped. */
function pythonGeneral(n: number, precision: number): string {
  const p = precision === 0 ? 1 : precision;
  const exponent = n === 0 ? 0 : Math.floor(Math.log10(n));
  const text = exponent < -4 || exponent >= p ? pythonExponent(n.toExponential(p - 1)) : n.toFixed(Math.max(0, p - 1 - exponent));
  return text.replace(/\.?0+(?=e|$)/, '');
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
      if (conversion === undefined) throw new HoundError('TEMPLATE_ERROR', `ValueError: incomplete format in ${pythonRepr(format)}`, EXIT.PARSE);
      if (conversion === '%') return '%';
      let value: unknown;
      if (key !== undefined) {
        anyKeyed = true;
        if (!byKey) throw formatError('format requires a mapping');
        if (!Object.hasOwn(byKey, key)) throw new HoundError('TEMPLATE_ERROR', `KeyError: ${pythonRepr(key)}`, EXIT.PARSE);
        value = byKey[key];
      } else {
        if (used >= queue.length) throw formatError('not enough arguments for format string');
        value = queue[used++];
      }
      const text = convert(value, conversion, flags, precision === undefined ? undefined : Number(precision));
      const size = width === undefined ? 0 : Number(width);
      // A width is text the template asks for: counted against its budget before it is built.
      spendCharacters(Math.max(size, text.length));
      if (text.length >= size) return text;
      if (flags.includes('-')) return text.padEnd(size, ' ');
      if (flags.includes('0') && !'srac'.includes(conversion)) {
        const lead = /^[-+ ]?(?:0[xXo])?/.exec(text)?.[0] ?? '';
        return lead + text.slice(lead.length).padStart(size - lead.length, '0');
      }
      return text.padStart(size, ' ');
    },
  );
  if (!anyKeyed && !byKey && used < queue.length) throw formatError('not all arguments converted during string formatting');
  return out;
}
