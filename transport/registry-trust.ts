// What the controller trusts when it speaks TLS to a registry: what Docker on the
// controller would. The system's CA bundle (as Go finds it: SSL_CERT_FILE, else the
// distribution's bundle), each registry's /etc/docker/certs.d/HOST[:PORT]/ folder read as
// Docker reads it (every *.crt a CA; a NAME.cert with its NAME.key a client certificate),
// and the CA files the run names (--ca-file, hound_registry_ca), trusted for every registry.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { HoundError, EXIT, OptionsError } from '../base/errors.js';
import type { Inventory } from '../inventory/model.js';
import { hostVars } from '../inventory/vars.js';

/** Where Docker reads per-registry certificates (dockerd as root, and the docker CLI). */
export const DOCKER_CERTS_DIRECTORY = '/etc/docker/certs.d';

/** Go's crypto/x509 system bundle paths on Linux, first found wins. */
export const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

export interface ControllerTrustOptions {
  /** Docker's per-registry certificate folders (default /etc/docker/certs.d). */
  certsDirectory?: string;
  /** CA files trusted for every registry, on top of the system's (--ca-file, hound_registry_ca). */
  caFiles?: readonly string[];
  /** The system bundle (default: SSL_CERT_FILE, else the first of Go's paths, else Node's own roots). */
  systemBundle?: string;
  /**
   * For a registry hound runs itself (a fan-out seed): trust this CA alone (no system CAs,
   * certs.d or CA files) and present this client certificate, PEM texts all.
   */
  pinned?: { caPem: string; clientCertPem: string; clientKeyPem: string };
}

/** A registry host's certs.d folder as Docker reads it. */
export interface CertsDirectory {
  dir: string;
  /** PEM text of each *.crt, in name order. */
  caCertificates: string[];
  /** The first NAME.cert / NAME.key pair. */
  clientCertificate?: { cert: string; key: string; file: string };
}

export interface EndpointTls {
  secureContext: tls.SecureContext;
  /** Where the extra trust came from, for messages: certs.d folder, CA files. */
  sources: string[];
  clientCertificate?: string;
}

/**
 * The CA files of a run: `--ca-file` options, then every host's `hound_registry_ca` (a path
 * or a list of paths, relative to the working directory as Ansible's paths are), once each.
 */
export function registryCaFiles(commandLine: readonly string[], hostValues: ReadonlyArray<{ host: string; value: unknown }>): string[] {
  const files = commandLine.map((f) => path.resolve(f));
  for (const { host, value } of hostValues) {
    if (value === undefined || value === null || value === '') continue;
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      if (typeof item !== 'string' || item === '') {
        throw new OptionsError('REGISTRY_CA_INVALID', `hound_registry_ca of ${host} must be a path or a list of paths, got ${JSON.stringify(item)}`, {
          hint: 'hound_registry_ca=/etc/ssl/company-ca.pem, or a list of such paths',
        });
      }
      files.push(path.resolve(item));
    }
  }
  return [...new Set(files)];
}

/** The CA files of a run on `inventory`: `--ca-file` (`commandLine`), then its hosts' `hound_registry_ca`. */
export function runCaFiles(commandLine: readonly string[], inventory: Inventory): string[] {
  return registryCaFiles(
    commandLine,
    [...inventory.hosts.keys()].map((host) => ({ host, value: hostVars(inventory, host).hound_registry_ca })),
  );
}

export class TrustError extends HoundError {
  constructor(code: string, message: string, hint: string) {
    super(code, message, EXIT.ERROR, { hint });
  }
}

/**
 * Reads `dir` as Docker's registry.ReadCertsDirectory does: `*.crt` are CAs, `NAME.cert`
 * needs `NAME.key` and the other way round. A missing folder is no extra trust.
 */
export async function readCertsDirectory(dir: string): Promise<CertsDirectory | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new TrustError('REGISTRY_CERTS_UNREADABLE', `cannot read ${dir}: ${(err as Error).message}`, 'fix its permissions or remove it');
  }
  const out: CertsDirectory = { dir, caCertificates: [] };
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.endsWith('.crt')) out.caCertificates.push(await readText(file));
    else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(keyName)) {
        throw new TrustError('REGISTRY_CERTS_INVALID', `missing key ${keyName} for client certificate ${file}`, 'CA certificates must use the extension .crt');
      }
      out.clientCertificate ??= { cert: await readText(file), key: await readText(path.join(dir, keyName)), file };
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`;
      if (!names.includes(certName)) {
        throw new TrustError('REGISTRY_CERTS_INVALID', `missing client certificate ${certName} for key ${file}`, 'a NAME.key needs its NAME.cert beside it');
      }
    }
  }
  return out;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new TrustError('REGISTRY_CERTS_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, 'fix its permissions');
  }
}

/** The system's CA certificates as PEM texts: what Go, and so Docker, trusts by default. */
export function systemCertificates(bundle?: string): string[] {
  const file = bundle ?? process.env.SSL_CERT_FILE ?? SYSTEM_BUNDLES.find((f) => existsSync(f));
  if (file === undefined) return [...tls.rootCertificates];
  try {
    return splitPem(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TrustError(
      'REGISTRY_CA_UNREADABLE',
      `cannot read the system CA bundle ${file}: ${(err as Error).message}`,
      'set SSL_CERT_FILE to a readable bundle',
    );
  }
}

/** The certificates of a PEM text, each as its own PEM block. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The controller's TLS trust per registry host, read once per host. */
export class ControllerTrust {
  private readonly certsDirectory: string;
  private system?: string[];
  private extra?: Promise<string[]>;
  private readonly byHost = new Map<string, Promise<EndpointTls>>();

  constructor(private readonly options: ControllerTrustOptions = {}) {
    this.certsDirectory = options.certsDirectory ?? DOCKER_CERTS_DIRECTORY;
  }

  /** TLS settings for an endpoint `host[:port]` (as in its URL): system + certs.d + CA files. */
  tlsFor(hostPort: string): Promise<EndpointTls> {
    let pending = this.byHost.get(hostPort);
    if (!pending) {
      pending = this.build(hostPort);
      this.byHost.set(hostPort, pending);
      pending.catch(() => this.byHost.delete(hostPort));
    }
    return pending;
  }

  private async build(hostPort: string): Promise<EndpointTls> {
    const pinned = this.options.pinned;
    if (pinned)
      return { secureContext: tls.createSecureContext({ ca: pinned.caPem, cert: pinned.clientCertPem, key: pinned.clientKeyPem }), sources: ['pinned CA'] };
    this.system ??= systemCertificates(this.options.systemBundle);
    const extra = await (this.extra ??= this.readCaFiles());
    const dir = await readCertsDirectory(path.join(this.certsDirectory, hostPort));
    const sources = [...(this.options.caFiles ?? [])];
    if (dir && (dir.caCertificates.length > 0 || dir.clientCertificate)) sources.unshift(dir.dir);
    const client = dir?.clientCertificate;
    let secureContext: tls.SecureContext;
    try {
      secureContext = tls.createSecureContext({
        ca: [...this.system, ...(dir?.caCertificates ?? []), ...extra],
        ...(client ? { cert: client.cert, key: client.key } : {}),
      });
    } catch (err) {
      throw new TrustError(
        'REGISTRY_CERTS_INVALID',
        `the certificates for ${hostPort} (${sources.join(', ') || 'system bundle'}) cannot be used: ${(err as Error).message}`,
        'each file must hold PEM certificates (and a PEM key for a client certificate)',
      );
    }
    return { secureContext, sources, ...(client ? { clientCertificate: client.file } : {}) };
  }

  private async readCaFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const file of this.options.caFiles ?? []) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new TrustError('REGISTRY_CA_UNREADABLE', `cannot read the CA file ${file}: ${(err as Error).message}`, 'check --ca-file and hound_registry_ca');
      }
      const certificates = splitPem(text);
      if (certificates.length === 0 || !certificates.every(isCertificate)) {
        throw new TrustError('REGISTRY_CA_INVALID', `the CA file ${file} holds no PEM certificate`, 'give a file of -----BEGIN CERTIFICATE----- blocks');
      }
      out.push(...certificates);
    }
    return out;
  }
}

function isCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}
