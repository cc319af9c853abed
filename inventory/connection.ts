// The connection settings of a host, read from its merged variables. Ansible's names pass
// through unchanged; hound's own `hound_*` names win where both are set, and the legacy
// `ansible_ssh_host/port/user` are honoured last, as Ansible still does.
import { ParseError } from '../base/errors.js';
import type { Inventory, Vars } from './model.js';
import { hostVars } from './vars.js';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface ConnectionVars {
  /** Where to connect: hound_host / ansible_host, else the inventory name. */
  address: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  /** The Docker socket on the node. */
  dockerSocket: string;
}

function first(vars: Vars, names: string[]): unknown {
  for (const n of names) {
    const v = vars[n];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function text(vars: Vars, names: string[]): string | undefined {
  const v = first(vars, names);
  return v === undefined ? undefined : String(v);
}

/**
 * Typed connection settings from a host's variables. `address` falls back to
 * `inventory_hostname` (present when magic variables are merged in), then to `fallbackHost`.
 */
export function connectionVars(vars: Vars, fallbackHost?: string): ConnectionVars {
  const portValue = first(vars, ['hound_port', 'ansible_port', 'ansible_ssh_port']);
  let port: number | undefined;
  if (portValue !== undefined) {
    port = typeof portValue === 'number' ? portValue : Number(String(portValue).trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ParseError(
        'INVENTORY_BAD_PORT',
        `port ${JSON.stringify(portValue)} of host ${String(vars['inventory_hostname'] ?? fallbackHost ?? '?')} is not a TCP port`,
        {
          hint: 'set ansible_port (or hound_port) to a number from 1 to 65535',
        },
      );
    }
  }
  const address = text(vars, ['hound_host', 'ansible_host', 'ansible_ssh_host']) ?? text(vars, ['inventory_hostname']) ?? fallbackHost ?? '';
  const out: ConnectionVars = { address, dockerSocket: text(vars, ['hound_docker_socket']) ?? DEFAULT_DOCKER_SOCKET };
  if (port !== undefined) out.port = port;
  const user = text(vars, ['hound_user', 'ansible_user', 'ansible_ssh_user']);
  if (user !== undefined) out.user = user;
  const key = text(vars, ['hound_ssh_private_key_file', 'ansible_ssh_private_key_file', 'ansible_private_key_file']);
  if (key !== undefined) out.privateKeyFile = key;
  const common = text(vars, ['ansible_ssh_common_args']);
  if (common !== undefined) out.sshCommonArgs = common;
  const extra = text(vars, ['ansible_ssh_extra_args']);
  if (extra !== undefined) out.sshExtraArgs = extra;
  return out;
}

/** connectionVars of an inventory host, its variables merged by precedence. */
export function connectionOf(inv: Inventory, host: string): ConnectionVars {
  return connectionVars(hostVars(inv, host), host);
}
