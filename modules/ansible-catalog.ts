// Every Ansible module a user of an image warm-up playbook may meet (ansible.builtin's whole
// list, and the container collections' modules), with what hound does with it. A module hound
// runs is found by name (modules/names.ts); the others are refused at --syntax-check with
// their reason, pointing to docs/ansible-compatibility.md, whose "Modules" table is written
// from this list (scripts/write-module-table.mjs; a unit test keeps the two equal).

export type CatalogStatus = 'supported' | 'differences' | 'not supported';

export interface CatalogEntry {
  /** The fully qualified name, as Ansible's documentation gives it. */
  fqcn: string;
  status: CatalogStatus;
  /** supported: empty or a remark; differences: which; not supported: why. */
  note: string;
}

const PACKAGES = 'installs or configures software on the node: outside what hound is for (container images); keep it in ansible-playbook';
const FILES = 'writes or reads files on the node: outside what hound is for (container images); keep it in ansible-playbook';
const SYSTEM = "manages the node's system (services, users, kernel, network): outside what hound is for; keep it in ansible-playbook";
const INVENTORY = 'changes the inventory during the run: hound resolves every play’s hosts before the run starts';
const CONTAINERS =
  'manages containers, networks, volumes or swarm objects beyond what hound does (`docker_container`, `docker_volume`, `docker_network`): not done yet; keep it in ansible-playbook';
const BUILDS = 'builds images: hound brings existing images onto nodes; build with your CI or ansible-playbook';
const IMAGE_OPERATIONS = 'not done yet: `docker_image` does the same on Docker nodes (`push: true`, `repository`, `archive_path`)';

/** Modules of one collection, each with its own note. */
function noted(collection: string, status: CatalogStatus, notes: Record<string, string>): CatalogEntry[] {
  return Object.entries(notes).map(([name, note]) => ({ fqcn: `${collection}.${name}`, status, note }));
}

/** Modules (fully qualified) that share one note. */
function entries(status: CatalogStatus, note: string, names: string[]): CatalogEntry[] {
  return names.map((fqcn) => ({ fqcn, status, note }));
}

export const ANSIBLE_MODULE_CATALOG: readonly CatalogEntry[] = [
  // ansible.builtin (ansible-core 2.14, plus the modules later cores added).
  ...noted('ansible.builtin', 'supported', {
    assert: '`that`, `msg`/`fail_msg`, `success_msg`, `quiet`',
    command: '`cmd`/free form, `argv`, `chdir`, `creates`, `removes`, `stdin`, `stdin_add_newline`, `strip_empty_ends`; no shell',
    debug: '`msg`, `var`, `verbosity`',
    fail: '`msg`',
    shell: 'runs through `/bin/sh` (or `executable`) on the node; template values with `{{ x | quote }}`',
    import_tasks: '',
    import_playbook: '',
  }),
  ...noted('ansible.builtin', 'differences', {
    set_fact: '`cacheable` is accepted and has no effect: hound has no fact cache across runs',
    raw: "runs through the node's login shell like `shell`, without a tty; `executable` is honoured",
    stat: 'read with `stat`, `sha1sum`/`md5sum`/…, `file` and `lsattr` on the node; `get_mime` and `get_attributes` need `file` and `lsattr` there (else those keys are left out)',
    wait_for: 'ports are tried from the node through its SSH connection; `state: drained`, `exclude_hosts` and `active_connection_states` are refused',
    copy: '`src` (a controller file, looked up in `files/` as Ansible does; vaulted files decrypted) or `content`, `dest` (a directory gets the src’s name), `force`, `backup`, `follow`, `checksum`, `validate`, `mode` (octal, symbolic, `preserve`), `owner`, `group`; written atomically when its sha1 differs; check mode and diff. `content` is masked in the task’s own arguments (`-v`), as Ansible’s `no_log` on it keeps it out of the logged invocation, and shown where Ansible shows it (a `--diff`, a later task that prints the same text). A directory `src` (recursive copy), `remote_src`, SELinux and `attributes` are refused',
    template:
      'rendered on the controller with hound’s templating (`templates/` lookup, `ansible_managed`, `template_*` variables, `trim_blocks` and `lstrip_blocks` from the task or a `#jinja2:` first line, `{% include %}`, `{% import %}`, `{% from … import %}` and `{% extends %}` on the template search path), then written as `copy` writes it; a vault-encrypted `src` is opened with the run’s vault password, as Ansible’s action opens it, and what it renders never appears in hound’s output (`--diff` included); custom delimiters, and `newline_sequence` other than `\\n` are refused',
    file: '`state: file|directory|touch|link|absent` (default: what the path is), `mode`, `owner`, `group`, `recurse`, `src`, `force`, `follow`; `state: hard`, the time arguments, SELinux and `attributes` are refused',
    lineinfile:
      '`path`, `line`, `regexp` (Python syntax as JavaScript runs it: `(?P<n>…)`, `\\Z`, leading `(?i)` are translated), `search_string`, `state`, `insertafter`/`insertbefore`, `firstmatch`, `backrefs`, `create`, `backup`, `mode`/`owner`/`group`, `validate`; edits compared with the real module',
    blockinfile:
      '`path`, `block`, `marker`, `marker_begin`/`marker_end`, `state`, `insertafter`/`insertbefore`, `create`, `backup`, `mode`/`owner`/`group`, `validate`; edits compared with the real module',
    service:
      'through systemctl, as on a systemd host (`name`, `state`, `enabled`, `daemon_reload`); a node without a running systemd fails the task saying so; `pattern`, `runlevel`, `arguments` and `use` other than systemd are refused',
    systemd:
      '`name`, `state`, `enabled`, `daemon_reload`, `daemon_reexec`, `no_block`; `status` from `systemctl show`; system scope only; `masked` and `force` are refused',
    systemd_service:
      'as `systemd`: `name`, `state`, `enabled`, `daemon_reload`, `daemon_reexec`, `no_block`; `status` from `systemctl show`; system scope only; `masked` and `force` are refused',
    apt: '`name` (list, `pkg=1.2*`, `pkg>=1.2`), `state: present|latest|absent`, `update_cache`, `cache_valid_time`, `purge`, `autoremove`, `deb` (a file on the node), `install_recommends`, `only_upgrade`, `lock_timeout`, `dpkg_options`, `force_apt_get` (always apt-get); through dpkg-query, apt-cache policy and apt-get; check mode with `--simulate`. Name patterns, `name: "*"`, `upgrade`, `default_release`, `build-dep`/`fixed`, `clean`/`autoclean`, `policy_rc_d` and a `deb` URL are refused; a virtual package is not resolved to its provider',
    apt_key:
      '`id`, `url` (fetched on the node with curl or wget; a `file://` URL works, where the module fails it), `data`, `file`, `keyring`, `state`, through apt-key and gpg; `keyserver` is refused',
    apt_repository:
      '`repo`, `state`, `filename`, `mode` (octal), `update_cache` (restores the files if the update fails), on the files apt-config names; only the files whose sources change are rewritten; PPAs and `codename` are refused',
    dnf: 'through the node’s `dnf` command (`rpm -q`, `install`, `upgrade` after `check-update`, `remove`, `makecache`): `name`, `state`, `enablerepo`/`disablerepo`, `disable_gpg_check`, `update_cache`, `exclude`, `conf_file`, `autoremove`; dnf waits for its own lock (`lock_timeout` has no effect); `results` lists names, not NEVRAs; tested on Debian nodes only for the failure without dnf',
    yum: 'as `dnf`, through the node’s `yum` command',
    package:
      '`name`, `state`, `use`: runs `apt` or `dnf`/`yum` by `use`, the `ansible_pkg_mgr` fact, or the commands the node has; other backend arguments are not passed',
    git: '`repo`, `dest`, `version` (HEAD, branch, tag, commit), `force`, `depth`, `clone`, `update`, `single_branch`, `remote`, `accept_hostkey`/`accept_newhostkey`, `key_file`, `ssh_opts`, `executable`; returns `before`, `after`, `remote_url_changed`; a checkout with submodules fails unless `recursive: false`; bare clones, `refspec`, `reference`, signatures and archives are refused',
    pause: 'never reads the keyboard: a `prompt` without `seconds`/`minutes` continues at once with a warning, as ansible-playbook does without a terminal',
    ping: "answers `pong` once the node's SSH connection runs a command (no Python is needed on the node)",
    meta: '`noop`, `flush_handlers`, `end_play`, `end_host`, `end_batch`; the other actions are refused',
    include:
      'deprecated in ansible-core 2.14 and removed in 2.16; read as 2.14 reads it, with a warning: `import_tasks` when the file name is no template, there is no loop and no dynamic include holds it, else `include_tasks`; `file.yml a=1` options become the included tasks’ vars; the play-level form is refused, as in 2.14',
    include_vars: '`file`/free form, `dir`, `name`, `depth`, `files_matching`, `ignore_files`, `extensions`; `hash_behaviour: merge` is refused',
    import_role:
      '`name` (or `role`, a name or a role entry with parameters), `tasks_from`, `vars_from`, `defaults_from`, `handlers_from`; the role’s vars stay with its tasks (docs/variables.md); `meta/argument_specs.yml` is not checked',
    include_role:
      "read before the run, like import_role (names must be literal; `include_role: name=x` is read as Ansible reads it); `apply` takes block keywords (`tags`, `when`, `become`, `vars`, …); a loop runs the role once per item; `public: true` is refused; a role not found is, as in Ansible, no error of the playbook (a warning): the task fails where it runs (`the role 'x' was not found in ...`; Ansible counts no failure in its recap for it but fails the host, and ignores `ignore_errors`; hound counts it failed and honours `ignore_errors`)",
    include_tasks:
      'read before the run: every file a templated name (`setup-{{ ansible_os_family }}.yml`, `{{ item }}`, a `first_found` lookup) may name is read beforehand, its template parts standing for part of one file or folder name, and the name is rendered per host and loop item, before the run when it can be, else as the include runs (a gathered fact, a `set_fact`); a file hound cannot run (a module it does not run) fails the include only where it runs (a literal name gets a warning at load); a file that is not there fails the include only if it runs, as in Ansible (whose failure `ignore_errors` does not ignore; hound honours it); `--list-tasks` lists the include, not its tasks, as ansible-playbook',
    setup:
      '`gather_subset`, `gather_timeout`, `filter`; the platform, distribution, env, user, date_time, hardware and network collectors gather (one command per host), the others gather nothing; `fact_path` is refused',
    async_status: '`jid`, `mode: status|cleanup`, for tasks started with `async` and `poll: 0`; a job does not outlive hound (see `async` below)',
  }),
  ...noted('ansible.posix', 'differences', {
    synchronize:
      "rsync from the controller, as the collection builds its command, carried over hound's own connection to the host (its user, port, key, host key checks and the task's `become`) instead of an `ssh` command line: `rsync` is needed on the controller and the host; `private_key`, `ssh_args` and `dest_port` are refused (set them in the inventory); `use_ssh_args`, `set_remote_user`, `verify_host` and `ssh_connection_multiplexing` have no effect; `delegate_to` the task's own host runs rsync there, any other delegate is refused; `rsync://` URLs are refused",
  }),
  ...noted('ansible.builtin', 'not supported', {
    gather_facts: "the action is not run: a play's `gather_facts` (on by default) and the `setup` module gather facts",
    wait_for_connection: 'hound connects to each node once per run; an unreachable node is reported as such',
    set_stats: 'custom statistics: the recap shows hound’s own counts (pulled bytes, time)',
    validate_argument_spec: 'role argument specs are not checked',
    script: 'copies a controller file onto the node and runs it: use `command` or `shell` with a program the node has',
    expect: 'answers interactive prompts with pexpect on the node: use `command` with `stdin`',
    uri: 'HTTP requests from the node: use `wait_for` for a port, or `command` with curl',
  }),
  ...entries('not supported', INVENTORY, ['ansible.builtin.add_host', 'ansible.builtin.group_by']),
  ...entries('not supported', PACKAGES, [
    'ansible.builtin.deb822_repository',
    'ansible.builtin.debconf',
    'ansible.builtin.dnf5',
    'ansible.builtin.dpkg_selections',
    'ansible.builtin.package_facts',
    'ansible.builtin.pip',
    'ansible.builtin.rpm_key',
    'ansible.builtin.yum_repository',
    'ansible.builtin.subversion',
  ]),
  ...entries('not supported', FILES, [
    'ansible.builtin.assemble',
    'ansible.builtin.fetch',
    'ansible.builtin.find',
    'ansible.builtin.get_url',
    'ansible.builtin.replace',
    'ansible.builtin.slurp',
    'ansible.builtin.tempfile',
    'ansible.builtin.unarchive',
    'community.general.ini_file',
  ]),
  ...entries('not supported', SYSTEM, [
    'ansible.builtin.cron',
    'ansible.builtin.getent',
    'ansible.builtin.group',
    'ansible.builtin.hostname',
    'ansible.builtin.iptables',
    'ansible.builtin.known_hosts',
    'ansible.builtin.mount_facts',
    'ansible.builtin.reboot',
    'ansible.builtin.service_facts',
    'ansible.builtin.sysvinit',
    'ansible.builtin.user',
    'ansible.posix.mount',
    'ansible.posix.sysctl',
  ]),

  // community.docker (3.4.7, and the image modules added since).
  ...noted('community.docker', 'supported', {
    docker_image_pull: '`name`, `tag`, `pull: always|not_present`, `platform`',
    docker_image_remove: '`name`, `tag`, `force`, `prune`',
    docker_image_info: '`name` (names, ids, or none for every image): `images` is Docker’s inspect data',
    docker_host_info: '`host_info`, and with their options `containers`, `images`, `networks`, `volumes` (with `*_filters`), `disk_usage`, `verbose_output`',
  }),
  ...noted('community.docker', 'differences', {
    docker_image:
      "`source: pull` (`name` with or without a tag, `tag`, `force_source`, `pull.platform`), `source: load` (`load_path` is read on the controller and streamed to the node), `source: local`, `state: absent` (`force_absent`); `archive_path` (a file on the node: Docker's export streamed into it there), `repository` and `force_tag` (tags on the node), `push: true` (through the node's Docker, with the run's credentials for that registry); `source: build` runs the node's own `docker build` (classic builder, as the module's /build API) on `build.path`, a directory on the node, with `dockerfile`, `args`, `cache_from`, `pull`, `nocache`, `rm`, `network`, `target`, `etc_hosts`, `platform`, `container_limits` and `use_config_proxy: true` (`stdout` shows a pull made during the build as the CLI prints it); `build.http_timeout` is refused",
    docker_login:
      "checks the credentials through the node's Docker (`/auth`) and writes them to its `config_path` as `docker login` does; later pulls of the run use them. A credential helper (`credsStore`) in that file is refused",
  }),
  ...noted('community.docker', 'differences', {
    docker_container:
      "through the node's Docker Engine API as the module's API engine: `name`, `image` (pulled when missing, or with `pull`), `command` (string or list), `entrypoint`, `env`, `labels`, `restart_policy`/`restart_retries` (changed in place), `auto_remove`, `detach: true`, `state: absent|present|stopped|started`, `force_kill`/`kill_signal`, `stop_timeout`, `recreate`, `restart`, `keep_volumes`, `image_name_mismatch`; an existing container is compared option by option with the module's default rules and recreated when it differs; registers `container` (Docker's inspect data). Ports, volumes, networks, resources and the other options are refused by name (not done yet), as are `detach: false` and `comparisons`; no `diff`",
    docker_volume: "`name`, `driver`, `driver_options`, `labels`, `state`, `recreate`, through the node's Docker Engine API; registers `volume`",
    docker_network:
      "`name`, `driver`, `driver_options`, `enable_ipv6`, `internal`, `attachable`, `scope`, `labels`, `ipam_driver`, `ipam_driver_options`, `ipam_config`, `state`, `force`, through the node's Docker Engine API, recreated when it differs as the module's rules say; registers `network`. Also as `community.general.docker_network`. `connected` (containers) is refused: not done yet",
    docker_image_build:
      "runs the node's own `docker build` (classic builder) on `path`, a directory on the node: `name`, `tag`, `dockerfile`, `pull`, `rebuild` (`never` keeps an existing image; `always` builds, changed when the image id changed), `cache_from`, `args`, `target`, `network`, `nocache`, `etc_hosts`, `platform`, `shm_size`, `labels`; registers `image` and `command`. `secrets` and `outputs` (BuildKit only) are refused. Newer than community.docker 3.4.7: no ansible-playbook comparison",
  }),
  ...noted('community.docker', 'not supported', {
    docker_image_load: "loads a tarball already on the node: use `docker_image` with `source: load`, or hound's `load`, which stream it from the controller",
  }),
  ...entries('not supported', CONTAINERS, [
    'community.docker.current_container_facts',
    'community.docker.docker_compose',
    'community.docker.docker_compose_v2',
    'community.docker.docker_compose_v2_exec',
    'community.docker.docker_compose_v2_pull',
    'community.docker.docker_compose_v2_run',
    'community.docker.docker_config',
    'community.docker.docker_container_copy_into',
    'community.docker.docker_container_exec',
    'community.docker.docker_container_info',
    'community.docker.docker_network_info',
    'community.docker.docker_node',
    'community.docker.docker_node_info',
    'community.docker.docker_plugin',
    'community.docker.docker_prune',
    'community.docker.docker_secret',
    'community.docker.docker_stack',
    'community.docker.docker_stack_info',
    'community.docker.docker_stack_task_info',
    'community.docker.docker_swarm',
    'community.docker.docker_swarm_info',
    'community.docker.docker_swarm_service',
    'community.docker.docker_swarm_service_info',
    'community.docker.docker_volume_info',
  ]),
  ...entries('not supported', BUILDS, ['community.docker.docker_compose_v2_build']),
  // Newer than the community.docker 3.4.7 hound's parity is checked against (3.6+).
  ...entries('not supported', IMAGE_OPERATIONS, [
    'community.docker.docker_image_export',
    'community.docker.docker_image_push',
    'community.docker.docker_image_tag',
  ]),

  // containers.podman (1.10.2).
  ...noted('containers.podman', 'differences', {
    podman_image:
      "on podman nodes (`hound_container_runtime=podman`), through the runtime interface: `name`, `tag`, `state: present|absent|build`, `pull`, `force`, `arch`, `username`/`password`, `validate_certs` (podman pull's `--tls-verify` for that pull, straight from the registry); `path` + `build` runs the node's `podman build` and `push`/`push_args` its `podman push` (as the module, but username/password go into a temporary 0600 auth file on the node, never on a command line; refused with `path`, as `podman build --creds` sends them to any registry); `auth_file` for builds and pushes (refused for a pull); `ca_cert_dir` is refused",
    podman_login:
      'runs `podman login --password-stdin` on podman nodes (the password never appears in a command line); later pulls of the run use the credentials',
  }),
  ...entries('not supported', CONTAINERS, [
    'containers.podman.podman_container',
    'containers.podman.podman_container_info',
    'containers.podman.podman_containers',
    'containers.podman.podman_generate_systemd',
    'containers.podman.podman_network',
    'containers.podman.podman_network_info',
    'containers.podman.podman_play',
    'containers.podman.podman_pod',
    'containers.podman.podman_pod_info',
    'containers.podman.podman_prune',
    'containers.podman.podman_secret',
    'containers.podman.podman_volume',
    'containers.podman.podman_volume_info',
  ]),
  ...entries('not supported', IMAGE_OPERATIONS, ['containers.podman.podman_export', 'containers.podman.podman_save', 'containers.podman.podman_tag']),
  ...entries('not supported', 'not done yet: use `podman_image` (present/absent) and `podman_login`', [
    'containers.podman.podman_image_info',
    'containers.podman.podman_import',
    'containers.podman.podman_load',
    'containers.podman.podman_login_info',
    'containers.podman.podman_logout',
  ]),
];

/** The short name of a fully qualified one: `ansible.builtin.copy` → `copy`. */
export function shortName(fqcn: string): string {
  return fqcn.split('.').slice(2).join('.');
}

/** The catalog entry of a fully qualified name. */
export function catalogEntry(fqcn: string): CatalogEntry | undefined {
  return ANSIBLE_MODULE_CATALOG.find((e) => e.fqcn === fqcn);
}

/** The markers around the generated table in docs/ansible-compatibility.md. */
export const TABLE_START = '<!-- MODULE TABLE: written by scripts/write-module-table.mjs from modules/ansible-catalog.ts -->';
export const TABLE_END = '<!-- END MODULE TABLE -->';

/** The catalog as the compatibility page's table: one row per module, grouped by collection. */
export function catalogMarkdown(): string {
  const rows = [...ANSIBLE_MODULE_CATALOG].sort((a, b) => collectionOrder(a.fqcn) - collectionOrder(b.fqcn) || a.fqcn.localeCompare(b.fqcn));
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return ['| module | hound | what hound does, or why not |', '|---|---|---|', ...rows.map((e) => `| \`${e.fqcn}\` | ${e.status} | ${cell(e.note)} |`)].join(
    '\n',
  );
}

function collectionOrder(fqcn: string): number {
  const order = ['ansible.builtin', 'community.docker', 'containers.podman'];
  const at = order.indexOf(fqcn.split('.').slice(0, 2).join('.'));
  return at < 0 ? order.length : at;
}
