// Which proxy a registry request goes through, decided from HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY (or their lowercase forms) exactly as Docker's own client and daemon decide it:
// Go's golang.org/x/net/http/httpproxy rules. HTTPS_PROXY for https URLs, HTTP_PROXY for
// http ones; a value without a scheme means http://; localhost and loopback addresses are
// never proxied; NO_PROXY lists domains (and their subdomains; ".d" subdomains only;
// "*.d" as ".d"), IP addresses, CIDR ranges, each optionally with a port, or "*".
// Written here rather than taken from proxy-from-env, which knows no CIDR ranges and
// proxies loopback: hound must route as the Docker next to it does.
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { OptionsError } from '../base/errors.js';

export interface ProxyEnvironment {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** The proxy settings of an environment (default: this process's). */
export function proxyEnvironment(env: NodeJS.ProcessEnv = process.env): ProxyEnvironment {
  const any = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  return { httpProxy: any('HTTP_PROXY', 'http_proxy'), httpsProxy: any('HTTPS_PROXY', 'https_proxy'), noProxy: any('NO_PROXY', 'no_proxy') };
}

type Matcher = (host: string, port: string, ip: string | undefined) => boolean;

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Proxy choice for one environment, parsed once. */
export class ProxyRules {
  private readonly httpProxy?: URL;
  private readonly httpsProxy?: URL;
  private readonly matchers: Matcher[] = [];
  private noProxyAll = false;

  constructor(readonly environment: ProxyEnvironment) {
    this.httpProxy = parseProxyUrl(environment.httpProxy, 'HTTP_PROXY');
    this.httpsProxy = parseProxyUrl(environment.httpsProxy, 'HTTPS_PROXY');
    for (const raw of (environment.noProxy ?? '').split(',')) this.addNoProxyEntry(raw.trim().toLowerCase());
  }

  /** Whether any proxy is set at all. */
  get active(): boolean {
    return this.httpProxy !== undefined || this.httpsProxy !== undefined;
  }

  /** The proxy for `url`, or undefined to connect directly. */
  proxyFor(url: URL): URL | undefined {
    const proxy = url.protocol === 'https:' ? this.httpsProxy : url.protocol === 'http:' ? this.httpProxy : undefined;
    if (!proxy) return undefined;
    return this.useProxy(url) ? proxy : undefined;
  }

  private useProxy(url: URL): boolean {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = url.port || DEFAULT_PORTS[url.protocol] || '';
    if (host === 'localhost') return false;
    const ip = net.isIP(host) ? host : undefined;
    if (ip !== undefined && isLoopback(ip)) return false;
    if (this.noProxyAll) return false;
    return !this.matchers.some((match) => match(host, port, ip));
  }

  private addNoProxyEntry(entry: string): void {
    if (entry === '') return;
    if (entry === '*') {
      this.noProxyAll = true;
      return;
    }
    const cidr = parseCidr(entry);
    if (cidr) {
      this.matchers.push((_host, _port, ip) => ip !== undefined && cidr.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4'));
      return;
    }
    let host = entry;
    let port = '';
    const hostPort = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(entry);
    if (hostPort) {
      host = hostPort[1];
      port = hostPort[2];
      if (host === '') return;
      host = host.replace(/^\[(.*)\]$/, '$1');
    }
    if (net.isIP(host)) {
      const wanted = normaliseIp(host);
      this.matchers.push((_h, p, ip) => ip !== undefined && normaliseIp(ip) === wanted && (port === '' || port === p));
      return;
    }
    if (host === '') return;
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    const suffix = domainToASCII(matchHost ? `x.${host}` : `x${host}`).slice(1) || (matchHost ? `.${host}` : host);
    this.matchers.push((h, p) => (h.endsWith(suffix) || (matchHost && h === suffix.slice(1))) && (port === '' || port === p));
  }
}

function parseProxyUrl(value: string | undefined, name: string): URL | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // "host:port" or a bare host parses as an odd scheme (or not at all): Go then reads it as http://.
  if (!url || !['http:', 'https:', 'socks5:'].includes(url.protocol)) {
    try {
      url = new URL(`http://${value}`);
    } catch {
      throw new OptionsError('PROXY_INVALID', `${name}=${value} is not a proxy address`, { hint: 'give http://HOST:PORT (or HOST:PORT)' });
    }
  }
  if (url.protocol === 'socks5:') {
    throw new OptionsError('PROXY_UNSUPPORTED', `${name}=${value}: hound speaks to HTTP(S) proxies only, not SOCKS`, {
      hint: 'point it at an HTTP proxy that allows CONNECT, or unset it for hound',
    });
  }
  return url;
}

function parseCidr(entry: string): net.BlockList | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (!m || !net.isIP(m[1])) return undefined;
  const family = net.isIPv6(m[1]) ? 'ipv6' : 'ipv4';
  const bits = Number(m[2]);
  if (bits > (family === 'ipv6' ? 128 : 32)) return undefined;
  const list = new net.BlockList();
  list.addSubnet(m[1], bits, family);
  return list;
}

function normaliseIp(ip: string): string {
  if (!net.isIPv6(ip)) return ip;
  const list = new net.SocketAddress({ address: ip, family: 'ipv6' });
  return list.address;
}

function isLoopback(ip: string): boolean {
  if (net.isIPv4(ip)) return ip.startsWith('127.');
  return normaliseIp(ip) === '::1';
}
