// Compose's variable interpolation, as compose-go's template package does it (the Compose
// Specification's "Interpolation"): `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, `$$` for a
// literal `$`, and defaults that are themselves interpolated (`${A:-${B}}`).
// An unset variable with no default becomes the empty string, as Compose does (it warns);
// the result says which variables that was, so that the caller can name them.

export type Lookup = (name: string) => string | undefined;

export interface Interpolated {
  value: string;
  /** Variables that were unset and had no default, in order of appearance. */
  unset: string[];
}

/** `${VAR:?message}` (or `?`) met an unset (or empty) variable. */
export class RequiredVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(reason ? `required variable ${variable} is missing a value: ${reason}` : `required variable ${variable} is missing a value`);
  }
}

/** `${` without its `}`, or a name that is not a variable name. */
export class InvalidTemplateError extends Error {
  constructor(readonly template: string) {
    super(`invalid interpolation format in ${JSON.stringify(template)}`);
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const OPERATORS = [':?', '?', ':-', '-', ':+', '+'] as const;

export function interpolate(template: string, lookup: Lookup): Interpolated {
  const unset: string[] = [];
  const value = substitute(template, lookup, unset);
  return { value, unset };
}

function substitute(template: string, lookup: Lookup, unset: string[]): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    const next = template[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = closingBrace(template, dollar + 1);
      if (close < 0) throw new InvalidTemplateError(template);
      out += braced(template.slice(dollar + 2, close), template, lookup, unset);
      i = close + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      let end = dollar + 2;
      while (end < template.length && NAME_CHAR.test(template[end])) end++;
      const name = template.slice(dollar + 1, end);
      const found = lookup(name);
      if (found === undefined) unset.push(name);
      out += found ?? '';
      i = end;
    } else {
      // compose-go leaves a `$` that starts no variable (`$ `, `$1`, a final `$`) as it is.
      out += '$';
      i = dollar + 1;
    }
  }
  return out;
}

/** Index of the `}` that closes the `{` at `open`, counting nested `${…}`. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, template: string, lookup: Lookup, unset: string[]): string {
  let end = 0;
  if (!NAME_START.test(body[0] ?? '')) throw new InvalidTemplateError(template);
  while (end < body.length && NAME_CHAR.test(body[end])) end++;
  const name = body.slice(0, end);
  const rest = body.slice(end);
  const current = lookup(name);
  if (rest === '') {
    if (current === undefined) unset.push(name);
    return current ?? '';
  }
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) throw new InvalidTemplateError(template);
  const arg = rest.slice(op.length);
  const emptyCounts = op.startsWith(':');
  const missing = current === undefined || (emptyCounts && current === '');
  switch (op) {
    case ':-':
    case '-':
      return missing ? substitute(arg, lookup, unset) : current;
    case ':?':
    case '?':
      if (missing) throw new RequiredVariableError(name, substitute(arg, lookup, []));
      return current;
    default:
      // `:+` / `+`: the replacement when set (and, for `:+`, not empty); else the value itself.
      return missing ? (current ?? '') : substitute(arg, lookup, unset);
  }
}
