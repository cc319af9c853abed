// Argument schemas of the node-configuration modules real image playbooks use around their
// pulls (registries' CA files, registries.conf, daemon.json, restarting the runtime): copy,
// template, file, lineinfile, blockinfile, service, systemd. Arguments and aliases are
// ansible-core 2.14's; what hound does not do is refused by name with why.
import { nodeModule, type ArgumentRefusal, type ModuleDefinition } from './definition.js';

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
/** Reasons several arguments share. */
const REFUSED_BECAUSE = {
  jinjaDelimiters: 'hound’s templating uses the standard Jinja2 delimiters only',
  settingTimes: 'setting times is not done yet',
};

export const copyModule = nodeModule(
  'copy',
  'write a file on the host from a controller file or from `content`',
  {
    src: text,
    content: {},
    dest: { type: 'string', minLength: 1 },
    backup: flag,
    force: flag,
    follow: flag,
    local_follow: flag,
    remote_src: flag,
    // For the folders a recursive copy makes: a single file's copy ignores it, in Ansible as here
    // (a directory src fails, saying hound does not copy directories).
    directory_mode: mode,
    decrypt: flag,
    checksum: text,
    validate: text,
    ...commonFileArguments,
  },
  {
    required: ['dest'],
    aliases: commonAliases,
    schema: { not: { required: ['src', 'content'] } },
    refused: {
      ...commonRefusals,
      remote_src: { values: [true], reason: 'copying a file already on the node is not done yet: use `command: cp …`' },
    },
    // Ansible's copy declares content no_log; a file's text is no secret of the run.
    unlogged: ['content'],
  },
);

export const templateModule = nodeModule(
  'template',
  'render a Jinja2 template of the controller and write it on the host',
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
  {
    required: ['src', 'dest'],
    aliases: commonAliases,
    refused: {
      ...commonRefusals,
      newline_sequence: { values: ['\r', '\r\n'], reason: 'hound writes templates with \\n line ends' },
      variable_start_string: { reason: REFUSED_BECAUSE.jinjaDelimiters },
      variable_end_string: { reason: REFUSED_BECAUSE.jinjaDelimiters },
      block_start_string: { reason: REFUSED_BECAUSE.jinjaDelimiters },
      block_end_string: { reason: REFUSED_BECAUSE.jinjaDelimiters },
      comment_start_string: { reason: REFUSED_BECAUSE.jinjaDelimiters },
      comment_end_string: { reason: REFUSED_BECAUSE.jinjaDelimiters },
      output_encoding: { unless: ['utf-8', 'utf8', 'UTF-8'], reason: 'hound writes templates in UTF-8' },
    },
  },
);

export const fileModule = nodeModule(
  'file',
  'a file, directory or link on the host: present with owner, group and mode, or absent',
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
  {
    required: ['path'],
    aliases: { dest: 'path', name: 'path', ...commonAliases },
    refused: {
      ...commonRefusals,
      state: { values: ['hard'], reason: 'hard links are not made by hound' },
      modification_time: { reason: REFUSED_BECAUSE.settingTimes },
      access_time: { reason: REFUSED_BECAUSE.settingTimes },
      modification_time_format: { reason: REFUSED_BECAUSE.settingTimes },
      access_time_format: { reason: REFUSED_BECAUSE.settingTimes },
    },
  },
);

/** What lineinfile and blockinfile share: the file, where to insert, and how to write it. */
const fileEditArguments = {
  path: { type: 'string', minLength: 1 },
  state: { enum: ['absent', 'present'] },
  insertafter: text,
  insertbefore: text,
  create: flag,
  backup: flag,
  validate: text,
  ...commonFileArguments,
};
const fileEditAliases = { dest: 'path', destfile: 'path', name: 'path', ...commonAliases };

export const lineinfileModule = nodeModule(
  'lineinfile',
  'make sure one line is in a file on the host (or not), by regexp or exact text',
  { ...fileEditArguments, regexp: text, search_string: text, line: text, backrefs: flag, firstmatch: flag, others: {} },
  {
    required: ['path'],
    aliases: { ...fileEditAliases, regex: 'regexp', value: 'line' },
    schema: { not: { anyOf: [{ required: ['insertbefore', 'insertafter'] }, { required: ['regexp', 'search_string'] }] } },
    refused: commonRefusals,
  },
);

export const blockinfileModule = nodeModule(
  'blockinfile',
  'make sure a marked block of lines is in a file on the host (or not)',
  { ...fileEditArguments, marker: text, block: text, marker_begin: text, marker_end: text },
  {
    required: ['path'],
    aliases: { ...fileEditAliases, content: 'block' },
    schema: { not: { required: ['insertbefore', 'insertafter'] } },
    refused: commonRefusals,
  },
);

const serviceArguments = {
  name: text,
  state: { enum: ['reloaded', 'restarted', 'started', 'stopped'] },
  enabled: flag,
  daemon_reload: flag,
};

export const serviceModule = nodeModule(
  'service',
  'start, stop, restart or reload a service on the host, enable it at boot (through systemctl)',
  { ...serviceArguments, sleep: { type: 'integer' }, pattern: text, runlevel: text, arguments: text, use: text },
  {
    aliases: { service: 'name', args: 'arguments' },
    refused: {
      pattern: { reason: 'services without an init system are not handled by hound' },
      runlevel: { reason: 'OpenRC runlevels are not handled: hound manages services through systemctl' },
      arguments: { reason: 'init script arguments are not passed: hound manages services through systemctl' },
      use: { unless: ['auto', 'systemd'], reason: 'hound manages services through systemctl only' },
    },
  },
);

export const systemdModule = nodeModule(
  'systemd',
  'start, stop, restart or reload a systemd unit on the host, enable it, reload systemd',
  { ...serviceArguments, force: flag, masked: flag, daemon_reexec: flag, scope: { enum: ['system', 'user', 'global'] }, no_block: flag },
  {
    aliases: { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload', 'daemon-reexec': 'daemon_reexec' },
    refused: {
      scope: { unless: ['system'], reason: 'only system units are managed by hound' },
      masked: { reason: 'masking units is not done yet' },
      force: { reason: 'overriding existing unit symlinks is not done yet' },
    },
  },
);

export const systemdServiceModule: ModuleDefinition = { ...systemdModule, name: 'systemd_service' };

/** Arguments that shape the `ssh` command Ansible builds for rsync; hound carries rsync over its own connection instead. */
const OWN_CONNECTION = 'hound carries rsync over its own connection to the host (the inventory’s user, port, key and host key checks)';

export const synchronizeModule = nodeModule(
  'synchronize',
  'copy files between the controller and the host with rsync, carried over hound’s connection',
  {
    src: { type: 'string', minLength: 1 },
    dest: { type: 'string', minLength: 1 },
    mode: { enum: ['push', 'pull'] },
    archive: flag,
    checksum: flag,
    compress: flag,
    existing_only: flag,
    delete: flag,
    dirs: flag,
    recursive: flag,
    links: flag,
    copy_links: flag,
    perms: flag,
    times: flag,
    owner: flag,
    group: flag,
    partial: flag,
    delay_updates: flag,
    rsync_path: text,
    rsync_timeout: { type: 'integer' },
    rsync_opts: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
    link_dest: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
    use_ssh_args: flag,
    set_remote_user: flag,
    ssh_connection_multiplexing: flag,
    verify_host: flag,
    dest_port: { type: 'integer' },
    private_key: text,
    ssh_args: text,
  },
  {
    collection: 'ansible.posix',
    required: ['src', 'dest'],
    refused: {
      dest_port: { reason: OWN_CONNECTION },
      private_key: { reason: OWN_CONNECTION },
      ssh_args: { reason: OWN_CONNECTION },
    },
  },
);

export const FILE_MODULE_DEFINITIONS: ModuleDefinition[] = [
  copyModule,
  templateModule,
  fileModule,
  lineinfileModule,
  blockinfileModule,
  serviceModule,
  systemdModule,
  systemdServiceModule,
  synchronizeModule,
];
