// How one task reaches a host: over SSH or on the controller itself (Ansible's connection
// plugins `ssh` and `local`), as which login user, escalated or not, with which environment.
import type { BecomeSettings } from './become.js';

export type ConnectionKind = 'ssh' | 'local';

export interface HostReach {
  /** The inventory host whose connection variables are used: the task's host, or its `delegate_to`. */
  host: string;
  connection: ConnectionKind;
  /** The `remote_user` keyword; the host's ansible_user still wins, as in Ansible. */
  remoteUser?: string;
  become?: BecomeSettings;
  /** Ansible's `environment`, exported for the commands the task runs there. */
  environment?: Readonly<Record<string, string>>;
  /** Whether a become user equal to the login user still goes through sudo (`become_allow_same_user`). */
  becomeAllowSameUser?: boolean;
}

/** Ansible's names for the two connection plugins hound has. */
const CONNECTION_NAMES: Readonly<Record<string, ConnectionKind>> = {
  ssh: 'ssh',
  smart: 'ssh',
  'ansible.builtin.ssh': 'ssh',
  'ansible.legacy.ssh': 'ssh',
  paramiko: 'ssh',
  paramiko_ssh: 'ssh',
  'ansible.builtin.paramiko_ssh': 'ssh',
  local: 'local',
  'ansible.builtin.local': 'local',
  'ansible.legacy.local': 'local',
};

/** The connection kind an Ansible connection name means, or undefined for plugins hound does not have. */
export function connectionKindOf(name: string): ConnectionKind | undefined {
  return Object.hasOwn(CONNECTION_NAMES, name) ? CONNECTION_NAMES[name] : undefined;
}

export const UNSUPPORTED_CONNECTION_HINT =
  'hound reaches hosts over SSH (connection: ssh) or works on the controller itself (connection: local); see docs/ansible-compatibility.md';
