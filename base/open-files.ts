// How many files this process may hold open. hound keeps one SSH connection (one socket)
// per host for the whole run, so past a few thousand hosts the limit is what stops it. Node
// raises its soft limit to the hard one at start, so the figure read here is what the run has.
import { readFileSync } from 'node:fs';

/** RLIMIT_NOFILE as /proc/self/limits gives it: undefined where there is no such file, Infinity for "unlimited". */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined) return undefined;
  if (soft === 'unlimited') return Infinity;
  const n = Number(soft);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Descriptors a run keeps for everything besides its hosts' SSH connections: the standard
 * streams, Node's own (epoll, event fds, the thread pool's), the modules it loads as it
 * goes, the registry connections (32 at once per registry by default) and the relay's spill
 * files. On the lab (bench/results/ssh-fds-100/) hound held 64–66 at 25 nodes, 80–91 at 50
 * and 130–142 at 100: 30–42 besides the hosts. The connection pool opens no more than the
 * limit less this (sshConnectionCapacity): a module that cannot be loaded for want of a
 * descriptor would end the run, where a host refused a connection is one unreachable host.
 */
export const DESCRIPTORS_BESIDES_HOSTS = 100;

/** What to do when the hosts' connections do not fit under the limit (the pool's refusal and an EMFILE say it alike). */
export const RAISE_OPEN_FILES_HINT = `raise the hard limit of open files (ulimit -Hn, LimitNOFILE= in a systemd unit) to the number of hosts plus ${DESCRIPTORS_BESIDES_HOSTS}, or run fewer hosts at once (--limit)`;

/** How many SSH connections a process may hold under `limit` open files; Infinity when it is unknown or unlimited. */
export function sshConnectionCapacity(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return Infinity;
  return Math.max(0, limit - DESCRIPTORS_BESIDES_HOSTS);
}

/** The warning for a run of `hosts` hosts under `limit` open files, or undefined when they fit. */
export function openFilesWarning(hosts: number, limit: number | undefined): string | undefined {
  const capacity = sshConnectionCapacity(limit);
  if (hosts <= capacity) return undefined;
  return (
    `this run reaches ${hosts} host${hosts === 1 ? '' : 's'} and keeps one SSH connection open to each, but hound may hold only ${limit} open files ` +
    `(the hard limit of ulimit -n), ${DESCRIPTORS_BESIDES_HOSTS} of them for the rest of the run: ` +
    `${capacity === 0 ? 'no host can be connected' : `hosts past the first ${capacity} will not be connected`}. ` +
    `Raise the hard limit (ulimit -Hn, LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf) to at least ${hosts + DESCRIPTORS_BESIDES_HOSTS}, ` +
    `or run fewer hosts at once (--limit)`
  );
}

/**
 * Why this process cannot start at all under `limit` open files, or undefined. Node loads
 * hound's modules many at a time: under 70 it ran out while loading them and ended with a
 * misleading "Cannot find package"; the rest of a run keeps DESCRIPTORS_BESIDES_HOSTS.
 */
export function tooFewOpenFiles(limit: number | undefined): string | undefined {
  if (limit === undefined || limit >= DESCRIPTORS_BESIDES_HOSTS) return undefined;
  return `hound may hold only ${limit} open files (ulimit -n), and needs ${DESCRIPTORS_BESIDES_HOSTS} for itself besides one per host it connects to`;
}
