// The lab's own PKI, made fresh by openssl on each `up`: a CA (as a company's would be), one
// server certificate for the lab's TLS endpoints (the registries on the registry host, the
// token server on the controller's lab address), a token signer whose certificate the
// token registry trusts (Distribution's rootcertbundle), a client certificate the lab CA
// signs (what the registry that asks for one accepts; the nodes hold it in their certs.d),
// and the htpasswd file of the lab's registry user (bcrypt, as Distribution requires, by
// Apache's htpasswd).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './host-command.js';
import type { BinaryPaths } from './preflight.js';

export interface LabTlsPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  signerCert: string;
  signerKey: string;
  clientCert: string;
  clientKey: string;
  htpasswd: string;
}

export function labTlsPathsOf(labDir: string): LabTlsPaths {
  const dir = path.join(labDir, 'tls');
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
    signerCert: path.join(dir, 'token-signer.crt'),
    signerKey: path.join(dir, 'token-signer.key'),
    clientCert: path.join(dir, 'client.cert'),
    clientKey: path.join(dir, 'client.key'),
    htpasswd: path.join(dir, 'htpasswd'),
  };
}

/** The lab's registry user. */
export const LAB_REGISTRY_USER = 'hound';
const DAYS = '30';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A new EC key and its self-signed certificate (the CA, the token signer). */
async function selfSigned(openssl: string, keyOut: string, certOut: string, subject: string, extra: string[] = []): Promise<void> {
  await runCommand(openssl, ['req', '-x509', '-new', ...EC, '-keyout', keyOut, '-out', certOut, '-days', DAYS, '-subj', subject, ...extra]);
}

/** Makes the CA, the server certificate (for `addresses`), the client certificate, the token signer and the htpasswd; resolves to the user's password. */
export async function createLabTls(bins: BinaryPaths, p: LabTlsPaths, labName: string, addresses: string[]): Promise<string> {
  await mkdir(p.dir, { recursive: true, mode: 0o755 });
  const openssl = bins.openssl;
  await selfSigned(openssl, p.caKey, p.caCert, `/O=hound lab/CN=hound lab ${labName} CA`, [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await signedByLabCa(openssl, p, 'server', p.serverCert, p.serverKey, `/O=hound lab/CN=hound lab ${labName} registries`, [
    `subjectAltName=${addresses.map((a) => `IP:${a}`).join(',')}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ]);
  await signedByLabCa(openssl, p, 'client', p.clientCert, p.clientKey, `/O=hound lab/CN=hound lab ${labName} client`, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  await selfSigned(openssl, p.signerKey, p.signerCert, `/O=hound lab/CN=hound lab ${labName} token signer`);
  const password = randomBytes(18).toString('base64url');
  // -i: the password on stdin, not on a command line other processes can read.
  const line = await runCommand(bins.htpasswd, ['-niB', LAB_REGISTRY_USER], { input: `${password}\n` });
  await writeFile(p.htpasswd, line.trim() + '\n', { mode: 0o644 });
  return password;
}

/** A key pair and its certificate, signed by the lab CA with `extensions` (an openssl extfile's lines). */
async function signedByLabCa(openssl: string, p: LabTlsPaths, name: string, cert: string, key: string, subject: string, extensions: string[]): Promise<void> {
  const csr = path.join(p.dir, `${name}.csr`);
  const extfile = path.join(p.dir, `${name}.ext`);
  await writeFile(extfile, [...extensions, ''].join('\n'));
  await runCommand(openssl, ['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', subject]);
  await runCommand(openssl, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    p.caCert,
    '-CAkey',
    p.caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    DAYS,
    '-extfile',
    extfile,
  ]);
}
