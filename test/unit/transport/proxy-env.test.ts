// Which proxy a registry request goes through, against the test tables of Go's httpproxy
// package (what Docker's client and daemon decide by), kept with their origin in
// fixtures/go-httpproxy-cases.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProxyRules, proxyEnvironment } from '../../../transport/proxy-env.js';

const cases = JSON.parse(readFileSync(new URL('./fixtures/go-httpproxy-cases.json', import.meta.url), 'utf8')) as {
  noProxy: string;
  useProxy: [string, boolean][];
  proxyForURL: { httpProxy?: string; httpsProxy?: string; noProxy?: string; req?: string; want: string | null }[];
};

describe("proxy choice, as Go's httpproxy makes it", () => {
  it.each(cases.useProxy)('NO_PROXY table: %s → proxied %s', (host, proxied) => {
    const rules = new ProxyRules({ httpProxy: 'http://proxy.example:3128', noProxy: cases.noProxy });
    expect(rules.proxyFor(new URL(`http://${host}:80/`)) !== undefined).toBe(proxied);
  });

  it.each(cases.useProxy)('NO_PROXY=* proxies nothing: %s', (host) => {
    expect(new ProxyRules({ httpProxy: 'http://proxy.example:3128', noProxy: '*' }).proxyFor(new URL(`http://${host}:80/`))).toBeUndefined();
  });

  it.each(cases.proxyForURL.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const rules = new ProxyRules({ httpProxy: c.httpProxy, httpsProxy: c.httpsProxy, noProxy: c.noProxy });
    expect(rules.proxyFor(new URL(c.req ?? 'http://example.com'))?.origin ?? null).toBe(c.want);
  });

  it('a malformed NO_PROXY entry is passed over, as Go does', () => {
    expect(new ProxyRules({ httpProxy: 'proxy', noProxy: ':1' }).proxyFor(new URL('http://example.com/'))?.origin).toBe('http://proxy');
  });

  it('reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY, upper case first, and refuses a SOCKS proxy it cannot speak', () => {
    expect(proxyEnvironment({ HTTPS_PROXY: 'a:1', https_proxy: 'b:1', http_proxy: 'c:1', no_proxy: 'd' })).toEqual({
      httpsProxy: 'a:1',
      httpProxy: 'c:1',
      noProxy: 'd',
    });
    expect(() => new ProxyRules({ httpsProxy: 'socks5://127.0.0.1:1080' })).toThrow(expect.objectContaining({ code: 'PROXY_UNSUPPORTED' }));
  });
});
