// Argument schemas of the built-in modules, one definition per module. The module
// implementations (modules/NAME.ts) import their definition from here, so the compiler
// can validate a playbook without loading any transport code.
import { nodeModule, type ModuleDefinition } from './definition.js';
import { COLLECTION_MODULE_DEFINITIONS } from './collection-schemas.js';
import { FILE_MODULE_DEFINITIONS } from './file-schemas.js';
import { PACKAGE_MODULE_DEFINITIONS } from './package-schemas.js';

const imageRef = { type: 'string', minLength: 1 };
const platform = { type: 'string', pattern: '^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$' };

export const imageModule: ModuleDefinition = {
  name: 'image',
  summary: 'make one image present, latest or absent on the host',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: imageRef,
      state: { enum: ['present', 'absent', 'latest'], default: 'present' },
      platform,
      force: { type: 'boolean', default: false },
    },
  },
  freeFormArgument: 'name',
  secretArguments: [],
  houndOwn: true,
  controllerOnly: false,
};

export const imagesModule: ModuleDefinition = {
  name: 'images',
  summary: 'make a list of images present on the host (optionally exactly that list)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['names'],
    properties: {
      names: { type: 'array', items: imageRef },
      state: { enum: ['present', 'latest'], default: 'present' },
      platform,
      exclusive: { type: 'boolean', default: false },
      /** With exclusive: other tags of each listed repository to keep, most recent first. */
      keep_recent: { type: 'integer', minimum: 0, default: 0 },
      /** Pulls at once on this host. */
      concurrency: { type: 'integer', minimum: 1, maximum: 32, default: 3 },
    },
  },
  secretArguments: [],
  houndOwn: true,
  controllerOnly: false,
};

export const registryLoginModule: ModuleDefinition = {
  name: 'registry_login',
  summary: 'credentials for a registry, used by later pulls in the run',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['registry'],
    properties: {
      registry: { type: 'string', minLength: 1 },
      username: { type: 'string' },
      password: { type: 'string' },
      password_env: { type: 'string', description: 'name of a controller environment variable holding the password' },
      from_docker_config: {
        type: 'boolean',
        default: false,
        description: 'take the credentials as the docker CLI would: its credential helper (credHelpers, credsStore), else ~/.docker/config.json',
      },
    },
  },
  secretArguments: ['password'],
  houndOwn: true,
  controllerOnly: true,
};

export const loadModule: ModuleDefinition = {
  name: 'load',
  summary: 'copy an image tarball from the controller and `docker load` it',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['src'],
    properties: {
      src: { type: 'string', minLength: 1 },
      /** Skip the copy when these images are already present. */
      images: { type: 'array', items: imageRef },
      force: { type: 'boolean', default: false },
    },
  },
  freeFormArgument: 'src',
  secretArguments: [],
  houndOwn: true,
  controllerOnly: false,
};

/** Arguments of the modules that run a command line on the node (command, shell). */
const commandLineArguments = {
  chdir: { type: 'string' },
  creates: { type: 'string' },
  removes: { type: 'string' },
  stdin: { type: 'string' },
  stdin_add_newline: { type: 'boolean', default: true },
  strip_empty_ends: { type: 'boolean', default: true },
  /** hound's own: whether a successful run counts as changed (Ansible's changed_when covers more). */
  changed: { type: 'boolean', default: true },
};

export const commandModule: ModuleDefinition = {
  name: 'command',
  summary: 'run a program on the host, without a shell (argv is quoted safely)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: { type: 'string', minLength: 1 },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1 },
      ...commandLineArguments,
    },
    oneOf: [{ required: ['cmd'] }, { required: ['argv'] }],
  },
  freeFormArgument: 'cmd',
  secretArguments: [],
  controllerOnly: false,
};

export const shellModule: ModuleDefinition = {
  name: 'shell',
  summary: 'run a command line through /bin/sh on the host',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['cmd'],
    properties: {
      cmd: { type: 'string', minLength: 1 },
      executable: { type: 'string', minLength: 1 },
      ...commandLineArguments,
    },
  },
  freeFormArgument: 'cmd',
  secretArguments: [],
  controllerOnly: false,
};

export const rawModule: ModuleDefinition = {
  name: 'raw',
  summary: "run a command line through the host's shell, as SSH runs it",
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['cmd'],
    properties: { cmd: { type: 'string', minLength: 1 }, executable: { type: 'string', minLength: 1 } },
  },
  freeFormArgument: 'cmd',
  secretArguments: [],
  controllerOnly: false,
};

const statAliases = {
  dest: 'path',
  name: 'path',
  checksum: 'checksum_algorithm',
  checksum_algo: 'checksum_algorithm',
  mime: 'get_mime',
  mime_type: 'get_mime',
  'mime-type': 'get_mime',
  attr: 'get_attributes',
  attributes: 'get_attributes',
};
export const statModule: ModuleDefinition = nodeModule(
  'stat',
  'what a path on the host is: exists, type, size, mode, times, checksum',
  {
    path: { type: 'string', minLength: 1 },
    follow: { type: 'boolean', default: false },
    get_checksum: { type: 'boolean', default: true },
    checksum_algorithm: { enum: ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'], default: 'sha1' },
    get_mime: { type: 'boolean', default: true },
    get_attributes: { type: 'boolean', default: true },
  },
  { required: ['path'], aliases: statAliases },
);

export const waitForModule: ModuleDefinition = {
  name: 'wait_for',
  summary: 'wait for a port (from the host) or a file on the host to reach a state',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1, default: '127.0.0.1' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      path: { type: 'string', minLength: 1 },
      state: { enum: ['started', 'stopped', 'present', 'absent', 'drained'], default: 'started' },
      timeout: { type: 'integer', minimum: 0, default: 300 },
      delay: { type: 'integer', minimum: 0, default: 0 },
      sleep: { type: 'integer', minimum: 1, default: 1 },
      connect_timeout: { type: 'integer', minimum: 1, default: 5 },
      search_regex: { type: 'string' },
      msg: { type: 'string' },
      exclude_hosts: { type: 'array', items: { type: 'string' } },
      active_connection_states: { type: 'array', items: { type: 'string' } },
    },
    not: { required: ['port', 'path'] },
  },
  refusedArguments: {
    state: { values: ['drained'], reason: 'counting active connections needs /proc/net/tcp parsing on the node, which hound does not do' },
    exclude_hosts: { reason: 'only meaningful with state: drained' },
    active_connection_states: { reason: 'only meaningful with state: drained' },
  },
  secretArguments: [],
  controllerOnly: false,
};

export const pauseModule: ModuleDefinition = {
  name: 'pause',
  summary: 'wait a number of seconds or minutes (hound never reads the keyboard)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      seconds: { type: 'integer' },
      minutes: { type: 'integer' },
      prompt: { type: 'string' },
      echo: { type: 'boolean', default: true },
    },
    not: { required: ['seconds', 'minutes'] },
  },
  secretArguments: [],
  controllerOnly: true,
};

export const pingModule: ModuleDefinition = {
  name: 'ping',
  summary: "check that the host's connection runs commands",
  argumentSchema: { type: 'object', additionalProperties: false, properties: { data: { type: 'string', default: 'pong' } } },
  secretArguments: [],
  controllerOnly: false,
};

export const META_ACTIONS = ['noop', 'flush_handlers', 'end_play', 'end_host', 'end_batch'] as const;
export const metaModule: ModuleDefinition = {
  name: 'meta',
  summary: 'act on the run itself: flush_handlers, end_play, end_host, end_batch, noop',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['free_form'],
    properties: {
      free_form: { enum: [...META_ACTIONS, 'refresh_inventory', 'clear_facts', 'clear_host_errors', 'reset_connection', 'role_complete', 'end_role'] },
    },
  },
  refusedArguments: {
    free_form: {
      values: ['refresh_inventory', 'clear_facts', 'clear_host_errors', 'reset_connection', 'role_complete', 'end_role'],
      reason: 'hound does noop, flush_handlers, end_play, end_host and end_batch; it reads the inventory and plans the hosts once, before the run',
    },
  },
  freeFormArgument: 'free_form',
  secretArguments: [],
  controllerOnly: true,
};

export const includeVarsModule: ModuleDefinition = {
  name: 'include_vars',
  summary: 'read variables from a YAML/JSON file or a folder of them on the controller',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      file: { type: 'string', minLength: 1 },
      dir: { type: 'string', minLength: 1 },
      name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      depth: { type: 'integer', minimum: 0, default: 0 },
      files_matching: { type: 'string' },
      ignore_files: { type: 'array', items: { type: 'string' } },
      extensions: { type: 'array', items: { type: 'string' }, default: ['yaml', 'yml', 'json'] },
      ignore_unknown_extensions: { type: 'boolean', default: false },
      hash_behaviour: { enum: ['replace', 'merge'] },
    },
    not: { required: ['file', 'dir'] },
  },
  refusedArguments: { hash_behaviour: { values: ['merge'], reason: 'hound replaces variables whole, as Ansible does by default (hash_behaviour=replace)' } },
  freeFormArgument: 'file',
  secretArguments: [],
  controllerOnly: true,
};

export const debugModule: ModuleDefinition = {
  name: 'debug',
  summary: 'print a message or a variable',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      msg: {},
      var: { type: 'string' },
      verbosity: { type: 'integer', minimum: 0, maximum: 4, default: 0 },
    },
  },
  freeFormArgument: 'msg',
  secretArguments: [],
  controllerOnly: true,
};

export const setFactModule: ModuleDefinition = {
  name: 'set_fact',
  summary: 'set host variables for the rest of the run',
  argumentSchema: { type: 'object', minProperties: 1, propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  secretArguments: [],
  controllerOnly: true,
};

export const failModule: ModuleDefinition = {
  name: 'fail',
  summary: 'fail the host with a message',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { msg: { default: 'Failed as requested from task' } },
  },
  freeFormArgument: 'msg',
  secretArguments: [],
  controllerOnly: true,
};

const assertMessage = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
export const assertModule: ModuleDefinition = {
  name: 'assert',
  summary: 'fail the host unless every condition holds',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: { anyOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: ['string', 'boolean'] } }] },
      fail_msg: assertMessage,
      // Ansible documents msg as fail_msg's alias; given both, fail_msg wins (as its action plugin reads them).
      msg: assertMessage,
      success_msg: assertMessage,
      quiet: { type: 'boolean', default: false },
    },
  },
  secretArguments: [],
  controllerOnly: true,
};

export const asyncStatusModule: ModuleDefinition = {
  name: 'async_status',
  summary: 'the state of a task started with async and poll: 0 (by its job id)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['jid'],
    properties: {
      jid: { type: 'string', minLength: 1 },
      mode: { enum: ['status', 'cleanup'], default: 'status' },
    },
  },
  secretArguments: [],
  controllerOnly: true,
};

export const setupModule: ModuleDefinition = {
  name: 'setup',
  summary: "gather the host's facts (what gather_facts runs), in Ansible's names",
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      gather_subset: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      gather_timeout: { type: 'integer', minimum: 1, default: 10 },
      filter: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      fact_path: { type: 'string' },
    },
  },
  secretArguments: [],
  controllerOnly: false,
};

export const MODULE_DEFINITIONS: readonly ModuleDefinition[] = [
  imageModule,
  imagesModule,
  registryLoginModule,
  loadModule,
  commandModule,
  debugModule,
  setFactModule,
  failModule,
  assertModule,
  shellModule,
  rawModule,
  statModule,
  waitForModule,
  pauseModule,
  pingModule,
  metaModule,
  includeVarsModule,
  asyncStatusModule,
  setupModule,
  ...FILE_MODULE_DEFINITIONS,
  ...PACKAGE_MODULE_DEFINITIONS,
  ...COLLECTION_MODULE_DEFINITIONS,
];

export function findModuleDefinition(name: string): ModuleDefinition | undefined {
  return MODULE_DEFINITIONS.find((m) => m.name === name);
}
