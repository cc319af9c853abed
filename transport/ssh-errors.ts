// What went wrong while reaching a host, as UnreachableErrors with stable codes and a hint.
// Messages name the address, the user and the key files tried; never key material or passwords.
import { UnreachableError } from '../base/errors.js';
import { openFileLimit, RAISE_OPEN_FILES_HINT } from '../base/open-files.js';
import type { ConnectionTarget } from './connection-target.js';
import { keyFingerprint, keyTypeOf, knownHostsName, type KnownHostEntry } from './known-hosts.js';

export type HostKeyRefusal =
  | { kind: 'changed'; key: Buffer; entry: KnownHostEntry }
  | { kind: 'revoked'; key: Buffer; entry: KnownHostEntry }
  | { kind: 'unknown'; key: Buffer; otherTypes: string[] };

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

/** OpenSSH's name for a key type in its warnings: ED25519, ECDSA, RSA. */
function keyLabel(key: Buffer): string {
  const type = keyTypeOf(key);
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  return type.toUpperCase();
}

export function hostKeyChangedError(host: string, target: ConnectionTarget, key: Buffer, old: KnownHostEntry): UnreachableError {
  const name = knownHostsName(target.address, target.port);
  const banner = '@'.repeat(59);
  const message = [
    `host key for ${name} has changed; refusing to connect`,
    banner,
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    banner,
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    `The fingerprint for the ${keyLabel(key)} key sent by the remote host is`,
    `${keyFingerprint(key)}.`,
    `Add correct host key in ${old.file} to get rid of this message.`,
    `Offending ${keyLabel(old.key)} key in ${old.file}:${old.line}`,
    `Host key for ${name} has changed and you have requested strict checking.`,
    'Host key verification failed.',
  ].join('\n');
  return new UnreachableError(host, 'SSH_HOST_KEY_CHANGED', message, {
    hint: `if the host was really reinstalled, remove the old key with: ssh-keygen -R '${name}' -f ${old.file}, then connect again`,
  });
}

export function hostKeyRevokedError(host: string, target: ConnectionTarget, key: Buffer, entry: KnownHostEntry): UnreachableError {
  const name = knownHostsName(target.address, target.port);
  return new UnreachableError(
    host,
    'SSH_HOST_KEY_REVOKED',
    `host key ${keyLabel(key)} ${keyFingerprint(key)} for ${name} is marked as revoked in ${entry.file}:${entry.line}; refusing to connect`,
    {
      hint: 'the host presents a key you have revoked: ask its administrator for its new key',
    },
  );
}

export function hostKeyUnknownError(host: string, target: ConnectionTarget, key: Buffer, otherTypes: string[]): UnreachableError {
  const name = knownHostsName(target.address, target.port);
  const others = otherTypes.length > 0 ? ` (keys of other types are known for it: ${otherTypes.join(', ')})` : '';
  return new UnreachableError(
    host,
    'SSH_HOST_KEY_UNKNOWN',
    `the authenticity of host ${name} can't be established: ${keyLabel(key)} key fingerprint is ${keyFingerprint(key)}, and it is not in ${target.knownHostsFiles.join(', ') || 'any known_hosts file'}${others}`,
    {
      hint: `check the fingerprint, then add the key (ssh-keyscan -p ${target.port} ${target.address} >> ${target.knownHostsFiles[0] ?? '~/.ssh/known_hosts'}), or set -o StrictHostKeyChecking=accept-new in ansible_ssh_common_args`,
    },
  );
}

export function toUnreachableError(args: {
  host: string;
  dialled: ConnectionTarget;
  error: Error & { level?: string; code?: string };
  via?: string;
  triedAuth?: string[];
  skippedAuth?: string[];
  /** The TCP connection (or the jump host's channel) was open when the error came. */
  connected?: boolean;
}): UnreachableError {
  const { host, dialled, error } = args;
  const where = `${dialled.address}:${dialled.port}`;
  const via = args.via ? ` through jump host ${args.via}` : '';
  if (error.level === 'client-authentication') {
    const tried = args.triedAuth && args.triedAuth.length > 0 ? args.triedAuth.join(', ') : 'nothing: no ssh-agent, no key file found, no password';
    const skipped = args.skippedAuth && args.skippedAuth.length > 0 ? `; skipped ${args.skippedAuth.join(', ')}` : '';
    return new UnreachableError(host, 'SSH_AUTH_FAILED', `permission denied for ${dialled.user}@${where}${via} (tried ${tried}${skipped})`, {
      hint: 'set ansible_user and ansible_ssh_private_key_file (or load the key into ssh-agent), and check the public key is in ~/.ssh/authorized_keys on the host',
    });
  }
  if (error.level === 'client-timeout' && args.connected) {
    // Up, and took the connection: sshd (or the host) is too busy to finish the handshake in
    // time, as under a storm of connects on a loaded host. The pool tries it again.
    return new UnreachableError(
      host,
      'SSH_HANDSHAKE_TIMEOUT',
      `${where}${via} took the connection but did not finish the SSH handshake within ${dialled.connectTimeoutMs / 1000} s`,
      { hint: 'the host is up but slow to answer SSH: overloaded, or too many connections at once; raise ansible_timeout (-T) or lower -f', cause: error },
    );
  }
  if (error.level === 'client-timeout') {
    return new UnreachableError(host, 'SSH_UNREACHABLE', `${where}${via} did not answer within ${dialled.connectTimeoutMs / 1000} s`, {
      hint: 'check that the host is up, the address and port are right, and no firewall drops SSH; raise ansible_timeout if it is just slow',
      cause: error,
    });
  }
  if (error.code === 'EMFILE' || error.code === 'ENFILE') {
    // Not the host's fault: the controller has no descriptor left for the socket. hound keeps
    // every host's connection open for the run, so this comes with thousands of hosts.
    const limit = openFileLimit();
    const which =
      error.code === 'EMFILE'
        ? `hound holds as many files open as it may${limit !== undefined && Number.isFinite(limit) ? ` (ulimit -n: ${limit})` : ''}`
        : "the system's table of open files is full";
    return new UnreachableError(
      host,
      'SSH_TOO_MANY_OPEN_FILES',
      `cannot open a connection to ${where}${via}: ${which} (${error.code}), and it keeps one SSH connection open to each host for the run`,
      {
        hint: error.code === 'EMFILE' ? RAISE_OPEN_FILES_HINT : 'raise the system-wide limit (sysctl fs.file-max), or run fewer hosts at once (--limit)',
        cause: error,
      },
    );
  }
  const systemCode = error.code && UNREACHABLE_CODES.has(error.code) ? error.code : undefined;
  const channelRefused = /open failure|connection refused|connect failed|no route/i.test(error.message);
  const reason = systemCode ?? (channelRefused ? error.message.replace(/^\(SSH\)\s*/, '') : error.message);
  const hint =
    systemCode === 'ECONNREFUSED'
      ? 'nothing listens on that port: is sshd running there, and is ansible_port right?'
      : systemCode === 'ENOTFOUND' || systemCode === 'EAI_AGAIN'
        ? 'the name does not resolve: set ansible_host to its address'
        : 'check that the host is up and reachable from here (or from the jump host)';
  return new UnreachableError(host, 'SSH_UNREACHABLE', `cannot reach ${where}${via}: ${reason}`, { hint, cause: error });
}
