// Ansible's lookup plugins, one implementation each for both ways a playbook calls them:
// `with_<name>:` (the plugin over the loop value's terms, its results the items) and
// `lookup()`/`query()` in a template (templating.ts). As ansible-core 2.14 runs them: items
// flattens one level, dict gives key/value pairs, sequence counts, subelements pairs; env,
// vars and varnames read the run; file, unvault, fileglob, first_found, template, ini and csvfile read
// the controller's files through the task's search path (base/search-path.ts); pipe and lines run
// a command on the controller.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, HoundError } from '../base/errors.js';
import { ansibleBoolean } from '../config/setting-types.js';
import { isDirectory, isFile } from '../base/file-kind.js';
import { globInFolder } from '../base/glob.js';
import { findInSearchPath } from '../base/search-path.js';
import { registerSecret } from '../base/secrets.js';
import type { Inventory } from '../inventory/model.js';
import { resolvePattern } from '../inventory/patterns.js';
import type { VaultKeyring } from '../vault/keyring.js';
import { openControllerFile } from '../vault/vault-files.js';
import { parseKeyValueArgs } from './kv-args.js';
import { csvfileLookup, iniLookup, type DataFileAccess } from './lookups/data-files.js';
import { randomSource } from './python-random.js';
import { offTheClock } from './template-budget.js';
import { userRegex } from './template-filters.js';
import { isPlainObject, pythonRepr, pythonStr, UndefinedValue } from './template-values.js';

/** What a lookup sees of its task: the search path, the variables, and templating. */
export interface LookupContext {
  /** `ansible_search_path`: the role's folder, the task file's, the playbook's. */
  searchPath: readonly string[];
  /** The playbook's folder: searched last, and where pipe and lines run their commands. */
  basedir: string;
  /** Where first_found looks: in a with_ loop by its task's action (templates/ for template, vars/ for include_vars), else files/. */
  subdir: string;
  /** A play variable's value, rendered; undefined when the play has no such variable. */
  variable(name: string): { value: unknown } | undefined;
  variableNames(): string[];
  /**
   * A template file rendered with the task's variables and `extra` over them, as the template
   * lookup renders one; `convertData`: a result that reads as a list or dict becomes one.
   */
  renderTemplate(file: string, term: string, extra: Record<string, unknown>, convertData: boolean): unknown;
  /** A warning printed with the task's line, as Ansible's lookups warn (display.warning). */
  warn(message: string): void;
}

interface LookupPlugin {
  /** The keyword options it takes (lookup() itself takes wantlist and errors). */
  options: readonly string[];
  run(terms: unknown[], options: Record<string, unknown>, context: LookupContext): unknown[];
}

function loopError(message: string, hint?: string): HoundError {
  return new HoundError('LOOP_INVALID', message, EXIT.PARSE, { hint });
}

/** A lookup that failed as Ansible's fails (a file not found, a command's exit status). */
export function lookupError(message: string, hint?: string): HoundError {
  return new HoundError('LOOKUP_FAILED', message, EXIT.PARSE, { hint });
}

function listify(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function textTerms(plugin: string, terms: unknown[]): string[] {
  return terms.map((term) => {
    if (term instanceof UndefinedValue) term.fail();
    if (typeof term !== 'string') throw lookupError(`lookup('${plugin}'): ${pythonRepr(term)} is not a string`);
    return term;
  });
}

/** A plugin's boolean option (lstrip, rstrip, skip, convert_data), as ensure_type reads one: Ansible's boolean(value, strict=False). */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return typeof value === 'boolean' ? value : ansibleBoolean(pythonStr(value));
}

export const LOOKUP_PLUGINS: Readonly<Record<string, LookupPlugin>> = {
  items: { options: [], run: (terms) => flattenOnce(terms) },
  list: { options: [], run: (terms) => terms },
  indexed_items: { options: [], run: (terms) => flattenOnce(terms).map((item, index) => [index, item]) },
  flattened: { options: [], run: (terms) => flattenDeep(terms) },
  dict: { options: [], run: (terms) => dictItems(terms) },
  together: { options: [], run: (terms) => together(terms) },
  nested: { options: [], run: (terms) => cartesian(terms.map((term) => listify(term))) },
  cartesian: { options: [], run: (terms) => cartesian(terms.map((term) => listify(term))) },
  subelements: { options: [], run: (terms) => subelements(terms) },
  sequence: { options: [], run: (terms) => terms.flatMap((term) => sequence(pythonStr(term))) },
  random_choice: { options: [], run: (terms) => (terms.length === 0 ? [] : [terms[Math.floor(Math.random() * terms.length)]]) },
  env: {
    options: ['default'],
    // The first word of each term names the variable.
    run: (terms, options) => textTerms('env', terms).map((term) => process.env[term.split(/\s+/).filter(Boolean)[0] ?? ''] ?? options.default ?? ''),
  },
  vars: {
    options: ['default'],
    // A play's variable, rendered; not the template's own `{% set %}`.
    run: (terms, options, context) =>
      textTerms('vars', terms).map((term) => {
        const found = context.variable(term);
        if (found !== undefined) return found.value;
        if (options.default !== undefined) return options.default;
        throw new HoundError('UNDEFINED_VARIABLE', `No variable found with this name: ${term}`, EXIT.PARSE, {
          hint: "define it, or give the lookup a default: lookup('vars', name, default='')",
        });
      }),
  },
  varnames: {
    options: [],
    // The names of the play's variables that match any of the patterns (Python's re.search).
    run: (terms, _options, context) => {
      const regexes = textTerms('varnames', terms).map((p) => userRegex('varnames', p));
      return context.variableNames().filter((name) => regexes.some((r) => r.test(name)));
    },
  },
  file: {
    options: ['lstrip', 'rstrip'],
    run: (terms, options, context) =>
      textTerms('file', terms).map((term) => {
        let text = readControllerText(foundFile(term, 'files', context, `could not locate file in lookup: ${term}`), 'file');
        if (flag(options.lstrip, false)) text = text.replace(/^\s+/, '');
        if (flag(options.rstrip, true)) text = text.replace(/\s+$/, '');
        return text;
      }),
  },
  // A file's whole text, opened when it is vault-encrypted; nothing stripped.
  unvault: {
    options: [],
    run: (terms, _options, context) =>
      textTerms('unvault', terms).map((term) => {
        return readControllerText(foundFile(term, 'files', context, `Unable to find file matching "${term}"`), 'unvault');
      }),
  },
  fileglob: { options: [], run: (terms, _options, context) => textTerms('fileglob', terms).flatMap((term) => fileglob(term, context)) },
  ini: {
    options: ['type', 'file', 'section', 're', 'encoding', 'default', 'case_sensitive', 'allow_no_value', 'allow_none'],
    run: (terms, options, context) => iniLookup(textTerms('ini', terms), options, dataFileAccess('ini', context)),
  },
  csvfile: {
    options: ['col', 'default', 'delimiter', 'file', 'encoding'],
    run: (terms, options, context) => csvfileLookup(textTerms('csvfile', terms), options, dataFileAccess('csvfile', context)),
  },
  first_found: { options: ['files', 'paths', 'skip'], run: (terms, options, context) => firstFound(terms, options, context) },
  template: {
    options: ['convert_data', 'template_vars', 'jinja2_native', 'variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string'],
    run: (terms, options, context) => {
      const delimiters = { variable_start_string: '{{', variable_end_string: '}}', comment_start_string: '{#', comment_end_string: '#}' };
      for (const [name, standard] of Object.entries(delimiters))
        if (options[name] !== undefined && options[name] !== standard)
          throw new HoundError('TEMPLATE_UNSUPPORTED', `lookup('template'): ${name} other than '${standard}' is not supported`, EXIT.PARSE);
      if (flag(options.jinja2_native, false))
        throw new HoundError('TEMPLATE_UNSUPPORTED', "lookup('template'): jinja2_native is not supported", EXIT.PARSE, {
          hint: 'leave it out: the result is text, or a list or dict when it reads as one (convert_data)',
        });
      const extra = options.template_vars ?? {};
      if (!isPlainObject(extra)) throw lookupError(`lookup('template'): template_vars must be a dict, got ${pythonRepr(extra)}`);
      const convert = flag(options.convert_data, true);
      return textTerms('template', terms).map((term) => {
        const file = foundFile(term, 'templates', context, `the template file ${term} could not be found for the lookup`);
        return context.renderTemplate(file, term, extra, convert);
      });
    },
  },
  inventory_hostnames: { options: [], run: (terms, _options, context) => inventoryHostnames(terms, context) },
  password: {
    options: ['length', 'chars', 'seed', 'encrypt', 'ident'],
    run: (terms, options, context) => textTerms('password', terms).map((t) => password(t, options, context)),
  },
  pipe: {
    options: [],
    run: (terms, _options, context) => textTerms('pipe', terms).map((term) => controllerCommand('pipe', term, context).replace(/\s+$/, '')),
  },
  lines: {
    options: [],
    run: (terms, _options, context) => textTerms('lines', terms).flatMap((term) => pythonSplitLines(controllerCommand('lines', term, context))),
  },
};

/** The names of the lookup plugins hound runs, for messages. */
export const LOOKUP_PLUGIN_NAMES = Object.keys(LOOKUP_PLUGINS);

/** The plugins that run a command on the controller or write a file there: never run by --syntax-check or --list-* (compiler.ts). */
export const CONTROLLER_COMMAND_LOOKUPS: ReadonlySet<string> = new Set(['pipe', 'lines', 'password']);

/** The plugins whose results depend on the controller's files or commands, read when the task runs (compiler.ts). */
export const CONTROLLER_LOOKUPS: ReadonlySet<string> = new Set([
  'file',
  'unvault',
  'fileglob',
  'first_found',
  'template',
  'ini',
  'csvfile',
  'pipe',
  'lines',
  'password',
]);

/** The plugin's results for these terms; an option it does not take is refused. */
export function runLookupPlugin(name: string, terms: unknown[], options: Record<string, unknown>, context: LookupContext): unknown[] {
  const plugin = Object.hasOwn(LOOKUP_PLUGINS, name) ? LOOKUP_PLUGINS[name] : undefined;
  if (plugin === undefined)
    throw new HoundError('TEMPLATE_UNSUPPORTED', `lookup('${name}') is not supported`, EXIT.PARSE, {
      hint: `hound runs the ${LOOKUP_PLUGIN_NAMES.join(', ')} lookups; set the value as a variable instead (vars, vars_files, -e)`,
    });
  const unknown = Object.keys(options).filter((k) => !plugin.options.includes(k));
  if (unknown.length > 0)
    throw new HoundError('TEMPLATE_UNSUPPORTED', `lookup('${name}') option ${unknown.join(', ')} is not supported`, EXIT.PARSE, {
      hint: plugin.options.length > 0 ? `it takes ${plugin.options.join(', ')}` : 'it takes none',
    });
  return plugin.run(terms, options, context);
}

/** The items of a loop of `kind` (`loop`, or the lookup of a with_ form) over its rendered `value`. */
export function loopItems(kind: string, value: unknown, context: LookupContext): unknown[] {
  if (kind !== 'loop') return runLookupPlugin(kind, listify(value), {}, context);
  if (!Array.isArray(value)) {
    const got = value === null ? 'None' : isPlainObject(value) ? 'a mapping' : `a ${typeof value}`;
    throw new HoundError('LOOP_NOT_LIST', `the loop is not a list (got ${got})`, EXIT.PARSE, {
      hint: 'loop: takes a list; for a dict use `{{ mydict | dict2items }}`',
    });
  }
  return value;
}

/**
 * A loop's value rendered for its lookup: whole, or for with_first_found one string at a time as
 * Ansible renders its terms, where a name whose template reads an undefined variable is passed
 * over (UndefinedValue here), not an error, so `{{ node_custom_config }}/x.conf` falls through to
 * the role's own `x.conf.j2`.
 */
export function renderLoopValue(kind: string, value: unknown, render: (template: unknown) => unknown): unknown {
  return kind === 'first_found' ? firstFoundTerms(value, render) : render(value);
}

function firstFoundTerms(value: unknown, render: (template: string) => unknown): unknown {
  const each = (v: unknown): unknown => {
    if (typeof v === 'string') {
      try {
        return render(v);
      } catch (err) {
        if (err instanceof HoundError && err.code === 'UNDEFINED_VARIABLE') return new UndefinedValue(v);
        throw err;
      }
    }
    if (Array.isArray(v)) return v.map(each);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, each(x)]));
    return v;
  };
  return typeof value === 'string' ? render(value) : each(value);
}

/** Where first_found looks, by the task's action, as Ansible's task executor sets it for a with_ loop. */
export function firstFoundSubdir(action: string): string {
  return `${['template', 'var', 'file'].find((kind) => action.includes(kind)) ?? 'file'}s`;
}

function searchedHint(context: LookupContext, subdir: string): string {
  return `looked in ${subdir}/ and then the folder itself, in each of: ${[...new Set([...context.searchPath, context.basedir])].join(', ')}`;
}

/**
 * The file a lookup names, under `subdir`/ or in the folder itself on the task's search path
 * (Ansible's find_file_in_search_path); else `notFound`, in the plugin's words, with where it looked.
 */
function foundFile(name: string, subdir: 'files' | 'templates', context: LookupContext, notFound: string): string {
  const file = findInSearchPath(name, subdir, context.searchPath, context.basedir);
  if (file === undefined || !isFile(file)) {
    warnNotFound(name, context);
    throw lookupError(notFound, searchedHint(context, subdir));
  }
  return file;
}

/** What Ansible's lookups warn when a file they look for is on no search path (find_file_in_search_path), whatever errors= then makes of it. */
function warnNotFound(name: string, context: LookupContext): void {
  context.warn(`Unable to find '${name}' in expected paths (use -vvvvv to see paths)`);
}

/** What the ini and csvfile lookups reach: files under files/ on the task's search path, read as the file lookup reads them. */
function dataFileAccess(plugin: string, context: LookupContext): DataFileAccess {
  return {
    read: (name) => readControllerBytes(foundFile(name, 'files', context, `lookup('${plugin}'): Unable to find '${name}' in expected paths`), plugin),
    fail: (message) => lookupError(`lookup('${plugin}'): ${message}`),
    matches: (pattern, text) => userRegex(`lookup('${plugin}')`, `^(?:${pattern})`).test(text),
    flag,
  };
}

/** A controller file's text, as Ansible's lookups read one: a vault-encrypted one opened with the run's vault password. */
export function readControllerText(file: string, plugin: string): string {
  return readControllerBytes(file, plugin).toString('utf8');
}

/**
 * The run's vault passwords, for the controller files lookups read: as Ansible's DataLoader,
 * they open a vault-encrypted file (`lookup('file', 'registry-password.txt')`). Set once per run
 * by loadAndCompile; unset, such a file fails as it does in Ansible without a password.
 */
let lookupKeyring: VaultKeyring | undefined;

export function openVaultFilesWith(keyring: VaultKeyring | undefined): void {
  lookupKeyring = keyring;
}

function readControllerBytes(file: string, plugin: string): Buffer {
  return openControllerFile(file, lookupKeyring, () =>
    lookupError(
      `lookup('${plugin}'): A vault password or secret must be specified to decrypt ${file}`,
      'give the vault password: --vault-password-file, --vault-id or --ask-vault-pass',
    ),
  ).content;
}

/** How long a pipe or lines command may run: the template is rendered while the run waits for it. */
const COMMAND_TIMEOUT_MS = 120_000;

/** A pipe or lines command's standard output: `sh -c` in the playbook's folder, as subprocess.Popen(shell=True) runs it. */
function controllerCommand(plugin: string, command: string, context: LookupContext): string {
  const result = offTheClock(() =>
    spawnSync('/bin/sh', ['-c', command], {
      cwd: context.basedir,
      encoding: 'utf8',
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  if (result.error !== undefined) {
    const timedOut = (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    throw lookupError(
      timedOut
        ? `lookup_plugin.${plugin}(${command}) did not finish within ${COMMAND_TIMEOUT_MS / 1000} s and was stopped`
        : `lookup_plugin.${plugin}(${command}): ${result.error.message}`,
    );
  }
  if (result.status !== 0)
    throw lookupError(
      `lookup_plugin.${plugin}(${command}) returned ${result.status ?? `signal ${result.signal}`}`,
      result.stderr.trim().split('\n').at(-1) || undefined,
    );
  return result.stdout;
}

/** Python's str.splitlines(). */
function pythonSplitLines(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- Python's line boundaries include the file, group and record separators.
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** first_found's candidates (ansible-core 2.14's _process_terms): names, or {files, paths, skip} mappings; the first that exists. */
function firstFound(terms: unknown[], options: Record<string, unknown>, context: LookupContext): unknown[] {
  const split = (value: unknown, separators: RegExp): unknown[] =>
    value === undefined || value === null ? [] : typeof value === 'string' ? value.split(separators) : listify(value).flatMap((v) => split(v, separators));
  let candidates: unknown[] = [];
  let skip = false;
  const processTerms = (list: unknown[]): void => {
    for (const term of list) {
      let settings: Record<string, unknown>;
      if (isPlainObject(term)) settings = term;
      else if (typeof term === 'string' || term instanceof UndefinedValue) settings = options;
      else if (Array.isArray(term)) {
        processTerms(term);
        continue;
      } else throw lookupError(`Invalid term supplied, can handle string, mapping or list of strings but got: ${pythonRepr(term)}`);
      const unknown = Object.keys(settings).filter((k) => !['files', 'paths', 'skip'].includes(k));
      if (unknown.length > 0) throw lookupError(`first_found: unknown option ${unknown.join(', ')}`, 'it takes files, paths and skip');
      const files = split(settings.files, /[,;]/);
      const paths = split(settings.paths, /[,:;]/);
      skip = flag(settings.skip, false);
      if (paths.length > 0) {
        for (const dir of paths) for (const name of files) candidates.push(joinCandidate(dir, name));
      } else if (files.length > 0) candidates = files;
      else candidates.push(term);
    }
  };
  processTerms(terms);
  for (const candidate of candidates) {
    // A name whose template read an undefined variable is passed over, as Ansible passes it.
    if (candidate instanceof UndefinedValue) continue;
    if (typeof candidate !== 'string') throw lookupError(`first_found: ${pythonRepr(candidate)} is not a file name`);
    const found = findInSearchPath(candidate, context.subdir, context.searchPath, context.basedir);
    if (found !== undefined) return [found];
  }
  if (skip) return [];
  throw lookupError('No file was found when using first_found.', `${searchedHint(context, context.subdir)}; give it skip: true to go on without one`);
}

/** Python's string module's character sets, by the names the password lookup's chars take. */
const PYTHON_CHARACTER_SETS: Readonly<Record<string, string>> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/**
 * password (ansible-core 2.14's): the password kept in a file on the controller, made and written
 * there (mode 0600, its folder 0700) when the file is not there yet; `/dev/null` makes a new one
 * each time. The term is the path, then `length=`, `chars=` (names of Python's character sets or
 * the characters themselves, comma-separated, `,,` for a comma) and `seed=`; the same options as
 * keywords. The password is a secret: masked wherever hound prints.
 */
function password(term: string, keywords: Record<string, unknown>, context: LookupContext): string {
  const space = term.indexOf(' ');
  let relpath = space === -1 ? term : term.slice(0, space);
  const { options: parsed, raw } = space === -1 ? { options: {}, raw: [] } : parseKeyValueArgs(term.slice(space + 1));
  if (raw.length > 0) {
    // Words that are not key=value are the rest of a path with spaces, written before the options.
    relpath = [relpath, ...raw].join(' ');
    if (!term.startsWith(relpath)) throw lookupError('Unrecognized value after key=value parameters given to password lookup');
  }
  const unknown = Object.keys(parsed).filter((k) => !['length', 'chars', 'seed', 'encrypt', 'ident'].includes(k));
  if (unknown.length > 0) throw lookupError(`Unrecognized parameter(s) given to password lookup: ${unknown.join(', ')}`);
  const options: Record<string, unknown> = { ...keywords, ...parsed };
  if (options.encrypt !== undefined && options.encrypt !== null)
    throw new HoundError('TEMPLATE_UNSUPPORTED', "lookup('password'): encrypt is not supported", EXIT.PARSE, {
      hint: "take the plain password and hash it where needed: lookup('password', path) | password_hash('sha512')",
    });
  const length = Number(options.length ?? 20);
  if (!Number.isInteger(length) || length < 0) throw lookupError(`lookup('password'): length must be a whole number, got ${pythonRepr(options.length)}`);
  let chars = options.chars ?? ['ascii_letters', 'digits', '.,:-_'];
  if (typeof chars === 'string') chars = [...(chars.includes(',,') ? [','] : []), ...chars.replace(/,,/g, ',').split(',').filter(Boolean)];
  const candidates = listify(chars)
    .map((spec) => PYTHON_CHARACTER_SETS[pythonStr(spec)] ?? pythonStr(spec))
    .join('')
    .replace(/["']/g, '');
  const file = path.resolve(context.basedir, relpath);
  let plain: string | undefined;
  if (file !== '/dev/null' && isFile(file)) {
    const content = readFileSync(file, 'utf8').replace(/\s+$/, '');
    // The file may hold `password salt=… ident=…`, as Ansible writes one for encrypt.
    const salt = content.lastIndexOf(' salt=');
    plain = salt === -1 ? content : content.slice(0, salt);
  }
  if (plain === undefined) {
    if (candidates.length === 0 && length > 0) throw lookupError("lookup('password'): chars gives no characters to choose from");
    // The seed option is text (type: str), so seed=3 seeds as '3' does.
    const source = randomSource(options.seed === undefined || options.seed === null ? undefined : pythonStr(options.seed));
    plain = Array.from({ length }, () => candidates[source.below(candidates.length)]).join('');
    if (file !== '/dev/null') {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${plain}\n`, { mode: 0o600 });
    }
  }
  registerSecret(plain);
  return plain;
}

/**
 * inventory_hostnames: the hosts the patterns match, in an inventory made of the `groups`
 * variable alone (each group with its hosts, no children, no variables), as Ansible's plugin
 * builds one; a pattern it cannot read gives no hosts.
 */
function inventoryHostnames(terms: unknown[], context: LookupContext): string[] {
  const groups = context.variable('groups')?.value;
  if (!isPlainObject(groups)) return [];
  const inventory: Inventory = { hosts: new Map(), groups: new Map(), sources: [] };
  for (const [name, members] of Object.entries(groups)) {
    const hosts = listify(members).map((host) => pythonStr(host));
    inventory.groups.set(name, { name, hosts, children: [], vars: {} });
    for (const host of hosts) if (!inventory.hosts.has(host)) inventory.hosts.set(host, { name: host, vars: {} });
  }
  if (!inventory.groups.has('all')) inventory.groups.set('all', { name: 'all', hosts: [...inventory.hosts.keys()], children: [], vars: {} });
  const patterns = textTerms('inventory_hostnames', terms);
  try {
    return resolvePattern(inventory, patterns, { baseDir: context.basedir });
  } catch (err) {
    if (err instanceof HoundError) return [];
    throw err;
  }
}

/** os.path.join of a first_found path and name; an undefined part makes the candidate one to pass over. */
function joinCandidate(dir: unknown, name: unknown): unknown {
  if (dir instanceof UndefinedValue) return dir;
  if (name instanceof UndefinedValue) return name;
  return path.posix.isAbsolute(pythonStr(name)) ? pythonStr(name) : path.posix.join(pythonStr(dir), pythonStr(name));
}

function flattenOnce(items: unknown[]): unknown[] {
  return items.flatMap((item) => (Array.isArray(item) ? (item as unknown[]) : [item]));
}

function flattenDeep(items: unknown[]): unknown[] {
  return items.flatMap((item) => (Array.isArray(item) ? flattenDeep(item as unknown[]) : [item]));
}

function dictItems(value: unknown): unknown[] {
  const dicts = Array.isArray(value) ? value : [value];
  return dicts.flatMap((dict) => {
    if (!isPlainObject(dict)) throw loopError(`with_dict expects a dict, got ${pythonRepr(dict)}`, 'give it a mapping, e.g. with_dict: "{{ my_dict }}"');
    return Object.entries(dict).map(([key, v]) => ({ key, value: v }));
  });
}

/** izip_longest: the n-th item of each list, None where one is shorter. */
function together(lists: unknown[]): unknown[] {
  if (lists.length === 0) throw loopError('with_together requires at least one element in each list');
  const columns = lists.map((list) => listify(list));
  const length = Math.max(...columns.map((c) => c.length));
  return Array.from({ length }, (_, i) => columns.map((c) => (i < c.length ? c[i] : null)));
}

function cartesian(lists: unknown[][]): unknown[] {
  if (lists.length === 0) throw loopError('with_nested requires at least one element in the nested list');
  return lists.reduce<unknown[][]>((acc, list) => acc.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]);
}

/**
 * subelements: each element paired with each item of its list under `key` (dotted for a nested
 * one). As Ansible's plugin pops that list from the element, the element in each pair is a copy
 * without it.
 */
function subelements(terms: unknown[]): unknown[] {
  const [source, key, flags] = terms;
  if (typeof key !== 'string')
    throw loopError('with_subelements takes a list (or dict) and the name of a key holding a list', 'e.g. with_subelements: [users, keys]');
  const skipMissing = isPlainObject(flags) && flag(flags.skip_missing, false);
  const elements = isPlainObject(source) ? Object.values(source) : listify(source);
  const parts = key.split('.');
  const out: unknown[] = [];
  for (const element of elements) {
    if (!isPlainObject(element)) throw loopError(`with_subelements: ${pythonRepr(element)} is not a mapping`);
    if (Object.hasOwn(element, 'skipped') && element.skipped !== false) continue;
    const item: Record<string, unknown> = { ...element };
    let parent = item;
    let sublist: unknown[] | undefined;
    for (const [i, part] of parts.entries()) {
      if (!Object.hasOwn(parent, part)) {
        if (skipMissing) break;
        throw loopError(`with_subelements: could not find '${part}' key in iterated item ${pythonRepr(parent)}`, 'add skip_missing: true to skip such items');
      }
      const value = parent[part];
      if (i < parts.length - 1) {
        if (!isPlainObject(value)) {
          if (skipMissing) break;
          throw loopError(`with_subelements: the key ${part} should point to a dictionary, got ${pythonRepr(value)}`);
        }
        parent = parent[part] = { ...value };
      } else {
        if (!Array.isArray(value)) throw loopError(`with_subelements: the key ${part} should point to a list, got ${pythonRepr(value)}`);
        sublist = value;
        delete parent[part];
      }
    }
    for (const sub of sublist ?? []) out.push([item, sub]);
  }
  return out;
}

/** with_sequence's terms: `start=1 end=5 stride=1 format=%d`, `count=N`, or the short `[start-]end[/stride][:format]`. */
function sequence(term: string): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const number = (text: string, what: string): number => {
    const n = /^0x[0-9a-f]+$/i.test(text)
      ? parseInt(text, 16)
      : /^0o?[0-7]+$/i.test(text) && text !== '0'
        ? parseInt(text.replace(/^0o?/i, ''), 8)
        : Number(text);
    if (!Number.isInteger(n)) throw loopError(`with_sequence: can't parse ${what}=${text} as integer`);
    return n;
  };
  const shortcut = /^(?:([0-9a-fx]+)-)?([0-9a-fx]+)(?:\/([0-9a-fx]+))?(?::(.+))?$/i.exec(term.trim());
  if (shortcut && !term.includes('=')) {
    if (shortcut[1] !== undefined) start = number(shortcut[1], 'start');
    end = number(shortcut[2], 'end');
    if (shortcut[3] !== undefined) stride = number(shortcut[3], 'stride');
    if (shortcut[4] !== undefined) format = shortcut[4];
  } else {
    for (const word of term.split(/\s+/).filter((w) => w !== '')) {
      const [key, ...rest] = word.split('=');
      const v = rest.join('=');
      if (key === 'start') start = number(v, key);
      else if (key === 'end') end = number(v, key);
      else if (key === 'count') count = number(v, key);
      else if (key === 'stride') stride = number(v, key);
      else if (key === 'format') format = v;
      else throw loopError(`with_sequence: unrecognized arguments to with_sequence: ${key}`);
    }
  }
  if (count !== undefined && end !== undefined) throw loopError("with_sequence: can't specify both count and end in with_sequence");
  if (count !== undefined) end = start + count * stride - stride;
  if (end === undefined) throw loopError('with_sequence: must specify count or end in with_sequence');
  if (stride > 0 && end < start) throw loopError('with_sequence: to count backwards make stride negative');
  if (stride < 0 && end > start) throw loopError("with_sequence: to count forward don't make stride negative");
  if (stride === 0) return [];
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) {
    out.push(
      format.replace(/%(0?\d*)([dxXos])/, (_m, width: string, conv: string) => {
        const digits = conv === 'x' ? i.toString(16) : conv === 'X' ? i.toString(16).toUpperCase() : conv === 'o' ? i.toString(8) : String(i);
        return width.startsWith('0') ? digits.padStart(Number(width), '0') : digits.padStart(Number(width || 0), ' ');
      }),
    );
    if (out.length > 100_000) throw loopError('with_sequence: more than 100000 items');
  }
  return out;
}

/**
 * fileglob: the files (not folders) matching the pattern's last part, in the first folder
 * where any match: the folder the pattern names, found on the search path (files/ first), or
 * for a bare pattern each search path folder's files/ and then the folder itself. In the
 * folder's own order, as Python's glob gives them (readdirSync would sort them).
 */
function fileglob(pattern: string, context: LookupContext): string[] {
  const base = path.basename(pattern);
  const named = base !== pattern ? findInSearchPath(path.dirname(pattern), 'files', context.searchPath, context.basedir) : undefined;
  if (base !== pattern && named === undefined) warnNotFound(path.dirname(pattern), context);
  const dirs = base !== pattern ? [named] : context.searchPath.flatMap((dir) => [path.join(dir, 'files'), dir]);
  for (const dir of dirs) {
    if (dir === undefined || !isDirectory(dir)) continue;
    const found = globInFolder(dir, base)
      .map((name) => path.join(dir, name))
      .filter((file) => isFile(file));
    if (found.length > 0) return found;
  }
  return [];
}

/** Ansible's `ansible_loop` (loop_control.extended) for item `index` of `items`. */
export function extendedLoopVars(items: readonly unknown[], index: number, withAllItems: boolean): Record<string, unknown> {
  const length = items.length;
  const loop: Record<string, unknown> = {
    index: index + 1,
    index0: index,
    revindex: length - index,
    revindex0: length - index - 1,
    first: index === 0,
    last: index === length - 1,
    length,
  };
  if (withAllItems) loop.allitems = items;
  if (index > 0) loop.previtem = items[index - 1];
  if (index < length - 1) loop.nextitem = items[index + 1];
  return loop;
}
