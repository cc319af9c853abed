// What a command runs with: its command-line options, else ANSIBLE_*/HOUND_* variables,
// else ansible.cfg, else the defaults (config/), as one typed object per concern. Commands
// read their settings here, so `hound config dump` shows exactly what they use.
import path from 'node:path';
import { OptionsError } from '../base/errors.js';
import { openFileLimit, openFilesWarning } from '../base/open-files.js';
import { maskSecrets } from '../base/secrets.js';
import { MAX_TIMER_SECONDS, timerProblem } from '../base/sleep.js';
import { HoundConfig, type ResolvedSetting } from '../config/config.js';
import type { SettingValue } from '../config/definitions.js';
import type { CommandLineConnectionOptions, HostKeyPolicy } from '../transport/connection-target.js';
import type { VaultKeyring } from '../vault/keyring.js';
import type { FactSettings } from '../playbook/compiler.js';
import { BECOME_METHODS, DEFAULT_PRIVILEGE_ESCALATION, type PrivilegeEscalationDefaults } from '../transport/become.js';
import { connectionKindOf, UNSUPPORTED_CONNECTION_HINT } from '../transport/reach.js';
import type { BecomeCommandOptions } from './become-options.js';

/** The options that every command reaching hosts shares, as commander hands them over. */
export interface ConfigurableOptions {
  inventory?: string[];
  /** -c: the connection type of hosts and tasks that set none. */
  connection?: string;
  forks?: number | string;
  user?: string;
  privateKey?: string;
  timeout?: number | string;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  rolesPath?: string[];
  hostKeyChecking?: HostKeyPolicy;
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
}

export function warnLine(message: string): void {
  process.stderr.write(`[WARNING]: ${maskSecrets(message)}\n`);
}

/**
 * Before any connection: says when the run's hosts cannot each hold an SSH connection under
 * this process's open-file limit, rather than leaving the hosts past it to fail one by one.
 */
export function warnIfOpenFilesShort(plays: readonly { hosts: readonly string[] }[]): void {
  const warning = openFilesWarning(new Set(plays.flatMap((p) => p.hosts)).size, openFileLimit());
  if (warning !== undefined) warnLine(warning);
}

let loaded: HoundConfig | undefined;

/** The configuration of this process (read once), its warnings printed. */
export function commandConfig(): HoundConfig {
  if (!loaded) {
    loaded = HoundConfig.load();
    for (const w of loaded.warnings) warnLine(w);
  }
  return loaded;
}

function given<T>(value: T | undefined, option: string): { value: SettingValue; option: string } | undefined {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  return { value: value as SettingValue, option };
}

function wholeNumber(value: number | string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OptionsError('BAD_OPTION_VALUE', `${option} must be a whole number of at least 1, got "${value}"`);
  return n;
}

/** A setting that must be a whole number of at least 1 wherever it came from. */
function positive(setting: ResolvedSetting): number | undefined {
  if (setting.value === undefined) return undefined;
  const n = Number(setting.value);
  if (!Number.isInteger(n) || n < 1) {
    throw new OptionsError(
      'CONFIG_VALUE_INVALID',
      `${setting.name} must be a whole number of at least 1, got ${String(setting.value)} (from ${setting.origin})`,
    );
  }
  return n;
}

/** A number of seconds hound waits for, wherever it came from: a whole number of 1 or more, within Node's timer range. */
function seconds(setting: ResolvedSetting): number | undefined {
  const n = positive(setting);
  const problem = n === undefined ? undefined : timerProblem(n);
  if (problem) {
    throw new OptionsError('CONFIG_VALUE_INVALID', `${setting.name} ${n}: ${problem} (from ${setting.origin})`, { hint: `at most ${MAX_TIMER_SECONDS}` });
  }
  return n;
}

/** A setting read as text; unset or empty is undefined. */
function textSetting(config: HoundConfig, name: string, cli?: { value: SettingValue; option: string }): string | undefined {
  const v = config.get(name, cli).value;
  return v === undefined || v === '' ? undefined : String(v);
}

export interface ConnectionSettings {
  connection: CommandLineConnectionOptions;
  /** hound's three-mode policy, over the inventory's (--host-key-checking, [hound] host_key_checking). */
  hostKeyChecking?: HostKeyPolicy;
  forks?: number;
}

export function connectionSettings(o: ConfigurableOptions, config = commandConfig()): ConnectionSettings {
  const sshArgs = config.get('SSH_ARGS');
  const text = (name: string, cli?: { value: SettingValue; option: string }) => textSetting(config, name, cli);
  return {
    connection: {
      user: text('DEFAULT_REMOTE_USER', given(o.user, '-u')),
      privateKeyFile: text('DEFAULT_PRIVATE_KEY_FILE', given(o.privateKey, '--private-key')),
      timeoutSeconds: seconds(config.get('DEFAULT_TIMEOUT', given(wholeNumber(o.timeout, '--timeout'), '--timeout'))),
      port: positive(config.get('DEFAULT_REMOTE_PORT')),
      // Ansible's own default ssh_args only set up connection sharing, which hound does itself.
      sshArgs: sshArgs.origin === 'default' ? undefined : String(sshArgs.value),
      sshCommonArgs: text('SSH_COMMON_ARGS', given(o.sshCommonArgs, '--ssh-common-args')),
      sshExtraArgs: text('SSH_EXTRA_ARGS', given(o.sshExtraArgs, '--ssh-extra-args')),
      hostKeyChecking: config.get('HOST_KEY_CHECKING').value as boolean,
    },
    hostKeyChecking: config.get('HOUND_HOST_KEY_CHECKING', given(o.hostKeyChecking, '--host-key-checking')).value as HostKeyPolicy | undefined,
    forks: positive(config.get('DEFAULT_FORKS', given(wholeNumber(o.forks, '--forks'), '--forks'))),
  };
}

/**
 * -c over ANSIBLE_TRANSPORT over ansible.cfg's transport: the connection of hosts and tasks
 * that name none (their ansible_connection and connection: win). Undefined when nothing says,
 * or it says Ansible's default `smart`: localhost is then local and every other host ssh.
 */
export function defaultConnectionType(o: ConfigurableOptions, config = commandConfig()): string | undefined {
  const setting = config.get('DEFAULT_TRANSPORT', given(o.connection, '-c'));
  if (setting.origin === 'default' || setting.value === undefined || setting.value === '') return undefined;
  const name = String(setting.value);
  if (connectionKindOf(name) === undefined) {
    throw new OptionsError('BAD_OPTION_VALUE', `connection type ${name} (from ${setting.origin}): hound has no such connection`, {
      hint: UNSUPPORTED_CONNECTION_HINT,
    });
  }
  return name;
}

/**
 * The become defaults plays start from: -b and --become-* over ANSIBLE_BECOME* over
 * ansible.cfg's [privilege_escalation] (become, become_method, become_user, become_ask_pass,
 * become_flags, become_exe), as ansible-playbook reads them.
 */
export function privilegeEscalationSettings(o: BecomeCommandOptions, config = commandConfig()): PrivilegeEscalationDefaults {
  const text = (name: string, cli?: { value: SettingValue; option: string }) => textSetting(config, name, cli);
  const method = config.get('DEFAULT_BECOME_METHOD', given(o.becomeMethod, '--become-method'));
  if (!BECOME_METHODS.includes(String(method.value))) {
    throw new OptionsError(
      'BAD_OPTION_VALUE',
      `become method ${String(method.value)} (from ${method.origin}): hound escalates with ${BECOME_METHODS.join(', ')}`,
      {
        hint: 'use become_method sudo (see docs/ansible-compatibility.md)',
      },
    );
  }
  const flags = text('DEFAULT_BECOME_FLAGS');
  const exe = text('DEFAULT_BECOME_EXE');
  return {
    ...DEFAULT_PRIVILEGE_ESCALATION,
    become: config.get('DEFAULT_BECOME', o.become ? { value: true, option: '-b' } : undefined).value === true,
    becomeMethod: String(method.value),
    becomeUser: text('DEFAULT_BECOME_USER', given(o.becomeUser, '--become-user')) ?? DEFAULT_PRIVILEGE_ESCALATION.becomeUser,
    becomeAskPass: config.get('DEFAULT_BECOME_ASK_PASS', o.askBecomePass ? { value: true, option: '-K' } : undefined).value === true,
    ...(flags !== undefined ? { becomeFlags: flags } : {}),
    ...(exe !== undefined ? { becomeExe: exe } : {}),
  };
}

/** -i, else the configured inventory; [] when nothing says (the inventory loader's own default applies). */
export function inventorySources(o: ConfigurableOptions, config = commandConfig()): string[] {
  if (o.inventory && o.inventory.length > 0) return o.inventory;
  const setting = config.get('DEFAULT_HOST_LIST');
  return setting.origin === 'default' ? [] : (setting.value as string[]);
}

/** --roles-path values (colon separated, in front), then the configured roles path. */
export function rolesPath(o: ConfigurableOptions, config = commandConfig()): string[] {
  const fromCli = (o.rolesPath ?? []).flatMap((p) => p.split(':')).filter((p) => p !== '');
  return [...fromCli.map((p) => path.resolve(p)), ...(config.get('DEFAULT_ROLES_PATH').value as string[])];
}

/** The vault passwords from --vault-id, --vault-password-file, --ask-vault-pass and the configuration. */
export async function vaultKeyring(o: ConfigurableOptions, config = commandConfig()): Promise<VaultKeyring> {
  const [{ loadVaultKeyring }, { promptPassword }] = await Promise.all([import('../vault/password-sources.js'), import('./prompt.js')]);
  return loadVaultKeyring({
    vaultIds: o.vaultId ?? [],
    passwordFiles: o.vaultPasswordFile ?? [],
    askVaultPass: config.get('DEFAULT_ASK_VAULT_PASS', given(o.askVaultPass, '--ask-vault-pass')).value === true,
    identityList: config.get('DEFAULT_VAULT_IDENTITY_LIST').value as string[],
    defaultPasswordFile: config.get('DEFAULT_VAULT_PASSWORD_FILE').value as string | undefined,
    idMatch: vaultIdMatch(config),
    prompt: (question) => promptPassword(question),
    warn: warnLine,
  });
}

/** DEFAULT_VAULT_ID_MATCH as Ansible tests it: its default False, or any non-empty text. */
export function vaultIdMatch(config = commandConfig()): boolean {
  const value = config.get('DEFAULT_VAULT_ID_MATCH').value;
  return value === true || (typeof value === 'string' && value !== '');
}

/** A [hound] setting, the command line first. */
export function houndSetting(name: string, cli: unknown, option: string, config = commandConfig()): SettingValue {
  return config.get(name, given(cli as SettingValue, option)).value;
}

/** A [hound] number of seconds (the stall timeout), the command line first. */
export function houndSeconds(name: string, cli: number | undefined, option: string, config = commandConfig()): number | undefined {
  return seconds(config.get(name, given(cli, option)));
}

export function houndNumber(name: string, cli: number | undefined, option: string, config = commandConfig()): number | undefined {
  return positive(config.get(name, given(cli, option)));
}

/** The vault options as ConfigurableOptions name them, whichever spelling was used. */
export function vaultOptionsOf(o: {
  vaultId?: string[];
  vaultPasswordFile?: string[];
  vaultPassFile?: string[];
  askVaultPass?: boolean;
  askVaultPassword?: boolean;
}) {
  return {
    vaultId: o.vaultId ?? [],
    vaultPasswordFile: [...(o.vaultPasswordFile ?? []), ...(o.vaultPassFile ?? [])],
    askVaultPass: o.askVaultPass === true || o.askVaultPassword === true ? true : undefined,
  };
}

/** A [hound] setting only when something other than its default says it (so the callee's own default applies). */
export function houndConfigured(name: string, cli: unknown, option: string, config = commandConfig()): SettingValue {
  const setting = config.get(name, given(cli as SettingValue, option));
  return setting.origin === 'default' ? undefined : setting.value;
}

/**
 * What loading and compiling a run takes from the command line and the configuration
 * (inventory sources, roles path, vault passwords, fact settings, -c), alike for play, plan and apply.
 */
export async function runLoadSettings(o: ConfigurableOptions & Parameters<typeof vaultOptionsOf>[0], config = commandConfig()) {
  const keyring = await vaultKeyring({ ...o, ...vaultOptionsOf(o) }, config);
  return {
    inventory: inventorySources(o, config),
    rolesPath: rolesPath(o, config),
    vault: { keyring },
    facts: factSettings(config),
    defaultConnection: defaultConnectionType(o, config),
    warn: warnLine,
  };
}

/** [defaults] gathering, gather_subset, gather_timeout and inject_facts_as_vars, for the compiler. */
export function factSettings(config = commandConfig()): FactSettings {
  return {
    gathering: config.get('DEFAULT_GATHERING').value as FactSettings['gathering'],
    gatherSubset: config.get('DEFAULT_GATHER_SUBSET').value as string[] | undefined,
    gatherTimeout: config.get('DEFAULT_GATHER_TIMEOUT').value as number,
    injectFactsAsVars: config.get('INJECT_FACTS_AS_VARS').value === true,
  };
}
