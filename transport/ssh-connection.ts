// One persistent SSH connection to one host (ssh2), implementing HostConnection: commands,
// streams to the node's unix sockets, remote port forwards. Host keys are checked against
// known_hosts by hound itself, because ssh2 would accept any key it is shown.
import { createConnection, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type Client, type AnyAuthMethod, type AuthenticationType, type ConnectConfig, type ParsedKey, type ServerHostKeyAlgorithm } from 'ssh2';
import { TaskFailedError, UnreachableError } from '../base/errors.js';
import { InputFileError, readInputFile } from '../base/input-file.js';
import type { ExecOptions, ExecResult, HostConnection, RunningCommand } from './types.js';
import { runToCompletion } from './command-run.js';
import type { ConnectionTarget } from './connection-target.js';
import { appendKnownHost, checkHostKey, keyFingerprint, keyTypeOf, knownHostsName, knownKeyTypes, loadKnownHosts } from './known-hosts.js';
import { hostKeyChangedError, hostKeyRevokedError, hostKeyUnknownError, toUnreachableError, type HostKeyRefusal } from './ssh-errors.js';
import { abortErrorOf } from '../base/abort.js';

/** -v levels: 1 connections, 2 commands, 3 protocol exchanges, 4 ssh2's own debug lines. */
export type TransportLogger = (level: number, message: string) => void;

export interface ConnectOptions {
  logger?: TransportLogger;
  /** Milliseconds between SSH keepalives (0 = off; default 5 s, 4 unanswered drop the connection). */
  keepaliveIntervalMs?: number;
  signal?: AbortSignal;
}

// ssh2 is CommonJS: under Node's ESM loader only its default export is reliable.
const { Client: SshClient, utils: sshUtils } = ssh2;

// A node whose link goes down mid-pull is declared unreachable after about 20 s (4 x 5 s):
// a silent pull would otherwise hold its fork for a minute or more.
const DEFAULT_KEEPALIVE_MS = 5_000;
const KEEPALIVE_COUNT_MAX = 4;
/** Bytes from the server restart the keepalive count at most this often (a reset is two timer calls). */
const KEEPALIVE_RESET_MS = 1_000;

/** Opens one SSH connection (through any ProxyJump hops) and resolves once authenticated. */
export async function connectHost(target: ConnectionTarget, options: ConnectOptions = {}): Promise<SshHostConnection> {
  const hops: Client[] = [];
  try {
    let sock: Duplex | undefined;
    let previous: ConnectionTarget | undefined;
    for (const hop of target.proxyJump) {
      sock = previous ? await forwardTo(hops[hops.length - 1], previous, hop, target, options) : undefined;
      hops.push((await openClient(hop, target.host, sock, options)).client);
      previous = hop;
    }
    sock = previous ? await forwardTo(hops[hops.length - 1], previous, target, target, options) : undefined;
    const { client, socket } = await openClient(target, target.host, sock, options);
    return new SshHostConnection(target, client, socket, hops, options.logger);
  } catch (error) {
    // A failed client has destroyed its own socket; a jump channel closes with its hop.
    for (const hop of hops.reverse()) hop.end();
    throw error;
  }
}

/** A TCP connection to the target, still connecting (ssh2 starts its handshake on 'connect', and its ready timeout now). */
function openTcpSocket(target: ConnectionTarget): Socket {
  const socket = createConnection({ host: target.address, port: target.port });
  // One 'drain' listener per relayed stream waiting on the queue (sendQueueBelow).
  socket.setMaxListeners(0);
  return socket;
}

// Asks the hop to open a TCP stream to the next address: OpenSSH's ProxyJump (-W) in-process.
function forwardTo(hop: Client, hopTarget: ConnectionTarget, next: ConnectionTarget, final: ConnectionTarget, options: ConnectOptions): Promise<Duplex> {
  options.logger?.(1, `ssh ${final.host}: via ${hopTarget.user}@${hopTarget.address}:${hopTarget.port} to ${next.address}:${next.port}`);
  return new Promise((resolve, reject) => {
    hop.forwardOut('127.0.0.1', 0, next.address, next.port, (error, stream) => {
      if (error) reject(toUnreachableError({ host: final.host, dialled: next, error, via: hopTarget.address }));
      else {
        stream.setMaxListeners(0);
        resolve(stream);
      }
    });
  });
}

/**
 * One authenticated SSH client over `sock` (a jump host's channel), or over a TCP connection
 * to the target that hound opens itself rather than leave it to ssh2, which keeps its socket
 * to itself: the connection's send queue (sendQueueBelow) is that socket's.
 */
async function openClient(
  target: ConnectionTarget,
  inventoryHost: string,
  sock: Duplex | undefined,
  options: ConnectOptions,
): Promise<{ client: Client; socket: Duplex }> {
  const log = options.logger;
  const knownHosts = await loadKnownHosts(target.knownHostsFiles);
  const { methods, described, skipped } = await authMethods(target, log);
  let refusal: HostKeyRefusal | undefined;
  let acceptedNewKey: Buffer | undefined;
  const tried: string[] = [];

  const config: ConnectConfig = {
    host: target.address,
    port: target.port,
    username: target.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    algorithms: { serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(knownHosts, target.address, target.port)) },
    hostVerifier: (key: Buffer): boolean => {
      const check = checkHostKey(knownHosts, target.address, target.port, key);
      log?.(3, `ssh ${inventoryHost}: host key ${keyTypeOf(key)} ${keyFingerprint(key)} → ${check.status}`);
      if (check.status === 'match') return true;
      if (check.status === 'changed') refusal = { kind: 'changed', key, entry: check.entry };
      else if (check.status === 'revoked') refusal = { kind: 'revoked', key, entry: check.entry };
      else if (target.hostKeyPolicy === 'yes') refusal = { kind: 'unknown', key, otherTypes: check.otherTypes };
      else {
        // accept-new and no both record the key, as OpenSSH does.
        acceptedNewKey = key;
        return true;
      }
      return false;
    },
    authHandler: (_left: AuthenticationType[], _partial: boolean, next: (m: AnyAuthMethod | AuthenticationType) => void) => {
      const method = methods.shift();
      if (!method) return (next as unknown as (m: false) => void)(false);
      tried.push(described.shift()!);
      log?.(3, `ssh ${inventoryHost}: trying ${tried[tried.length - 1]}`);
      next(method);
    },
  };
  if (log) config.debug = (message: string) => log(4, `ssh2 ${inventoryHost}: ${message}`);

  const client = new SshClient();
  let socket: Duplex | undefined;
  // A jump host's channel is open already; a socket of hound's own once TCP connects.
  let connected = sock !== undefined;
  log?.(1, `ssh ${inventoryHost}: connecting to ${target.user}@${target.address}:${target.port}${sock ? ' (jump)' : ''}`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      client.end();
      socket?.destroy();
      reject(new UnreachableError(inventoryHost, 'SSH_UNREACHABLE', `connection to ${target.address}:${target.port} was cancelled`));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (error: Error & { level?: string }) => {
      // The first error decides; ssh2 may add one as the socket closes ("lost before
      // handshake" after its own timeout), which must not go unheard.
      client.off('error', onError);
      client.on('error', () => undefined);
      options.signal?.removeEventListener('abort', onAbort);
      client.end();
      socket?.destroy();
      if (refusal?.kind === 'changed') reject(hostKeyChangedError(inventoryHost, target, refusal.key, refusal.entry));
      else if (refusal?.kind === 'revoked') reject(hostKeyRevokedError(inventoryHost, target, refusal.key, refusal.entry));
      else if (refusal?.kind === 'unknown') reject(hostKeyUnknownError(inventoryHost, target, refusal.key, refusal.otherTypes));
      else reject(toUnreachableError({ host: inventoryHost, dialled: target, error, triedAuth: tried, skippedAuth: skipped, connected }));
    };
    client.once('ready', () => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    client.on('error', onError);
    // Opened only now, with ssh2 listening from its first event: a server that closes at
    // once (sshd past MaxStartups) must be seen to, as a dropped handshake.
    socket = sock ?? openTcpSocket(target);
    if (sock === undefined) socket.once('connect', () => (connected = true));
    client.connect({ ...config, sock: socket });
  });
  log?.(1, `ssh ${inventoryHost}: connected to ${target.address}:${target.port} in ${Date.now() - started} ms`);
  if (acceptedNewKey && target.knownHostsFiles[0] !== undefined) {
    await appendKnownHost(target.knownHostsFiles[0], target.address, target.port, acceptedNewKey);
    log?.(1, `ssh ${inventoryHost}: added ${keyTypeOf(acceptedNewKey)} key for ${knownHostsName(target.address, target.port)} to ${target.knownHostsFiles[0]}`);
  }
  return { client, socket: socket! };
}

/** An SSH private key is a few KiB; 1 MiB is far past any real one. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

// Agent first, then key files, then a password, as OpenSSH orders them.
async function authMethods(target: ConnectionTarget, log?: TransportLogger): Promise<{ methods: AnyAuthMethod[]; described: string[]; skipped: string[] }> {
  const methods: AnyAuthMethod[] = [];
  const described: string[] = [];
  const skipped: string[] = [];
  const username = target.user;
  if (target.agentSocket && (await agentReachable(target.agentSocket))) {
    methods.push({ type: 'agent', username, agent: target.agentSocket });
    described.push('ssh-agent');
  } else if (target.agentSocket) {
    log?.(1, `ssh ${target.host}: ssh-agent at ${target.agentSocket} does not answer; not using it`);
  }
  for (const file of target.identityFiles) {
    let parsed: ParsedKey | Error;
    try {
      // ssh2's typings say one key, but a file holding several gives an array.
      const parsedOrList: unknown = sshUtils.parseKey(await readInputFile(file, { what: 'SSH private key', maxBytes: MAX_KEY_FILE_BYTES }));
      parsed = (Array.isArray(parsedOrList) ? (parsedOrList as unknown[])[0] : parsedOrList) as ParsedKey | Error;
    } catch (error) {
      // As OpenSSH, a key that cannot be loaded is skipped (a FIFO or a device is refused, never waited on).
      const why = error instanceof InputFileError ? error.message : `cannot read key ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`;
      log?.(1, `ssh ${target.host}: ${why}`);
      if (error instanceof InputFileError && error.problem !== 'missing') skipped.push(why);
      continue;
    }
    if (parsed instanceof Error) {
      // Never echo the parser's text: it may quote the file. Encrypted keys need ssh-agent.
      log?.(1, `ssh ${target.host}: skipping key ${file} (encrypted or not a private key; load it into ssh-agent)`);
      skipped.push(`key ${file} (encrypted or not a private key: load it into ssh-agent)`);
      continue;
    }
    methods.push({ type: 'publickey', username, key: parsed });
    described.push(`key ${file}`);
  }
  if (target.password !== undefined) {
    methods.push({ type: 'password', username, password: target.password });
    described.push('password');
  }
  return { methods, described, skipped };
}

const agentChecks = new Map<string, Promise<boolean>>();

// ssh2 fails the whole connection when the agent socket is dead (OpenSSH just skips the
// agent), and a stale SSH_AUTH_SOCK from a closed session is common: probe it once.
function agentReachable(path: string): Promise<boolean> {
  let check = agentChecks.get(path);
  if (!check) {
    check = new Promise((resolve) => {
      const socket = createConnection(path);
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    agentChecks.set(path, check);
  }
  return check;
}

const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_HOST_KEY_ORDER = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** Algorithms for key types already known come first, so the server shows a key we can check. */
function preferredHostKeyAlgorithms(knownTypes: string[]): ServerHostKeyAlgorithm[] {
  const first = knownTypes.flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? []);
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ORDER])] as ServerHostKeyAlgorithm[];
}

export class SshHostConnection implements HostConnection {
  readonly host: string;
  private closed = false;
  private readonly forwards = new Map<number, (stream: Duplex) => void>();

  constructor(
    readonly target: ConnectionTarget,
    private readonly client: Client,
    /** What the SSH packets are written to: the TCP socket, or the last jump host's channel. */
    private readonly socket: Duplex,
    private readonly hops: Client[],
    private readonly logger?: TransportLogger,
  ) {
    this.host = target.host;
    client.on('tcp connection', (info, accept, reject) => {
      const handler = this.forwards.get(info.destPort);
      if (!handler) return reject();
      this.logger?.(3, `ssh ${this.host}: forwarded connection from ${info.srcIP}:${info.srcPort} to 127.0.0.1:${info.destPort}`);
      handler(accept());
    });
    // ssh2 counts a keepalive as unanswered while its reply is still on the way: behind the
    // relay's layers, queued in hound and in the kernel (4 MiB per connection here), a reply
    // took over 20 s with 50 nodes relaying at once on a 100 Mbit/s link, and live nodes
    // were dropped. OpenSSH's
    // client asks only when nothing has come from the server for the interval; as it does,
    // any bytes from the server (window adjustments, output) start ssh2's count again.
    // `_resetKA` is ssh2's own (1.17.0, pinned); without it ssh2 keeps its plain count.
    const resetKeepalive = (client as unknown as { _resetKA?: () => void })._resetKA;
    if (typeof resetKeepalive === 'function') {
      let lastReset = 0;
      socket.on('data', () => {
        const now = Date.now();
        if (now - lastReset < KEEPALIVE_RESET_MS) return;
        lastReset = now;
        resetKeepalive();
      });
    }
    // A dropped connection after setup surfaces through the calls that use it; keep the
    // process alive rather than crashing on an unhandled 'error'.
    client.on('error', (error) => this.logger?.(1, `ssh ${this.host}: connection error: ${error.message}`));
    client.on('close', () => (this.closed = true));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (options.signal?.aborted) return Promise.reject(abortErrorOf(options.signal));
    return runToCompletion(this.spawn(command, { shownAs: options.shownAs }), options);
  }

  spawn(command: string, options: { shownAs?: string } = {}): Promise<RunningCommand> {
    this.logger?.(2, `ssh ${this.host}: exec ${options.shownAs ?? command}`);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closedError(`run "${command}"`));
      this.client.exec(command, (error, channel) => {
        if (error) return reject(this.channelError(error, `run "${command}"`));
        let code: number | null = null;
        let signal: string | undefined;
        channel.on('exit', (exitCode: number | null, signalName?: string) => {
          code = exitCode ?? null;
          signal = signalName ?? undefined;
        });
        const done = new Promise<{ code: number | null; signal?: string }>((settle) =>
          channel.on('close', () => {
            this.logger?.(2, `ssh ${this.host}: exit ${code ?? signal}`);
            settle(signal === undefined ? { code } : { code, signal });
          }),
        );
        resolve({
          stdin: channel,
          stdout: channel,
          stderr: channel.stderr,
          done,
          kill: () => {
            try {
              channel.signal('KILL');
            } catch {
              // the server may not support signals; closing the channel ends the session anyway
            }
            channel.close();
          },
        });
      });
    });
  }

  openUnixSocket(path: string): Promise<Duplex> {
    this.logger?.(3, `ssh ${this.host}: open unix socket ${path}`);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closedError(`open ${path}`));
      this.client.openssh_forwardOutStreamLocal(path, (error, channel) => {
        if (!error) return resolve(channel);
        // The host answered, and refused: the socket is missing or not this user's to open.
        // That is the task's failure (as Ansible's docker modules fail), not an unreachable host.
        if (!this.closed && /open failed/i.test(error.message)) {
          return reject(
            new TaskFailedError(this.host, 'SOCKET_OPEN_REFUSED', `ssh ${this.host}: ${this.target.user} could not open ${path} (${error.message})`, {
              hint: `is the daemon running, and may ${this.target.user} open its socket? Add the user to the docker group, or set become: true to reach it through sudo`,
              cause: error,
            }),
          );
        }
        reject(this.channelError(error, `open ${path}`, 'is the socket there, and may this user open it (e.g. in the docker group)?'));
      });
    });
  }

  openTcp(address: string, port: number): Promise<Duplex> {
    this.logger?.(3, `ssh ${this.host}: open tcp ${address}:${port}`);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closedError(`connect to ${address}:${port}`));
      this.client.forwardOut('127.0.0.1', 0, address, port, (error, channel) => {
        if (error)
          reject(
            this.channelError(error, `connect to ${address}:${port}`, 'is the service up there, and does sshd allow TCP forwarding (AllowTcpForwarding)?'),
          );
        else resolve(channel);
      });
    });
  }

  forwardRemote(remotePort: number, onConnection: (stream: Duplex) => void): Promise<{ port: number; close(): Promise<void> }> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closedError(`listen on 127.0.0.1:${remotePort}`));
      this.client.forwardIn('127.0.0.1', remotePort, (error, bound) => {
        if (error)
          return reject(this.channelError(error, `listen on 127.0.0.1:${remotePort}`, 'the port may be in use, or AllowTcpForwarding is off in sshd_config'));
        const port = remotePort === 0 ? bound : remotePort;
        this.forwards.set(port, onConnection);
        this.logger?.(2, `ssh ${this.host}: listening on 127.0.0.1:${port} (remote forward)`);
        resolve({
          port,
          close: () =>
            new Promise<void>((done) => {
              this.forwards.delete(port);
              if (this.closed) return done();
              this.client.unforwardIn('127.0.0.1', port, () => done());
            }),
        });
      });
    });
  }

  sendQueueBelow(bytes: number): Promise<void> {
    const socket = this.socket;
    // 'drain' comes once a write found the queue past its high-water mark, when it empties.
    if (this.closed || socket.destroyed || !socket.writableNeedDrain || socket.writableLength < bytes) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  async close(): Promise<void> {
    if (!this.closed) {
      await new Promise<void>((resolve) => {
        this.client.once('close', () => resolve());
        this.client.end();
      });
    }
    for (const hop of this.hops.reverse()) hop.end();
  }

  private closedError(what: string): UnreachableError {
    return new UnreachableError(
      this.host,
      'SSH_CONNECTION_CLOSED',
      `ssh ${this.host}: cannot ${what}: the connection to ${this.target.address}:${this.target.port} is closed`,
      {
        hint: 'the host went away or the connection dropped (keepalives unanswered); check the host and run again',
      },
    );
  }

  private channelError(error: Error, what: string, hint?: string): UnreachableError {
    return new UnreachableError(this.host, 'SSH_CHANNEL_FAILED', `ssh ${this.host}: could not ${what}: ${error.message}`, {
      hint: hint ?? 'the connection may have dropped; check that the host is up and sshd allows more sessions (MaxSessions)',
      cause: error,
    });
  }
}
