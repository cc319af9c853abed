// The controller itself as a host (Ansible's `connection: local`, `delegate_to: localhost`):
// commands run under /bin/sh as hound's own user, unix sockets are opened directly, and a
// "remote" forward is a listener on the controller's loopback.
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { UnreachableError } from '../base/errors.js';
import { abortErrorOf } from '../base/abort.js';
import { runToCompletion } from './command-run.js';
import type { TransportLogger } from './ssh-connection.js';
import type { ExecOptions, ExecResult, HostConnection, RunningCommand } from './types.js';

export class LocalConnection implements HostConnection {
  constructor(
    /** The inventory name the tasks run for (its vars are used; the work happens here). */
    readonly host: string,
    private readonly logger?: TransportLogger,
  ) {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (options.signal?.aborted) return Promise.reject(abortErrorOf(options.signal));
    return runToCompletion(this.spawn(command, { shownAs: options.shownAs }), options);
  }

  spawn(command: string, options: { shownAs?: string } = {}): Promise<RunningCommand> {
    this.logger?.(2, `local ${this.host}: exec ${options.shownAs ?? command}`);
    // Its own process group, so that ending it ends what it started too (as sshd does for a session).
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'pipe', detached: true });
    const done = new Promise<{ code: number | null; signal?: string }>((resolve, reject) => {
      child.once('error', (error) =>
        reject(new UnreachableError(this.host, 'LOCAL_EXEC_FAILED', `could not start /bin/sh on the controller: ${error.message}`, { cause: error })),
      );
      child.once('close', (code, signal) => {
        this.logger?.(2, `local ${this.host}: exit ${code ?? signal}`);
        resolve(signal === null ? { code } : { code, signal });
      });
    });
    return Promise.resolve({
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      done,
      kill: () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    });
  }

  openUnixSocket(path: string): Promise<Duplex> {
    this.logger?.(3, `local ${this.host}: open unix socket ${path}`);
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UnreachableError(this.host, 'LOCAL_SOCKET_FAILED', `could not open ${path} on the controller: ${error.code ?? error.message}`, {
            hint: "is the daemon running there, and may hound's user open its socket (e.g. in the docker group)? Set hound_docker_socket for another path",
            cause: error,
          }),
        ),
      );
    });
  }

  /** A TCP stream from the controller itself (what `ssh -W` gives from a node). */
  openTcp(address: string, port: number): Promise<Duplex> {
    this.logger?.(3, `local ${this.host}: open tcp ${address}:${port}`);
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: address, port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UnreachableError(this.host, 'LOCAL_TCP_FAILED', `could not connect to ${address}:${port} from the controller: ${error.code ?? error.message}`, {
            hint: 'is the service up, and reachable from this machine?',
            cause: error,
          }),
        ),
      );
    });
  }

  forwardRemote(remotePort: number, onConnection: (stream: Duplex) => void): Promise<{ port: number; close(): Promise<void> }> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => onConnection(socket));
      server.once('error', (error) =>
        reject(new UnreachableError(this.host, 'LOCAL_LISTEN_FAILED', `could not listen on 127.0.0.1:${remotePort}: ${error.message}`, { cause: error })),
      );
      server.listen(remotePort, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        this.logger?.(2, `local ${this.host}: listening on 127.0.0.1:${port}`);
        resolve({ port, close: () => new Promise<void>((done) => server.close(() => done())) });
      });
    });
  }

  /** Nothing is queued between the controller and itself. */
  sendQueueBelow(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
