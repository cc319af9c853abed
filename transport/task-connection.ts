// A host's connection as one task sees it: its `environment` exported before each command,
// and under `become`, each command (and each stream to a unix socket, e.g. the Docker
// socket) run through sudo. The connection underneath stays the run's, shared by all tasks.
import type { Duplex } from 'node:stream';
import { shlexQuote } from '../base/shlex.js';
import { becomeKey, openSocketWithBecome, spawnWithBecome, type BecomeSettings } from './become.js';
import { abortErrorOf } from '../base/abort.js';
import { runToCompletion } from './command-run.js';
import type { TransportLogger } from './ssh-connection.js';
import type { ExecOptions, ExecResult, HostConnection, RunningCommand } from './types.js';

export interface TaskShell {
  become?: BecomeSettings;
  /** Ansible's `environment`: set for every command the task runs on the host. */
  environment?: Readonly<Record<string, string>>;
}

/** Names a shell can export. */
export const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export A='1' B='2'; COMMAND`: the variables hold for the whole command line, `cd … &&` included. */
export function withEnvironment(command: string, environment: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(environment ?? {});
  if (entries.length === 0) return command;
  return `export ${entries.map(([name, value]) => `${name}=${shlexQuote(value)}`).join(' ')}; ${command}`;
}

/** What tells two task shells apart for caching (never the password, nor the environment's values). */
export function taskShellKey(shell: TaskShell): string {
  return becomeKey(shell.become);
}

export class TaskConnection implements HostConnection {
  readonly host: string;

  constructor(
    private readonly base: HostConnection,
    private readonly shell: TaskShell,
    private readonly logger?: TransportLogger,
  ) {
    this.host = base.host;
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (options.signal?.aborted) return Promise.reject(abortErrorOf(options.signal));
    return runToCompletion(this.spawn(command, { shownAs: options.shownAs }), options);
  }

  spawn(command: string, options: { shownAs?: string } = {}): Promise<RunningCommand> {
    const line = withEnvironment(command, this.shell.environment);
    const shownAs = options.shownAs ?? command;
    if (this.shell.become) return spawnWithBecome(this.base, line, this.shell.become, { shownAs, logger: this.logger });
    return this.base.spawn(line, { shownAs });
  }

  openUnixSocket(path: string): Promise<Duplex> {
    if (this.shell.become) return openSocketWithBecome(this.base, path, this.shell.become, this.logger);
    return this.base.openUnixSocket(path);
  }

  /** TCP streams are the login user's business, as forwards are: no become for them. */
  openTcp(address: string, port: number): Promise<Duplex> {
    return this.base.openTcp(address, port);
  }

  forwardRemote(remotePort: number, onConnection: (stream: Duplex) => void): Promise<{ port: number; close(): Promise<void> }> {
    return this.base.forwardRemote(remotePort, onConnection);
  }

  sendQueueBelow(bytes: number): Promise<void> {
    return this.base.sendQueueBelow(bytes);
  }

  /** The run's connection underneath is closed with the run, not by a task. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
