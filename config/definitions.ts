// The settings hound reads from ansible.cfg and the environment, under Ansible's names
// (what `ansible-config dump` prints) where Ansible has the setting, and HOUND_* for hound's
// own [hound] section. Each is found as Ansible finds it: command line > environment >
// ansible.cfg > default.

export type SettingType = 'string' | 'boolean' | 'integer' | 'path' | 'pathspec' | 'pathlist' | 'list';
export type SettingValue = string | number | boolean | string[] | undefined;

export interface SettingDefinition {
  name: string;
  type: SettingType;
  /** Where it may be written in ansible.cfg, first found wins. */
  ini: readonly { section: string; key: string }[];
  /** Environment variables, first set wins. */
  env: readonly string[];
  /** The command-line option that overrides it, for `config dump` and docs. */
  cli?: string;
  /** Values it may take (checked after conversion), for choice settings. */
  choices?: readonly string[];
  default: SettingValue;
  /** What the default means when it is computed at run time (shown by `config dump`). */
  defaultText?: string;
  description: string;
}

const defaults = (key: string) => [{ section: 'defaults', key }];
const ssh = (key: string) => [{ section: 'ssh_connection', key }];
const become = (key: string) => [{ section: 'privilege_escalation', key }];
const hound = (key: string) => [{ section: 'hound', key }];

export const SETTINGS: readonly SettingDefinition[] = [
  // [defaults]
  {
    name: 'DEFAULT_HOST_LIST',
    type: 'pathlist',
    ini: defaults('inventory'),
    env: ['ANSIBLE_INVENTORY'],
    cli: '-i',
    default: ['/etc/ansible/hosts'],
    description: 'inventory sources used when no -i is given',
  },
  {
    name: 'DEFAULT_TRANSPORT',
    type: 'string',
    ini: defaults('transport'),
    env: ['ANSIBLE_TRANSPORT'],
    cli: '-c',
    default: 'smart',
    description: "connection type for hosts and tasks that set none (ssh, local; Ansible's smart is ssh)",
  },
  {
    name: 'DEFAULT_REMOTE_USER',
    type: 'string',
    ini: defaults('remote_user'),
    env: ['ANSIBLE_REMOTE_USER'],
    cli: '-u',
    default: undefined,
    description: 'SSH user',
  },
  {
    name: 'DEFAULT_PRIVATE_KEY_FILE',
    type: 'path',
    ini: defaults('private_key_file'),
    env: ['ANSIBLE_PRIVATE_KEY_FILE'],
    cli: '--private-key',
    default: undefined,
    description: 'SSH private key file',
  },
  { name: 'DEFAULT_REMOTE_PORT', type: 'integer', ini: defaults('remote_port'), env: ['ANSIBLE_REMOTE_PORT'], default: undefined, description: 'SSH port' },
  {
    name: 'DEFAULT_FORKS',
    type: 'integer',
    ini: defaults('forks'),
    env: ['ANSIBLE_FORKS'],
    cli: '-f',
    default: undefined,
    defaultText: 'every host of a batch, at most 50',
    description: 'hosts worked on at once',
  },
  {
    name: 'DEFAULT_TIMEOUT',
    type: 'integer',
    ini: defaults('timeout'),
    env: ['ANSIBLE_TIMEOUT'],
    cli: '-T',
    default: 10,
    description: 'SSH connection timeout, seconds',
  },
  {
    name: 'HOST_KEY_CHECKING',
    type: 'boolean',
    ini: [...defaults('host_key_checking'), ...ssh('host_key_checking')],
    env: ['ANSIBLE_HOST_KEY_CHECKING', 'ANSIBLE_SSH_HOST_KEY_CHECKING'],
    default: true,
    description: 'check SSH host keys against known_hosts (False: StrictHostKeyChecking=no)',
  },
  {
    name: 'DEFAULT_ROLES_PATH',
    type: 'pathspec',
    ini: defaults('roles_path'),
    env: ['HOUND_ROLES_PATH', 'ANSIBLE_ROLES_PATH'],
    cli: '--roles-path',
    default: ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'],
    description: "directories searched for roles after the playbook's roles/ (--roles-path adds in front)",
  },
  {
    name: 'DEFAULT_VAULT_PASSWORD_FILE',
    type: 'path',
    ini: defaults('vault_password_file'),
    env: ['ANSIBLE_VAULT_PASSWORD_FILE'],
    default: undefined,
    description: 'vault password file or script, tried after --vault-password-file',
  },
  {
    name: 'DEFAULT_VAULT_IDENTITY_LIST',
    type: 'list',
    ini: defaults('vault_identity_list'),
    env: ['ANSIBLE_VAULT_IDENTITY_LIST'],
    default: [],
    description: 'vault ids (ID@SOURCE) tried before --vault-id',
  },
  {
    name: 'DEFAULT_VAULT_ID_MATCH',
    // ansible-core 2.14 gives this setting no type: it stays the text written, and any
    // non-empty text (even "False") turns the matching on. hound reads it the same way.
    type: 'string',
    ini: defaults('vault_id_match'),
    env: ['ANSIBLE_VAULT_ID_MATCH'],
    default: false,
    description: 'try only the passwords of the vault id an encrypted text names (any non-empty value, as in Ansible)',
  },
  {
    name: 'DEFAULT_VAULT_ENCRYPT_IDENTITY',
    type: 'string',
    ini: defaults('vault_encrypt_identity'),
    env: ['ANSIBLE_VAULT_ENCRYPT_IDENTITY'],
    cli: '--encrypt-vault-id',
    default: undefined,
    description: 'the vault id `hound vault encrypt` encrypts with',
  },
  {
    name: 'DEFAULT_ASK_VAULT_PASS',
    type: 'boolean',
    ini: defaults('ask_vault_pass'),
    env: ['ANSIBLE_ASK_VAULT_PASS'],
    cli: '--ask-vault-pass',
    default: false,
    description: 'ask for the vault password',
  },
  {
    name: 'DEFAULT_GATHERING',
    type: 'string',
    ini: defaults('gathering'),
    env: ['ANSIBLE_GATHERING'],
    choices: ['implicit', 'explicit', 'smart'],
    default: 'implicit',
    description: 'implicit: plays gather facts unless gather_facts: false; explicit: only with gather_facts: true; smart: once per host and run',
  },
  {
    name: 'DEFAULT_GATHER_SUBSET',
    type: 'list',
    ini: defaults('gather_subset'),
    env: ['ANSIBLE_GATHER_SUBSET'],
    default: undefined,
    defaultText: "['all']",
    description: 'fact subsets a play gathers when it does not say',
  },
  {
    name: 'DEFAULT_GATHER_TIMEOUT',
    type: 'integer',
    ini: defaults('gather_timeout'),
    env: ['ANSIBLE_GATHER_TIMEOUT'],
    default: 10,
    description: 'seconds fact gathering may take on a host',
  },
  {
    name: 'CACHE_PLUGIN',
    type: 'string',
    ini: defaults('fact_caching'),
    env: ['ANSIBLE_CACHE_PLUGIN'],
    default: 'memory',
    description: 'where facts are kept: hound keeps them in memory, for the run',
  },
  {
    name: 'INJECT_FACTS_AS_VARS',
    type: 'boolean',
    ini: defaults('inject_facts_as_vars'),
    env: ['ANSIBLE_INJECT_FACT_VARS'],
    default: true,
    description: 'also give each fact as a top-level ansible_NAME variable',
  },
  // [ssh_connection]
  {
    name: 'SSH_ARGS',
    type: 'string',
    ini: ssh('ssh_args'),
    env: ['ANSIBLE_SSH_ARGS'],
    default: '-C -o ControlMaster=auto -o ControlPersist=60s',
    description: 'ssh options first on the command line; hound acts on the -o options it knows (User, Port, IdentityFile, ProxyJump, ...)',
  },
  {
    name: 'SSH_COMMON_ARGS',
    type: 'string',
    ini: ssh('ssh_common_args'),
    env: ['ANSIBLE_SSH_COMMON_ARGS'],
    cli: '--ssh-common-args',
    default: '',
    description: 'ssh options, as ansible_ssh_common_args (which wins)',
  },
  {
    name: 'SSH_EXTRA_ARGS',
    type: 'string',
    ini: ssh('ssh_extra_args'),
    env: ['ANSIBLE_SSH_EXTRA_ARGS'],
    cli: '--ssh-extra-args',
    default: '',
    description: 'ssh options, as ansible_ssh_extra_args (which wins)',
  },
  // [privilege_escalation]
  { name: 'DEFAULT_BECOME', type: 'boolean', ini: become('become'), env: ['ANSIBLE_BECOME'], cli: '-b', default: false, description: 'escalate privileges' },
  {
    name: 'DEFAULT_BECOME_METHOD',
    type: 'string',
    ini: become('become_method'),
    env: ['ANSIBLE_BECOME_METHOD'],
    default: 'sudo',
    description: 'how to escalate',
  },
  { name: 'DEFAULT_BECOME_USER', type: 'string', ini: become('become_user'), env: ['ANSIBLE_BECOME_USER'], default: 'root', description: 'the user to become' },
  {
    name: 'DEFAULT_BECOME_ASK_PASS',
    type: 'boolean',
    ini: become('become_ask_pass'),
    env: ['ANSIBLE_BECOME_ASK_PASS'],
    cli: '-K',
    default: false,
    description: 'ask for the privilege escalation password',
  },
  {
    name: 'DEFAULT_BECOME_FLAGS',
    type: 'string',
    ini: become('become_flags'),
    env: ['ANSIBLE_BECOME_FLAGS'],
    default: undefined,
    description: 'flags for the become method',
  },
  { name: 'DEFAULT_BECOME_EXE', type: 'string', ini: become('become_exe'), env: ['ANSIBLE_BECOME_EXE'], default: undefined, description: 'the become program' },
  // [hound]
  {
    name: 'HOUND_DISTRIBUTION',
    type: 'string',
    ini: hound('distribution'),
    env: ['HOUND_DISTRIBUTION'],
    cli: '--distribution',
    choices: ['direct', 'relay', 'fanout', 'auto'],
    default: undefined,
    defaultText: "the play's distribution:, else direct",
    description: 'how images reach the nodes',
  },
  {
    name: 'HOUND_PULLS_PER_HOST',
    type: 'integer',
    ini: hound('pulls_per_host'),
    env: ['HOUND_PULLS_PER_HOST'],
    cli: '--pulls-per-host',
    default: 4,
    description: 'pulls at once on one node',
  },
  {
    name: 'HOUND_PULLS_PER_REGISTRY',
    type: 'integer',
    ini: hound('pulls_per_registry'),
    env: ['HOUND_PULLS_PER_REGISTRY'],
    cli: '--pulls-per-registry',
    default: 32,
    description: 'pulls at once from one registry, across all nodes',
  },
  {
    name: 'HOUND_PULL_ATTEMPTS',
    type: 'integer',
    ini: hound('pull_attempts'),
    env: ['HOUND_PULL_ATTEMPTS'],
    cli: '--pull-attempts',
    default: 3,
    description: 'attempts for a pull that fails for a passing reason',
  },
  {
    name: 'HOUND_STALL_TIMEOUT',
    type: 'integer',
    ini: hound('stall_timeout'),
    env: ['HOUND_STALL_TIMEOUT'],
    cli: '--stall-timeout',
    default: 120,
    description: 'seconds a pull may go without progress',
  },
  {
    name: 'HOUND_DISK_MARGIN',
    type: 'string',
    ini: hound('disk_margin'),
    env: ['HOUND_DISK_MARGIN'],
    cli: '--disk-margin',
    default: '10%',
    description: 'space to keep free on each node',
  },
  {
    name: 'HOUND_DISK_FACTOR',
    type: 'string',
    ini: hound('disk_factor'),
    env: ['HOUND_DISK_FACTOR'],
    cli: '--disk-factor',
    default: '3',
    description: 'disk used per compressed byte pulled',
  },
  {
    name: 'HOUND_IGNORE_DISK_CHECK',
    type: 'boolean',
    ini: hound('ignore_disk_check'),
    env: ['HOUND_IGNORE_DISK_CHECK'],
    cli: '--ignore-disk-check',
    default: false,
    description: 'pull even where the disk precheck says a node lacks space',
  },
  {
    name: 'HOUND_HOST_KEY_CHECKING',
    type: 'string',
    ini: hound('host_key_checking'),
    env: ['HOUND_HOST_KEY_CHECKING'],
    cli: '--host-key-checking',
    choices: ['yes', 'accept-new', 'no'],
    default: undefined,
    defaultText: 'from HOST_KEY_CHECKING and the inventory',
    description: "SSH host key checking, OpenSSH's three modes; wins over HOST_KEY_CHECKING and the inventory",
  },
  {
    name: 'HOUND_REPORTER',
    type: 'string',
    ini: hound('reporter'),
    env: ['HOUND_REPORTER'],
    cli: '--reporter',
    choices: ['auto', 'tty', 'plain', 'json'],
    default: 'auto',
    description: 'how progress is shown',
  },
];

export function findSetting(name: string): SettingDefinition | undefined {
  return SETTINGS.find((s) => s.name === name);
}
