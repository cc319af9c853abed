// ansible.cfg as Python's configparser reads it for Ansible (ConfigParser with
// inline_comment_prefixes=(';',), read raw, without interpolation): `[section]` headers,
// `key = value` or `key: value` (keys lower-cased), whole-line comments with # or ;, inline
// comments after whitespace and ;, indented continuation lines, [DEFAULT] values inherited by
// every section; a duplicate section or option, or a line before any header, is an error.
import { OptionsError } from '../base/errors.js';

export interface IniValue {
  value: string;
  /** 1-based line of the key. */
  line: number;
}

export interface IniFile {
  file: string;
  /** Section name → key → value, in file order. [DEFAULT] is kept under 'DEFAULT'. */
  sections: Map<string, Map<string, IniValue>>;
}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

export function parseIni(file: string, text: string): IniFile {
  const sections = new Map<string, Map<string, IniValue>>();
  const seenSections = new Set<string>();
  let current: Map<string, IniValue> | undefined;
  let section: string | undefined;
  let option: { key: string; lines: string[]; line: number } | undefined;
  let indentLevel = 0;
  const finish = () => {
    if (option && current) current.set(option.key, { value: option.lines.join('\n').trimEnd(), line: option.line });
    option = undefined;
  };
  const error = (line: number, message: string, source: string) =>
    new OptionsError('CONFIG_FILE_INVALID', `Error reading config file (${file}): ${message}`, {
      position: { file, line, column: 1, sourceLine: source },
      hint: 'ansible.cfg is INI: [section] headers, then `key = value` lines',
    });
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const value = raw.slice(0, commentStart(raw)).trim();
    if (value === '') {
      // A blank line inside a value is kept (configparser's empty_lines_in_values), a comment line is not.
      if (option && raw.trim() === '') option.lines.push('');
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (option && indent > indentLevel) {
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
    const match = OPTION.exec(value);
    if (!match || match[1].trimEnd() === '') throw error(lineNo, `the line is neither [section] nor key = value`, raw);
    finish();
    const key = match[1].trimEnd().toLowerCase();
    if (current.has(key)) throw error(lineNo, `option '${key}' in section '${section}' already exists`, raw);
    option = { key, lines: [match[3].trim()], line: lineNo };
  });
  finish();
  return { file, sections };
}

/** Where a comment starts: the whole line for # or ; first, else a ; after whitespace. */
function commentStart(line: string): number | undefined {
  const trimmed = line.trim();
  if (trimmed.startsWith('#') || trimmed.startsWith(';')) return 0;
  for (let i = line.indexOf(';'); i >= 0; i = line.indexOf(';', i + 1)) {
    if (i === 0 || /\s/.test(line[i - 1])) return i;
  }
  return undefined;
}

/** A key's value in a section, or in [DEFAULT], as configparser's get() finds it. */
export function iniValue(ini: IniFile, section: string, key: string): IniValue | undefined {
  return ini.sections.get(section)?.get(key) ?? (section !== 'DEFAULT' ? ini.sections.get('DEFAULT')?.get(key) : undefined);
}
