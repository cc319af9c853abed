// A certificate authority that lives for one fan-out run, in the controller's memory only:
// it signs the seeds' server certificates (for their IP address only) and one client
// certificate the run's nodes present to the seeds. Nodes trust it for the seeds'
// addresses only (certs.d/HOST:PORT), and the seeds accept only clients it signed, so a seed
// answers the run's nodes and nobody else; once the run ends the key is gone and nothing
// can be signed with it again.
//
// X.509 is written here by hand (DER, ECDSA P-256, a handful of extensions) because Node can
// sign and parse certificates but not build them, and the libraries that do pull in a
// dependency-injection framework and a global polyfill for it. The unit test reads every
// certificate back with node:crypto's X509Certificate and with `openssl verify`.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import net from 'node:net';

export interface IssuedCertificate {
  certificatePem: string;
  /** PKCS#8 PEM; written only to the node that uses it. */
  privateKeyPem: string;
}

export interface RunCertificateAuthority {
  readonly certificatePem: string;
  /** A server certificate valid for one IP address (the seed's). */
  issueServer(ip: string): IssuedCertificate;
  /** A client certificate for the run's nodes. */
  issueClient(): IssuedCertificate;
}

const OID = {
  commonName: '2.5.4.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** `lifetimeMs` bounds every certificate: a run that outlives it fails its pulls instead of trusting forever. */
export function createRunCertificateAuthority(runId: string, lifetimeMs = 24 * 3600_000, now = new Date()): RunCertificateAuthority {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = new Date(now.getTime() - 5 * 60_000); // nodes' clocks may be a little behind
  const notAfter = new Date(now.getTime() + lifetimeMs);
  const caName = name(`hound fan-out CA ${runId}`);
  const caCert = certificate({
    issuer: caName,
    subject: caName,
    publicKey: caKeys.publicKey,
    signer: caKeys.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true), int(Buffer.from([0])))),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
    ],
  });
  const issue = (subject: string, usage: string, altIp?: string): IssuedCertificate => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const extensions = [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
      extension(OID.extKeyUsage, false, seq(oid(usage))),
    ];
    if (altIp !== undefined) extensions.push(extension(OID.subjectAltName, false, seq(tlv(0x87, ipBytes(altIp)))));
    const der = certificate({ issuer: caName, subject: name(subject), publicKey: keys.publicKey, signer: caKeys.privateKey, notBefore, notAfter, extensions });
    return { certificatePem: pem('CERTIFICATE', der), privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  };
  return {
    certificatePem: pem('CERTIFICATE', caCert),
    issueServer: (ip) => issue(`hound fan-out seed ${ip}`, OID.serverAuth, ip),
    issueClient: () => issue(`hound fan-out node ${runId}`, OID.clientAuth),
  };
}

/** Whether a PEM private key parses (for tests and for a seed's own check). */
export function isPrivateKeyPem(text: string): boolean {
  try {
    createPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

function certificate(o: {
  issuer: Buffer;
  subject: Buffer;
  publicKey: KeyObject;
  signer: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and without a leading zero byte
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))), // v3
    int(serial),
    algorithm,
    o.issuer,
    seq(utcTime(o.notBefore), utcTime(o.notAfter)),
    o.subject,
    o.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...o.extensions)),
  );
  const signature = sign('sha256', tbs, o.signer); // DER-encoded ECDSA signature
  return seq(tbs, algorithm, bitString(signature, 0));
}

function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), tlv(0x04, value)) : seq(oid(id), tlv(0x04, value));
}

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!net.isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const [head, tail = ''] = ip.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = ip.includes('::') ? groups(tail) : [];
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// DER: tag, definite length, content.
function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function int(value: Buffer): Buffer {
  return tlv(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function bool(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0]));
}

function bitString(bits: Buffer, unusedBits: number): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bits]));
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0] * 40 + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let rest = Math.floor(part / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const two = (n: number) => String(n).padStart(2, '0');
  const text = `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}
