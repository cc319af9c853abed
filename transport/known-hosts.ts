// known_hosts files, read and checked the way OpenSSH does: plain and hashed names,
// wildcard and negated patterns, `[host]:port` for ports other than 22, @revoked keys.
// ssh2 accepts any host key unless told otherwise, so this is what keeps hound honest.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputFileError, readInputText } from '../base/input-file.js';
import { appendAll } from '../base/append.js';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Plain patterns (`host`, `*.lab`, `!bad`, `[host]:2222`), or a hashed name. */
  names: { patterns: string[] } | { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
}

export type HostKeyCheck =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'unknown'; /** Key types known for this host under other algorithms. */ otherTypes: string[] }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Parses one known_hosts file; malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const word = fields.shift()!;
      if (word === '@revoked') marker = 'revoked';
      else if (word === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [namesField, keyType, keyBase64] = fields;
    if (namesField === undefined || keyType === undefined || keyBase64 === undefined) return;
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) return;
    let names: KnownHostEntry['names'];
    if (namesField.startsWith('|1|')) {
      const [, , salt, hash] = namesField.split('|');
      if (salt === undefined || hash === undefined) return;
      names = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      names = { patterns: namesField.split(',') };
    }
    entries.push({ file, line: index + 1, marker, names, keyType, key });
  });
  return entries;
}

/** Reads the files that exist, in order; a missing file is simply empty. */
export async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readInputText(file, { what: 'known_hosts file' });
    } catch (error) {
      if (error instanceof InputFileError && error.problem === 'missing') continue;
      throw error;
    }
    appendAll(all, parseKnownHosts(text, file));
  }
  return all;
}

/** The name OpenSSH looks up: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function entryMatchesName(entry: KnownHostEntry, name: string): boolean {
  if ('salt' in entry.names) {
    const digest = createHmac('sha1', entry.names.salt).update(name).digest();
    return digest.length === entry.names.hash.length && timingSafeEqual(digest, entry.names.hash);
  }
  let matched = false;
  for (const pattern of entry.names.patterns) {
    const negated = pattern.startsWith('!');
    if (wildcardMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Checks a presented host key (the raw SSH key blob) for `host` on `port`. */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyCheck {
  const name = knownHostsName(host, port);
  const keyType = keyTypeOf(key);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && entryMatchesName(e, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const match = plain.find((e) => e.key.equals(key));
  if (match) return { status: 'match', entry: match };
  const sameType = plain.find((e) => e.keyType === keyType);
  if (sameType) return { status: 'changed', entry: sameType };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types known for a host, so the client can prefer algorithms it can verify (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entries.filter((e) => e.marker === undefined && entryMatchesName(e, name)).map((e) => e.keyType))];
}

/** Appends a plain line for accept-new, creating the file (mode 600) and its folder if needed. */
export async function appendKnownHost(file: string, host: string, port: number, key: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const existing = await readInputText(file, { what: 'known_hosts file' });
    if (existing.length > 0 && !existing.endsWith('\n')) prefix = '\n';
  } catch (error) {
    if (!(error instanceof InputFileError && error.problem === 'missing')) throw error;
  }
  await appendFile(file, `${prefix}${knownHostsName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}

/** The algorithm name at the start of an SSH public key blob (`ssh-ed25519`, …). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const length = key.readUInt32BE(0);
  if (length > key.length - 4 || length > 64) return '';
  return key.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:…` as ssh-keygen -l prints it. */
export function keyFingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

// OpenSSH's match_pattern: `*` any run, `?` one character, case-insensitive for host names.
function wildcardMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
  return regex.test(name);
}
