import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendKnownHost, checkHostKey, keyFingerprint, keyTypeOf, knownKeyTypes, loadKnownHosts, parseKnownHosts } from '../../../transport/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'hound-kh-'));

/** A fresh public key from ssh-keygen: [type, base64 blob]. */
function makeKey(type: 'ed25519' | 'ecdsa' | 'rsa', name: string): [string, string] {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', path]);
  const [keyType, blob] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
  return [keyType, blob];
}

function hashedName(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

let ed: [string, string];
let ed2: [string, string];
let ecdsa: [string, string];
const blob = (k: [string, string]) => Buffer.from(k[1], 'base64');

beforeAll(() => {
  ed = makeKey('ed25519', 'a');
  ed2 = makeKey('ed25519', 'b');
  ecdsa = makeKey('ecdsa', 'c');
});

describe('known_hosts', () => {
  it('reads the key type from the blob and prints fingerprints like ssh-keygen -l', () => {
    expect(keyTypeOf(blob(ed))).toBe('ssh-ed25519');
    expect(keyTypeOf(blob(ecdsa))).toBe('ecdsa-sha2-nistp256');
    const printed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'a.pub')], { encoding: 'utf8' });
    expect(printed).toContain(keyFingerprint(blob(ed)));
  });

  it('matches plain names, comma lists, [host]:port, and skips comments and junk', () => {
    const text = [
      '# a comment',
      '',
      `10.0.0.1,node1 ${ed.join(' ')} root@x`,
      `[10.0.0.2]:2222 ${ed.join(' ')}`,
      'not a valid line',
      `node9 ssh-ed25519 ${Buffer.from('garbage').toString('base64')}`,
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(entries).toHaveLength(2);
    expect(entries[0].line).toBe(3);
    expect(checkHostKey(entries, '10.0.0.1', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, 'node1', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, 'NODE1', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, '10.0.0.1', 2222, blob(ed)).status).toBe('unknown');
    expect(checkHostKey(entries, '10.0.0.2', 2222, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, '10.0.0.2', 22, blob(ed)).status).toBe('unknown');
  });

  it('a different key of the same type is "changed" and names the old line; another type is "unknown"', () => {
    const entries = parseKnownHosts(`# x\nnode1 ${ed.join(' ')}\n`, '/k/known_hosts');
    const changed = checkHostKey(entries, 'node1', 22, blob(ed2));
    expect(changed.status).toBe('changed');
    if (changed.status !== 'changed') throw new Error('unreachable');
    expect(changed.entry.file).toBe('/k/known_hosts');
    expect(changed.entry.line).toBe(2);
    expect(checkHostKey(entries, 'node1', 22, blob(ecdsa))).toEqual({ status: 'unknown', otherTypes: ['ssh-ed25519'] });
    expect(knownKeyTypes(entries, 'node1', 22)).toEqual(['ssh-ed25519']);
  });

  it('a host with both types known matches the one presented', () => {
    const entries = parseKnownHosts(`node1 ${ed.join(' ')}\nnode1 ${ecdsa.join(' ')}\n`, 'kh');
    expect(checkHostKey(entries, 'node1', 22, blob(ecdsa)).status).toBe('match');
  });

  it('wildcards and negation', () => {
    const entries = parseKnownHosts(`*.lab,!bad.lab,10.0.0.? ${ed.join(' ')}\n`, 'kh');
    expect(checkHostKey(entries, 'n1.lab', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, 'bad.lab', 22, blob(ed)).status).toBe('unknown');
    expect(checkHostKey(entries, '10.0.0.7', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, '10.0.0.17', 22, blob(ed)).status).toBe('unknown');
  });

  it('hashed names (HMAC-SHA1 made here)', () => {
    const entries = parseKnownHosts(`${hashedName('10.9.8.7')} ${ed.join(' ')}\n${hashedName('[10.9.8.7]:2200')} ${ecdsa.join(' ')}\n`, 'kh');
    expect(checkHostKey(entries, '10.9.8.7', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, '10.9.8.7', 22, blob(ed2)).status).toBe('changed');
    expect(checkHostKey(entries, '10.9.8.6', 22, blob(ed)).status).toBe('unknown');
    expect(checkHostKey(entries, '10.9.8.7', 2200, blob(ecdsa)).status).toBe('match');
  });

  it('hashed names written by the real ssh-keygen -H', async () => {
    const file = join(dir, 'hashed_known_hosts');
    writeFileSync(file, `node7.lab ${ed.join(' ')}\n[10.1.1.1]:2022 ${ecdsa.join(' ')}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('node7.lab');
    expect(text.startsWith('|1|')).toBe(true);
    const entries = await loadKnownHosts([file, join(dir, 'missing')]);
    expect(entries).toHaveLength(2);
    expect(checkHostKey(entries, 'node7.lab', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, '10.1.1.1', 2022, blob(ecdsa)).status).toBe('match');
    expect(checkHostKey(entries, 'node7.lab', 22, blob(ed2)).status).toBe('changed');
  });

  it('@revoked refuses that key; @cert-authority lines are skipped safely', () => {
    const entries = parseKnownHosts(
      `@revoked * ${ed.join(' ')}\n@cert-authority *.lab ${ecdsa.join(' ')}\nnode1 ${ed.join(' ')}\n@bogus x ${ed.join(' ')}\n`,
      'kh',
    );
    expect(entries).toHaveLength(3);
    expect(checkHostKey(entries, 'node1', 22, blob(ed)).status).toBe('revoked');
    expect(checkHostKey(entries, 'n.lab', 22, blob(ecdsa)).status).toBe('unknown');
  });

  it('appends a plain line for accept-new, readable back and by ssh-keygen -F', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    await appendKnownHost(file, '10.2.2.2', 22, blob(ed));
    await appendKnownHost(file, '10.2.2.3', 2222, blob(ecdsa));
    const entries = await loadKnownHosts([file]);
    expect(checkHostKey(entries, '10.2.2.2', 22, blob(ed)).status).toBe('match');
    expect(checkHostKey(entries, '10.2.2.3', 2222, blob(ecdsa)).status).toBe('match');
    const found = execFileSync('ssh-keygen', ['-F', '[10.2.2.3]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(ecdsa[1]);
  });
});
