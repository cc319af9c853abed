// Argument schemas of the built-in modules, one definition per module. The module
// implementations (modules/NAME.ts) import their definition from here, so the compiler
// can validate a playbook without loading any transport code.
import type { ModuleDefinition } from './definition.js';

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
  controllerOnly: false,
};

export const commandModule: ModuleDefinition = {
  name: 'command',
  summary: 'run a command on the host (argv is quoted safely)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: { type: 'string', minLength: 1 },
      argv: { type: 'array', items: { type: 'string' }, minItems: 1 },
      creates: { type: 'string' },
      removes: { type: 'string' },
      chdir: { type: 'string' },
      changed: { type: 'boolean', default: true },
    },
    oneOf: [{ required: ['cmd'] }, { required: ['argv'] }],
  },
  freeFormArgument: 'cmd',
  secretArguments: [],
  controllerOnly: false,
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
    properties: { msg: { type: 'string', default: 'Failed as requested from task' } },
  },
  freeFormArgument: 'msg',
  secretArguments: [],
  controllerOnly: true,
};

export const assertModule: ModuleDefinition = {
  name: 'assert',
  summary: 'fail the host unless every condition holds',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['that'],
    properties: {
      that: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      fail_msg: { type: 'string' },
      success_msg: { type: 'string' },
    },
  },
  secretArguments: [],
  controllerOnly: true,
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
];

export function findModuleDefinition(name: string): ModuleDefinition | undefined {
  return MODULE_DEFINITIONS.find((m) => m.name === name);
}
