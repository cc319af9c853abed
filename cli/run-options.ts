// The command-line options every command that reaches hosts shares (play, plan, apply),
// declared once, each with one parser: inventory and variables, the SSH connection, registry
// trust, become and vault, as ansible-playbook names them. A command adds only its own.
import { Option, type Command } from 'commander';
import { OptionsError } from '../base/errors.js';
import { MAX_TIMER_SECONDS, timerProblem } from '../base/sleep.js';
import type { HostKeyPolicy } from '../transport/connection-target.js';
import { addBecomeOptions, type BecomeCommandOptions } from './become-options.js';

/** What addHostOptions declares, as commander hands it over. */
export interface HostCommandOptions extends BecomeCommandOptions {
  inventory: string[];
  extraVars: string[];
  forks?: number;
  user?: string;
  privateKey?: string;
  timeout?: number;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  hostKeyChecking?: HostKeyPolicy;
  rolesPath: string[];
  caFile: string[];
  vaultId?: string[];
  vaultPasswordFile?: string[];
  vaultPassFile?: string[];
  askVaultPass?: boolean;
  askVaultPassword?: boolean;
}

/** Tag selection, for the commands that compile playbooks (play, plan). */
export interface TagCommandOptions {
  tags: string[];
  skipTags: string[];
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number of 1 or more, refused at once as a bad option value otherwise. */
export function positiveInteger(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < 1) {
      throw new OptionsError('BAD_OPTION_VALUE', `${option} ${JSON.stringify(value)}: expected a whole number of 1 or more`, { hint: `e.g. ${option} 10` });
    }
    return n;
  };
}

/** A number of seconds hound will wait for: a whole number of 1 or more, within the timer range. */
export function timeoutSeconds(option: string) {
  const whole = positiveInteger(option);
  return (value: string): number => {
    const n = whole(value);
    const problem = timerProblem(n);
    if (problem) throw new OptionsError('BAD_OPTION_VALUE', `${option} ${value}: ${problem}`, { hint: `at most ${MAX_TIMER_SECONDS}` });
    return n;
  };
}

export function addHostOptions(command: Command): Command {
  addBecomeOptions(command)
    .option('-i, --inventory <source>', 'inventory file, directory or comma-separated host list (repeatable)', collect, [])
    .option('-e, --extra-vars <vars>', 'extra variables: key=value, a JSON/YAML mapping, or @file (repeatable, later wins)', collect, [])
    .option('-f, --forks <n>', 'hosts worked on at once', positiveInteger('--forks'))
    .option('-c, --connection <type>', 'connection type for hosts and tasks that set none: ssh or local (ansible_connection and connection: win)')
    .option('-u, --user <name>', 'connect as this user')
    .option('--private-key <file>', 'SSH private key file')
    .option('-T, --timeout <seconds>', 'SSH connection timeout', timeoutSeconds('--timeout'))
    .option('--ssh-common-args <args>', 'extra ssh options, as ansible_ssh_common_args')
    .option('--ssh-extra-args <args>', 'extra ssh options, as ansible_ssh_extra_args')
    .addOption(new Option('--host-key-checking <mode>', "SSH host key checking (OpenSSH's StrictHostKeyChecking)").choices(['yes', 'accept-new', 'no']))
    .option('--roles-path <dirs>', 'directories to look for roles in, colon separated (repeatable; also HOUND_ROLES_PATH)', collect, [])
    .option(
      '--ca-file <file>',
      'a CA certificate file (PEM) the controller trusts for every registry, besides the system CAs and /etc/docker/certs.d (repeatable; also the hound_registry_ca variable)',
      collect,
      [],
    );
  return addVaultOptions(command);
}

export function addTagOptions(command: Command): Command {
  return command
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collect, []);
}

/** --vault-id, --vault-password-file (and its old spelling --vault-pass-file), --ask-vault-pass. */
export function addVaultOptions(command: Command): Command {
  return command
    .option('--vault-id <id>', 'a vault password: ID@FILE, ID@SCRIPT, ID@prompt, or FILE (repeatable)', collect, [])
    .option('--vault-password-file <file>', 'a file holding the vault password, or an executable script printing it (repeatable)', collect, [])
    .addOption(new Option('--vault-pass-file <file>').hideHelp().argParser(collect))
    .option('-J, --ask-vault-pass', 'ask for the vault password')
    .addOption(new Option('--ask-vault-password').hideHelp());
}
