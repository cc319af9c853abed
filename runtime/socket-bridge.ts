// A unix socket on the controller that stands for a unix socket on a node. gRPC (grpc-js)
// only dials addresses, never a stream it is handed, while hound reaches a node's socket as
// a stream: an SSH channel (HostConnection.openUnixSocket). The bridge listens in a private
// directory (mode 0700, so no other user of the controller can connect) and pipes each
// connection made there into a fresh channel to the node's socket. No TCP port is opened.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';

export interface SocketBridge {
  /** The controller-side socket: dial `unix:${path}`. */
  readonly path: string;
  /** Why the last channel to the node's socket could not be opened, if one could not. */
  readonly lastOpenError: Error | undefined;
  /** Stops listening, ends every piped connection and removes the directory. */
  close(): Promise<void>;
}

export async function openSocketBridge(openRemote: () => Promise<Duplex>): Promise<SocketBridge> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hound-socket-'));
  const socketPath = path.join(dir, 'node.sock');
  const live = new Set<Duplex | net.Socket>();
  let lastOpenError: Error | undefined;
  let closed = false;

  const server = net.createServer((local) => {
    live.add(local);
    local.once('close', () => live.delete(local));
    local.on('error', () => local.destroy());
    openRemote().then(
      (remote) => {
        if (closed || local.destroyed) return void remote.destroy();
        live.add(remote);
        remote.once('close', () => {
          live.delete(remote);
          local.destroy();
        });
        local.once('close', () => remote.destroy());
        remote.on('error', () => local.destroy());
        local.pipe(remote);
        remote.pipe(local);
      },
      (error: Error) => {
        lastOpenError = error;
        local.destroy();
      },
    );
  });
  // A crash of hound must not leave the directory behind.
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    process.off('exit', removeOnExit);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  server.unref();

  return {
    path: socketPath,
    get lastOpenError() {
      return lastOpenError;
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const stream of live) stream.destroy();
      await stopped;
      process.off('exit', removeOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
