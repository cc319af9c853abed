// ansible-playbook's privilege escalation options: -b/--become, --become-method,
// --become-user, -K/--ask-become-pass, --become-password-file. They sit above ansible.cfg's
// [privilege_escalation] and below the plays' keywords and the hosts' variables.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { OptionsError } from '../base/errors.js';
import { BECOME_METHODS, type PrivilegeEscalationDefaults } from '../transport/become.js';
import { ask, canPrompt, readLine } from './prompt.js';

export interface BecomeCommandOptions {
  become?: boolean;
  becomeMethod?: string;
  becomeUser?: string;
  askBecomePass?: boolean;
  becomePasswordFile?: string;
}

export function addBecomeOptions(command: Command): Command {
  return command
    .option('-b, --become', 'run tasks with become (sudo), as if the plays said become: true')
    .option('--become-method <method>', `privilege escalation method (${BECOME_METHODS.join(', ')})`)
    .option('--become-user <user>', 'become this user (default root)')
    .option('-K, --ask-become-pass', 'ask for the become (sudo) password')
    .option('--become-password-file <file>', 'read the become password from this file (run it if it is executable)');
}

/**
 * The become defaults tasks start from (privilegeEscalation: the command line over the
 * configuration, cli/settings.ts) and the become password if one is given; asks for it when
 * -K or become_ask_pass says so.
 */
export async function becomeSettingsOf(
  o: BecomeCommandOptions,
  privilegeEscalation: PrivilegeEscalationDefaults,
): Promise<{ privilegeEscalation: PrivilegeEscalationDefaults; becomePassword?: string }> {
  if (o.askBecomePass && o.becomePasswordFile !== undefined) {
    throw new OptionsError('BAD_OPTION_VALUE', '--ask-become-pass and --become-password-file are mutually exclusive', { hint: 'give one of them' });
  }
  let becomePassword: string | undefined;
  if (o.becomePasswordFile !== undefined) becomePassword = passwordFromFile(o.becomePasswordFile);
  else if (privilegeEscalation.becomeAskPass) becomePassword = canPrompt() ? await ask('BECOME password: ', { hidden: true }) : ((await readLine()) ?? '');
  return { privilegeEscalation, becomePassword };
}

/** As Ansible reads a password file: its first line, or an executable's output. */
function passwordFromFile(file: string): string {
  try {
    let executable = true;
    try {
      accessSync(file, constants.X_OK);
    } catch {
      executable = false;
    }
    const text = executable ? execFileSync(file, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) : readFileSync(file, 'utf8');
    return text.split(/\r?\n/)[0];
  } catch (err) {
    throw new OptionsError(
      'BECOME_PASSWORD_FILE',
      `--become-password-file ${file} could not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      {
        hint: 'give a file holding the password on its first line (or an executable that prints it)',
      },
    );
  }
}
