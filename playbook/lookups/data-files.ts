// The ini and csvfile lookups, as ansible-core 2.14 runs them: a key looked up in an INI file
// (or a Java properties file) or a CSV file found on the task's search path under files/.
// Both read options from the lookup's keywords and from `name=value` words in each term, and
// those words stay set for the terms after (Ansible keeps them in the plugin's options).
import { HoundError } from '../../base/errors.js';
import { iniItems, interpolatedValue, parseIni, type IniDialect, type IniFile, type IniValue } from '../../config/ini.js';
import { parseKeyValueArgs } from '../kv-args.js';
import { pythonStr } from '../template-values.js';

/** How a data-file lookup reaches its task: the file by name through the search path, and how it fails. */
export interface DataFileAccess {
  /** The file's bytes, found as find_file_in_search_path(…, 'files', name) finds it; fails when none is there. */
  read(name: string): Buffer;
  fail(message: string): HoundError;
  /** Python's re.match(pattern, text), for the ini lookup's `re`. */
  matches(pattern: string, text: string): boolean;
  /** Ansible's boolean() of an option given as a keyword. */
  flag(value: unknown, fallback: boolean): boolean;
}

/**
 * The file's text in `encoding`, strictly, as Python's codecs read it. Python's names differ
 * from the WHATWG labels TextDecoder takes, and those map latin-1 and ascii to windows-1252, so
 * the common ones are read here by their Python meaning.
 */
function decoded(bytes: Buffer, encoding: string, access: DataFileAccess): string {
  const name = encoding.toLowerCase().replaceAll('_', '-');
  const refuse = () => access.fail(`'${encoding}' codec can't decode the file`);
  if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', '8859', 'cp819', 'latin'].includes(name)) return bytes.toString('latin1');
  if (['ascii', 'us-ascii', '646'].includes(name)) {
    if (bytes.some((b) => b > 0x7f)) throw refuse();
    return bytes.toString('latin1');
  }
  const sig = name === 'utf-8-sig';
  let decoder: TextDecoder;
  try {
    // Python's utf-8 keeps a byte-order mark as U+FEFF; utf-8-sig drops it.
    decoder = new TextDecoder(sig || name === 'utf8' || name === 'u8' ? 'utf-8' : name, { fatal: true, ignoreBOM: !sig });
  } catch {
    throw access.fail(`unknown encoding: ${encoding}`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw refuse();
  }
}

const INI_OPTIONS = ['_terms', 'type', 'file', 'section', 're', 'encoding', 'default', 'case_sensitive', 'allow_no_value'] as const;

/**
 * The ini plugin's _parse_params: a term split on spaces, each word starting a new option when
 * it holds `name=` for a name the plugin knows (the last such name wins), the words after it
 * joined to that option's value until the next.
 */
function iniInlineParams(term: string): string[] {
  const params = new Map<string, string>();
  const keys: string[] = [];
  let current = 'key';
  term
    .split(/\s+/)
    .filter((w) => w !== '')
    .forEach((phrase, index) => {
      if (phrase.includes('=')) for (const k of INI_OPTIONS) if (phrase.includes(`${k}=`)) current = k;
      if (index === 0 || !params.get(current)) {
        params.set(current, phrase);
        keys.push(current);
      } else params.set(current, `${params.get(current)} ${phrase}`);
    });
  return keys.map((k) => params.get(k) ?? '');
}

/** lookup('ini', …): each term's key in the file's section (or, with `re`, every key it matches there). */
export function iniLookup(terms: string[], options: Record<string, unknown>, access: DataFileAccess): unknown[] {
  const caseSensitive = access.flag(options.case_sensitive, false);
  const allowNoValue = access.flag(options.allow_no_value ?? options.allow_none, false);
  // Inline words set text (`re=False` is a true string there, as in Ansible); keywords are typed.
  const params: Record<string, unknown> = {
    type: options.type ?? 'ini',
    file: options.file ?? 'ansible.ini',
    section: options.section ?? 'global',
    re: access.flag(options.re, false),
    encoding: options.encoding ?? 'utf-8',
    default: options.default ?? '',
  };
  const dialect: IniDialect = {
    inlineComments: false,
    caseSensitive,
    allowNoValue,
    error: (message, position) => access.fail(`${message} (${position.file}, line ${position.line})`),
  };
  // One parser for the whole call, as Ansible's: a later file's sections join the earlier ones'.
  const ini: IniFile = { file: '', sections: new Map() };
  const out: unknown[] = [];
  for (const term of terms) {
    let key = term;
    if (term.includes('=') || term.trim().includes(' ')) {
      let updated = false;
      for (const param of iniInlineParams(term)) {
        if (param.includes('=')) {
          const parts = param.split('=');
          if (parts.length !== 2) throw access.fail(`Could not use '${param}' from '${term}': too many values to unpack (expected 2)`);
          const [name, value] = parts;
          if (!(INI_OPTIONS as readonly string[]).includes(name)) throw access.fail(`${name} is not a valid option.`);
          params[name] = value;
        } else if (key === term) {
          key = param;
          updated = true;
        }
      }
      if (!updated) throw access.fail(`No key to lookup was provided as first term with in string inline options: ${term}`);
    }
    key = key.trim();
    const fileName = pythonStr(params.file);
    let text = decoded(access.read(fileName), pythonStr(params.encoding), access);
    if (params.type === 'properties') {
      text = `[java_properties]\n${text}`;
      params.section = 'java_properties';
    }
    for (const [name, entries] of parseIni(fileName, text, dialect).sections) {
      const into = ini.sections.get(name) ?? new Map<string, IniValue>();
      for (const [k, v] of entries) into.set(k, v);
      ini.sections.set(name, into);
    }
    const section = pythonStr(params.section);
    if (section !== 'DEFAULT' && !ini.sections.has(section)) throw access.fail(`No section '${section}' in ${fileName}`);
    // Built once per term: a `re=` term reads every key, each of which may name others.
    const items = iniItems(ini, section);
    const valueOf = (k: string) => interpolatedValue(items, section, k, caseSensitive, (message) => access.fail(message));
    const isRegexp = typeof params.re === 'string' ? params.re !== '' : params.re === true;
    if (isRegexp) {
      for (const [k, v] of items) if (access.matches(key, k)) out.push(v.noValue ? '' : valueOf(k)); // items() interpolates a key without a value to ''
      continue;
    }
    const name = caseSensitive ? key : key.toLowerCase();
    const found = items.get(name);
    if (found === undefined) {
      if (params.default !== null && params.default !== undefined) out.push(params.default);
    } else if (!found.noValue) out.push(valueOf(name));
  }
  return out;
}

/**
 * Python's csv.reader with the excel dialect and this delimiter (_csv.c's states): `"` opens a
 * field at its start (`""` is a quote inside one, which may hold the delimiter and line
 * breaks), text after a closing quote joins the field, a quote inside an unquoted field is
 * text, and a blank line is a row of no fields.
 */
export function csvRows(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let state: 'startRecord' | 'startField' | 'inField' | 'inQuoted' | 'quoteInQuoted' = 'startRecord';
  const saveField = () => {
    row.push(field);
    field = '';
  };
  const endRecord = () => {
    rows.push(row);
    row = [];
    state = 'startRecord';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const lineEnd = c === '\n' || c === '\r';
    if (lineEnd && state !== 'inQuoted' && text[i + 1] === '\n' && c === '\r') i++;
    if (state === 'startRecord') {
      if (lineEnd) {
        endRecord();
        continue;
      }
      state = 'startField';
    }
    switch (state) {
      case 'startField':
        if (lineEnd) {
          saveField();
          endRecord();
        } else if (c === '"') state = 'inQuoted';
        else if (c === delimiter) {
          saveField();
          state = 'startField';
        } else {
          field += c;
          state = 'inField';
        }
        break;
      case 'inField':
        if (lineEnd) {
          saveField();
          endRecord();
        } else if (c === delimiter) {
          saveField();
          state = 'startField';
        } else field += c;
        break;
      case 'inQuoted':
        if (c === '"') state = 'quoteInQuoted';
        else field += c;
        break;
      case 'quoteInQuoted':
        if (c === '"') {
          field += '"';
          state = 'inQuoted';
        } else if (c === delimiter) {
          saveField();
          state = 'startField';
        } else if (lineEnd) {
          saveField();
          endRecord();
        } else {
          field += c;
          state = 'inField';
        }
        break;
    }
  }
  // The end of the text ends the last record, as a line break would.
  if (state !== 'startRecord') {
    saveField();
    endRecord();
  }
  return rows;
}

/** lookup('csvfile', …): for each term's key, the `col` field of the first row whose first field is the key. */
export function csvfileLookup(terms: string[], options: Record<string, unknown>, access: DataFileAccess): unknown[] {
  const params: Record<string, unknown> = {
    col: options.col ?? '1',
    default: options.default ?? null,
    delimiter: options.delimiter ?? 'TAB',
    file: options.file ?? 'ansible.csv',
    encoding: options.encoding ?? 'utf-8',
  };
  const out: unknown[] = [];
  for (const term of terms) {
    const kv = parseKeyValueArgs(term);
    if (kv.raw.length === 0) throw access.fail('Search key is required but was not found');
    const key = kv.raw.join(' ');
    for (const [name, value] of Object.entries(kv.options)) {
      if (!Object.hasOwn(params, name)) throw access.fail(`${name} is not a valid option`);
      params[name] = value;
    }
    if (params.delimiter === 'TAB') params.delimiter = '\t';
    const delimiter = pythonStr(params.delimiter);
    const bytes = access.read(pythonStr(params.file));
    if (delimiter.length !== 1) throw access.fail('csvfile: "delimiter" must be a 1-character string');
    const text = decoded(bytes, pythonStr(params.encoding), access);
    const row = csvRows(text, delimiter).find((r) => r.length > 0 && r[0] === key);
    if (row === undefined) {
      if (params.default !== null && params.default !== undefined) out.push(params.default);
      continue;
    }
    const colText = pythonStr(params.col).trim();
    if (!/^[+-]?\d+(_\d+)*$/.test(colText)) throw access.fail(`csvfile: invalid literal for int() with base 10: '${pythonStr(params.col)}'`);
    const col = Number(colText.replaceAll('_', ''));
    const index = col < 0 ? row.length + col : col;
    if (index < 0 || index >= row.length) throw access.fail('csvfile: list index out of range');
    out.push(row[index]);
  }
  return out;
}
