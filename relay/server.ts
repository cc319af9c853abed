// The pull side of the OCI distribution API, served over streams rather than a socket:
// every connection a node makes to its forwarded port arrives as a Duplex and is handed
// to an http.Server that never listens. So the controller opens no port at all.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Duplex, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RelayCache } from './relay-cache.js';
import type { RelayNames } from './relay-names.js';
import { MANIFEST_ACCEPT, RegistryError } from '../transport/registry.js';
import { OriginError } from './errors.js';
import type { HostConnection } from '../transport/types.js';

const API_VERSION_HEADER = { 'docker-distribution-api-version': 'registry/2.0' };
const ROUTE = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REFERENCE = /^(?:[\w][\w.-]{0,127}|sha256:[a-f0-9]{64})$/;
/**
 * A blob is written to a node's connection only while that connection queues less than
 * this: about 1 s of a 2 Mbit/s share of a link. Without it every open channel lets 2 MiB
 * more wait in hound's memory, and with 50 nodes relaying at once over a 100 Mbit/s
 * controller link a node's keepalive sat behind 20 s of queued layers.
 */
export const RELAY_SEND_QUEUE_BYTES = 256 * 1024;

/** What the relay asks of the connection a stream came over. */
export type StreamSender = Pick<HostConnection, 'sendQueueBelow'>;

export class RelayServer {
  private readonly server: http.Server;
  /** Each open stream, and the connection it came over (undefined: nothing to pace). */
  private readonly streams = new Map<Duplex, StreamSender | undefined>();

  constructor(
    private readonly cache: RelayCache,
    private readonly names: RelayNames,
    private readonly log: (line: string) => void,
  ) {
    this.server = http.createServer({ keepAlive: true }, (request, response) => {
      this.handle(request, response).catch((error: unknown) => this.fail(response, error));
    });
    // Docker keeps connections open between requests; idle ones close with the relay.
    this.server.keepAliveTimeout = 0;
  }

  /** Serves HTTP on one stream (one node connection) until either side closes it; blobs go out as fast as `sender`'s queue takes them. */
  serve(stream: Duplex, sender?: StreamSender): void {
    this.streams.set(stream, sender);
    stream.once('close', () => this.streams.delete(stream));
    // Errors on a node's connection (reset, forward closed) end that connection only.
    stream.on('error', () => stream.destroy());
    this.server.emit('connection', stream);
  }

  close(): void {
    for (const stream of this.streams.keys()) stream.destroy();
    this.streams.clear();
    this.server.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?', 1)[0];
    if (method !== 'GET' && method !== 'HEAD') return this.error(response, 405, 'UNSUPPORTED', 'the relay only serves pulls');
    if (path === '/v2/' || path === '/v2') {
      response.writeHead(200, { ...API_VERSION_HEADER, 'content-type': 'application/json', 'content-length': 2 });
      response.end(method === 'HEAD' ? undefined : '{}');
      return;
    }
    const match = ROUTE.exec(path);
    const target = match ? this.names.resolve(match[1]) : undefined;
    if (!match || !target) return this.error(response, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const [, , kind, reference] = match as unknown as [string, string, 'manifests' | 'blobs', string];
    if (kind === 'manifests') {
      if (!REFERENCE.test(reference)) return this.error(response, 400, 'MANIFEST_INVALID', 'invalid tag or digest');
      this.cache.counters.manifestRequests++;
      const accept = request.headers.accept ?? MANIFEST_ACCEPT;
      const manifest = await this.cache.manifest(target.origin, target.repo, reference, accept);
      response.writeHead(200, {
        ...API_VERSION_HEADER,
        'content-type': manifest.contentType,
        'content-length': manifest.body.length,
        'docker-content-digest': manifest.digest,
        etag: `"${manifest.digest}"`,
      });
      if (method === 'HEAD') return void response.end();
      this.cache.counters.servedBytes += manifest.body.length;
      response.end(manifest.body);
      return;
    }
    if (!DIGEST.test(reference)) return this.error(response, 400, 'DIGEST_INVALID', 'invalid digest');
    this.cache.counters.blobRequests++;
    const blob = await this.cache.blob(target.origin, target.repo, reference);
    // Docker resumes a cut layer download with a Range request: serve that part only.
    const range = parseRange(request.headers.range, blob.size);
    if (range === 'unsatisfiable') {
      response.writeHead(416, { ...API_VERSION_HEADER, 'content-range': `bytes */${blob.size}`, 'content-length': 0 });
      return void response.end();
    }
    const { start, end } = range ?? { start: 0, end: blob.size };
    response.writeHead(range ? 206 : 200, {
      ...API_VERSION_HEADER,
      'content-type': 'application/octet-stream',
      'content-length': end - start,
      'docker-content-digest': blob.digest,
      'accept-ranges': 'bytes',
      etag: `"${blob.digest}"`,
      ...(range ? { 'content-range': `bytes ${start}-${end - 1}/${blob.size}` } : {}),
    });
    if (method === 'HEAD') return void response.end();
    const reader = blob.openReader(start, end);
    const sender = this.streams.get(request.socket);
    const counters = this.cache.counters;
    // A Transform, not an async generator over the reader: iterating a byte stream joins
    // everything it holds into one new Buffer per step (a 1 MB copy per node, and a 1 MB
    // write past the pacing check: 100 nodes had 94 MB of SSH packets waiting in hound).
    // Piped, each piece goes on as the view of the cache it is.
    const paced = new Transform({
      transform(piece: Buffer, _encoding, done) {
        const send = () => {
          counters.servedBytes += piece.length;
          done(null, piece);
        };
        if (!sender) return send();
        sender.sendQueueBelow(RELAY_SEND_QUEUE_BYTES).then(send, done);
      },
    });
    try {
      await pipeline(reader, paced, response);
    } catch (error) {
      // Headers are out: the only honest signal left is cutting the body short.
      response.destroy();
      if (!response.writableFinished && blob.state === 'failed') this.log(`relay: serving ${reference.slice(0, 19)} aborted: ${(error as Error).message}`);
    }
  }

  private fail(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof OriginError || error instanceof RegistryError) {
      // Never 401: Docker would look for a challenge the relay does not issue. A rate limit
      // passes through as one, so the node's pull fails as rate-limited and is retried so.
      const status = error.status === 404 ? 404 : error.status === 401 || error.status === 403 ? 403 : error.status === 429 ? 429 : 502;
      const code = status === 404 ? 'MANIFEST_UNKNOWN' : status === 403 ? 'DENIED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
      const retryAfter = error instanceof RegistryError && error.retryAfterMs !== undefined ? Math.ceil(error.retryAfterMs / 1000) : undefined;
      if (retryAfter !== undefined) response.setHeader('retry-after', String(retryAfter));
      this.error(response, status, code, error.message);
      return;
    }
    this.log(`relay: request failed: ${(error as Error).message ?? String(error)}`);
    this.error(response, 500, 'UNKNOWN', 'relay error');
  }

  private error(response: ServerResponse, status: number, code: string, message: string): void {
    const body = JSON.stringify({ errors: [{ code, message }] });
    response.writeHead(status, { ...API_VERSION_HEADER, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }
}

/**
 * One `bytes=FIRST-[LAST]` range as [start, end); undefined (serve it all) for no header or
 * forms the relay does not serve (suffix, several ranges), as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return { start, end: last + 1 };
}
