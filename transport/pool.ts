// One SSH connection per host for the whole run: opened on first use, many hosts at once
// (bounded, since each handshake costs CPU on both ends), closed together at the end.
// A host that failed to connect stays failed for the run, so later tasks skip it fast. A
// handshake the server drops before it starts, or does not finish in time once it took the
// connection, is tried again (twice, with backoff): that is how sshd sheds connections
// beyond MaxStartups, and how an overloaded host answers a storm of connects; it says
// nothing about whether the host is up.
import { UnreachableError } from '../base/errors.js';
import { DESCRIPTORS_BESIDES_HOSTS, openFileLimit, RAISE_OPEN_FILES_HINT, sshConnectionCapacity } from '../base/open-files.js';
import { withRetries } from '../base/retry.js';
import type { ConnectionTarget } from './connection-target.js';
import { connectHost, type SshHostConnection, type TransportLogger } from './ssh-connection.js';

export interface ConnectionPoolOptions {
  /** Resolves an inventory host (and a `remote_user` keyword, if any) to where and how to connect. */
  target: (host: string, remoteUser?: string) => ConnectionTarget;
  /** Handshakes in flight at once (default 32). */
  maxConcurrentConnects?: number;
  logger?: TransportLogger;
  /** Overridable for tests and for the relay's own connections. */
  connect?: typeof connectHost;
  /** Waits before the second and third handshake attempt start from this (default 500 ms). */
  retryBaseMs?: number;
  /** Milliseconds on a monotonic clock; overridable for tests (default performance.now). */
  now?: () => number;
  /** Connections held at most (default: the process's open-file limit less what the rest of the run needs, sshConnectionCapacity). */
  maxConnections?: number;
  /** The open-file limit the default maxConnections comes from, for the refusal's words (default: this process's). */
  openFileLimit?: number;
}

/**
 * How the run's connections were set up, for its `-v` summary and the benchmark (issue #20
 * asks for the SSH set-up time at 100 nodes): each key's first connection only, a reconnect
 * mid-run is counted apart.
 */
export interface ConnectionStats {
  /** Connections opened (one per host, and one per other `remote_user`). */
  opened: number;
  /** Hosts whose connection failed. */
  failed: number;
  /** Dropped or stalled handshakes that were tried again. */
  retried: number;
  /** Connections opened again after they dropped mid-run. */
  reopened: number;
  /** From the first connection asked for to the last one opened or failed, in ms. */
  spanMs: number;
  /** Each opened connection's set-up, from its handshake's start (a free slot) to ready, retries included; ms, ascending. */
  setupMs: number[];
  /** The longest a connection waited for one of the handshake slots, in ms. */
  longestWaitMs: number;
  /** Handshakes allowed at once. */
  slots: number;
}

/** Handshakes in all for one connection, when the server drops them before they start. */
export const HANDSHAKE_ATTEMPTS = 3;

/**
 * Whether a failed connect is a handshake the server dropped or stalled: the TCP connection
 * opened, then closed or reset before the SSH banner (sshd past MaxStartups, or too loaded
 * to answer), or the handshake did not finish within the timeout (SSH_HANDSHAKE_TIMEOUT: at
 * 100 nodes on 2 cores, the first nodes' pulls left a later node's sshd no CPU for 10 s).
 * Refused ports, a connect that timed out and authentication failures are not.
 */
export function isDroppedHandshake(error: unknown): boolean {
  if (error instanceof UnreachableError && error.code === 'SSH_HANDSHAKE_TIMEOUT') return true;
  const cause = error instanceof UnreachableError ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause === undefined || cause === null) return false;
  if (cause.code === 'ECONNRESET') return true;
  return typeof cause.message === 'string' && /lost before handshake|kex_exchange_identification|connection reset/i.test(cause.message);
}

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<SshHostConnection>>();
  private readonly opened = new Map<string, SshHostConnection>();
  private readonly failures = new Map<string, UnreachableError>();
  private readonly slots: ConnectSlots;
  private readonly slotCount: number;
  private closing = false;
  private readonly now: () => number;
  /** Keys connected (or tried) once: a later open of one of them is a reconnect. */
  private readonly tried = new Set<string>();
  private readonly figures = { opened: 0, failed: 0, retried: 0, reopened: 0, first: Infinity, last: -Infinity, longestWait: 0, setup: [] as number[] };

  /** Keys holding a connection, or connecting: each is a socket, and so a file descriptor. */
  private readonly holding = new Set<string>();
  private readonly fileLimit: number | undefined;
  private readonly maxConnections: number;

  constructor(private readonly options: ConnectionPoolOptions) {
    this.slotCount = Math.max(1, options.maxConcurrentConnects ?? 32);
    this.slots = new ConnectSlots(this.slotCount);
    this.now = options.now ?? (() => performance.now());
    this.fileLimit = options.openFileLimit ?? openFileLimit();
    this.maxConnections = options.maxConnections ?? sshConnectionCapacity(this.fileLimit);
  }

  /** How the connections were set up so far (ConnectionStats). */
  stats(): ConnectionStats {
    const f = this.figures;
    return {
      opened: f.opened,
      failed: f.failed,
      retried: f.retried,
      reopened: f.reopened,
      spanMs: f.opened + f.failed === 0 ? 0 : f.last - f.first,
      setupMs: [...f.setup].sort((a, b) => a - b),
      longestWaitMs: f.longestWait,
      slots: this.slotCount,
    };
  }

  /**
   * The host's connection, opened now if it is not yet; rejects with its UnreachableError.
   * A `remote_user` keyword other than the host's own user makes a connection of its own.
   */
  get(host: string, remoteUser?: string): Promise<SshHostConnection> {
    if (this.closing) return Promise.reject(new UnreachableError(host, 'SSH_POOL_CLOSED', `the connection pool is closed; cannot connect to ${host}`));
    const key = remoteUser === undefined ? host : `${host}\0${remoteUser}`;
    let pending = this.connections.get(key);
    // A connection that dropped mid-run (keepalive timeout, host rebooted) is opened afresh once asked for.
    if (pending && this.opened.get(key)?.isClosed) {
      this.options.logger?.(1, `ssh ${host}: connection dropped; reconnecting`);
      this.opened.delete(key);
      pending = undefined;
    }
    if (!pending) {
      pending = this.open(host, key, remoteUser);
      this.connections.set(key, pending);
    }
    return pending;
  }

  /** Connects to every host in parallel; each entry is a connection or why it failed. */
  async connectAll(hosts: string[]): Promise<Map<string, SshHostConnection | UnreachableError>> {
    const results = await Promise.all(hosts.map((host) => this.get(host).catch((error: unknown) => asUnreachable(host, error))));
    return new Map(hosts.map((host, i) => [host, results[i]]));
  }

  /** Why the host could not be reached, if it could not. */
  unreachable(host: string): UnreachableError | undefined {
    return this.failures.get(host);
  }

  get unreachableHosts(): string[] {
    return [...this.failures.keys()];
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    const open = await Promise.allSettled(this.connections.values());
    await Promise.all(open.flatMap((r) => (r.status === 'fulfilled' ? [r.value.close().catch(() => undefined)] : [])));
    this.connections.clear();
    this.opened.clear();
    this.holding.clear();
  }

  private async open(host: string, key: string, remoteUser: string | undefined): Promise<SshHostConnection> {
    const connect = this.options.connect ?? connectHost;
    const first = !this.tried.has(key);
    this.tried.add(key);
    const f = this.figures;
    const asked = this.now();
    if (first) f.first = Math.min(f.first, asked);
    if (!this.holding.has(key) && this.holding.size >= this.maxConnections) {
      const refused = this.tooManyConnections(host);
      this.failures.set(host, refused);
      if (first) {
        f.failed++;
        f.last = Math.max(f.last, this.now());
      }
      throw refused;
    }
    this.holding.add(key);
    const release = await this.slots.acquire();
    const started = this.now();
    try {
      const target = this.options.target(host, remoteUser);
      const connection = await withRetries(() => connect(target, { logger: this.options.logger }), {
        attempts: HANDSHAKE_ATTEMPTS,
        baseMs: this.options.retryBaseMs ?? 500,
        retryable: isDroppedHandshake,
        onRetry: (attempt, delayMs, error) => {
          f.retried++;
          this.options.logger?.(
            1,
            `ssh ${host}: ${error instanceof Error ? error.message : String(error)}; trying again in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${HANDSHAKE_ATTEMPTS})`,
          );
        },
      });
      this.opened.set(key, connection);
      if (first) {
        f.opened++;
        f.setup.push(this.now() - started);
      } else f.reopened++;
      return connection;
    } catch (error) {
      this.holding.delete(key);
      const unreachable = asUnreachable(host, error);
      this.failures.set(host, unreachable);
      if (first) f.failed++;
      throw unreachable;
    } finally {
      if (first) {
        f.last = Math.max(f.last, this.now());
        f.longestWait = Math.max(f.longestWait, started - asked);
      }
      release();
    }
  }

  /**
   * Refused before a socket is made: past this many connections the process would have no
   * descriptor left for the rest of the run (a module to load, a registry connection), and
   * would end there rather than lose one host.
   */
  private tooManyConnections(host: string): UnreachableError {
    const limit =
      this.fileLimit !== undefined && Number.isFinite(this.fileLimit)
        ? ` (ulimit -n: ${this.fileLimit}, ${DESCRIPTORS_BESIDES_HOSTS} of them kept for the rest of the run)`
        : '';
    return new UnreachableError(
      host,
      'SSH_TOO_MANY_OPEN_FILES',
      `not connecting to ${host}: hound holds ${this.holding.size} SSH connections, as many as its open-file limit leaves room for${limit}, and keeps each open for the run`,
      {
        hint: RAISE_OPEN_FILES_HINT,
      },
    );
  }
}

/**
 * The `-v` line for a run's connections, or undefined when it made none. The benchmark reads
 * it (bench/contenders/hound.ts): keep its words in step with parseSshSetupLine (bench/controller-cost.ts).
 * The span is not a set-up time: hosts past the forks (at most 50 by default) are asked for
 * only as earlier hosts finish.
 */
export function describeConnectionStats(stats: ConnectionStats): string | undefined {
  if (stats.opened + stats.failed === 0) return undefined;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const median = stats.setupMs.length === 0 ? 0 : stats.setupMs[Math.floor((stats.setupMs.length - 1) / 2)];
  const each =
    stats.opened === 0
      ? ''
      : ` (each set up in ${seconds(median)} median, ${seconds(stats.setupMs[stats.setupMs.length - 1])} at most from its handshake's start; up to ${seconds(stats.longestWaitMs)} waiting for one of ${stats.slots} handshake slots)`;
  const parts = [
    `ssh: ${stats.opened} connection${stats.opened === 1 ? '' : 's'} opened over ${seconds(stats.spanMs)} from the first asked for to the last${each}`,
    `${stats.retried} handshake${stats.retried === 1 ? '' : 's'} tried again`,
    `${stats.failed} host${stats.failed === 1 ? '' : 's'} unreachable`,
    ...(stats.reopened > 0 ? [`${stats.reopened} reconnected mid-run`] : []),
  ];
  return parts.join('; ');
}

function asUnreachable(host: string, error: unknown): UnreachableError {
  if (error instanceof UnreachableError) return error;
  // Bad connection settings (HoundError from target resolution) are still this host's failure.
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'SSH_UNREACHABLE';
  return new UnreachableError(host, code, message, { cause: error, hint: (error as { hint?: string })?.hint });
}

/** A counting semaphore for handshakes. */
class ConnectSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
