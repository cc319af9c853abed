// A task's module arguments as Ansible reads them: a mapping, or one string of `key=value`
// options and free text; argument aliases; the types Ansible's argument spec converts to
// (`force: "yes"` is true, `tag: 1.0` is "1.0"); arguments hound refuses, named with why;
// then the module's JSON Schema. Values holding templates are checked again once rendered
// (checkRenderedArguments, from the compiler). An argument an Ansible module does not take is
// no load error, as in Ansible: the task fails when it runs, in Ansible's words.
import { ParseError, type SourcePosition } from '../base/errors.js';
import { PythonFloat } from '../base/python-float.js';
import { maskSecretAssignments, registerSecretVariables } from '../base/secrets.js';
import { didYouMean } from '../base/suggest.js';
import { refusedArgument, type ModuleDefinition } from '../modules/definition.js';
import { COMPATIBILITY_PAGE } from '../modules/names.js';
import { parseKeyValueArgs, typedOptions } from './kv-args.js';
import { validateAgainst, type ValidationTarget } from './schema.js';
import { containsTemplate } from './templating.js';
import { isPlainObject, pythonStr } from './template-values.js';
import type { DataPath, YamlSource } from './yaml-source.js';
import { UnsafeText, unsafeText } from '../base/unsafe-text.js';

export interface ModuleArguments {
  args: Record<string, unknown>;
  /** Written as one string: every argument points at the module's value. */
  freeForm: boolean;
  /**
   * Arguments the module does not take (left out of `args`), with Ansible's message for the
   * task's failure when it runs and where each is written, for a warning now.
   */
  unsupported?: { message: string; keys: { key: string; position: SourcePosition; hint: string }[] };
}

/** Options the shell-like modules take out of their command line, as ansible-core's parse_kv(check_raw=True) does. */
const COMMAND_LINE_OPTIONS: ReadonlySet<string> = new Set(['creates', 'removes', 'chdir', 'executable', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);

/**
 * Reads the value of a task's module key. `written` is the module name as the task writes it
 * (`community.docker.docker_image`), for messages.
 */
export function readModuleArguments(
  source: YamlSource,
  argsPath: DataPath,
  written: string,
  definition: ModuleDefinition,
  raw: unknown,
  keywordArgs?: { values: Record<string, unknown>; path: DataPath },
  defaults: Record<string, unknown> = {},
): ModuleArguments {
  let args: Record<string, unknown>;
  let freeForm = false;
  if (raw === null || raw === undefined) args = {};
  else if (isPlainObject(raw)) args = { ...raw };
  else if (typeof raw === 'string' && (definition.freeFormArgument || raw.includes('='))) {
    args = stringArguments(source, argsPath, written, definition, raw);
    freeForm = true;
  } else if (raw instanceof UnsafeText && (definition.freeFormArgument || raw.text.includes('='))) {
    // `command: !unsafe "docker ps --format '{{.Names}}'"`: its words are the string's, each still data.
    args = Object.fromEntries(
      Object.entries(stringArguments(source, argsPath, written, definition, raw.text)).map(([k, v]) => [k, typeof v === 'string' ? unsafeText(v) : v]),
    );
    freeForm = true;
  } else {
    const example = Object.keys((definition.argumentSchema.properties as object | undefined) ?? {})[0] ?? 'key';
    throw new ParseError(
      'MODULE_ARGS_INVALID',
      `module '${written}' takes a mapping of arguments${definition.freeFormArgument ? ` or a string (its '${definition.freeFormArgument}')` : ''}`,
      { position: source.positionOf(argsPath), hint: `e.g. ${written}:\\n    ${example}: ...` },
    );
  }
  // The task keyword `args:` gives arguments too; those written with the module win, as in Ansible.
  const fromKeyword = new Set(Object.keys(keywordArgs?.values ?? {}).filter((k) => !Object.hasOwn(args, k)));
  if (keywordArgs) args = { ...keywordArgs.values, ...args };
  // module_defaults give what neither sets (playbook/module-defaults.ts); errors about them point at the module.
  args = { ...defaults, ...args };
  registerSecretArguments(definition, args);
  const target: ValidationTarget = {
    source,
    path: argsPath,
    what: `module '${written}'`,
    knownKeys: argumentNames(definition),
    unknownKeyCode: 'UNKNOWN_ARGUMENT',
  };
  const keyAt = (key: string) =>
    fromKeyword.has(key) ? source.keyPositionOf(keywordArgs!.path, key) : freeForm ? source.positionOf(argsPath) : source.keyPositionOf(argsPath, key);
  args = coerceArgumentTypes(definition, args);
  refuseArguments(definition, args, written, keyAt, false);
  let unsupported: ModuleArguments['unsupported'];
  if (definition.argumentSchema.additionalProperties === false) {
    const unknown = Object.keys(args).filter((key) => !target.knownKeys!.includes(key));
    // hound's own modules have no Ansible behaviour to follow: an unknown argument is refused now.
    if (unknown.length > 0 && definition.houndOwn) {
      throw new ParseError('UNKNOWN_ARGUMENT', `module '${written}' has no argument '${unknown[0]}'`, {
        position: keyAt(unknown[0]),
        hint: unknownArgumentHint(unknown[0], target.knownKeys!, written),
      });
    }
    if (unknown.length > 0) {
      unsupported = {
        message: unsupportedArgumentsMessage(definition, written, unknown),
        keys: unknown.map((key) => ({ key, position: keyAt(key), hint: unknownArgumentHint(key, target.knownKeys!, written) })),
      };
      args = Object.fromEntries(Object.entries(args).filter(([key]) => !unknown.includes(key)));
    }
  }
  if (!containsTemplate(args)) validateAgainst(definition.argumentSchema, args, target, 'MODULE_ARGS_INVALID');
  return { args: withCanonicalNames(definition, args, written, keyAt), freeForm, ...(unsupported ? { unsupported } : {}) };
}

/**
 * What Ansible says when a task gives a module arguments it does not take: the module's own
 * argument check on the node ("Unsupported parameters for (docker_login) module: email.
 * Supported parameters include: ..."), or, for the modules that are action plugins on the
 * controller, theirs. The name is the one the task wrote, as Ansible passes it to the module;
 * command and shell run ansible.legacy.command.
 */
export function unsupportedArgumentsMessage(definition: ModuleDefinition, written: string, keys: readonly string[]): string {
  if (['debug', 'assert', 'fail'].includes(definition.name)) return `Invalid options for ${written}: ${keys.join(',')}`;
  if (definition.name === 'include_vars') return `${keys[0]} is not a valid option in include_vars`;
  const name = definition.name === 'command' || definition.name === 'shell' ? 'ansible.legacy.command' : written;
  const aliases = Object.keys(definition.argumentAliases ?? {}).sort();
  const params = argumentNames(definition)
    .filter((n) => !aliases.includes(n))
    .sort();
  const supported = `${params.join(', ')}${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}`;
  return `Unsupported parameters for (${name}) module: ${[...keys].sort().join(', ')}. Supported parameters include: ${supported}.`;
}

/** Checks arguments that held templates, once rendered (the compiler calls this per host). */
export function checkRenderedArguments(definition: ModuleDefinition, args: Record<string, unknown>, target: ValidationTarget): Record<string, unknown> {
  const at = () => target.source.positionOf(target.path);
  const typed = coerceArgumentTypes(definition, args);
  registerSecretArguments(definition, typed);
  refuseArguments(definition, typed, target.what, at, true);
  validateAgainst(definition.argumentSchema, typed, target, 'MODULE_ARGS_INVALID');
  return typed;
}

/** The module's secret arguments, and any argument named like a secret, registered before a check could quote them. */
function registerSecretArguments(definition: ModuleDefinition, args: Record<string, unknown>): void {
  registerSecretVariables(args);
  for (const key of definition.secretArguments) registerSecretVariables(args[key], true);
}

/** The argument names a module takes, aliases included. */
export function argumentNames(definition: ModuleDefinition): string[] {
  return Object.keys((definition.argumentSchema.properties as object | undefined) ?? {});
}

function unknownArgumentHint(key: string, known: readonly string[], written: string): string {
  const keyword = ['loop', 'with_items', 'with_list', 'with_dict', 'when', 'register', 'notify', 'tags', 'become', 'vars', 'delegate_to'].includes(key);
  if (keyword) return `'${key}' is a task keyword: indent it as deep as the module name, not under its arguments`;
  return didYouMean(key, known, `arguments of '${written}'`);
}

function refuseArguments(
  definition: ModuleDefinition,
  args: Record<string, unknown>,
  written: string,
  keyAt: (key: string) => ReturnType<YamlSource['positionOf']>,
  judgeTemplates: boolean,
): void {
  // A refusal that depends on the value waits for a templated value to be rendered.
  const valueDependent = (key: string) =>
    Object.entries(definition.refusedArguments ?? {}).some(
      ([argument, refusal]) => (argument === key || argument.startsWith(`${key}.`)) && (refusal.values !== undefined || refusal.unless !== undefined),
    );
  const judged = judgeTemplates ? args : Object.fromEntries(Object.entries(args).filter(([k, v]) => !(containsTemplate(v) && valueDependent(k))));
  const refusal = refusedArgument(definition, judged);
  if (!refusal) return;
  // The value is named when it is what is refused (`source: build`), not when any value would be.
  const shownValue = valueDependent(refusal.argument) && (typeof refusal.value === 'boolean' || typeof refusal.value === 'string');
  const value = shownValue ? `: ${String(refusal.value)}` : '';
  throw new ParseError(
    'ARGUMENT_NOT_SUPPORTED',
    `${written.startsWith('module ') ? written : `module '${written}'`}: '${refusal.argument}${value}' is not supported by hound: ${refusal.reason}`,
    {
      position: keyAt(refusal.argument.split('.')[0]),
      hint: `remove '${refusal.argument}' (hound never runs a task without an argument it was given); ${COMPATIBILITY_PAGE} lists what each module takes`,
    },
  );
}

/** Aliases renamed to the argument they stand for (after validation, so errors point at what was written). */
function withCanonicalNames(
  definition: ModuleDefinition,
  args: Record<string, unknown>,
  written: string,
  keyAt: (key: string) => ReturnType<YamlSource['positionOf']>,
): Record<string, unknown> {
  const aliases = definition.argumentAliases ?? {};
  if (!Object.keys(args).some((k) => Object.hasOwn(aliases, k))) return args;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const name = Object.hasOwn(aliases, key) ? aliases[key] : key;
    if (Object.hasOwn(out, name)) {
      throw new ParseError('MODULE_ARGS_INVALID', `module '${written}' got '${name}' twice (as '${key}', one of its aliases)`, {
        position: keyAt(key),
        hint: `keep one of them`,
      });
    }
    out[name] = value;
  }
  return out;
}

const TRUE_WORDS = new Set(['yes', 'on', '1', 'true', 'y', 't']);
const FALSE_WORDS = new Set(['no', 'off', '0', 'false', 'n', 'f']);

/**
 * The conversions Ansible's argument spec makes before one of its modules sees its arguments: booleans
 * from yes/no/true/false/on/off/1/0, integers and numbers from their text, strings from
 * numbers (`tag: 1.0`), lists from a comma-separated string or a lone value. A value holding a
 * template is left as it is: it is converted once rendered.
 */
export function coerceArgumentTypes(definition: ModuleDefinition, args: Record<string, unknown>): Record<string, unknown> {
  const properties = (definition.argumentSchema.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const type = properties[key]?.type;
    const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
    // hound's own modules take their arguments as written, as their documentation says, but
    // for a number given as text: a template's computed number is text, as in Ansible
    // (`concurrency: "{{ n | default(3) }}"` is '3'), and Ansible's int arguments read it.
    const numberFromText = types.some((t) => t === 'integer' || t === 'number') && (typeof value === 'string' || value instanceof PythonFloat);
    out[key] = types.length === 0 || containsTemplate(value) || (definition.houndOwn && !numberFromText) ? value : coerced(value, types);
  }
  return out;
}

function coerced(value: unknown, types: string[]): unknown {
  // A whole-valued float: a number for a number argument, Python's str() ('1.0') for a string one.
  if (value instanceof PythonFloat) {
    if (types.includes('string') && !types.includes('number') && !types.includes('integer')) return pythonStr(value);
    value = value.value;
  }
  if (types.includes(typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && types.includes('number')) return value;
  if (types.includes('boolean')) {
    const word = typeof value === 'string' ? value.toLowerCase() : typeof value === 'number' ? String(value) : undefined;
    if (word !== undefined && TRUE_WORDS.has(word)) return true;
    if (word !== undefined && FALSE_WORDS.has(word)) return false;
  }
  if (types.includes('integer')) {
    if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
    if (typeof value === 'number' && Number.isInteger(value)) return value;
  }
  if (types.includes('number') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (types.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) return pythonStr(value);
  if (types.includes('array') && !Array.isArray(value)) {
    if (typeof value === 'string') return value === '' ? [] : value.split(',').map((s) => s.trim());
    if (typeof value === 'number') return [String(value)];
  }
  return value;
}

/**
 * A module's arguments written as one string, read as Ansible reads them: `key=value` words
 * are options (`debug: var=result`, `image: name=x force=yes`); a string without any is the
 * module's free-form argument (`debug: some text` is its msg). command and shell keep every
 * word but their own options in `cmd`. Other modules refuse a string that mixes options and
 * free text, as Ansible does ("extra params").
 */
function stringArguments(source: YamlSource, argsPath: DataPath, written: string, definition: ModuleDefinition, text: string): Record<string, unknown> {
  const free = definition.freeFormArgument;
  const properties = (definition.argumentSchema.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const refuseNamedEscapes = (named: string[]) => {
    if (named.length === 0) return;
    throw new ParseError(
      'KV_ESCAPE_NOT_SUPPORTED',
      `module '${written}': ${named[0]} (a character by its Unicode name) in key=value arguments is not supported by hound`,
      {
        position: source.positionOf(argsPath),
        hint: 'write the character itself, or write the arguments as a YAML mapping',
      },
    );
  };
  // Ansible's split_args refuses a quote or a Jinja2 block left open, whatever the module (`shell: echo it's`).
  const refuseUnclosed = (unclosed: boolean) => {
    if (!unclosed) return;
    const position = source.positionOf(argsPath);
    throw new ParseError('MODULE_ARGS_INVALID', `module '${written}': failed at splitting arguments, either an unbalanced jinja2 block or quotes`, {
      position: position.sourceLine !== undefined ? { ...position, sourceLine: maskSecretAssignments(position.sourceLine, { toEndOfLine: true }) } : position,
      hint: `close the quote or the {{ }} (a quote inside a word needs the whole value quoted: "it's"), or write the arguments as a mapping`,
    });
  };
  if (free === 'cmd') {
    const { options, raw, namedEscapes, unclosed } = parseKeyValueArgs(text, COMMAND_LINE_OPTIONS);
    refuseUnclosed(unclosed);
    refuseNamedEscapes(namedEscapes);
    if (Object.keys(options).length === 0) return { cmd: text };
    return { ...typedOptions(options, properties), ...(raw.length > 0 ? { cmd: raw.join(' ') } : {}) };
  }
  const { options, raw, namedEscapes, unclosed } = parseKeyValueArgs(text);
  refuseUnclosed(unclosed);
  if (Object.keys(options).length === 0 && free) return { [free]: text };
  refuseNamedEscapes(namedEscapes);
  if (raw.length > 0) {
    const secrets = definition.secretArguments;
    // A secret's unquoted spaces would put part of it among the free words: name none then.
    const words = secrets.length > 0 ? '' : ` (${raw.join(' ')})`;
    const position = source.positionOf(argsPath);
    throw new ParseError('MODULE_ARGS_INVALID', `module '${written}' got key=value options and free text${words} in one string`, {
      // Where an unquoted secret ends is not known here: everything after the first secret goes.
      position:
        position.sourceLine !== undefined && secrets.length > 0
          ? { ...position, sourceLine: maskSecretAssignments(position.sourceLine, { toEndOfLine: true }) }
          : position,
      hint: `quote a value that has spaces (key="a b"), or write the arguments as a mapping`,
    });
  }
  // set_fact, as Ansible's: yes/no/true/false given as key=value are booleans.
  if (definition.name === 'set_fact')
    return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, /^(yes|true)$/i.test(v) ? true : /^(no|false)$/i.test(v) ? false : v]));
  return typedOptions(options, properties);
}
