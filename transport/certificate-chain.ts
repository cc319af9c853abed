// Whether a TLS client with exactly a given set of CA certificates would accept a server's
// certificate chain: a path from the server's certificate, through the intermediates it
// sent, to one of those CAs, each link signed by the next, each certificate within its
// validity, and the name (or IP) matching. The controller uses it to tell, before any pull,
// whether a node's runtime will trust a registry, from the chain the registry presents and
// the CAs the node's runtime reads. (Name constraints, key usages and revocation are not
// checked; Docker's Go client would refuse a few chains this accepts, never the other way.)
import net from 'node:net';
import { X509Certificate } from 'node:crypto';

export type ChainVerdict = { trusted: true } | { trusted: false; reason: string };

const MAX_DEPTH = 10;

export function verifyChain(chain: readonly X509Certificate[], roots: readonly X509Certificate[], host: string, now = new Date()): ChainVerdict {
  const leaf = chain[0];
  if (!leaf) return { trusted: false, reason: 'the registry presented no certificate' };
  const name = host.replace(/^\[(.*)\]$/, '$1');
  const nameMatches = net.isIP(name) ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined;
  if (!nameMatches) return { trusted: false, reason: `its certificate is not valid for ${name} (${leaf.subjectAltName ?? leaf.subject.replace(/\n/g, ', ')})` };
  const rootPrints = new Set(roots.map((r) => r.fingerprint256));
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const expired = outsideValidity(current, now);
    if (expired) return { trusted: false, reason: expired };
    if (rootPrints.has(current.fingerprint256)) return { trusted: true };
    const root = roots.find((r) => issued(r, current));
    if (root) {
      const rootExpired = outsideValidity(root, now);
      return rootExpired ? { trusted: false, reason: rootExpired } : { trusted: true };
    }
    const next = chain.find((c) => c !== current && issued(c, current));
    if (!next) break;
    current = next;
  }
  return { trusted: false, reason: `its certificate is signed by an unknown authority (${current.issuer.replace(/\n/g, ', ')})` };
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function outsideValidity(cert: X509Certificate, now: Date): string | undefined {
  if (now < new Date(cert.validFrom)) return `a certificate of its chain (${cert.subject.replace(/\n/g, ', ')}) is not valid before ${cert.validFrom}`;
  if (now > new Date(cert.validTo)) return `a certificate of its chain (${cert.subject.replace(/\n/g, ', ')}) expired on ${cert.validTo}`;
  return undefined;
}
