// A remote shell for programs that expect to start their peer through `ssh HOST COMMAND` (rsync's
// --rsh), carried by hound's own connection to the host instead of an ssh client: hound's
// connection already has what the inventory says (user, key or password, port, jump hosts,
// become), which an `ssh` command line rebuilt from it would not always have.
//
// hound listens on a unix socket in a private directory; the program runs
// remote-shell-bridge.js as its remote shell; the bridge connects, sends one header line
// (the run's token and its arguments), then the program's stdin as it comes. hound runs the
// command on the host through the connection and sends back frames: stdout, stderr, and the exit
// status last.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { HostConnection } from './types.js';

/** Frame kinds hound sends to the bridge: [kind: 1 byte][length: 4 bytes, big-endian][payload]. */
export const FRAME = { stdout: 1, stderr: 2, exit: 3 } as const;
export const TOKEN_VARIABLE = 'HOUND_REMOTE_SHELL_TOKEN';
const MAX_HEADER = 1 << 16;

export function frame(kind: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(kind, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Splits a byte stream into frames as they complete; keeps a partial frame for the next chunk. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): { kind: number; payload: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: { kind: number; payload: Buffer }[] = [];
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + length) break;
      frames.push({ kind: this.pending.readUInt8(0), payload: this.pending.subarray(5, 5 + length) });
      this.pending = this.pending.subarray(5 + length);
    }
    return frames;
  }
}

/**
 * The command an `ssh`-style argument list asks for: `[-l USER] HOST WORD...`, the words joined
 * by spaces as ssh joins them (the program quoted them for a remote shell already).
 */
export function remoteCommandOf(argv: readonly string[]): string {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) i += argv[i] === '-l' || argv[i] === '-p' ? 2 : 1;
  const words = argv.slice(i + 1);
  if (words.length === 0) throw new Error('the remote shell was started without a command');
  return words.join(' ');
}

/** The bridge program, beside this file (its .js once built). */
export function bridgeScript(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `remote-shell-bridge${path.extname(here)}`);
}

export interface RemoteShell {
  /** The value for rsync's --rsh (a command line; rsync adds the host and the command). */
  readonly command: string;
  /** Environment the program must be started with (it carries the token to the bridge). */
  readonly environment: Record<string, string>;
  close(): Promise<void>;
}

/** Quotes a word for rsync's own splitting of --rsh (spaces separate, double quotes group). */
function rshWord(word: string): string {
  if (/^[\w./@:+=-]+$/.test(word)) return word;
  if (word.includes('"')) throw new Error(`a path holding a double quote cannot be passed to rsync's --rsh: ${word}`);
  return `"${word}"`;
}

/** Serves commands over `connection` to the bridges started with the returned command, until closed. */
export async function openRemoteShell(connection: HostConnection, signal?: AbortSignal): Promise<RemoteShell> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hound-rsh-'));
  const socketPath = path.join(dir, 'socket');
  const token = randomBytes(24).toString('hex');
  const sessions = new Set<{ kill(): void }>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    serveOne(socket, connection, token, sessions).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const onAbort = () => {
    for (const s of sessions) s.kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    command: [process.execPath, bridgeScript(), socketPath].map(rshWord).join(' '),
    environment: { [TOKEN_VARIABLE]: token },
    async close() {
      signal?.removeEventListener('abort', onAbort);
      for (const s of sessions) s.kill();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Reads the header line, checks the token, runs the command and relays its streams. */
async function serveOne(socket: net.Socket, connection: HostConnection, token: string, sessions: Set<{ kill(): void }>): Promise<void> {
  const { header, rest } = await readHeader(socket);
  const expected = Buffer.from(token);
  const given = Buffer.from(typeof header.token === 'string' ? header.token : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || !Array.isArray(header.argv)) {
    socket.destroy();
    return;
  }
  let command: string;
  try {
    command = remoteCommandOf(header.argv.map(String));
  } catch (err) {
    socket.end(Buffer.concat([frame(FRAME.stderr, Buffer.from(`${(err as Error).message}\n`)), frame(FRAME.exit, Buffer.from(JSON.stringify({ code: 255 })))]));
    return;
  }
  let running;
  try {
    running = await connection.spawn(command);
  } catch (err) {
    const message = `hound could not start the command on ${connection.host}: ${(err as Error).message}\n`;
    socket.end(Buffer.concat([frame(FRAME.stderr, Buffer.from(message)), frame(FRAME.exit, Buffer.from(JSON.stringify({ code: 255 })))]));
    return;
  }
  sessions.add(running);
  socket.on('error', () => running.kill());
  socket.on('close', () => running.kill());
  if (rest.length > 0) running.stdin.write(rest);
  socket.pipe(running.stdin);
  running.stdin.on('error', () => {
    // The command closed its stdin; what the bridge still sends has nowhere to go.
  });
  const relayed = Promise.all([relay(running.stdout, FRAME.stdout, socket), relay(running.stderr, FRAME.stderr, socket)]);
  const status = await running.done;
  await relayed;
  sessions.delete(running);
  if (!socket.destroyed) socket.end(frame(FRAME.exit, Buffer.from(JSON.stringify(status))));
}

/** Sends a stream's data as frames of `kind`, pausing it while the socket is full. */
function relay(stream: Readable, kind: number, socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      if (socket.destroyed) return;
      if (!socket.write(frame(kind, chunk))) {
        stream.pause();
        socket.once('drain', () => stream.resume());
      }
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', resolve);
  });
}

function readHeader(socket: net.Socket): Promise<{ header: { token?: unknown; argv?: unknown[] }; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) {
        if (buffered.length > MAX_HEADER) fail(new Error('remote shell header too long'));
        return;
      }
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.pause();
      try {
        const header = JSON.parse(buffered.subarray(0, newline).toString('utf8')) as { token?: unknown; argv?: unknown[] };
        resolve({ header, rest: buffered.subarray(newline + 1) });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    const onEnd = () => fail(new Error('remote shell closed before its header'));
    const fail = (err: Error) => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      reject(err);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}
