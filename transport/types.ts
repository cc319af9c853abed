// The contract between the transport (SSH to the nodes, the registry client) and its users.
// Implementations live beside this file; container runtimes are in runtime/.
import type { Duplex, Readable, Writable } from 'node:stream';

export interface ExecResult {
  /** Exit status, null when the command died of a signal. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: Buffer | string | Readable;
  signal?: AbortSignal;
  /**
   * Keep the command's stdin open until the channel closes instead of sending end-of-file
   * (after `stdin`, when given as a string or buffer): a command that watches its stdin
   * (modules/command.ts) then learns when hound goes away.
   */
  holdStdin?: boolean;
  /** What -vv shows instead of the command line (the user's words, not a wrapper around them). */
  shownAs?: string;
}

/** A command started on a host, its three streams open (HostConnection.spawn). */
export interface RunningCommand {
  /** The command's stdin: end it to send end-of-file. */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Settles once the command has ended and its output streams are closed. */
  done: Promise<{ code: number | null; signal?: string }>;
  /** Ends the command now (a signal where the host allows it, then its channel closes). */
  kill(): void;
}

/** How hound reaches one inventory host for a whole run: an SSH connection, or the controller itself. */
export interface HostConnection {
  /** The inventory name of the host. */
  readonly host: string;
  /** Runs a command line (already quoted by the caller) through the node's shell. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Starts a command line and hands its streams over as they are (for become's handshake, and byte streams). */
  spawn(command: string, options?: { shownAs?: string }): Promise<RunningCommand>;
  /** A byte stream to a unix socket on the node (its Docker socket) through the connection. */
  openUnixSocket(path: string): Promise<Duplex>;
  /**
   * Asks the node to listen on its loopback, 127.0.0.1:remotePort (0 = any free port), and
   * hands every connection made there to `onConnection`. Resolves to the bound port.
   */
  forwardRemote(remotePort: number, onConnection: (stream: Duplex) => void): Promise<{ port: number; close(): Promise<void> }>;
  /**
   * A TCP stream from the node to address:port (SSH's direct-tcpip, as `ssh -W`): how the
   * controller reaches a service on a node, or one the node can reach, when it cannot itself.
   */
  openTcp(address: string, port: number): Promise<Duplex>;
  /**
   * Settles once the connection's own queue of bytes to send (written, not yet taken by the
   * kernel) is under `bytes`. A bulk sender (the relay) waits on it between chunks: SSH's
   * channel windows (2 MiB each on OpenSSH) would let it queue many seconds of data ahead of
   * a busy link, and everything else on the connection (its keepalives, Docker calls) would
   * wait behind that queue.
   */
  sendQueueBelow(bytes: number): Promise<void>;
  close(): Promise<void>;
}

/** Credentials for one registry; never printed. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** OAuth identity/refresh token, as in ~/.docker/config.json `identitytoken`. */
  identityToken?: string;
  /** Registry host[:port] these credentials are for, normalised (docker.io for Docker Hub). */
  serverAddress: string;
}
