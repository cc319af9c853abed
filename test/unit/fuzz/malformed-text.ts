// Malformed inputs for the property-based tests: valid seed files broken by a few random
// edits (a stray character, a cut, a repeated or re-indented line, a YAML/INI/template
// token in the wrong place), so most cases stay close enough to real files to reach the
// schema, the compiler and the inventory rules, not only the YAML parser.
import fc from 'fast-check';
import type { HoundError } from '../../../base/errors.js';

/** Tokens that mean something to YAML, INI, Jinja or a shell, and odd characters. */
const NASTY_TOKENS = [
  ':',
  ': ',
  '- ',
  '-',
  '[',
  ']',
  '{',
  '}',
  '{{',
  '}}',
  '{%',
  '%}',
  '"',
  "'",
  '&a ',
  '*a',
  '!!python/object ',
  '!!binary ',
  '|',
  '>',
  '#',
  ';',
  '=',
  ',',
  '@',
  '~',
  '\t',
  '  ',
  '\n',
  '\r',
  '\r\n',
  '\u0000',
  '\u2028',
  '\ufeff',
  'é',
  '\u{1F600}',
  '?',
  '%',
  '\\',
  '[a:b]',
  '[0:9]',
  '[web:vars]',
  '[web:children]',
  'hosts:',
  'tasks:',
  'vars:',
  'import_tasks: x.yml',
  'loop: 3',
  'when: "{{"',
  '{{ undefined_var }}',
  '{{ 1/0 }}',
  "{{ ''.__class__ }}",
  'yes',
  'null',
  '~',
  '0x1F',
  '1e400',
  '-.inf',
  '<<: *a',
];

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'indent-line'; line: number; by: number }
  | { kind: 'swap-lines'; a: number; b: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...NASTY_TOKENS), fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('indent-line' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 5 }) }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
);

function applyEdit(text: string, e: Edit): string {
  if (e.kind === 'insert') {
    const at = e.at % (text.length + 1);
    return text.slice(0, at) + e.text + text.slice(at);
  }
  if (e.kind === 'delete') {
    const at = e.at % (text.length + 1);
    return text.slice(0, at) + text.slice(at + e.length);
  }
  const lines = text.split('\n');
  if (e.kind === 'duplicate-line') {
    const i = e.line % lines.length;
    lines.splice(i, 0, lines[i]);
  } else if (e.kind === 'indent-line') {
    const i = e.line % lines.length;
    lines[i] = e.by >= 0 ? ' '.repeat(e.by) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-e.by}}`), '');
  } else {
    const a = e.a % lines.length;
    const b = e.b % lines.length;
    [lines[a], lines[b]] = [lines[b], lines[a]];
  }
  return lines.join('\n');
}

/** One of `seeds`, broken by one to four edits. */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => edits.reduce(applyEdit, seed));
}

/** Text made only of the tokens above and short random strings: far from any real file. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...NASTY_TOKENS), fc.string({ maxLength: 6 }), fc.constant('\n')), { maxLength: 40 })
  .map((parts) => parts.join(''));

/**
 * What every refusal must look like: a HoundError of the expected exit codes; where it
 * names a file, a line and column inside that file and the offending line as written; a
 * formatted message without a stack trace. Lines are counted as the file's parser counts them
 * (`lineBreak`): YAML breaks only at \n and \r, Ansible's INI plugin wherever Python's
 * str.splitlines() does (U+2028, \x85, \v, … too).
 */
export function checkRefusal(
  err: unknown,
  text: string | undefined,
  file: string | undefined,
  exitCodes: readonly number[],
  lineBreak: RegExp = /\r\n|\n|\r/,
): string | undefined {
  if (!(err instanceof Error) || !('code' in err) || !('exitCode' in err) || typeof (err as HoundError).format !== 'function') {
    return `not a HoundError: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  }
  const e = err as HoundError;
  if (!exitCodes.includes(e.exitCode)) return `exit code ${e.exitCode} (${e.code}: ${e.message})`;
  if (!/^[A-Z][A-Z0-9_]+$/.test(e.code)) return `unstable code ${JSON.stringify(e.code)}`;
  const formatted = e.format();
  if (/\n\s+at .+:\d+:\d+\)?$/m.test(formatted)) return `stack trace in the message: ${formatted}`;
  if (e.message.trim() === '') return `empty message (${e.code})`;
  if (e.exitCode === 4 && file !== undefined && !e.position) return `${e.code} names no file:line:column (${e.message})`;
  if (e.position && text !== undefined && e.position.file === file) {
    const lines = text.split(lineBreak);
    const { line, column } = e.position;
    if (!(line >= 1 && line <= lines.length + 1)) return `line ${line} outside the file (${lines.length} lines), ${e.code}`;
    if (!(column >= 1)) return `column ${column} (${e.code})`;
  }
  return undefined;
}
