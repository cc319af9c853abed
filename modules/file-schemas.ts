// Argument schemas of the node-configuration modules real image playbooks use around their
// pulls (registries' CA files, registries.conf, daemon.json, restarting the runtime): copy,
// template, file, lineinfile, blockinfile, service, systemd. Arguments and aliases are
// ansible-core 2.14's; what hound does not do is refused by name with why.
import { withAliases, type ArgumentRefusal, type ModuleDefinition } from './definition.js';

const text = { type: 'string' };
const flag = { type: 'boolean' };
/**
 * Ansible's `raw` mode: an integer (YAML's 0644 is 420) or a string, octal or symbolic, kept
 * as written: `anyOf` rather than `type`, so no argument conversion turns `mode=0644` into 644.
 */
const mode = { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] };
const owner = { type: ['string', 'null'] };

/** add_file_common_args: owner, group, mode, and the SELinux/attribute ones hound refuses. */
const commonFileArguments = {
  mode,
  owner,
  group: owner,
  seuser: text,
  serole: text,
  setype: text,
  selevel: text,
  attributes: text,
  unsafe_writes: flag,
};
const commonAliases = { attr: 'attributes' };
const commonRefusals: Record<string, ArgumentRefusal> = {
  seuser: { reason: 'SELinux contexts are not set by hound' },
  serole: { reason: 'SELinux contexts are not set by hound' },
  setype: { reason: 'SELinux contexts are not set by hound' },
  selevel: { reason: 'SELinux contexts are not set by hound' },
  attributes: { reason: 'file attributes (chattr) are not set by hound' },
};

const copyAliases = { ...commonAliases };
export const copyModule: ModuleDefinition = {
  name: 'copy',
  summary: 'write a file on the host from a controller file or from `content`',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['dest'],
    properties: withAliases(
      {
        src: text,
        content: {},
        dest: { type: 'string', minLength: 1 },
        backup: flag,
        force: flag,
        follow: flag,
        local_follow: flag,
        remote_src: flag,
        directory_mode: mode,
        decrypt: flag,
        checksum: text,
        validate: text,
        ...commonFileArguments,
      },
      copyAliases,
    ),
    not: { required: ['src', 'content'] },
  },
  argumentAliases: copyAliases,
  refusedArguments: {
    ...commonRefusals,
    remote_src: { values: [true], reason: 'copying a file already on the node is not done yet: use `command: cp …`' },
    directory_mode: { reason: 'only used when copying directories, which hound does not do' },
  },
  secretArguments: ['content'],
  controllerOnly: false,
};

const templateAliases = { ...commonAliases };
export const templateModule: ModuleDefinition = {
  name: 'template',
  summary: 'render a Jinja2 template of the controller and write it on the host',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'dest'],
    properties: withAliases(
      {
        src: { type: 'string', minLength: 1 },
        dest: { type: 'string', minLength: 1 },
        backup: flag,
        force: flag,
        follow: flag,
        newline_sequence: { enum: ['\n', '\r', '\r\n'] },
        trim_blocks: flag,
        lstrip_blocks: flag,
        variable_start_string: text,
        variable_end_string: text,
        block_start_string: text,
        block_end_string: text,
        comment_start_string: text,
        comment_end_string: text,
        output_encoding: text,
        validate: text,
        ...commonFileArguments,
      },
      templateAliases,
    ),
  },
  argumentAliases: templateAliases,
  refusedArguments: {
    ...commonRefusals,
    lstrip_blocks: { values: [true], reason: 'hound’s templating does not strip spaces before block tags' },
    trim_blocks: { values: [false], reason: 'hound renders templates as Ansible does by default, with trim_blocks' },
    newline_sequence: { values: ['\r', '\r\n'], reason: 'hound writes templates with \\n line ends' },
    variable_start_string: { reason: 'hound’s templating uses the standard Jinja2 delimiters only' },
    variable_end_string: { reason: 'hound’s templating uses the standard Jinja2 delimiters only' },
    block_start_string: { reason: 'hound’s templating uses the standard Jinja2 delimiters only' },
    block_end_string: { reason: 'hound’s templating uses the standard Jinja2 delimiters only' },
    comment_start_string: { reason: 'hound’s templating uses the standard Jinja2 delimiters only' },
    comment_end_string: { reason: 'hound’s templating uses the standard Jinja2 delimiters only' },
    output_encoding: { unless: ['utf-8', 'utf8', 'UTF-8'], reason: 'hound writes templates in UTF-8' },
  },
  secretArguments: [],
  controllerOnly: false,
};

const fileAliases = { dest: 'path', name: 'path', ...commonAliases };
export const fileModule: ModuleDefinition = {
  name: 'file',
  summary: 'a file, directory or link on the host: present with owner, group and mode, or absent',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: withAliases(
      {
        path: { type: 'string', minLength: 1 },
        state: { enum: ['absent', 'directory', 'file', 'hard', 'link', 'touch'] },
        src: text,
        recurse: flag,
        force: flag,
        follow: flag,
        modification_time: text,
        modification_time_format: text,
        access_time: text,
        access_time_format: text,
        ...commonFileArguments,
      },
      fileAliases,
    ),
  },
  argumentAliases: fileAliases,
  refusedArguments: {
    ...commonRefusals,
    state: { values: ['hard'], reason: 'hard links are not made by hound' },
    modification_time: { reason: 'setting times is not done yet' },
    access_time: { reason: 'setting times is not done yet' },
    modification_time_format: { reason: 'setting times is not done yet' },
    access_time_format: { reason: 'setting times is not done yet' },
  },
  secretArguments: [],
  controllerOnly: false,
};

const lineinfileAliases = { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp', value: 'line', ...commonAliases };
export const lineinfileModule: ModuleDefinition = {
  name: 'lineinfile',
  summary: 'make sure one line is in a file on the host (or not), by regexp or exact text',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: withAliases(
      {
        path: { type: 'string', minLength: 1 },
        state: { enum: ['absent', 'present'] },
        regexp: text,
        search_string: text,
        line: text,
        insertafter: text,
        insertbefore: text,
        backrefs: flag,
        create: flag,
        backup: flag,
        firstmatch: flag,
        validate: text,
        others: {},
        ...commonFileArguments,
      },
      lineinfileAliases,
    ),
    not: { anyOf: [{ required: ['insertbefore', 'insertafter'] }, { required: ['regexp', 'search_string'] }] },
  },
  argumentAliases: lineinfileAliases,
  refusedArguments: commonRefusals,
  secretArguments: [],
  controllerOnly: false,
};

const blockinfileAliases = { dest: 'path', destfile: 'path', name: 'path', content: 'block', ...commonAliases };
export const blockinfileModule: ModuleDefinition = {
  name: 'blockinfile',
  summary: 'make sure a marked block of lines is in a file on the host (or not)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: withAliases(
      {
        path: { type: 'string', minLength: 1 },
        state: { enum: ['absent', 'present'] },
        marker: text,
        block: text,
        insertafter: text,
        insertbefore: text,
        create: flag,
        backup: flag,
        validate: text,
        marker_begin: text,
        marker_end: text,
        ...commonFileArguments,
      },
      blockinfileAliases,
    ),
    not: { required: ['insertbefore', 'insertafter'] },
  },
  argumentAliases: blockinfileAliases,
  refusedArguments: commonRefusals,
  secretArguments: [],
  controllerOnly: false,
};

const serviceArguments = {
  name: text,
  state: { enum: ['reloaded', 'restarted', 'started', 'stopped'] },
  enabled: flag,
};

const serviceAliases = { service: 'name' };
export const serviceModule: ModuleDefinition = {
  name: 'service',
  summary: 'start, stop, restart or reload a service on the host, enable it at boot (through systemctl)',
  argumentSchema: {
    type: 'object',
    additionalProperties: false,
    properties: withAliases(
      {
        ...serviceArguments,
        sleep: { type: 'integer' },
        pattern: text,
        runlevel: text,
        arguments: text,
        use: text,
        daemon_reload: flag,
      },
      { ...serviceAliases, args: 'arguments' },
    ),
  },
  argumentAliases: { ...serviceAliases, args: 'arguments' },
  refusedArguments: {
    pattern: { reason: 'services without an init system are not handled by hound' },
    runlevel: { reason: 'OpenRC runlevels are not handled: hound manages services through systemctl' },
    arguments: { reason: 'init script arguments are not passed: hound manages services through systemctl' },
    use: { unless: ['auto', 'systemd'], reason: 'hound manages services through systemctl only' },
  },
  secretArguments: [],
  controllerOnly: false,
};

const systemdAliases = { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload', 'daemon-reexec': 'daemon_reexec' };
const systemdSchema = {
  type: 'object',
  additionalProperties: false,
  properties: withAliases(
    {
      ...serviceArguments,
      force: flag,
      masked: flag,
      daemon_reload: flag,
      daemon_reexec: flag,
      scope: { enum: ['system', 'user', 'global'] },
      no_block: flag,
    },
    systemdAliases,
  ),
};
const systemdRefusals: Record<string, ArgumentRefusal> = {
  scope: { unless: ['system'], reason: 'only system units are managed by hound' },
  masked: { reason: 'masking units is not done yet' },
  force: { reason: 'overriding existing unit symlinks is not done yet' },
};

export const systemdModule: ModuleDefinition = {
  name: 'systemd',
  summary: 'start, stop, restart or reload a systemd unit on the host, enable it, reload systemd',
  argumentSchema: systemdSchema,
  argumentAliases: systemdAliases,
  refusedArguments: systemdRefusals,
  secretArguments: [],
  controllerOnly: false,
};

export const systemdServiceModule: ModuleDefinition = { ...systemdModule, name: 'systemd_service' };

export const FILE_MODULE_DEFINITIONS: ModuleDefinition[] = [
  copyModule,
  templateModule,
  fileModule,
  lineinfileModule,
  blockinfileModule,
  serviceModule,
  systemdModule,
  systemdServiceModule,
];
