// The controller's side of a seed registry: the Distribution registry API (pushes, and the
// /v2/ check), spoken over TLS with the run's client certificate, through a TCP stream the
// seed's own SSH connection opens (direct-tcpip). So the controller needs no route to the
// seed's port, and the bytes it pushes cross its link once per seed.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import type { HostConnection } from '../transport/types.js';
import { HoundError, EXIT } from '../base/errors.js';

export interface SeedTls {
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

interface SeedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class SeedError extends HoundError {
  constructor(seed: string, message: string, cause?: unknown) {
    super('FANOUT_SEED_FAILED', `seed ${seed}: ${message}`, EXIT.ERROR, {
      hint: 'the seed registry is down or refused the request; the run falls back to the relay for that seed',
      cause,
    });
  }
}

export class SeedClient {
  constructor(
    private readonly connection: HostConnection,
    readonly address: { ip: string; port: number },
    private readonly credentials: SeedTls,
  ) {}

  get hostPort(): string {
    return `${this.address.ip}:${this.address.port}`;
  }

  /** Whether the registry answers /v2/ (over TLS, with the run's client certificate). */
  async answers(): Promise<boolean> {
    try {
      const response = await this.request('GET', '/v2/', {});
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /**
   * Puts a blob into `repo`: a cross-repository mount when another repository of the seed
   * already holds it, else a monolithic upload streamed from `open()`.
   */
  async pushBlob(repo: string, blob: { digest: string; size: number }, open: () => Promise<Readable>, mountFrom?: string): Promise<'mounted' | 'uploaded'> {
    const start = new URLSearchParams(mountFrom ? { mount: blob.digest, from: mountFrom } : {});
    const started = await this.request('POST', `/v2/${repo}/blobs/uploads/${mountFrom ? `?${start.toString()}` : ''}`, { 'content-length': '0' });
    if (started.status === 201) return 'mounted';
    if (started.status !== 202)
      throw new SeedError(this.hostPort, `starting the upload of ${blob.digest.slice(0, 19)} answered ${started.status} ${excerpt(started.body)}`);
    const location = started.headers.location;
    if (!location) throw new SeedError(this.hostPort, 'the registry gave no upload location');
    const url = new URL(location, `https://${this.hostPort}`);
    url.searchParams.set('digest', blob.digest);
    const body = await open();
    const put = await this.request(
      'PUT',
      `${url.pathname}${url.search}`,
      { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body,
    );
    if (put.status !== 201) throw new SeedError(this.hostPort, `uploading ${blob.digest.slice(0, 19)} answered ${put.status} ${excerpt(put.body)}`);
    return 'uploaded';
  }

  /** Puts a manifest's exact bytes under `reference` (a tag, or its digest). */
  async pushManifest(repo: string, reference: string, manifest: { body: Buffer; contentType: string; digest: string }): Promise<void> {
    const put = await this.request(
      'PUT',
      `/v2/${repo}/manifests/${reference}`,
      { 'content-type': manifest.contentType, 'content-length': String(manifest.body.length) },
      manifest.body,
    );
    if (put.status !== 201) throw new SeedError(this.hostPort, `storing the manifest of ${repo}:${reference} answered ${put.status} ${excerpt(put.body)}`);
    const stored = put.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored !== manifest.digest)
      throw new SeedError(this.hostPort, `stored ${repo}:${reference} as ${stored}, expected ${manifest.digest}`);
  }

  private async request(method: string, path: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<SeedResponse> {
    const stream = await this.connection.openTcp(this.address.ip, this.address.port);
    const socket = tls.connect({
      socket: stream,
      host: this.address.ip,
      ca: this.credentials.caPem,
      cert: this.credentials.clientCertPem,
      key: this.credentials.clientKeyPem,
    });
    return new Promise<SeedResponse>((resolve, reject) => {
      const request = http.request({ method, path, headers: { host: this.hostPort, ...headers }, createConnection: () => socket }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          socket.end();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on('error', reject);
      });
      const fail = (error: Error) => {
        socket.destroy();
        reject(new SeedError(this.hostPort, `${method} ${path.split('?')[0]} failed: ${error.message}`, error));
      };
      request.on('error', fail);
      socket.on('error', fail);
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else {
        body.on('error', (error: Error) => request.destroy(error));
        body.pipe(request);
      }
    });
  }
}

function excerpt(body: Buffer): string {
  return body.toString('utf8').replace(/\s+/g, ' ').slice(0, 200);
}
