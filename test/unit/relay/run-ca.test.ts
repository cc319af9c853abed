import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunCertificateAuthority, isPrivateKeyPem } from '../../../relay/run-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'hound-run-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the per-run certificate authority', () => {
  const ca = createRunCertificateAuthority('run1');
  const server = ca.issueServer('10.1.2.3');
  const client = ca.issueClient();

  it('makes a CA and leaves that node:crypto parses and checks', () => {
    const root = new X509Certificate(ca.certificatePem);
    expect(root.ca).toBe(true);
    expect(root.subject).toBe('CN=hound fan-out CA run1');
    const leaf = new X509Certificate(server.certificatePem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(leaf.checkIP('10.1.2.4')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new X509Certificate(client.certificatePem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(isPrivateKeyPem(server.privateKeyPem)).toBe(true);
  });

  it('passes openssl verify for the right purpose only', () => {
    writeFileSync(join(dir, 'ca.crt'), ca.certificatePem);
    writeFileSync(join(dir, 'server.crt'), server.certificatePem);
    writeFileSync(join(dir, 'client.crt'), client.certificatePem);
    const verify = (file: string, purpose: string) =>
      execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', purpose, join(dir, file)], { encoding: 'utf8', stdio: 'pipe' });
    expect(verify('server.crt', 'sslserver')).toContain('OK');
    expect(verify('client.crt', 'sslclient')).toContain('OK');
    expect(() => verify('client.crt', 'sslserver')).toThrow();
  });

  it('a TLS server with the seed certificate accepts only clients the run signed', async () => {
    const server2 = tls.createServer(
      { cert: server.certificatePem, key: server.privateKeyPem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true },
      (socket) => socket.end('hello'),
    );
    await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
    const port = (server2.address() as { port: number }).port;
    const other = createRunCertificateAuthority('run2').issueClient();
    const talk = (cert: { certificatePem: string; privateKeyPem: string }) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port,
          ca: ca.certificatePem,
          cert: cert.certificatePem,
          key: cert.privateKeyPem,
          checkServerIdentity: () => undefined,
        });
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    try {
      expect(await talk(client)).toBe('hello');
      // TLS 1.3: the client's handshake ends before the server checks its certificate, so the refusal is an alert or a bare close.
      expect(await talk(other).catch(() => 'refused')).not.toBe('hello');
    } finally {
      server2.close();
    }
  });
});
