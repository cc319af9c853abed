// JSON Schemas of plays, tasks and roles' var files, and the validation that turns ajv's
// errors into one ParseError pointing at the offending key or value in the YAML file.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ParseError } from '../base/errors.js';
import { didYouMean } from '../base/suggest.js';
import { PythonFloat } from '../base/python-float.js';
import { UnsafeText } from '../base/unsafe-text.js';
import { LOOKUP_PLUGIN_NAMES } from './lookup-plugins.js';
import type { DataPath, YamlSource } from './yaml-source.js';
import { parseKeyValueArgs } from './kv-args.js';
import { BUILTIN_PREFIXES } from '../modules/names.js';

const identifier = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const stringList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const tagList = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'array', items: { type: ['string', 'number'] } }] };
const template = { type: 'string', pattern: '\\{\\{' };
const serialItem = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?%|\\d+)\\s*$' }, template] };
const conditions = { anyOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'boolean'] } }] };
const mapping = { type: 'object' };
/** `collections:`: where short module names are looked up first (`community.docker`). */
const collectionList = {
  anyOf: [
    { type: 'string', pattern: '^[A-Za-z0-9_]+\\.[A-Za-z0-9_]+$' },
    { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_]+\\.[A-Za-z0-9_]+$' } },
  ],
};

/** A boolean keyword: true/false, a YAML 1.1 spelling (`yes`), a template, or 0/1 (checked as Ansible's boolean() once rendered). */
const flag = { anyOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'integer' }] };
const count = { anyOf: [{ type: 'integer', minimum: 0 }, template] };
const environment = { anyOf: [mapping, template, { type: 'array', items: { anyOf: [mapping, template] } }] };
const moduleDefaults = { anyOf: [mapping, template, { type: 'array', items: { anyOf: [mapping, template] } }] };

/** Keywords that plays, role entries, blocks and tasks share (Ansible's Base/Taggable/Conditional/Become...). */
const sharedKeywordProperties = {
  become: flag,
  become_user: { type: 'string' },
  become_method: { type: 'string' },
  become_flags: { type: 'string' },
  become_exe: { type: 'string' },
  remote_user: { type: 'string' },
  connection: { type: 'string' },
  port: { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, template] },
  environment,
  check_mode: flag,
  diff: flag,
  any_errors_fatal: flag,
  ignore_errors: flag,
  ignore_unreachable: flag,
  no_log: flag,
  run_once: flag,
  throttle: count,
  timeout: count,
  module_defaults: moduleDefaults,
  debugger: { enum: ['never', 'always', 'on_failed', 'on_unreachable', 'on_skipped'] },
};

export const PLAY_KEYWORDS = [
  'name',
  'hosts',
  'vars',
  'vars_files',
  'vars_prompt',
  'serial',
  'strategy',
  'order',
  'max_fail_percentage',
  'any_errors_fatal',
  'force_handlers',
  'gather_facts',
  'gather_subset',
  'gather_timeout',
  'tags',
  'tasks',
  'pre_tasks',
  'post_tasks',
  'handlers',
  'roles',
  'distribution',
  'collections',
  ...Object.keys(sharedKeywordProperties).filter((k) => k !== 'any_errors_fatal'),
] as const;

const varsPromptEntry = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: identifier,
    prompt: { type: 'string' },
    default: {},
    private: flag,
    confirm: flag,
    unsafe: flag,
    encrypt: { type: 'string' },
    salt_size: { type: 'integer' },
    salt: { type: 'string' },
  },
};

export const playSchema = {
  type: 'object',
  required: ['hosts'],
  additionalProperties: false,
  properties: {
    ...sharedKeywordProperties,
    name: { type: 'string' },
    hosts: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      ],
    },
    vars: mapping,
    // A list entry may itself be a list: the first of its files that is there (Ansible's vars_files).
    vars_files: {
      anyOf: [{ type: 'null' }, { type: 'string' }, { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } }],
    },
    vars_prompt: { type: ['array', 'null'], items: varsPromptEntry },
    serial: { anyOf: [serialItem, { type: 'array', minItems: 1, items: serialItem }] },
    strategy: { enum: ['linear', 'free'] },
    order: { enum: ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] },
    max_fail_percentage: {
      anyOf: [
        { type: 'number', minimum: 0, maximum: 100 },
        { type: 'string', pattern: '^\\d+(\\.\\d+)?%?$' },
      ],
    },
    any_errors_fatal: flag,
    force_handlers: flag,
    gather_facts: flag,
    gather_subset: stringList,
    gather_timeout: { type: 'integer', minimum: 1 },
    tags: tagList,
    tasks: { type: ['array', 'null'] },
    pre_tasks: { type: ['array', 'null'] },
    post_tasks: { type: ['array', 'null'] },
    handlers: { type: ['array', 'null'] },
    roles: { type: ['array', 'null'], items: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] } },
    distribution: { enum: ['direct', 'relay', 'fanout', 'auto'] },
    collections: collectionList,
  },
};

export const importPlaybookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['import_playbook'],
  properties: { import_playbook: { type: 'string', minLength: 1 }, name: { type: 'string' }, vars: mapping, tags: tagList, when: conditions },
};

/**
 * import_role's and include_role's options (include_role also takes `apply`). `role` is
 * Ansible's other name for `name`; it may also be a role entry of its own (`role: {name: x,
 * param: v}`), as under `roles:`.
 */
const roleSpec = {
  type: 'object',
  anyOf: [{ required: ['name'] }, { required: ['role'] }],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    role: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'object', anyOf: [{ required: ['name'] }, { required: ['role'] }] },
      ],
    },
    tasks_from: { type: 'string', minLength: 1 },
    vars_from: { type: 'string', minLength: 1 },
    defaults_from: { type: 'string', minLength: 1 },
    handlers_from: { type: 'string', minLength: 1 },
    allow_duplicates: { type: 'boolean' },
    public: { type: 'boolean' },
    rolespec_validate: { type: 'boolean' },
  },
};

/** The `with_<lookup>` loops hound expands: one per lookup plugin it runs (playbook/lookup-plugins.ts). */
export const WITH_LOOPS: readonly string[] = LOOKUP_PLUGIN_NAMES.map((name) => `with_${name}`);
export const LOOP_KEYS: readonly string[] = ['loop', ...WITH_LOOPS];

/** Keywords a task may carry beside its module (or its include, or its block). */
export const TASK_KEYWORDS = [
  'name',
  'loop',
  ...WITH_LOOPS,
  'loop_control',
  'when',
  'tags',
  'retries',
  'delay',
  'until',
  'changed_when',
  'failed_when',
  'async',
  'poll',
  'register',
  'notify',
  'vars',
  'listen',
  'collections',
  'args',
  'delegate_to',
  'delegate_facts',
  'local_action',
  'action',
  ...Object.keys(sharedKeywordProperties),
] as const;

/** Task keywords that replace the module: they bring other tasks in. */
export const TASK_INCLUDES = ['block', 'import_tasks', 'include_tasks', 'import_role', 'include_role'] as const;
/** Keywords only a block has. */
export const BLOCK_SECTIONS = ['rescue', 'always'] as const;

/** What include_tasks accepts besides its file (Ansible's TaskInclude.VALID_INCLUDE_KEYWORDS). */
export const INCLUDE_TASKS_KEYWORDS: readonly string[] = [
  'name',
  'include_tasks',
  'args',
  'debugger',
  'ignore_errors',
  'loop',
  ...WITH_LOOPS,
  'loop_control',
  'no_log',
  'register',
  'run_once',
  'tags',
  'timeout',
  'vars',
  'when',
];

const loopValue = { anyOf: [{ type: 'array' }, { type: 'string' }, mapping] };

export const taskKeywordSchema = {
  type: 'object',
  properties: {
    ...sharedKeywordProperties,
    name: { type: 'string' },
    loop: { anyOf: [{ type: 'array' }, template] },
    ...Object.fromEntries(WITH_LOOPS.map((k) => [k, loopValue])),
    loop_control: {
      type: 'object',
      additionalProperties: false,
      properties: {
        loop_var: identifier,
        index_var: identifier,
        label: {},
        pause: { anyOf: [{ type: 'number', minimum: 0 }, template] },
        extended: flag,
        extended_allitems: flag,
      },
    },
    when: conditions,
    tags: tagList,
    retries: { anyOf: [{ type: 'integer', minimum: 0 }, template] },
    delay: { anyOf: [{ type: 'number', minimum: 0 }, template] },
    until: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
    changed_when: conditions,
    failed_when: conditions,
    async: count,
    poll: count,
    register: identifier,
    notify: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', items: { type: 'string', minLength: 1 } },
      ],
    },
    vars: mapping,
    listen: stringList,
    collections: collectionList,
    args: { anyOf: [mapping, template] },
    delegate_to: { type: 'string', minLength: 1 },
    delegate_facts: flag,
    local_action: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'object', required: ['module'] },
      ],
    },
    action: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'object', required: ['module'] },
      ],
    },
    block: { type: ['array', 'null'] },
    rescue: { type: ['array', 'null'] },
    always: { type: ['array', 'null'] },
    import_tasks: { type: 'string', minLength: 1 },
    include_tasks: {
      anyOf: [
        { type: 'string', minLength: 1 },
        {
          type: 'object',
          required: ['file'],
          additionalProperties: false,
          properties: { file: { type: 'string' }, apply: mapping },
        },
      ],
    },
    import_role: roleSpec,
    include_role: {
      ...roleSpec,
      properties: { ...roleSpec.properties, apply: mapping },
    },
  },
};

/** The keywords a role entry (`roles: - role: NAME`) may carry; its other keys are role parameters. */
export const ROLE_ENTRY_KEYWORDS: readonly string[] = [...Object.keys(sharedKeywordProperties), 'delegate_to', 'delegate_facts', 'when', 'tags', 'vars'];
export const roleEntryKeywordSchema = {
  type: 'object',
  properties: {
    ...sharedKeywordProperties,
    delegate_to: { type: 'string', minLength: 1 },
    delegate_facts: flag,
    when: conditions,
    tags: tagList,
    vars: mapping,
  },
};

/** What each field must be, in words, for messages about values of the wrong shape. */
const EXPECTATIONS: Record<string, string> = {
  name: 'a string',
  hosts: 'a host pattern (a string, or a list of patterns)',
  vars: 'a mapping of variable names to values',
  vars_files: 'a file name or a list of file names',
  serial: 'a number, a percentage such as "30%", or a list of them',
  strategy: "'linear' or 'free'",
  max_fail_percentage: 'a number from 0 to 100',
  any_errors_fatal: 'true or false',
  gather_facts: 'true or false',
  gather_subset: "a fact subset or a list of them (all, min, hardware, network, '!all', …)",
  gather_timeout: 'a whole number of seconds',
  tags: 'a tag or a list of tags',
  tasks: 'a list of tasks',
  pre_tasks: 'a list of tasks',
  post_tasks: 'a list of tasks',
  handlers: 'a list of handlers',
  roles: 'a list of role names or {role: NAME, ...} mappings',
  distribution: "'direct', 'relay', 'fanout' or 'auto'",
  loop: 'a list, or a template that gives one',
  ...Object.fromEntries(WITH_LOOPS.map((k) => [k, 'a list, a mapping or a template, as its lookup takes'])),
  when: 'a condition (a string or a boolean) or a list of them',
  retries: 'a whole number (0 or more)',
  delay: 'a number of seconds',
  until: 'a condition (a string)',
  changed_when: 'a condition (a string or a boolean) or a list of them',
  failed_when: 'a condition (a string or a boolean) or a list of them',
  become: 'true or false',
  become_user: 'a user name',
  become_method: "a become method ('sudo')",
  become_flags: 'the flags given to the become method (a string)',
  become_exe: 'the become program (a string)',
  remote_user: 'a user name',
  connection: "'ssh' or 'local'",
  port: 'a port number (1-65535)',
  environment: 'a mapping of variable names to values (or a list of them)',
  check_mode: 'true or false',
  diff: 'true or false',
  ignore_unreachable: 'true or false',
  run_once: 'true or false',
  throttle: 'a whole number (0 = no limit)',
  timeout: 'a number of seconds (0 = no limit)',
  async: 'a number of seconds',
  poll: 'a number of seconds (0: start and go on)',
  module_defaults: 'a mapping of module names to their default arguments',
  delegate_to: 'an inventory host name (or localhost)',
  delegate_facts: 'true or false',
  args: 'a mapping of module arguments',
  vars_prompt: 'a list of {name:, prompt:, default:, private:} entries',
  order: "'inventory', 'reverse_inventory', 'sorted', 'reverse_sorted' or 'shuffle'",
  force_handlers: 'true or false',
  rescue: 'a list of tasks',
  always: 'a list of tasks',
  debugger: "'never' (hound has no task debugger)",
  ignore_errors: 'true or false',
  register: 'a variable name (letters, digits and _, not starting with a digit)',
  notify: 'a handler name or a list of handler names',
  no_log: 'true or false',
  listen: 'a topic or a list of topics',
  block: 'a list of tasks',
  import_tasks: 'a file name',
  include_tasks: 'a file name',
  import_playbook: 'a file name',
  collections: 'a collection name (namespace.collection) or a list of them',
  source: "'pull', 'load' or 'local' (community.docker requires it with state: present)",
};

/** Ansible keywords hound knows but does not implement: said so instead of "did you mean". */
export const ANSIBLE_ONLY_KEYWORDS = new Set(['gather_subset', 'gather_timeout', 'fact_path', 'include', 'with_first_found', 'with_file', 'with_lines']);

export function unsupportedKeywordHint(key: string): string | undefined {
  if (key.startsWith('with_') && !WITH_LOOPS.includes(key))
    return `hound expands ${WITH_LOOPS.join(', ')} and loop:, not '${key}' (see docs/ansible-compatibility.md)`;
  return ANSIBLE_ONLY_KEYWORDS.has(key) ? `'${key}' is an Ansible keyword that hound does not support (see docs/ansible-compatibility.md)` : undefined;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

function pathOf(error: ErrorObject): (string | number)[] {
  return error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The error worth showing: an unknown key first, else the deepest, else the first. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const unknownKey = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknownKey) return unknownKey;
  return [...errors].sort((a, b) => pathOf(b).length - pathOf(a).length)[0];
}

export interface ValidationTarget {
  source: YamlSource;
  /** Where `data` sits in the source. */
  path: DataPath;
  /** "play", "task", "argument of module 'image'", for messages. */
  what: string;
  /** Valid keys to suggest from when a key is unknown. */
  knownKeys?: readonly string[];
  /** Error code for an unknown key (default UNKNOWN_KEY). */
  unknownKeyCode?: string;
}

/**
 * `value` as the schemas read it, in one walk, copying only what changes: their number types
 * know JavaScript's numbers only, so a whole-valued float (1.0) is its number; their string
 * types, strings only, so `!unsafe` text is its text.
 */
function schemaView(value: unknown): unknown {
  if (value instanceof PythonFloat) return value.value;
  if (value instanceof UnsafeText) return value.text;
  if (Array.isArray(value)) {
    const list = value as unknown[];
    let out: unknown[] | undefined;
    list.forEach((item, i) => {
      const plain = schemaView(item);
      if (plain !== item) (out ??= [...list])[i] = plain;
    });
    return out ?? list;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const plain = schemaView(item);
      if (plain !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = plain;
    }
    return out ?? value;
  }
  return value;
}

/** Validates `data` against `schema`; throws a ParseError positioned at the first problem. */
export function validateAgainst(schema: object, data: unknown, target: ValidationTarget, code = 'SCHEMA_INVALID'): void {
  const validate = validatorFor(schema);
  if (validate(schemaView(data))) return;
  const error = pickError(validate.errors ?? []);
  // A line it quotes that holds a secret is masked where every error is printed (HoundError.format).
  throw schemaError(error, target, code);
}

function schemaError(error: ErrorObject, target: ValidationTarget, code: string): ParseError {
  const relative = pathOf(error);
  const full = [...target.path, ...relative];
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const known = target.knownKeys ?? [];
    return new ParseError(
      target.unknownKeyCode ?? 'UNKNOWN_KEY',
      `unknown ${relative.length > 0 ? `key in '${relative.join('.')}'` : `${target.what} key`} '${key}'`,
      {
        position: target.source.keyPositionOf(full, key),
        hint: unsupportedKeywordHint(key) ?? (known.length > 0 && relative.length === 0 ? didYouMean(key, known, `${target.what} keys`) : undefined),
      },
    );
  }
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    return new ParseError(code, `${target.what} is missing '${missing}'`, {
      position: target.source.positionOf(full),
      hint: `add '${missing}:'${EXPECTATIONS[missing] ? ` (${EXPECTATIONS[missing]})` : ''}`,
    });
  }
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return new ParseError(code, `${target.what}: '${propertyName}' is not a valid name (${error.message ?? 'invalid'})`, {
      position: target.source.keyPositionOf(full, propertyName),
      hint: 'names are letters, digits and _, not starting with a digit',
    });
  }
  if (error.keyword === 'not' && Array.isArray((error.schema as { required?: unknown }).required)) {
    const both = (error.schema as { required: string[] }).required;
    return new ParseError(code, `${target.what} takes ${both.map((c) => `'${c}'`).join(' or ')}, not both`, {
      position: target.source.positionOf(full),
      hint: `keep one of ${both.join(' or ')} and remove the other`,
    });
  }
  if (error.keyword === 'oneOf' && Array.isArray(error.schema)) {
    const choices = (error.schema as { required?: string[] }[]).flatMap((branch) => branch.required ?? []);
    if (choices.length > 0) {
      return new ParseError(code, `${target.what} takes exactly one of ${choices.map((c) => `'${c}'`).join(', ')}`, {
        position: target.source.positionOf(full),
        hint: `keep one of ${choices.join(' or ')} and remove the other`,
      });
    }
  }
  const field = relative.filter((p) => typeof p === 'string').at(-1);
  const topField = relative[0];
  const expectation = typeof topField === 'string' && relative.length === 1 ? EXPECTATIONS[topField] : undefined;
  const label = `'${relative.join('.')}'`;
  const detail =
    expectation !== undefined
      ? `must be ${expectation}`
      : error.keyword === 'enum'
        ? `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`
        : (error.message ?? 'is invalid');
  return new ParseError(code, relative.length > 0 ? `${target.what}: ${label} ${detail}` : `${target.what} ${detail}`, {
    position: target.source.positionOf(full),
    hint: field && EXPECTATIONS[field] && expectation === undefined ? `'${field}' must be ${EXPECTATIONS[field]}` : undefined,
  });
}

/** Keywords where an empty value (`vars:` with everything under it commented out) means none, as Ansible reads them. */
const EMPTY_MEANS_NONE = ['vars', 'module_defaults', 'environment', 'when', 'name'];

/**
 * A play, task or role entry as Ansible's field attributes read it before they check it, for
 * what real playbooks write that the schemas above would refuse:
 * - an empty value of a list or mapping keyword is none (`vars:` with nothing under it);
 * - `vars:` as a list of mappings is their union, later entries winning (Base._load_vars);
 * - a play's `user:` is its `remote_user:` (Play.preprocess_data; both is an error, as there);
 * - a `name:` that YAML read as a number is its text (`- name: 2024`).
 */
const ROLE_INCLUDES = ['include_role', 'import_role'];
/** Ansible's `include` (deprecated, removed in 2.16), under each name ansible-core 2.14 takes it by. */
export const LEGACY_INCLUDES: readonly string[] = ['include', ...BUILTIN_PREFIXES.map((prefix) => `${prefix}include`)];

export function asAnsibleReadsIt(
  entry: Record<string, unknown>,
  what: 'play' | 'task' | 'role entry',
  source: YamlSource,
  at: DataPath,
): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const set = (key: string, value: unknown) => {
    out ??= { ...entry };
    if (value === undefined) delete out[key];
    else out[key] = value;
  };
  for (const key of EMPTY_MEANS_NONE) if (Object.hasOwn(entry, key) && entry[key] === null) set(key, undefined);
  if (Array.isArray(entry.vars)) {
    const merged: Record<string, unknown> = {};
    entry.vars.forEach((item, index) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new ParseError('SCHEMA_INVALID', `${what}: vars must be a mapping, or a list of mappings (entry ${index} is not one)`, {
          position: source.positionOf([...at, 'vars', index]),
          hint: 'write vars as NAME: VALUE lines',
        });
      }
      Object.assign(merged, item);
    });
    set('vars', merged);
  }
  if (typeof entry.name === 'number' || entry.name instanceof PythonFloat) set('name', String(entry.name));
  // `include: tasks.yml a=1` (Ansible's old include): the file, and its k=v options as the included tasks' vars.
  for (const key of LEGACY_INCLUDES) {
    if (what !== 'task' || typeof entry[key] !== 'string') continue;
    const { options, raw } = parseKeyValueArgs(entry[key]);
    if (Object.keys(options).length === 0) continue;
    set(key, raw.join(' '));
    set('vars', { ...options, ...((out?.vars ?? entry.vars) as Record<string, unknown> | undefined) });
  }
  // `include_role: name=foo tasks_from=x`: Ansible reads a role include's string as k=v options.
  for (const key of ROLE_INCLUDES) {
    if (what !== 'task' || typeof entry[key] !== 'string') continue;
    const { options, raw } = parseKeyValueArgs(entry[key]);
    if (raw.length === 0 && Object.keys(options).length > 0) set(key, options);
  }
  if (what === 'play' && Object.hasOwn(entry, 'user')) {
    if (Object.hasOwn(entry, 'remote_user')) {
      throw new ParseError('SCHEMA_INVALID', "both 'user' and 'remote_user' are set for this play", {
        position: source.keyPositionOf(at, 'user'),
        hint: "'user' is the old name of 'remote_user': keep remote_user",
      });
    }
    set('remote_user', entry.user);
    set('user', undefined);
  }
  return out ?? entry;
}
