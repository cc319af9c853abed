// Python tells a float from an int, and Ansible shows the difference: `ratio: 1.0` in YAML is
// written back as 1.0 by a template, `{{ 4 / 2 }}` is 2.0, `to_json` writes 1.0. JavaScript has
// one number, which prints 1 for both. A float with a fraction (2.5, 1e-05) is a number here and
// can only be a float; a float with none (1.0, 2e20) is a PythonFloat, which keeps its kind.
//
// valueOf() makes a PythonFloat act as its number wherever JavaScript converts it (Number(x),
// x * 2, x < y), and toJSON() makes JSON.stringify write the number, so code that knows nothing
// of Python loses the ".0" and nothing else.

/** A Python float whose value is a whole number: 1.0, -3.0, 1e+20. */
export class PythonFloat {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }

  toJSON(): number {
    return this.value;
  }

  toString(): string {
    return pythonFloatRepr(this.value);
  }
}

/** Python's float of `value`: a PythonFloat for a finite whole number, else the number itself. */
export function pythonFloat(value: number): number | PythonFloat {
  return Number.isInteger(value) ? new PythonFloat(value) : value;
}

/** Whether `value` is a Python float: a PythonFloat, or a number that is not whole (nan and inf among them). */
export function isPythonFloat(value: unknown): boolean {
  return value instanceof PythonFloat || (typeof value === 'number' && !Number.isInteger(value));
}

/** Python's repr(float) (and str()): the shortest text that reads back, with Python's exponent thresholds and form. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exponent) + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const exp = decpt - 1;
  const expText = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${expText}`;
}

/** A float as PyYAML's SafeRepresenter writes it (represent_float): `.nan`, `.inf`, `1.0e+20`, `0.5`. */
export function pyyamlFloatText(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  const text = pythonFloatRepr(value).toLowerCase();
  return !text.includes('.') && text.includes('e') ? text.replace('e', '.0e') : text;
}
