// How a task reaches its host, with Ansible's precedence: the host's variables
// (ansible_connection, ansible_become_*) win over the task's keywords (connection, become,
// become_user, ...), which win over the command line (-c, -b, ...) and ansible.cfg's defaults. With
// delegate_to, the delegate's variables say how to reach it.
import { TaskFailedError } from '../base/errors.js';
import { BECOME_METHODS, becomeSettings, type PrivilegeEscalationDefaults } from '../transport/become.js';
import { connectionKindOf, UNSUPPORTED_CONNECTION_HINT, type HostReach } from '../transport/reach.js';
import type { TaskKeywords } from './compiled.js';
import { namesLocalhost } from './play-hosts.js';
import { keywordBoolean } from './task-keywords.js';

export interface ReachDefaults {
  privilegeEscalation: PrivilegeEscalationDefaults;
  /** -c / ansible.cfg's transport: the connection of hosts and tasks that name none; unset, localhost is local and the rest ssh. */
  connection?: string;
  /** The become password from -K or --become-password-file. Never printed. */
  becomePassword?: string;
}

/** The variables of each become setting, first found wins (the sudo plugin's own names included). */
const BECOME_VARIABLES = {
  become: ['ansible_become'],
  user: ['ansible_become_user', 'ansible_sudo_user'],
  method: ['ansible_become_method'],
  flags: ['ansible_become_flags', 'ansible_sudo_flags'],
  exe: ['ansible_become_exe', 'ansible_sudo_exe'],
  password: ['ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass'],
} as const;

/**
 * `read(name)` gives a variable of the host that is reached (the delegate's, with
 * delegate_to), rendered; undefined when it is not set.
 */
export function resolveReach(host: string, keywords: TaskKeywords, read: (name: string) => unknown, defaults: ReachDefaults): HostReach {
  const target = keywords.delegateTo ?? host;
  const first = (names: readonly string[]): unknown => {
    for (const name of names) {
      const value = read(name);
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  };
  const text = (names: readonly string[]): string | undefined => {
    const value = first(names);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const connectionName = text(['ansible_connection']) ?? keywords.connection ?? defaults.connection ?? (namesLocalhost(target) ? 'local' : 'ssh');
  const connection = connectionKindOf(connectionName);
  if (connection === undefined) {
    throw new TaskFailedError(host, 'CONNECTION_UNSUPPORTED', `the connection plugin '${connectionName}' is not supported (for ${target})`, {
      hint: UNSUPPORTED_CONNECTION_HINT,
    });
  }
  const escalation = defaults.privilegeEscalation;
  const becomeVar = first(BECOME_VARIABLES.become);
  const become = becomeVar !== undefined ? keywordBoolean(becomeVar, 'ansible_become') : (keywords.become ?? escalation.become);
  const reach: HostReach = { host: target, connection, becomeAllowSameUser: escalation.becomeAllowSameUser };
  if (keywords.remoteUser !== undefined) reach.remoteUser = keywords.remoteUser;
  if (keywords.environment !== undefined) reach.environment = keywords.environment;
  if (!become) return reach;
  const method = text(BECOME_VARIABLES.method) ?? keywords.becomeMethod ?? escalation.becomeMethod;
  if (!BECOME_METHODS.includes(method)) {
    throw new TaskFailedError(
      host,
      'BECOME_METHOD_UNSUPPORTED',
      `become_method '${method}' is not supported: hound escalates with ${BECOME_METHODS.join(', ')}`,
      {
        hint: 'use become_method: sudo (see docs/ansible-compatibility.md)',
      },
    );
  }
  const password = first(BECOME_VARIABLES.password);
  reach.become = becomeSettings({
    user: text(BECOME_VARIABLES.user) ?? keywords.becomeUser ?? escalation.becomeUser,
    flags: text(BECOME_VARIABLES.flags) ?? keywords.becomeFlags ?? escalation.becomeFlags,
    exe: text(BECOME_VARIABLES.exe) ?? keywords.becomeExe ?? escalation.becomeExe,
    password: password !== undefined ? String(password) : defaults.becomePassword,
  });
  return reach;
}

/** The names resolveReach reads, so that callers can mask the password ones. */
export const BECOME_PASSWORD_VARIABLES: readonly string[] = BECOME_VARIABLES.password;
