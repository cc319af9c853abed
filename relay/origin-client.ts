// The relay's side of an origin registry: manifests as exact bytes and blobs as streams,
// with the registry's own auth (Basic, or Bearer tokens from its token service, as
// Docker does). Kept to what the relay needs: GET of manifests and blobs, redirects
// (blob storage on a CDN), and one retry after an auth challenge.
import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import type { RegistryAuth } from '../transport/types.js';
import { OriginError } from './errors.js';
import { withRetries } from '../base/retry.js';

export interface OriginManifest {
  /** The manifest exactly as the registry sent it: its digest is over these bytes. */
  body: Buffer;
  contentType: string;
  digest: string;
}

export interface OriginBlob {
  /** The whole blob's size, also when only a part was asked for. */
  size: number;
  body: Readable;
}

/** What the relay needs from an origin registry; the transport's registry client can provide it too. */
export interface OriginRegistry {
  /** Registry host[:port] as in image references (docker.io for Docker Hub). */
  readonly host: string;
  getManifest(repo: string, reference: string, accept: string): Promise<OriginManifest>;
  /** The blob's bytes from `offset` on (default 0). */
  getBlob(repo: string, digest: string, offset?: number): Promise<OriginBlob>;
}

export interface OriginClientOptions {
  /** Registry host[:port] as in image references. */
  host: string;
  auth?: RegistryAuth;
  /** Talk plain HTTP (registries the nodes' Docker lists as insecure). Default: only for loopback hosts. */
  plainHttp?: boolean;
}

/** The media types Docker accepts for a pull, most preferred first. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const MAX_REDIRECTS = 5;
/** A busy or restarting origin is asked 4 times, waiting about 0.5, 1 and 2 s between (jittered ×0.5–1.5). */
const RETRY_ATTEMPTS = 4;
const RETRY_BASE_MS = 500;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export class OriginClient implements OriginRegistry {
  readonly host: string;
  private readonly baseUrl: URL;
  private readonly auth?: RegistryAuth;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  /** Authorization header per token scope, once a challenge has been answered. */
  private readonly authorizations = new Map<string, string>();

  constructor(options: OriginClientOptions) {
    this.host = options.host;
    this.auth = options.auth;
    const apiHost = options.host === 'docker.io' ? 'registry-1.docker.io' : options.host;
    const plain = options.plainHttp ?? /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(options.host);
    this.baseUrl = new URL(`${plain ? 'http' : 'https'}://${apiHost}/`);
  }

  async getManifest(repo: string, reference: string, accept: string): Promise<OriginManifest> {
    const response = await this.get(repo, `/v2/${repo}/manifests/${reference}`, { accept });
    const body = await readLimited(response, MAX_MANIFEST_BYTES, this.host);
    const computed = 'sha256:' + createHash('sha256').update(body).digest('hex');
    const digest = response.headers['docker-content-digest']?.toString() ?? computed;
    if (reference.startsWith('sha256:') && computed !== reference) {
      throw new OriginError(this.host, `manifest ${repo}@${reference} hashed to ${computed}`);
    }
    const contentType = response.headers['content-type']?.toString() ?? 'application/vnd.docker.distribution.manifest.v2+json';
    return { body, contentType, digest };
  }

  async getBlob(repo: string, digest: string, offset = 0): Promise<OriginBlob> {
    const response = await this.get(repo, `/v2/${repo}/blobs/${digest}`, offset > 0 ? { range: `bytes=${offset}-` } : {});
    const length = Number(response.headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) {
      response.destroy();
      throw new OriginError(this.host, `blob ${digest} of ${repo} came without a Content-Length`);
    }
    if (response.statusCode === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(response.headers['content-range'] ?? '');
      if (!range || Number(range[1]) !== offset) {
        response.destroy();
        throw new OriginError(this.host, `blob ${digest} of ${repo}: asked for bytes from ${offset}, got "${response.headers['content-range'] ?? ''}"`);
      }
      return { size: Number(range[2]), body: response };
    }
    // A registry that ignores Range sends it all: skip what the caller has.
    return { size: length, body: offset > 0 ? response.pipe(skipBytes(offset)) : response };
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** GET with auth, following redirects; resolves to a 200 response, whose body the caller reads. */
  /** Retries what a busy or restarting registry answers (429, 5xx, refused/reset connections). */
  private get(repo: string, path: string, headers: Record<string, string>): Promise<IncomingMessage> {
    return withRetries(() => this.getOnce(repo, path, headers), {
      attempts: RETRY_ATTEMPTS,
      baseMs: RETRY_BASE_MS,
      retryable: (error) => {
        const status = (error as OriginError).status;
        return error instanceof OriginError && (status === undefined ? error.cause !== undefined : status === 429 || status >= 500);
      },
    });
  }

  private async getOnce(repo: string, path: string, headers: Record<string, string>): Promise<IncomingMessage> {
    const scope = `repository:${repo}:pull`;
    let url = new URL(path, this.baseUrl);
    let challenged = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // Credentials go only to the registry itself, never to the storage it redirects to.
      const own = url.host === this.baseUrl.host;
      const authorization = own ? this.authorizations.get(scope) : undefined;
      const response = await this.request(url, { ...headers, ...(authorization ? { authorization } : {}) });
      const status = response.statusCode ?? 0;
      if (status === 200 || (status === 206 && headers.range !== undefined)) return response;
      response.resume();
      if (status >= 300 && status < 400 && response.headers.location) {
        url = new URL(response.headers.location, url);
        continue;
      }
      if (status === 401 && own && !challenged) {
        challenged = true;
        await this.answerChallenge(response.headers['www-authenticate']?.toString(), scope);
        hop--;
        continue;
      }
      throw new OriginError(this.host, `GET ${path} answered ${status}${status === 404 ? ' (not found)' : ''}`, status);
    }
    throw new OriginError(this.host, `GET ${path}: more than ${MAX_REDIRECTS} redirects`);
  }

  private async answerChallenge(challenge: string | undefined, scope: string): Promise<void> {
    const auth = this.auth;
    if (!challenge) throw new OriginError(this.host, 'asked for credentials without saying how (no WWW-Authenticate)', 401);
    const scheme = challenge.split(' ', 1)[0].toLowerCase();
    if (scheme === 'basic') {
      if (!auth?.username || auth.password === undefined) throw new OriginError(this.host, 'needs credentials and none were given', 401);
      this.authorizations.set(scope, 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
      return;
    }
    if (scheme !== 'bearer') throw new OriginError(this.host, `uses an unsupported auth scheme "${scheme}"`, 401);
    const params = parseChallengeParams(challenge.slice(scheme.length));
    if (!params.realm) throw new OriginError(this.host, 'sent a Bearer challenge without a realm', 401);
    const tokenUrl = new URL(params.realm);
    const service = params.service;
    let response: IncomingMessage;
    if (auth?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'hound', scope });
      if (service) form.set('service', service);
      response = await this.request(tokenUrl, { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', form.toString());
    } else {
      if (service) tokenUrl.searchParams.set('service', service);
      tokenUrl.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (auth?.username && auth.password !== undefined) {
        headers.authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      }
      response = await this.request(tokenUrl, headers);
    }
    const body = await readLimited(response, 1024 * 1024, this.host);
    if (response.statusCode !== 200) throw new OriginError(this.host, `token service answered ${response.statusCode}`, response.statusCode);
    let token: unknown;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new OriginError(this.host, 'token service sent no token');
    this.authorizations.set(scope, `Bearer ${token}`);
  }

  private request(url: URL, headers: Record<string, string>, method = 'GET', body?: string): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    const client = secure ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(url, { method, headers, agent: secure ? this.httpsAgent : this.httpAgent }, resolve);
      request.on('error', (error) => reject(new OriginError(this.host, `${method} ${url.pathname} failed: ${error.message}`, undefined, error)));
      request.end(body);
    });
  }
}

/** `realm="…",service="…",scope="…"` → their values. */
export function parseChallengeParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of text.matchAll(/([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[match[1].toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return params;
}

async function readLimited(response: IncomingMessage, limit: number, host: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of response as AsyncIterable<Buffer>) {
    length += part.length;
    if (length > limit) {
      response.destroy();
      throw new OriginError(host, `response larger than ${limit} bytes`);
    }
    parts.push(part);
  }
  return Buffer.concat(parts);
}

function skipBytes(count: number): Transform {
  let left = count;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return done();
      }
      const rest = left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
      done(null, rest);
    },
  });
}
