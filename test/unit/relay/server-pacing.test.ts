// The relay writes a blob to a node's connection only as fast as that connection's own send
// queue empties (RelayServer.serve's sender): a busy link must not have seconds of layers
// queued ahead of its keepalives. Served over loopback TCP from an origin held in memory.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { READER_PIECE_BYTES } from '../../../relay/blob-fanout.js';
import { RelayCache } from '../../../relay/relay-cache.js';
import { RelayNames } from '../../../relay/relay-names.js';
import { RELAY_SEND_QUEUE_BYTES, RelayServer, type StreamSender } from '../../../relay/server.js';
import type { RegistryOrigin } from '../../../transport/registry.js';

const BLOB = randomBytes(4 * 1024 * 1024);
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const ORIGIN = 'origin.test:5000';

/** Stands in for a connection whose queue empties only when the test says so. */
class HeldSender implements StreamSender {
  readonly asked: number[] = [];
  private readonly held: Array<() => void> = [];
  holding = true;
  sendQueueBelow(bytes: number): Promise<void> {
    this.asked.push(bytes);
    if (!this.holding) return Promise.resolve();
    return new Promise((resolve) => this.held.push(resolve));
  }
  release(): void {
    this.holding = false;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function relayOn(sender: StreamSender | undefined): Promise<{ port: number; path: string; cache: RelayCache }> {
  const origin: RegistryOrigin = {
    host: ORIGIN,
    getManifest: () => Promise.reject(new Error('no manifests here')),
    getBlob: (_repo, _digest, offset = 0) => Promise.resolve({ size: BLOB.length, body: Readable.from([BLOB.subarray(offset)]) }),
  };
  const cache = new RelayCache({ origins: new Map([[ORIGIN, origin]]), memoryLimit: 64 * 1024 * 1024, log: () => undefined });
  const names = new RelayNames();
  const server = new RelayServer(cache, names, () => undefined);
  const listener = net.createServer((socket) => server.serve(socket, sender));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.close();
    listener.close();
    void cache.close();
  });
  const path = `/v2/${names.relayPath({ domain: ORIGIN, path: 'team/app', tag: 'v1' })}/blobs/${DIGEST}`;
  return { port: (listener.address() as net.AddressInfo).port, path, cache };
}

function get(port: number, path: string, onChunk: (bytes: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          onChunk(chunk.length);
        });
        response.on('end', () => resolve(Buffer.concat(chunks)));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('the relay paces each blob by its connection’s send queue', () => {
  it('sends nothing more while the connection’s queue is full, and the whole blob once it empties', async () => {
    const sender = new HeldSender();
    const { port, path, cache } = await relayOn(sender);
    let received = 0;
    const body = get(port, path, (n) => (received += n));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Held before the first chunk: only headers went out.
    expect(sender.asked.length).toBeGreaterThan(0);
    expect(sender.asked.every((bytes) => bytes === RELAY_SEND_QUEUE_BYTES)).toBe(true);
    expect(received).toBe(0);
    expect(cache.stats().servedBytes).toBe(0);
    sender.release();
    const bytes = await body;
    expect(bytes.equals(BLOB)).toBe(true);
    expect(cache.stats().servedBytes).toBe(BLOB.length);
    // Asked before every chunk written, not once per blob.
    expect(sender.asked.length).toBeGreaterThan(1);
  });

  it('asks before every piece, so no more than a piece passes one ask, whatever size the origin sent', async () => {
    // The origin here answers the 4 MB blob in one chunk.
    const served: number[] = [];
    // The sender is made before the relay it is handed to: it finds the cache here.
    const made: { cache?: RelayCache } = {};
    const sender: StreamSender = {
      sendQueueBelow: () => {
        served.push(made.cache!.stats().servedBytes);
        return Promise.resolve();
      },
    };
    const relay = await relayOn(sender);
    made.cache = relay.cache;
    const bytes = await get(relay.port, relay.path, () => undefined);
    expect(bytes.equals(BLOB)).toBe(true);
    served.push(relay.cache.stats().servedBytes);
    const steps = served.slice(1).map((bytes, index) => bytes - served[index]);
    expect(Math.max(...steps)).toBeLessThanOrEqual(READER_PIECE_BYTES);
    expect(served.at(-1)).toBe(BLOB.length);
  });

  it('a stream with no connection to ask (the controller itself) is served unpaced', async () => {
    const { port, path } = await relayOn(undefined);
    const bytes = await get(port, path, () => undefined);
    expect(bytes.equals(BLOB)).toBe(true);
  });
});
