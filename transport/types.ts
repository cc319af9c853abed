// The contract between the transport (SSH to the nodes, the registry client) and its users.
// Implementations live beside this file; container runtimes are in runtime/.
import type { Duplex, Readable } from 'node:stream';

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

/** One persistent SSH connection to one inventory host, for a whole run. */
export interface HostConnection {
  /** The inventory name of the host. */
  readonly host: string;
  /** Runs a command line (already quoted by the caller) through the node's shell. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** A byte stream to a unix socket on the node (its Docker socket) through the SSH connection. */
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
