// INI as Python's configparser reads it. ansible.cfg (ANSIBLE_CFG): ConfigParser with
// inline_comment_prefixes=(';',), read raw, without interpolation. The ini lookup
// (INI_LOOKUP): ConfigParser's defaults, with no inline comments and `%(key)s` interpolation on
// reading (interpolatedValue). Both: `[section]` headers, `key = value` or `key: value` (keys
// lower-cased unless the dialect keeps their case), whole-line comments with # or ;, indented
// continuation lines, [DEFAULT] values inherited by every section; a duplicate section or
// option, or a line before any header, is an error.
import { OptionsError, type HoundError, type SourcePosition } from '../base/errors.js';

export interface IniValue {
  value: string;
  /** 1-based line of the key. */
  line: number;
  /** A key alone on its line, where the dialect allows one (configparser's value None). */
  noValue?: true;
}

export interface IniFile {
  file: string;
  /** Section name → key → value, in file order. [DEFAULT] is kept under 'DEFAULT'. */
  sections: Map<string, Map<string, IniValue>>;
}

/** How one reader of INI files calls configparser. */
export interface IniDialect {
  /** `;` after whitespace starts a comment (inline_comment_prefixes=(';',)). */
  inlineComments: boolean;
  /** Keys as written (optionxform = str); otherwise lower-cased. */
  caseSensitive: boolean;
  /** A key alone on its line is allowed (allow_no_value). */
  allowNoValue: boolean;
  /** The error for a line configparser refuses. */
  error(message: string, position: SourcePosition): HoundError;
}

export const ANSIBLE_CFG: IniDialect = {
  inlineComments: true,
  caseSensitive: false,
  allowNoValue: false,
  error: (message, position) =>
    new OptionsError('CONFIG_FILE_INVALID', `Error reading config file (${position.file}): ${message}`, {
      position,
      hint: 'ansible.cfg is INI: [section] headers, then `key = value` lines',
    }),
};

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

export function parseIni(file: string, text: string, dialect: IniDialect = ANSIBLE_CFG): IniFile {
  const sections = new Map<string, Map<string, IniValue>>();
  const seenSections = new Set<string>();
  let current: Map<string, IniValue> | undefined;
  let section: string | undefined;
  let option: { key: string; lines: string[]; line: number; noValue?: boolean } | undefined;
  let indentLevel = 0;
  const finish = () => {
    if (option && current)
      current.set(option.key, { value: option.lines.join('\n').trimEnd(), line: option.line, ...(option.noValue ? { noValue: true } : {}) });
    option = undefined;
  };
  const error = (line: number, message: string, source: string) => dialect.error(message, { file, line, column: 1, sourceLine: source });
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const value = raw.slice(0, commentStart(raw, dialect.inlineComments)).trim();
    if (value === '') {
      // A blank line inside a value is kept (configparser's empty_lines_in_values), a comment line is not.
      if (option && raw.trim() === '') option.lines.push('');
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    // A key without a value takes no continuation lines (configparser's `cursect[optname] is None`).
    if (option && !option.noValue && indent > indentLevel) {
      option.lines.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION.exec(value);
    if (header) {
      finish();
      section = header[1];
      if (seenSections.has(section) && section !== 'DEFAULT') throw error(lineNo, `section '${section}' already exists`, raw);
      seenSections.add(section);
      current = sections.get(section) ?? new Map<string, IniValue>();
      sections.set(section, current);
      return;
    }
    if (!current || section === undefined) throw error(lineNo, 'File contains no section headers.', raw);
    const match = OPTION.exec(value) ?? (dialect.allowNoValue ? [value, value, '', ''] : null);
    if (!match || match[1].trimEnd() === '') throw error(lineNo, `the line is neither [section] nor key = value`, raw);
    finish();
    const written = match[1].trimEnd();
    const key = dialect.caseSensitive ? written : written.toLowerCase();
    if (current.has(key)) throw error(lineNo, `option '${key}' in section '${section}' already exists`, raw);
    option = { key, lines: [match[3].trim()], line: lineNo, noValue: match[2] === '' };
  });
  finish();
  return { file, sections };
}

/** Where a comment starts: the whole line for # or ; first, else (with inline comments) a ; after whitespace. */
function commentStart(line: string, inline: boolean): number | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('#') || trimmed.startsWith(';')) return 0;
  if (!inline) return undefined;
  for (let i = line.indexOf(';'); i >= 0; i = line.indexOf(';', i + 1)) {
    if (i === 0 || /\s/.test(line[i - 1])) return i;
  }
  return undefined;
}

/** A key's value in a section, or in [DEFAULT], as configparser's get() finds it. */
export function iniValue(ini: IniFile, section: string, key: string): IniValue | undefined {
  return ini.sections.get(section)?.get(key) ?? (section !== 'DEFAULT' ? ini.sections.get('DEFAULT')?.get(key) : undefined);
}

/** A section's keys and values with [DEFAULT]'s under them, in configparser's items() order: the defaults' first. */
export function iniItems(ini: IniFile, section: string): Map<string, IniValue> {
  return new Map([...(ini.sections.get('DEFAULT') ?? []), ...(section === 'DEFAULT' ? [] : (ini.sections.get(section) ?? []))]);
}

/** configparser's MAX_INTERPOLATION_DEPTH. */
const MAX_INTERPOLATION_DEPTH = 10;

/**
 * A value as ConfigParser's get() returns it, through BasicInterpolation: `%(key)s` is that
 * key's value among `items`, the section's (iniItems: its own and [DEFAULT]'s), itself
 * interpolated, and `%%` is `%`; any other `%`, a missing key, or more than 10 levels deep is
 * configparser's error, `fail`'s message.
 */
export function interpolatedValue(
  items: ReadonlyMap<string, IniValue>,
  section: string,
  key: string,
  caseSensitive: boolean,
  fail: (message: string) => Error,
): string {
  const raw = items.get(key)?.value ?? '';
  const out: string[] = [];
  const expand = (option: string, rest: string, depth: number): void => {
    if (depth > MAX_INTERPOLATION_DEPTH)
      throw fail(
        `Recursion limit exceeded in value substitution: option '${key}' in section '${section}' contains an interpolation key which cannot be substituted in ${MAX_INTERPOLATION_DEPTH} steps. Raw value: '${raw}'`,
      );
    while (rest.length > 0) {
      const p = rest.indexOf('%');
      if (p < 0) {
        out.push(rest);
        return;
      }
      out.push(rest.slice(0, p));
      rest = rest.slice(p);
      const c = rest.slice(1, 2);
      if (c === '%') {
        out.push('%');
        rest = rest.slice(2);
      } else if (c === '(') {
        const m = /^%\(([^)]+)\)s/.exec(rest);
        if (m === null) throw fail(`bad interpolation variable reference '${rest}'`);
        const name = caseSensitive ? m[1] : m[1].toLowerCase();
        rest = rest.slice(m[0].length);
        const found = items.get(name);
        if (found === undefined || found.noValue)
          throw fail(
            `Bad value substitution: option '${option}' in section '${section}' contains an interpolation key '${name}' which is not a valid option name. Raw value: '${raw}'`,
          );
        if (found.value.includes('%')) expand(name, found.value, depth + 1);
        else out.push(found.value);
      } else throw fail(`'%' must be followed by '%' or '(', found: '${rest}'`);
    }
  };
  expand(key, raw, 1);
  return out.join('');
}
