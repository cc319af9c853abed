// Argument schemas of the community.docker and containers.podman modules hound runs, as
// their documentation gives them (community.docker 3.4.7, and for docker_image_pull and
// docker_image_remove the current release; containers.podman 1.10.2), with the arguments
// hound does not do refused by name, with why.
import { nodeModule, type ArgumentRefusal, type ModuleDefinition, type NodeModuleExtras, type PlannedImage } from './definition.js';

const imageName = { type: 'string', minLength: 1 };

/** `name` with its tag (or digest) as community.docker joins them: a tag written in the name wins over `tag`. */
function taggedName(args: Record<string, unknown>): string | undefined {
  const name = String(args.name);
  if (/^sha256:[0-9a-fA-F]{64}$/.test(name)) return undefined;
  const at = name.lastIndexOf('@');
  if (at >= 0) return name;
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && !name.slice(colon + 1).includes('/')) return name;
  const tag = typeof args.tag === 'string' ? args.tag : 'latest';
  return tag.includes(':') ? `${name}@${tag}` : `${name}:${tag}`;
}

function byIdNote(args: Record<string, unknown>): { note: string } {
  return { note: `${String(args.name)} is an image id: planned on the node when the task runs` };
}
const tag = { type: 'string', default: 'latest' };
const filters = { type: 'object' };

/** Arguments that are only a type, in the order given: `{ tls: 'boolean' }` is `{ tls: { type: 'boolean' } }`. */
function typed(types: Record<string, 'string' | 'integer' | 'boolean' | 'object'>): Record<string, { type: string }> {
  return Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { type }]));
}

/**
 * Every community.docker module takes these options of the connection to the Docker daemon.
 * hound reaches each node's daemon over SSH at its unix socket (hound_docker_socket), where
 * these TLS and API options have no effect in Ansible either: they are accepted and unused.
 * docker_host, which would pick another daemon, is refused unless it names the default socket.
 */
const dockerConnectionAliases: Record<string, string> = {
  docker_url: 'docker_host',
  docker_api_version: 'api_version',
  tls_verify: 'validate_certs',
  ca_cert: 'ca_path',
  tls_ca_cert: 'ca_path',
  cacert_path: 'ca_path',
  tls_client_cert: 'client_cert',
  cert_path: 'client_cert',
  tls_client_key: 'client_key',
  key_path: 'client_key',
};
const dockerConnectionOptions = typed({
  docker_host: 'string',
  api_version: 'string',
  timeout: 'integer',
  tls: 'boolean',
  validate_certs: 'boolean',
  ca_path: 'string',
  client_cert: 'string',
  client_key: 'string',
  tls_hostname: 'string',
  use_ssh_client: 'boolean',
  debug: 'boolean',
});
const dockerConnectionRefusals: Record<string, ArgumentRefusal> = {
  docker_host: {
    unless: ['unix:///var/run/docker.sock', 'unix://var/run/docker.sock'],
    reason: "hound reaches each node's Docker over SSH at the socket its inventory gives (hound_docker_socket, default /var/run/docker.sock)",
  },
};

/** A module of an Ansible collection that runs on the node: its arguments (no others allowed), their aliases and refusals. */
function collectionModule(
  collection: string,
  name: string,
  summary: string,
  properties: Record<string, unknown>,
  extra: NodeModuleExtras = {},
): ModuleDefinition {
  return nodeModule(name, summary, properties, { ...extra, collection });
}

/** A community.docker module: it also takes the Docker connection's options. */
function dockerModule(name: string, summary: string, properties: Record<string, unknown>, extra: NodeModuleExtras = {}): ModuleDefinition {
  return collectionModule(
    'community.docker',
    name,
    summary,
    { ...dockerConnectionOptions, ...properties },
    {
      ...extra,
      aliases: { ...dockerConnectionAliases, ...extra.aliases },
      refused: { ...dockerConnectionRefusals, ...extra.refused },
    },
  );
}

export const dockerImageModule = dockerModule(
  'docker_image',
  'pull (or load) an image onto the host, archive it there, tag and push it, or remove it',
  {
    name: imageName,
    tag,
    source: { enum: ['build', 'load', 'pull', 'local'] },
    state: { enum: ['present', 'absent'], default: 'present' },
    force_source: { type: 'boolean', default: false },
    force_absent: { type: 'boolean', default: false },
    force_tag: { type: 'boolean', default: false },
    pull: { type: 'object', additionalProperties: false, properties: { platform: { type: 'string', minLength: 1 } } },
    load_path: { type: 'string', minLength: 1 },
    push: { type: 'boolean', default: false },
    build: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1 },
        dockerfile: { type: 'string' },
        cache_from: { type: 'array', items: { type: 'string' } },
        pull: { type: 'boolean', default: false },
        rm: { type: 'boolean', default: true },
        network: { type: 'string' },
        nocache: { type: 'boolean', default: false },
        etc_hosts: { type: 'object' },
        args: { type: 'object' },
        container_limits: {
          type: 'object',
          additionalProperties: false,
          properties: typed({ memory: 'integer', memswap: 'integer', cpushares: 'integer', cpusetcpus: 'string' }),
        },
        target: { type: 'string' },
        platform: { type: 'string' },
        ...typed({ http_timeout: 'integer', use_config_proxy: 'boolean' }),
      },
    },
    archive_path: { type: 'string' },
    repository: { type: 'string' },
  },
  {
    refused: {
      'build.http_timeout': { reason: "hound runs the node's `docker build`, which has no HTTP timeout; use the task's `timeout:` keyword" },
      'build.use_config_proxy': {
        unless: [true],
        reason: "the node's `docker build` always passes the proxies of the node's Docker client config (~/.docker/config.json `proxies`) to the build",
      },
    },
    required: ['name'],
    planned: (args) => {
      const name = taggedName(args);
      if (name === undefined) return byIdNote(args);
      if (args.state === 'absent') return [{ name, state: 'absent', force: args.force_absent === true }];
      if (args.source === 'load') return { note: `loads ${String(args.load_path)}: the tarball's images are only known when it is read` };
      if (args.source === 'build') return { note: `builds ${name} on the node from ${String((args.build as { path?: unknown } | undefined)?.path)}` };
      if (args.source !== 'pull') return [];
      const platform = (args.pull as { platform?: string } | undefined)?.platform;
      return [{ name, state: 'present', force: args.force_source === true, platform }];
    },
    // As community.docker's required_if: state present needs source; source load needs load_path, source build build.
    schema: {
      allOf: [
        { if: { properties: { state: { const: 'present' } } }, then: { required: ['source'] } },
        { if: { required: ['source'], properties: { source: { const: 'load' } } }, then: { required: ['load_path'] } },
        { if: { required: ['source'], properties: { source: { const: 'build' } } }, then: { required: ['build'] } },
      ],
    },
  },
);

export const dockerImagePullModule = dockerModule(
  'docker_image_pull',
  'pull an image onto the host (always, or when not present)',
  { name: imageName, tag, platform: { type: 'string', minLength: 1 }, pull: { enum: ['always', 'not_present'], default: 'always' } },
  {
    required: ['name'],
    planned: (args) => {
      const name = taggedName(args);
      if (name === undefined) return byIdNote(args);
      const platform = typeof args.platform === 'string' ? args.platform : undefined;
      return [{ name, state: 'present', force: args.pull !== 'not_present', platform }];
    },
  },
);

export const dockerImageRemoveModule = dockerModule(
  'docker_image_remove',
  'remove an image (a name or an id) from the host',
  { name: imageName, tag, force: { type: 'boolean', default: false }, prune: { type: 'boolean', default: true } },
  {
    required: ['name'],
    planned: (args): PlannedImage[] | { note: string } => {
      const name = taggedName(args);
      return name === undefined ? byIdNote(args) : [{ name, state: 'absent', force: args.force === true }];
    },
  },
);

export const dockerImageInfoModule = dockerModule('docker_image_info', "Docker's inspect data of images on the host", {
  name: { type: 'array', items: { type: 'string' } },
});

export const dockerLoginModule = dockerModule(
  'docker_login',
  "log in to a registry with the host's Docker; later pulls of the run use the credentials",
  {
    registry_url: { type: 'string', minLength: 1, default: 'https://index.docker.io/v1/' },
    username: { type: 'string' },
    password: { type: 'string' },
    reauthorize: { type: 'boolean', default: false },
    config_path: { type: 'string', minLength: 1, default: '~/.docker/config.json' },
    state: { enum: ['present', 'absent'], default: 'present' },
  },
  {
    aliases: { registry: 'registry_url', url: 'registry_url', reauth: 'reauthorize', dockercfg_path: 'config_path' },
    schema: { if: { properties: { state: { const: 'present' } } }, then: { required: ['username', 'password'] } },
    secrets: ['password'],
  },
);

export const dockerHostInfoModule = dockerModule('docker_host_info', "Docker's `system info` of the host, and lists of its objects", {
  containers: { type: 'boolean', default: false },
  containers_all: { type: 'boolean', default: false },
  containers_filters: filters,
  images: { type: 'boolean', default: false },
  images_filters: filters,
  networks: { type: 'boolean', default: false },
  networks_filters: filters,
  volumes: { type: 'boolean', default: false },
  volumes_filters: filters,
  disk_usage: { type: 'boolean', default: false },
  verbose_output: { type: 'boolean', default: false },
});

/** docker_container's options hound does not do yet: each refused by name when a task sets it, never dropped. */
const CONTAINER_OPTIONS_NOT_DONE = [
  'blkio_weight',
  'capabilities',
  'cap_drop',
  'cgroupns_mode',
  'cgroup_parent',
  'cpu_period',
  'cpu_quota',
  'cpus',
  'cpuset_cpus',
  'cpuset_mems',
  'cpu_shares',
  'default_host_ip',
  'devices',
  'device_read_bps',
  'device_write_bps',
  'device_read_iops',
  'device_write_iops',
  'device_requests',
  'dns_opts',
  'dns_servers',
  'dns_search_domains',
  'domainname',
  'env_file',
  'etc_hosts',
  'exposed_ports',
  'groups',
  'healthcheck',
  'hostname',
  'init',
  'interactive',
  'ipc_mode',
  'kernel_memory',
  'links',
  'log_driver',
  'log_options',
  'mac_address',
  'memory',
  'memory_reservation',
  'memory_swap',
  'memory_swappiness',
  'mounts',
  'network_mode',
  'userns_mode',
  'networks',
  'oom_killer',
  'oom_score_adj',
  'paused',
  'pid_mode',
  'pids_limit',
  'platform',
  'privileged',
  'publish_all_ports',
  'published_ports',
  'read_only',
  'runtime',
  'shm_size',
  'security_opts',
  'stop_signal',
  'storage_opts',
  'tmpfs',
  'tty',
  'ulimits',
  'sysctls',
  'user',
  'uts',
  'volumes',
  'volume_driver',
  'volumes_from',
  'working_dir',
];
const CONTAINER_NOT_DONE =
  "not done yet by hound's docker_container (it does name, image, command, entrypoint, env, labels, restart_policy, auto_remove, detach, the states, force_kill, recreate, restart, keep_volumes, pull); keep this task in ansible-playbook";

export const dockerContainerModule = dockerModule(
  'docker_container',
  'create, start, stop, recreate or remove a container on the host',
  {
    name: { type: 'string', minLength: 1 },
    image: { type: 'string' },
    command: { anyOf: [{ type: 'string' }, { type: 'array' }] },
    entrypoint: { type: 'array', items: { type: 'string' } },
    env: { type: 'object' },
    labels: { type: 'object' },
    restart_policy: { enum: ['no', 'on-failure', 'always', 'unless-stopped'] },
    restart_retries: { type: 'integer' },
    auto_remove: { type: 'boolean' },
    detach: { type: 'boolean' },
    state: { enum: ['absent', 'present', 'stopped', 'started'], default: 'started' },
    force_kill: { type: 'boolean', default: false },
    kill_signal: { type: 'string' },
    stop_timeout: { type: 'integer' },
    recreate: { type: 'boolean', default: false },
    restart: { type: 'boolean', default: false },
    keep_volumes: { type: 'boolean', default: true },
    pull: { type: 'boolean', default: false },
    image_name_mismatch: { enum: ['ignore', 'recreate'], default: 'ignore' },
    image_comparison: { enum: ['desired-image', 'current-image'], default: 'desired-image' },
    image_label_mismatch: { enum: ['ignore', 'fail'], default: 'ignore' },
    command_handling: { enum: ['compatibility', 'correct'], default: 'correct' },
    container_default_behavior: { enum: ['compatibility', 'no_defaults'], default: 'no_defaults' },
    ignore_image: { type: 'boolean', default: false },
    purge_networks: { type: 'boolean', default: false },
    // Only about `networks`, which is refused: accepted with no effect, as in the module without networks.
    networks_cli_compatible: { type: 'boolean', default: true },
    output_logs: { type: 'boolean', default: false },
    cleanup: { type: 'boolean', default: false },
    removal_wait_timeout: { type: 'number' },
    comparisons: { type: 'object' },
    ...Object.fromEntries(CONTAINER_OPTIONS_NOT_DONE.map((name) => [name, {}])),
  },
  {
    aliases: { forcekill: 'force_kill', exposed: 'exposed_ports', expose: 'exposed_ports', log_opt: 'log_options', ports: 'published_ports' },
    refused: {
      ...Object.fromEntries(CONTAINER_OPTIONS_NOT_DONE.map((name) => [name, { reason: CONTAINER_NOT_DONE }])),
      detach: { values: [false], reason: 'waiting for the container to end and returning its output is not done yet by hound; start it detached' },
      output_logs: { values: [true], reason: 'goes with detach: false, which hound does not do yet' },
      cleanup: { values: [true], reason: 'goes with detach: false, which hound does not do yet' },
      comparisons: { reason: "hound compares each option by the module's default rule; other comparisons are not done yet" },
      image_comparison: { values: ['current-image'], reason: 'hound compares with the image the task names (desired-image)' },
      image_label_mismatch: { values: ['fail'], reason: "hound counts the image's labels as expected (ignore)" },
      command_handling: { values: ['compatibility'], reason: 'hound handles command and entrypoint the current way (correct)' },
      container_default_behavior: { values: ['compatibility'], reason: "hound uses the module's current defaults (no_defaults)" },
      ignore_image: { values: [true], reason: 'deprecated in community.docker; not done by hound' },
      purge_networks: { values: [true], reason: 'goes with networks, which hound does not do yet' },
    },
    required: ['name'],
  },
);

export const dockerVolumeModule = dockerModule(
  'docker_volume',
  'create or remove a volume on the host',
  {
    volume_name: { type: 'string', minLength: 1 },
    state: { enum: ['present', 'absent'], default: 'present' },
    driver: { type: 'string', default: 'local' },
    driver_options: { type: 'object', default: {} },
    labels: { type: 'object' },
    recreate: { enum: ['always', 'never', 'options-changed'], default: 'never' },
  },
  // `name` is the alias most tasks write.
  { aliases: { name: 'volume_name' }, required: ['volume_name'] },
);

export const dockerNetworkModule = dockerModule(
  'docker_network',
  'create or remove a network on the host',
  {
    name: { type: 'string', minLength: 1 },
    connected: { type: 'array', items: { type: 'string' }, default: [] },
    state: { enum: ['present', 'absent'], default: 'present' },
    driver: { type: 'string', default: 'bridge' },
    driver_options: { type: 'object', default: {} },
    force: { type: 'boolean', default: false },
    appends: { type: 'boolean', default: false },
    ipam_driver: { type: 'string' },
    ipam_driver_options: { type: 'object' },
    ipam_config: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { ...typed({ subnet: 'string', iprange: 'string', gateway: 'string', aux_addresses: 'object' }) },
      },
    },
    enable_ipv6: { type: 'boolean' },
    internal: { type: 'boolean' },
    labels: { type: 'object', default: {} },
    scope: { enum: ['local', 'global', 'swarm'] },
    attachable: { type: 'boolean' },
  },
  {
    aliases: { network_name: 'name', containers: 'connected', incremental: 'appends' },
    refused: {
      connected: {
        unless: [[]],
        reason: 'connecting containers to a network is not done yet by hound (nor networks in its docker_container); keep this task in ansible-playbook',
      },
    },
    required: ['name'],
  },
);

const BUILDX_ONLY = "needs Docker's BuildKit (buildx); hound builds with the node's classic builder (`docker build`, DOCKER_BUILDKIT=0)";

// The current community.docker's docker_image_build (3.6+; not in the 3.4.7 hound's parity is checked against).
export const dockerImageBuildModule = dockerModule(
  'docker_image_build',
  "build an image on the host from a directory of the host, with the host's docker build",
  {
    name: imageName,
    tag,
    path: { type: 'string', minLength: 1 },
    dockerfile: { type: 'string' },
    cache_from: { type: 'array', items: { type: 'string' } },
    pull: { type: 'boolean', default: false },
    network: { type: 'string' },
    nocache: { type: 'boolean', default: false },
    etc_hosts: { type: 'object' },
    args: { type: 'object' },
    target: { type: 'string' },
    platform: { type: 'string' },
    shm_size: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    labels: { type: 'object' },
    rebuild: { enum: ['never', 'always'], default: 'never' },
    secrets: { type: 'array' },
    outputs: { type: 'array' },
  },
  {
    refused: { secrets: { reason: BUILDX_ONLY }, outputs: { reason: BUILDX_ONLY } },
    required: ['name', 'path'],
    planned: (args) => {
      const name = taggedName(args);
      return { note: `builds ${name ?? String(args.name)} on the node from ${String(args.path)}` };
    },
  },
);

const PODMAN_EXECUTABLE: ArgumentRefusal = {
  unless: ['podman'],
  reason: "hound talks to podman through its API service on the node, which it starts with the podman on the SSH user's PATH",
};

export const podmanImageModule = collectionModule(
  'containers.podman',
  'podman_image',
  'pull or build an image on a podman host, push it, or remove it',
  {
    name: imageName,
    tag,
    arch: { type: 'string', minLength: 1 },
    pull: { type: 'boolean', default: true },
    force: { type: 'boolean', default: false },
    state: { enum: ['present', 'absent', 'build'], default: 'present' },
    ...typed({ username: 'string', password: 'string' }),
    executable: { type: 'string', default: 'podman' },
    push: { type: 'boolean', default: false },
    build: {
      type: 'object',
      additionalProperties: false,
      properties: {
        annotation: { type: 'object' },
        force_rm: { type: 'boolean', default: false },
        file: { type: 'string' },
        format: { enum: ['oci', 'docker'], default: 'oci' },
        cache: { type: 'boolean', default: true },
        rm: { type: 'boolean', default: true },
        volume: { type: 'array', items: { type: 'string' } },
        extra_args: { type: 'string' },
      },
    },
    push_args: {
      type: 'object',
      additionalProperties: false,
      properties: {
        compress: { type: 'boolean' },
        format: { enum: ['oci', 'v2s1', 'v2s2'] },
        remove_signatures: { type: 'boolean' },
        sign_by: { type: 'string' },
        dest: { type: 'string' },
        destination: { type: 'string' },
        transport: { enum: ['dir', 'docker-archive', 'docker-daemon', 'oci-archive', 'ostree'] },
      },
    },
    ...typed({ path: 'string', auth_file: 'string', ca_cert_dir: 'string', validate_certs: 'boolean' }),
  },
  {
    aliases: { tlsverify: 'validate_certs', tls_verify: 'validate_certs', authfile: 'auth_file', build_args: 'build', buildargs: 'build' },
    refused: {
      executable: PODMAN_EXECUTABLE,
      ca_cert_dir: { reason: "podman's API service reads certificates from the node's /etc/containers/certs.d, which hound cannot change per task" },
    },
    schema: { dependencies: { username: ['password'], password: ['username'] } },
    secrets: ['password'],
    required: ['name'],
    planned: (args) => {
      const name = taggedName(args);
      if (name === undefined) return byIdNote(args);
      if (args.state === 'absent') return [{ name, state: 'absent', force: args.force === true }];
      if (typeof args.path === 'string') return { note: `builds ${name} on the node from ${args.path}${args.push === true ? ', then pushes it' : ''}` };
      if (args.push === true) return { note: `pulls ${name} when it is missing, then pushes it` };
      return [{ name, state: 'present', force: args.force === true, platform: typeof args.arch === 'string' ? `linux/${args.arch}` : undefined }];
    },
  },
);

export const podmanLoginModule = collectionModule(
  'containers.podman',
  'podman_login',
  'podman login on the host; later pulls of the run use the credentials',
  {
    registry: { type: 'string', minLength: 1 },
    username: { type: 'string', minLength: 1 },
    password: { type: 'string' },
    authfile: { type: 'string', minLength: 1 },
    certdir: { type: 'string', minLength: 1 },
    tlsverify: { type: 'boolean' },
    executable: { type: 'string', minLength: 1, default: 'podman' },
  },
  { schema: { not: { required: ['certdir', 'tlsverify'] } }, secrets: ['password'], required: ['username', 'password'] },
);

export const COLLECTION_MODULE_DEFINITIONS: readonly ModuleDefinition[] = [
  dockerImageModule,
  dockerImagePullModule,
  dockerImageRemoveModule,
  dockerImageInfoModule,
  dockerLoginModule,
  dockerHostInfoModule,
  dockerContainerModule,
  dockerVolumeModule,
  dockerImageBuildModule,
  dockerNetworkModule,
  podmanImageModule,
  podmanLoginModule,
];
