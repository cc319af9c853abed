// The registry client's wire: one HTTP(S) request at a time over node:http/https, kept-alive
// agents, the controller's TLS trust per registry host (registry-trust.ts), and the proxy
// the environment names for the URL (proxy-env.ts) through https-proxy-agent (CONNECT) or
// http-proxy-agent. node:http rather than fetch: a blob must stream for minutes with only
// an idle timeout, a TLS context is per registry host, and the proxy agents are http.Agents.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls, { type TLSSocket, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import { Readable, type Duplex } from 'node:stream';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { HttpProxyAgent } from 'http-proxy-agent';
import { ControllerTrust } from './registry-trust.js';
import { ProxyRules } from './proxy-env.js';
import type { TransportLogger } from './ssh-connection.js';
import { RegistryError } from './registry-errors.js';

export interface RegistryHttpOptions {
  trust: ControllerTrust;
  proxy: ProxyRules;
  /** A request (or a body) with no bytes for this long fails (default 30 s). */
  idleTimeoutMs?: number;
  logger?: TransportLogger;
  /**
   * How to reach an endpoint when not over this host's network: a byte stream to host:port
   * opened some other way (a node's SSH connection, direct-tcpip), one a request, no proxy.
   */
  connect?: (host: string, port: number) => Promise<Duplex>;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent whole, or streamed (an upload: its error ends the request). */
  body?: string | Buffer | Readable;
  signal?: AbortSignal;
  /**
   * Whose TLS trust applies (default the URL's host): a token realm is trusted as the
   * registry that sent there, as Docker does.
   */
  tlsHost?: string;
}

export class RegistryHttp {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly proxyAgents = new Map<string, http.Agent>();

  constructor(private readonly options: RegistryHttpOptions) {}

  /** One request; resolves with the response (any status) once its headers are in. */
  async send(url: URL, options: SendOptions = {}): Promise<IncomingMessage> {
    const method = options.method ?? 'GET';
    const secure = url.protocol === 'https:';
    const tlsSettings = secure ? await this.options.trust.tlsFor(options.tlsHost ?? url.host) : undefined;
    const connect = this.options.connect;
    const proxy = connect ? undefined : this.options.proxy.proxyFor(url);
    const agent = connect ? undefined : proxy ? this.proxyAgent(proxy, secure) : secure ? this.httpsAgent : this.httpAgent;
    // The name to check the certificate against, spelled out: through a CONNECT tunnel (or
    // a stream from `connect`) to an IP address TLS is handed no host to check.
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const checkServerIdentity = (_host: string, cert: PeerCertificate) => tls.checkServerIdentity(hostname, cert);
    const socket = connect ? await this.tunnel(connect, hostname, url, tlsSettings?.secureContext, checkServerIdentity) : undefined;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method,
          headers: options.headers,
          signal: options.signal,
          ...(socket ? { createConnection: () => socket } : { agent }),
          ...(tlsSettings && !socket ? { secureContext: tlsSettings.secureContext, checkServerIdentity } : {}),
        },
        resolve,
      );
      // Idle, not total: a blob that keeps moving is never cut.
      request.setTimeout(this.options.idleTimeoutMs ?? 30_000, () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      const body = options.body;
      request.on('error', (error) => {
        socket?.destroy();
        // A stream nobody else reads: left paused, it would hold what feeds it.
        if (body instanceof Readable) body.destroy();
        reject(error);
      });
      if (body instanceof Readable) {
        body.on('error', (error) => request.destroy(error));
        body.pipe(request);
      } else request.end(body);
    });
    if (socket) response.on('end', () => socket.end());
    this.options.logger?.(3, `registry: ${method} ${url.origin}${url.pathname}${proxy ? ` (via proxy ${proxy.host})` : ''} → ${response.statusCode}`);
    return response;
  }

  /**
   * The certificate chain the server at `url` presents, read without judging it (the
   * caller decides whom it would satisfy). Through the proxy if the URL has one.
   */
  async peerChain(url: URL): Promise<X509Certificate[]> {
    const proxy = this.options.proxy.proxyFor(url);
    const agent = proxy ? new HttpsProxyAgent(proxy, { keepAlive: false }) : new https.Agent({ keepAlive: false });
    try {
      return await new Promise<X509Certificate[]>((resolve, reject) => {
        const request = https.request(new URL('/v2/', url), { method: 'GET', agent, rejectUnauthorized: false }, (response) => {
          const socket = response.socket as TLSSocket;
          const chain = certificateChain(socket.getPeerCertificate(true));
          response.resume();
          resolve(chain);
        });
        request.setTimeout(this.options.idleTimeoutMs ?? 30_000, () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
        request.on('error', reject);
        request.end();
      });
    } finally {
      agent.destroy();
    }
  }

  /** A fresh stream from `connect` to `host` and the URL's port, in TLS for https. */
  private async tunnel(
    connect: NonNullable<RegistryHttpOptions['connect']>,
    host: string,
    url: URL,
    secureContext: tls.SecureContext | undefined,
    checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined,
  ): Promise<Duplex> {
    const stream = await connect(host, Number(url.port || (secureContext ? 443 : 80)));
    const socket = secureContext
      ? tls.connect({ socket: stream, secureContext, checkServerIdentity, ...(net.isIP(host) ? {} : { servername: host }) })
      : stream;
    // The request reports the socket's errors while it lasts; one after it ends is nobody's.
    socket.on('error', () => undefined);
    return socket;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const agent of this.proxyAgents.values()) agent.destroy();
  }

  private proxyAgent(proxy: URL, secureTarget: boolean): http.Agent {
    const key = `${secureTarget ? 'connect' : 'forward'} ${proxy.href}`;
    let agent = this.proxyAgents.get(key);
    if (!agent) {
      agent = secureTarget ? new HttpsProxyAgent(proxy, { keepAlive: true, maxSockets: 32 }) : new HttpProxyAgent(proxy, { keepAlive: true, maxSockets: 32 });
      this.proxyAgents.set(key, agent);
    }
    return agent;
  }
}

/** A response header's (first) value. */
export function headerOf(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A whole (small) body, refused past `limit` bytes: manifests, configs, token answers. */
export async function readLimited(body: Readable, limit: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of body as AsyncIterable<Buffer>) {
    length += part.length;
    if (length > limit) {
      body.destroy();
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `${what} is larger than ${limit} bytes`);
    }
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** The peer's chain, leaf first, as Node links it (issuerCertificate), stopping at a self-signed root. */
function certificateChain(peer: PeerCertificate | DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  for (
    let cert: DetailedPeerCertificate | undefined = peer as DetailedPeerCertificate;
    cert?.raw && !seen.has(cert.fingerprint256);
    cert = cert.issuerCertificate
  ) {
    seen.add(cert.fingerprint256);
    out.push(new X509Certificate(cert.raw));
  }
  return out;
}
