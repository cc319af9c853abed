// The lab's production-like registries, beside the plain one on the registry host (same
// address, own ports, same shaping): four more Distribution processes, cheap because all
// but the mirror serve the plain registry's storage, read-only (every image pushed to the
// lab is there too).
//   :5001  TLS (the lab CA) + htpasswd (Basic) auth;
//   :5002  TLS + token auth: Bearer tokens from a token server on the controller's lab
//          address (realm https://CONTROLLER:5004/token, run by the tests: test/fixtures/
//          registry/token-server.ts), signed by the lab's token signer; it also sends
//          Docker Hub's rate-limit headers (fixed values), as Docker Hub does;
//   :5003  TLS, anonymous: a pull-through mirror (proxy.remoteurl) of :5002, with the lab
//          user's credentials (so it fetches its tokens from the token server too); the
//          odd-numbered nodes list it in registry-mirrors. Not of :5001: Distribution's proxy
//          keys Basic credentials by the challenge's realm, which for htpasswd is a name,
//          not a URL, so it never finds them.
//   :5005  TLS asking for a client certificate the lab CA signed (Distribution's clientcas),
//          no other auth: the nodes hold the lab's client.cert/client.key in their certs.d
//          folder for it, as Docker reads them.
import https from 'node:https';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDetached, type StartedDaemon } from './daemons.js';
import type { BinaryPaths } from './preflight.js';
import type { LabTlsPaths } from './lab-tls.js';
import { LAB_REGISTRY_USER } from './lab-tls.js';

export const BASIC_REGISTRY_PORT = 5001;
export const TOKEN_REGISTRY_PORT = 5002;
export const MIRROR_REGISTRY_PORT = 5003;
/** Where the token registry sends clients for tokens, on the controller's lab address. */
export const TOKEN_SERVER_PORT = 5004;
export const CLIENT_CERTIFICATE_REGISTRY_PORT = 5005;
export const TOKEN_SERVICE = 'hound-lab-registry';
export const TOKEN_ISSUER = 'hound-lab-token-server';
/** What the token registry states, as Docker Hub does (`ratelimit-limit: 100;w=21600`). */
export const LAB_RATE_LIMIT = { limit: 100, remaining: 97, windowSeconds: 21600 };

export interface SecureRegistriesInfo {
  /** The lab CA certificate: what a client must trust to reach them. */
  caCert: string;
  username: string;
  password: string;
  basic: { host: string; url: string; pid: number };
  token: { host: string; url: string; pid: number; realm: string; service: string; issuer: string };
  mirror: { host: string; url: string; pid: number; upstream: string };
  /** The registry that asks for a client certificate: the lab's, in `clientCert`/`clientKey`. */
  clientCertificate: { host: string; url: string; pid: number; clientCert: string; clientKey: string };
  /** What the tests' token server needs: its TLS pair (the lab's server certificate) and the signer. */
  tokenServer: { address: string; port: number; cert: string; key: string; signerCert: string; signerKey: string };
}

export const SECURE_REGISTRY_KINDS = ['basic', 'token', 'mirror', 'clientCertificate'] as const;
export type SecureRegistryKind = (typeof SECURE_REGISTRY_KINDS)[number];

interface RegistryConfig {
  name: SecureRegistryKind;
  port: number;
  storage: string;
  readOnly: boolean;
  /** CA files a client certificate must be signed by: the registry then asks for one. */
  clientCas?: string[];
  auth?: string[];
  extra?: string[];
}

function renderConfig(c: RegistryConfig, listen: string, tls: LabTlsPaths): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${c.storage}`,
    '  delete:',
    `    enabled: ${c.readOnly ? 'false' : 'true'}`,
    '  cache:',
    '    blobdescriptor: inmemory',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    ...(c.readOnly ? ['    readonly:', '      enabled: true'] : []),
    'http:',
    `  addr: ${listen}`,
    '  tls:',
    `    certificate: ${tls.serverCert}`,
    `    key: ${tls.serverKey}`,
    ...(c.clientCas ? ['    clientcas:', ...c.clientCas.map((f) => `      - ${f}`)] : []),
    ...(c.extra ?? []),
    ...(c.auth ?? []),
    '',
  ].join('\n');
}

/** Writes the three configs; the plain registry's storage is shared by the first two. The pids are filled in once they run. */
export async function prepareSecureRegistries(
  registryDir: string,
  sharedStorage: string,
  o: { registryIp: string; controllerIp: string; tls: LabTlsPaths; password: string },
): Promise<{ configs: Record<SecureRegistryKind, string>; info: SecureRegistriesInfo }> {
  const at = (port: number) => `${o.registryIp}:${port}`;
  const realm = `https://${o.controllerIp}:${TOKEN_SERVER_PORT}/token`;
  const mirrorStorage = path.join(registryDir, 'mirror-storage');
  await mkdir(mirrorStorage, { recursive: true });
  const window = `;w=${LAB_RATE_LIMIT.windowSeconds}`;
  const registries: RegistryConfig[] = [
    {
      name: 'basic',
      port: BASIC_REGISTRY_PORT,
      storage: sharedStorage,
      readOnly: true,
      auth: ['auth:', '  htpasswd:', '    realm: hound-lab', `    path: ${o.tls.htpasswd}`],
    },
    {
      name: 'token',
      port: TOKEN_REGISTRY_PORT,
      storage: sharedStorage,
      readOnly: true,
      extra: [
        '  headers:',
        `    RateLimit-Limit: ["${LAB_RATE_LIMIT.limit}${window}"]`,
        `    RateLimit-Remaining: ["${LAB_RATE_LIMIT.remaining}${window}"]`,
        '    Docker-RateLimit-Source: ["hound-lab"]',
      ],
      auth: [
        'auth:',
        '  token:',
        `    realm: ${realm}`,
        `    service: ${TOKEN_SERVICE}`,
        `    issuer: ${TOKEN_ISSUER}`,
        `    rootcertbundle: ${o.tls.signerCert}`,
      ],
    },
    {
      name: 'mirror',
      port: MIRROR_REGISTRY_PORT,
      storage: mirrorStorage,
      readOnly: false,
      auth: ['proxy:', `  remoteurl: https://${at(TOKEN_REGISTRY_PORT)}`, `  username: ${LAB_REGISTRY_USER}`, `  password: ${o.password}`],
    },
    { name: 'clientCertificate', port: CLIENT_CERTIFICATE_REGISTRY_PORT, storage: sharedStorage, readOnly: true, clientCas: [o.tls.caCert] },
  ];
  const configs = {} as Record<SecureRegistryKind, string>;
  for (const r of registries) {
    const file = path.join(registryDir, `${r.name}.yml`);
    await writeFile(file, renderConfig(r, at(r.port), o.tls), { mode: 0o600 });
    configs[r.name] = file;
  }
  return {
    configs,
    info: {
      caCert: o.tls.caCert,
      username: LAB_REGISTRY_USER,
      password: o.password,
      basic: { host: at(BASIC_REGISTRY_PORT), url: `https://${at(BASIC_REGISTRY_PORT)}`, pid: -1 },
      token: { host: at(TOKEN_REGISTRY_PORT), url: `https://${at(TOKEN_REGISTRY_PORT)}`, pid: -1, realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER },
      mirror: { host: at(MIRROR_REGISTRY_PORT), url: `https://${at(MIRROR_REGISTRY_PORT)}`, pid: -1, upstream: at(TOKEN_REGISTRY_PORT) },
      clientCertificate: {
        host: at(CLIENT_CERTIFICATE_REGISTRY_PORT),
        url: `https://${at(CLIENT_CERTIFICATE_REGISTRY_PORT)}`,
        pid: -1,
        clientCert: o.tls.clientCert,
        clientKey: o.tls.clientKey,
      },
      tokenServer: {
        address: o.controllerIp,
        port: TOKEN_SERVER_PORT,
        cert: o.tls.serverCert,
        key: o.tls.serverKey,
        signerCert: o.tls.signerCert,
        signerKey: o.tls.signerKey,
      },
    },
  };
}

/** Starts one of them in the registry's namespace; the mirror trusts the lab CA for its upstream (Go reads SSL_CERT_FILE). */
export function startSecureRegistry(bins: BinaryPaths, netns: string, config: string, caCert: string): StartedDaemon {
  return startDetached(bins, netns, [bins['docker-registry'], 'serve', config], config.replace(/\.yml$/, '.log'), undefined, { SSL_CERT_FILE: caCert });
}

/**
 * Whether a TLS registry answers /v2/ (200, or 401 asking for credentials) with a certificate
 * the lab CA vouches for; with the lab's client certificate when given (the registry that asks for one).
 */
export async function secureRegistryAnswers(url: string, caCert: string, client?: { cert: string; key: string }, timeoutMs = 2000): Promise<boolean> {
  const ca = await readFile(caCert, 'utf8');
  const identity = client ? { cert: await readFile(client.cert, 'utf8'), key: await readFile(client.key, 'utf8') } : {};
  return new Promise((resolve) => {
    const request = https.get(`${url}/v2/`, { ca, ...identity, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 || response.statusCode === 401);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
