// Argument schemas of the software modules image playbooks run before their pulls (the
// runtime's packages, its repository and key, a checkout of compose files): apt, apt_key,
// apt_repository, dnf, yum, package and git. Arguments and aliases are ansible-core 2.14's;
// what hound does not do is refused by name with why.
import { nodeModule, type ModuleDefinition } from './definition.js';

const text = { type: 'string' };
const flag = { type: 'boolean' };
const integer = { type: 'integer' };
const names = { type: 'array', items: { type: 'string' } };
const mode = { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] };

export const aptModule = nodeModule(
  'apt',
  'install, upgrade or remove Debian packages on the host (apt-get and dpkg), update its package lists',
  {
    name: names,
    state: { enum: ['absent', 'build-dep', 'fixed', 'latest', 'present'] },
    update_cache: flag,
    update_cache_retries: integer,
    update_cache_retry_max_delay: integer,
    cache_valid_time: integer,
    purge: flag,
    deb: text,
    default_release: text,
    install_recommends: flag,
    force: flag,
    upgrade: { enum: ['dist', 'full', 'no', 'safe', 'yes'] },
    dpkg_options: text,
    autoremove: flag,
    autoclean: flag,
    fail_on_autoremove: flag,
    policy_rc_d: integer,
    only_upgrade: flag,
    force_apt_get: flag,
    clean: flag,
    allow_unauthenticated: flag,
    allow_downgrade: flag,
    allow_change_held_packages: flag,
    lock_timeout: integer,
  },
  {
    aliases: {
      pkg: 'name',
      package: 'name',
      'update-cache': 'update_cache',
      'default-release': 'default_release',
      'install-recommends': 'install_recommends',
      'allow-unauthenticated': 'allow_unauthenticated',
      'allow-downgrade': 'allow_downgrade',
      allow_downgrades: 'allow_downgrade',
      'allow-downgrades': 'allow_downgrade',
    },
    schema: { not: { anyOf: [{ required: ['deb', 'name'] }, { required: ['deb', 'upgrade'] }, { required: ['name', 'upgrade'] }] } },
    refused: {
      state: { values: ['build-dep', 'fixed'], reason: 'build dependencies and `--fix-broken` are not done by hound' },
      upgrade: { unless: ['no'], reason: 'upgrading every package of the node is not done by hound: name the packages with `state: latest`' },
      default_release: { reason: 'pinning a release is not done by hound' },
      policy_rc_d: { reason: 'hound does not write /usr/sbin/policy-rc.d' },
      autoclean: { values: [true], reason: 'cleaning the package cache is not done by hound: use `command: apt-get autoclean`' },
      clean: { values: [true], reason: 'cleaning the package cache is not done by hound: use `command: apt-get clean`' },
    },
  },
);

export const aptKeyModule = nodeModule(
  'apt_key',
  "add or remove a key of apt's keyring on the host (apt-key)",
  {
    id: text,
    data: text,
    file: text,
    keyring: text,
    url: text,
    keyserver: text,
    state: { enum: ['absent', 'present'] },
    validate_certs: flag,
  },
  {
    refused: {
      keyserver: { reason: 'keys are not fetched from key servers by hound: give `url`, `data` or `file`' },
      validate_certs: { values: [false], reason: 'hound fetches `url` with certificate checks' },
    },
  },
);

export const aptRepositoryModule = nodeModule(
  'apt_repository',
  "add or remove a one-line apt source on the host (sources.list.d), update apt's package lists",
  {
    repo: { type: 'string' },
    state: { enum: ['absent', 'present'] },
    mode,
    update_cache: flag,
    update_cache_retries: integer,
    update_cache_retry_max_delay: integer,
    filename: text,
    install_python_apt: flag,
    validate_certs: flag,
    codename: text,
  },
  {
    required: ['repo'],
    aliases: { 'update-cache': 'update_cache' },
    refused: {
      codename: { reason: 'Launchpad PPAs (`ppa:`) are not expanded by hound' },
    },
  },
);

const rpmArguments = {
  name: names,
  state: { enum: ['absent', 'installed', 'latest', 'present', 'removed'] },
  list: text,
  enablerepo: names,
  disablerepo: names,
  conf_file: text,
  disable_gpg_check: flag,
  update_cache: flag,
  update_only: flag,
  installroot: text,
  security: flag,
  bugfix: flag,
  exclude: names,
  skip_broken: flag,
  autoremove: flag,
  releasever: text,
  disable_excludes: text,
  download_only: flag,
  download_dir: text,
  lock_timeout: integer,
  install_weak_deps: flag,
  allow_downgrade: flag,
  validate_certs: flag,
  sslverify: flag,
  cacheonly: flag,
  enable_plugin: names,
  disable_plugin: names,
  install_repoquery: flag,
  use_backend: text,
  allowerasing: flag,
  nobest: flag,
};
const rpmRefusals = {
  list: { reason: 'listing packages is not done by hound: use `command: dnf list …`' },
  security: { values: [true], reason: 'security-only updates are not done by hound' },
  bugfix: { values: [true], reason: 'bugfix-only updates are not done by hound' },
  installroot: { unless: ['/'], reason: 'hound installs into the node’s root only' },
  download_only: { values: [true], reason: 'downloading without installing is not done by hound' },
  download_dir: { reason: 'downloading without installing is not done by hound' },
  enable_plugin: { reason: 'dnf plugins are left as the node configures them' },
  disable_plugin: { reason: 'dnf plugins are left as the node configures them' },
  use_backend: { unless: ['auto', 'dnf', 'yum'], reason: 'hound runs the node’s dnf (or yum) command' },
  validate_certs: { values: [false], reason: 'hound leaves certificate checks as the node’s dnf configures them' },
  sslverify: { values: [false], reason: 'hound leaves certificate checks as the node’s dnf configures them' },
};

export const dnfModule = nodeModule('dnf', 'install, upgrade or remove RPM packages on the host with its dnf command', rpmArguments, {
  aliases: { pkg: 'name', update_cache_flag: 'update_cache', expire_cache: 'update_cache' },
  refused: rpmRefusals,
});

export const yumModule = nodeModule('yum', 'install, upgrade or remove RPM packages on the host with its yum (or dnf) command', rpmArguments, {
  aliases: { pkg: 'name', expire_cache: 'update_cache' },
  refused: rpmRefusals,
});

export const packageModule = nodeModule(
  'package',
  "install or remove packages on the host with its package manager (apt, dnf or yum), as the node's facts say",
  { name: names, state: text, use: text },
  // ansible-doc calls `state` required, but the action plugin runs apt, dnf or yum with the task's
  // arguments as they are, and those default it to present: a task without it installs.
  { required: ['name'], refused: { use: { unless: ['auto', 'apt', 'dnf', 'yum'], reason: 'hound drives apt, dnf and yum only' } } },
);

export const gitModule = nodeModule(
  'git',
  'a checkout of a git repository on the host at a version (its git command)',
  {
    dest: text,
    repo: text,
    version: text,
    remote: text,
    refspec: text,
    reference: text,
    force: flag,
    depth: integer,
    clone: flag,
    update: flag,
    verify_commit: flag,
    gpg_whitelist: names,
    accept_hostkey: flag,
    accept_newhostkey: flag,
    key_file: text,
    ssh_opts: text,
    executable: text,
    bare: flag,
    recursive: flag,
    single_branch: flag,
    track_submodules: flag,
    umask: mode,
    archive: text,
    archive_prefix: text,
    separate_git_dir: text,
  },
  {
    required: ['repo'],
    aliases: { name: 'repo' },
    schema: { not: { anyOf: [{ required: ['accept_hostkey', 'accept_newhostkey'] }, { required: ['separate_git_dir', 'bare'] }] } },
    refused: {
      bare: { values: [true], reason: 'bare clones are not made by hound' },
      refspec: { reason: 'extra refspecs are not fetched by hound' },
      reference: { reason: 'reference repositories are not used by hound' },
      verify_commit: { values: [true], reason: 'GPG signatures are not verified by hound' },
      gpg_whitelist: { reason: 'GPG signatures are not verified by hound' },
      track_submodules: { values: [true], reason: 'submodules are not updated by hound' },
      umask: { reason: 'hound leaves the node’s umask as it is' },
      archive: { reason: 'archives of a checkout are not made by hound' },
      archive_prefix: { reason: 'archives of a checkout are not made by hound' },
      separate_git_dir: { reason: 'separate git directories are not made by hound' },
    },
  },
);

export const PACKAGE_MODULE_DEFINITIONS: ModuleDefinition[] = [aptModule, aptKeyModule, aptRepositoryModule, dnfModule, yumModule, packageModule, gitModule];
