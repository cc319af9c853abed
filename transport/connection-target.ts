// Where and how to reach one inventory host, worked out the way Ansible + OpenSSH would:
// inventory connection vars > ssh options in ansible_ssh_common_args/extra_args > hound's
// command-line options (like `ansible -u`, which Ansible passes to ssh as -o options) >
// ~/.ssh/config > defaults.
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Vars } from '../inventory/model.js';
import { OptionsError } from '../base/errors.js';
import { registerSecret } from '../base/secrets.js';
import { timerProblem } from '../base/sleep.js';
import { parseSshArgs, type SshArgOptions, type StrictHostKeyChecking } from './ssh-args.js';
import { expandHome, type SshConfigFile } from './ssh-config.js';

export type HostKeyPolicy = StrictHostKeyChecking;

export interface ConnectionTarget {
  /** Inventory name (or, for a jump hop, the hop as written). */
  host: string;
  /** What to dial: an IP or DNS name. */
  address: string;
  port: number;
  user: string;
  /** Private key files to offer, in order; only files that exist. */
  identityFiles: string[];
  /** ssh-agent socket to ask for keys, if any. */
  agentSocket?: string;
  /** Never printed or logged. */
  password?: string;
  /** Hops to go through, first hop first (each one is itself a target). */
  proxyJump: ConnectionTarget[];
  /** Files to check host keys against; the first is where accept-new appends. */
  knownHostsFiles: string[];
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  dockerSocket: string;
  /** Which container runtime hound speaks to there, and the sockets the inventory names for it. */
  runtime: RuntimeTarget;
  /** ssh options given in the vars that hound does not act on (warn at -v). */
  ignoredOptions: string[];
}

/**
 * Connection defaults from hound's command line (ansible-playbook's -u, --private-key, …),
 * or, where the command line says nothing, from ANSIBLE_* variables and ansible.cfg.
 * The inventory's connection variables win over all of them, as in Ansible.
 */
export interface CommandLineConnectionOptions {
  user?: string;
  privateKeyFile?: string;
  /** --timeout, seconds. */
  timeoutSeconds?: number;
  /** ansible.cfg remote_port. */
  port?: number;
  /** [ssh_connection] ssh_args: first on ssh's command line, so its options win over the other args. */
  sshArgs?: string;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  /** host_key_checking: false means StrictHostKeyChecking=no (below the inventory's ansible_host_key_checking). */
  hostKeyChecking?: boolean;
}

export interface ResolveTargetOptions {
  sshConfig?: SshConfigFile;
  /** The play's or task's `remote_user` keyword: below the host's variables, above -u. */
  remoteUser?: string;
  commandLine?: CommandLineConnectionOptions;
  /** Other inventory hosts' vars, so a ProxyJump hop naming one uses its address/user/port. */
  inventoryVars?: (host: string) => Vars | undefined;
  /** For tests: the process environment to read SSH_AUTH_SOCK / ANSIBLE_HOST_KEY_CHECKING from. */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export const CONTAINER_RUNTIMES = ['docker', 'containerd', 'cri-o', 'podman'] as const;
export type ContainerRuntimeKind = (typeof CONTAINER_RUNTIMES)[number];

/** The inventory variable that names each runtime's socket on the node. */
export const RUNTIME_SOCKET_VARIABLES: Record<ContainerRuntimeKind, string> = {
  docker: 'hound_docker_socket',
  containerd: 'hound_containerd_socket',
  'cri-o': 'hound_crio_socket',
  podman: 'hound_podman_socket',
};

export interface RuntimeTarget {
  /** hound_container_runtime; `auto` (the default) asks the node which sockets it has. */
  setting: ContainerRuntimeKind | 'auto';
  /** Only the sockets the vars name (unix:// stripped); each runtime has its own default. */
  sockets: Partial<Record<ContainerRuntimeKind, string>>;
}
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
const DEFAULT_KEY_NAMES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function resolveConnectionTarget(host: string, vars: Vars, options: ResolveTargetOptions = {}): ConnectionTarget {
  return resolve(host, vars, options, 0);
}

function resolve(host: string, vars: Vars, options: ResolveTargetOptions, depth: number): ConnectionTarget {
  if (depth > 8)
    throw new OptionsError('SSH_PROXY_JUMP_LOOP', `ProxyJump for ${host} nests more than 8 hops deep`, {
      hint: 'check ProxyJump in ~/.ssh/config and ansible_ssh_common_args for a loop',
    });
  const env = options.env ?? process.env;
  const cli = options.commandLine ?? {};
  const args = mergeArgs(
    parseSshArgs(cli.sshArgs ?? '', 'ssh_args'),
    mergeArgs(
      parseSshArgs(stringVar(vars, 'ansible_ssh_common_args') ?? cli.sshCommonArgs ?? '', 'ansible_ssh_common_args'),
      parseSshArgs(stringVar(vars, 'ansible_ssh_extra_args') ?? cli.sshExtraArgs ?? '', 'ansible_ssh_extra_args'),
    ),
  );
  // ssh is run with ansible_host as its destination, so that is the name ~/.ssh/config matches.
  const alias = stringVar(vars, 'hound_host', 'ansible_host', 'ansible_ssh_host') ?? host;
  const config = options.sshConfig?.resolve(alias) ?? { identityFiles: [] };

  const portVar = vars['hound_port'] ?? vars['ansible_port'] ?? vars['ansible_ssh_port'];
  const port = portVar !== undefined ? portOf(portVar, host) : (args.port ?? cli.port ?? config.port ?? 22);
  const user =
    stringVar(vars, 'hound_user', 'ansible_user', 'ansible_ssh_user') ?? args.user ?? options.remoteUser ?? cli.user ?? config.user ?? userInfo().username;

  const keyVar = stringVar(vars, 'hound_ssh_private_key_file', 'ansible_ssh_private_key_file', 'ansible_private_key_file');
  let identityFiles = [keyVar, ...args.identityFiles, cli.privateKeyFile, ...config.identityFiles]
    .filter((f): f is string => f !== undefined && f !== '')
    .map(expandHome);
  if (identityFiles.length === 0) identityFiles = DEFAULT_KEY_NAMES.map((name) => join(homedir(), '.ssh', name));
  identityFiles = [...new Set(identityFiles)].filter((file) => existsSync(file));

  const timeoutSeconds =
    numberVar(vars, 'ansible_ssh_timeout', 'ansible_timeout') ??
    args.connectTimeoutSeconds ??
    cli.timeoutSeconds ??
    config.connectTimeoutSeconds ??
    DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const timeoutProblem = timerProblem(timeoutSeconds);
  if (timeoutProblem) {
    throw new OptionsError('SSH_TIMEOUT_INVALID', `the SSH connection timeout for ${host} (${timeoutSeconds} s) ${timeoutProblem}`, {
      hint: 'set ansible_timeout, ConnectTimeout or -T to a number of seconds',
    });
  }
  const knownHostsFiles = (args.userKnownHostsFiles ?? config.userKnownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts')]).map(expandHome);
  const hostKeyPolicy = hostKeyPolicyOf(vars, env, cli.hostKeyChecking) ?? args.strictHostKeyChecking ?? config.strictHostKeyChecking ?? 'yes';

  const target: ConnectionTarget = {
    host,
    address: config.hostName ?? alias,
    port,
    user,
    identityFiles,
    agentSocket: env.SSH_AUTH_SOCK || undefined,
    proxyJump: [],
    knownHostsFiles,
    hostKeyPolicy,
    connectTimeoutMs: timeoutSeconds * 1000,
    // Accept DOCKER_HOST's spelling too (unix:///run/docker.sock).
    dockerSocket: stringVar(vars, 'hound_docker_socket')?.replace(/^unix:\/\//, '') ?? DEFAULT_DOCKER_SOCKET,
    runtime: runtimeTargetOf(host, vars),
    ignoredOptions: args.ignored,
  };
  // Not enumerable: a target printed, logged or serialised (JSON, events) leaves the password out.
  const password = stringVar(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password');
  if (password !== undefined) {
    registerSecret(password);
    Object.defineProperty(target, 'password', { value: password, enumerable: false });
  }
  const hops = args.proxyJump ?? config.proxyJump ?? [];
  target.proxyJump = hops.map((hop) => resolveHop(hop, target, options, depth));
  return target;
}

// A hop `[user@]host[:port]` is resolved like any destination (inventory vars if it names
// an inventory host, then ssh config); it shares the target's host key files and policy,
// and also offers the target's keys after its own.
function resolveHop(hop: string, parent: ConnectionTarget, options: ResolveTargetOptions, depth: number): ConnectionTarget {
  const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
  if (!match)
    throw new OptionsError('SSH_PROXY_JUMP_INVALID', `ProxyJump hop "${hop}" for ${parent.host} is not [user@]host[:port]`, {
      hint: 'write ProxyJump as [user@]host[:port][,[user@]host[:port]…]',
    });
  const [, hopUser, hopHostRaw, hopPort] = match;
  const hopHost = hopHostRaw.replace(/^\[|\]$/g, '');
  const hopVars: Vars = { ...(options.inventoryVars?.(hopHost) ?? {}) };
  for (const key of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) delete hopVars[key];
  if (hopUser !== undefined) hopVars['ansible_user'] = hopUser;
  if (hopPort !== undefined) hopVars['ansible_port'] = Number(hopPort);
  const hopTarget = resolve(
    hopHost,
    hopVars,
    { ...options, remoteUser: undefined, commandLine: { ...options.commandLine, sshCommonArgs: undefined, sshExtraArgs: undefined } },
    depth + 1,
  );
  // Mutated in place rather than spread, so the non-enumerable password stays with it.
  hopTarget.identityFiles = [...new Set([...hopTarget.identityFiles, ...parent.identityFiles])];
  hopTarget.knownHostsFiles = parent.knownHostsFiles;
  hopTarget.hostKeyPolicy = parent.hostKeyPolicy;
  hopTarget.connectTimeoutMs = parent.connectTimeoutMs;
  return hopTarget;
}

function mergeArgs(common: SshArgOptions, extra: SshArgOptions): SshArgOptions {
  // ssh takes the first value of each option; Ansible puts common args before extra args.
  return {
    user: common.user ?? extra.user,
    port: common.port ?? extra.port,
    identityFiles: [...common.identityFiles, ...extra.identityFiles],
    proxyJump: common.proxyJump ?? extra.proxyJump,
    userKnownHostsFiles: common.userKnownHostsFiles ?? extra.userKnownHostsFiles,
    strictHostKeyChecking: common.strictHostKeyChecking ?? extra.strictHostKeyChecking,
    connectTimeoutSeconds: common.connectTimeoutSeconds ?? extra.connectTimeoutSeconds,
    ignored: [...common.ignored, ...extra.ignored],
  };
}

// Ansible's host_key_checking=false (var, ANSIBLE_HOST_KEY_CHECKING or ansible.cfg) means StrictHostKeyChecking=no.
function hostKeyPolicyOf(vars: Vars, env: NodeJS.ProcessEnv, configured: boolean | undefined): HostKeyPolicy | undefined {
  const value = vars['ansible_host_key_checking'] ?? vars['ansible_ssh_host_key_checking'] ?? env.ANSIBLE_HOST_KEY_CHECKING ?? configured;
  if (value === undefined) return undefined;
  const text = String(value).toLowerCase();
  if (['false', 'no', '0', 'off', 'n'].includes(text)) return 'no';
  return undefined;
}

function stringVar(vars: Vars, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = vars[name];
    if (value !== undefined && value !== null && value !== '') return String(value);
  }
  return undefined;
}

function numberVar(vars: Vars, ...names: string[]): number | undefined {
  const text = stringVar(vars, ...names);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new OptionsError('SSH_TIMEOUT_INVALID', `${names[0]} must be a positive number of seconds, not "${text}"`, { hint: 'e.g. ansible_timeout=10' });
  return n;
}

/**
 * hound_container_runtime, or, when it is not set, the one runtime whose socket variable is
 * (an inventory that names only hound_docker_socket meant Docker), else `auto`.
 */
export function runtimeTargetOf(host: string, vars: Vars): RuntimeTarget {
  const sockets: RuntimeTarget['sockets'] = {};
  for (const kind of CONTAINER_RUNTIMES) {
    const socket = stringVar(vars, RUNTIME_SOCKET_VARIABLES[kind])?.replace(/^unix:\/\//, '');
    if (socket !== undefined) sockets[kind] = socket;
  }
  const setting = stringVar(vars, 'hound_container_runtime')?.toLowerCase();
  if (setting === undefined) {
    const named = Object.keys(sockets) as ContainerRuntimeKind[];
    return { setting: named.length === 1 ? named[0] : 'auto', sockets };
  }
  if (setting === 'auto' || (CONTAINER_RUNTIMES as readonly string[]).includes(setting)) return { setting: setting as RuntimeTarget['setting'], sockets };
  throw new OptionsError('RUNTIME_SETTING_INVALID', `hound_container_runtime for ${host} is "${setting}", not a runtime hound speaks to`, {
    hint: `set it to one of ${[...CONTAINER_RUNTIMES, 'auto'].join(', ')} (auto: hound looks at which sockets the node has)`,
  });
}

function portOf(value: unknown, host: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new OptionsError('SSH_PORT_INVALID', `ansible_port for ${host} is "${String(value)}", not a port (1-65535)`, {
      hint: 'set ansible_port to a number such as 22',
    });
  return n;
}
