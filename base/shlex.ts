// Ansible splits an INI host line with Python's `shlex.split(line, comments=True)` (POSIX
// mode). This is that state machine, so quoting, escapes and `#` comments behave the same.

export class ShlexError extends Error {}

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;

/** Splits like `shlex.split(line, comments=True)`; throws ShlexError where Python raises ValueError. */
export function shlexSplit(line: string): string[] {
  // Without quotes, escapes or comments, shlex is a plain whitespace split (the common case).
  if (!/['"\\#]/.test(line)) return line.split(/[ \t\r\n]+/).filter((t) => t !== '');
  const tokens: string[] = [];
  let state: string | null = ' ';
  let token = '';
  let quoted = false;
  let escapedState = ' ';

  const emit = (): void => {
    if (token !== '' || quoted) tokens.push(token);
    token = '';
    quoted = false;
  };

  let i = 0;
  for (;;) {
    const c = i < line.length ? line[i] : '';
    i++;
    if (state === ' ') {
      if (c === '') break;
      if (WHITESPACE.includes(c)) {
        if (token !== '' || quoted) emit();
      } else if (c === '#') {
        // The rest of the line is a comment.
        const nl = line.indexOf('\n', i);
        i = nl < 0 ? line.length : nl + 1;
      } else if (c === '\\') {
        escapedState = 'a';
        state = c;
      } else if (QUOTES.includes(c)) {
        state = c;
      } else {
        token = c;
        state = 'a';
      }
    } else if (state === "'" || state === '"') {
      quoted = true;
      if (c === '') throw new ShlexError('No closing quotation');
      if (c === state) state = 'a';
      else if (c === '\\' && state === '"') {
        escapedState = state;
        state = c;
      } else token += c;
    } else if (state === '\\') {
      if (c === '') throw new ShlexError('No escaped character');
      // Inside double quotes only the quote and the backslash itself can be escaped.
      if (QUOTES.includes(escapedState) && c !== state && c !== escapedState) token += state;
      token += c;
      state = escapedState;
    } else {
      // state 'a': inside a word
      if (c === '') break;
      if (WHITESPACE.includes(c)) {
        state = ' ';
        emit();
      } else if (c === '#') {
        const nl = line.indexOf('\n', i);
        i = nl < 0 ? line.length : nl + 1;
        state = ' ';
        emit();
      } else if (QUOTES.includes(c)) {
        state = c;
      } else if (c === '\\') {
        escapedState = 'a';
        state = c;
      } else token += c;
    }
  }
  if (token !== '' || quoted) tokens.push(token);
  return tokens;
}

/**
 * Python's shlex.quote (and so Ansible's `quote` filter), to the letter: a word as POSIX sh
 * reads it back unchanged. Safe words stay bare; anything else goes inside '…', where nothing
 * is special except ', written as '"'"'.
 */
export function shlexQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}
