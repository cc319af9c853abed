// Trust as Docker has it, from files: a certs.d folder read as Docker reads it, the CA files
// of a run, and whether a chain leads to the CAs a node trusts. The certificates are real
// ones made with openssl (fixtures/certs/README.md).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../transport/certificate-chain.js';
import { loadInventory } from '../../../inventory/load.js';
import { ControllerTrust, readCertsDirectory, registryCaFiles, runCaFiles, splitPem } from '../../../transport/registry-trust.js';

const fixture = (name: string) => new URL(`./fixtures/certs/${name}`, import.meta.url).pathname;
const cert = (name: string) => new X509Certificate(readFileSync(fixture(name)));
const [root, intermediate, leaf, other] = ['ca.crt', 'intermediate.crt', 'leaf.crt', 'other-ca.crt'].map(cert);

describe('verifyChain', () => {
  it('a chain through the intermediate it sent to a trusted root is trusted, for its names and addresses only', () => {
    expect(verifyChain([leaf, intermediate], [root], 'registry.test')).toEqual({ trusted: true });
    expect(verifyChain([leaf, intermediate], [root], '10.9.8.2')).toEqual({ trusted: true });
    expect(verifyChain([leaf, intermediate], [root], 'other.test')).toMatchObject({
      trusted: false,
      reason: expect.stringContaining('not valid for other.test'),
    });
    expect(verifyChain([leaf, intermediate], [root], '10.9.8.3')).toMatchObject({ trusted: false });
  });

  it('another root, or a missing intermediate, is an unknown authority; trusting the intermediate itself suffices', () => {
    expect(verifyChain([leaf, intermediate], [other], 'registry.test')).toMatchObject({ trusted: false, reason: expect.stringContaining('unknown authority') });
    expect(verifyChain([leaf], [root], 'registry.test')).toMatchObject({ trusted: false, reason: expect.stringContaining('intermediate CA') });
    expect(verifyChain([leaf], [intermediate], 'registry.test')).toEqual({ trusted: true });
    // A certificate pinned as a CA (Docker accepts a server's own certificate in certs.d).
    expect(verifyChain([leaf], [leaf], 'registry.test')).toEqual({ trusted: true });
  });

  it('outside its validity it is refused, with the date', () => {
    const later = new Date(Date.parse(leaf.validTo) + 86_400_000);
    expect(verifyChain([leaf, intermediate], [root], 'registry.test', later)).toMatchObject({ trusted: false, reason: expect.stringContaining('expired') });
  });
});

describe("Docker's certs.d, read as Docker reads it", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-certsd-'));
  const host = (name: string, files: Record<string, string>) => {
    const folder = path.join(dir, name);
    mkdirSync(folder, { recursive: true });
    for (const [file, source] of Object.entries(files)) copyFileSync(fixture(source), path.join(folder, file));
    return folder;
  };

  it('every *.crt is a CA (in name order); NAME.cert with NAME.key is the client certificate; a missing folder is no extra trust', async () => {
    const folder = host('registry.test:5000', {
      'b.crt': 'other-ca.crt',
      'a.crt': 'ca.crt',
      'client.cert': 'client.cert',
      'client.key': 'client.key',
      'notes.txt': 'README.md',
    });
    const read = await readCertsDirectory(folder);
    expect(read?.caCertificates.map((p) => new X509Certificate(p).subject)).toEqual([root.subject, other.subject]);
    expect(read?.clientCertificate?.file).toBe(path.join(folder, 'client.cert'));
    expect(await readCertsDirectory(path.join(dir, 'absent:1'))).toBeUndefined();
  });

  it("a .cert without its .key, or a .key without its .cert, is Docker's error", async () => {
    await expect(readCertsDirectory(host('lonely-cert', { 'client.cert': 'client.cert' }))).rejects.toMatchObject({
      code: 'REGISTRY_CERTS_INVALID',
      message: expect.stringContaining('missing key client.key'),
    });
    await expect(readCertsDirectory(host('lonely-key', { 'client.key': 'client.key' }))).rejects.toMatchObject({
      code: 'REGISTRY_CERTS_INVALID',
      message: expect.stringContaining('missing client certificate client.cert'),
    });
  });

  it('the controller trusts the system CAs plus the host folder plus the CA files, and names where its trust came from', async () => {
    const system = path.join(dir, 'system.pem');
    writeFileSync(system, readFileSync(fixture('other-ca.crt')));
    host('registry.test:5001', { 'ca.crt': 'ca.crt' });
    const trust = new ControllerTrust({ certsDirectory: dir, caFiles: [fixture('intermediate.crt')], systemBundle: system });
    expect((await trust.tlsFor('registry.test:5001')).sources).toEqual([path.join(dir, 'registry.test:5001'), fixture('intermediate.crt')]);
    expect((await trust.tlsFor('elsewhere:443')).sources).toEqual([fixture('intermediate.crt')]);
    const bad = new ControllerTrust({ caFiles: [fixture('README.md')], systemBundle: system });
    await expect(bad.tlsFor('registry.test')).rejects.toMatchObject({ code: 'REGISTRY_CA_INVALID' });
  });

  it('splits a PEM bundle into its certificates', () => {
    expect(splitPem(`junk\n${readFileSync(fixture('ca.crt'), 'utf8')}\n${readFileSync(fixture('leaf.crt'), 'utf8')}`)).toHaveLength(2);
  });
});

describe('the CA files of a run', () => {
  it("--ca-file first, then each host's hound_registry_ca (a path or a list), resolved and once each; anything else is an error naming the host", () => {
    const cwd = process.cwd();
    expect(
      registryCaFiles(
        ['a.pem'],
        [
          { host: 'n1', value: 'b.pem' },
          { host: 'n2', value: ['a.pem', '/etc/c.pem'] },
          { host: 'n3', value: undefined },
        ],
      ),
    ).toEqual([path.join(cwd, 'a.pem'), path.join(cwd, 'b.pem'), '/etc/c.pem']);
    expect(() => registryCaFiles([], [{ host: 'n4', value: 42 }])).toThrow(
      expect.objectContaining({ code: 'REGISTRY_CA_INVALID', message: expect.stringContaining('n4') }),
    );
  });

  it("of a run on an inventory: each host's hound_registry_ca as its variables give it (a host's value over its group's)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hound-ca-files-'));
    writeFileSync(path.join(dir, 'hosts.ini'), '[nodes]\nn1 hound_registry_ca=b.pem\nn2\n\n[nodes:vars]\nhound_registry_ca=["/etc/c.pem"]\n');
    const inventory = await loadInventory([path.join(dir, 'hosts.ini')]);
    expect(runCaFiles(['a.pem'], inventory)).toEqual([path.resolve('a.pem'), path.resolve('b.pem'), '/etc/c.pem']);
  });
});
