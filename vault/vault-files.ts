// Encrypting and decrypting whole files as ansible-vault's VaultEditor does: `-` is
// stdin/stdout, an existing file keeps its mode and owner, a new one is made 0600, and the
// text is written through a temporary file beside it, then moved in place.
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, HoundError } from '../base/errors.js';
import { registerSecretText } from '../base/secrets.js';
import { isVaultText } from './envelope.js';
import type { VaultKeyring } from './keyring.js';

export function readInput(file: string): Buffer {
  if (file === '-') return readFileSync(0);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HoundError(
      'VAULT_FILE_UNREADABLE',
      `could not read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      EXIT.ERROR,
    );
  }
}

/** Plaintexts by vault text, per keyring: a lookup on 1,000 hosts opens its file once, not 1,000 times (10,000 PBKDF2 rounds each). */
const openedFiles = new WeakMap<VaultKeyring, Map<string, Buffer>>();

/**
 * A controller file as Ansible's DataLoader gives it to lookups and to copy's and template's
 * actions: a vault-encrypted one opened with the run's passwords (`vaulted`), its plaintext
 * registered as secret text, line by line, so that no output shows it. Without a keyring,
 * `missingPassword` says what the caller's Ansible counterpart says.
 */
export function openControllerFile(file: string, keyring: VaultKeyring | undefined, missingPassword: () => Error): { content: Buffer; vaulted: boolean } {
  const content = readFileSync(file);
  if (!isVaultText(content)) return { content, vaulted: false };
  if (keyring === undefined) throw missingPassword();
  let opened = openedFiles.get(keyring);
  if (opened === undefined) openedFiles.set(keyring, (opened = new Map<string, Buffer>()));
  const text = content.toString('utf8');
  let plaintext = opened.get(text);
  if (plaintext === undefined) {
    plaintext = keyring.decrypt(text, file);
    registerSecretText(plaintext.toString('utf8'));
    opened.set(text, plaintext);
  }
  return { content: plaintext, vaulted: true };
}

export function writeOutput(file: string, data: Buffer | string): void {
  if (file === '-') {
    process.stdout.write(data);
    return;
  }
  const previous = existsSync(file) ? statSync(file) : undefined;
  const dir = mkdtempSync(path.join(path.dirname(path.resolve(file)), '.hound-vault-'));
  const temporary = path.join(dir, 'data');
  try {
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (previous) {
    chmodSync(file, previous.mode & 0o7777);
    try {
      chownSync(file, previous.uid, previous.gid);
    } catch {
      // Only root may give a file away; the mode is what matters.
    }
  }
}

/** ansible-vault encrypt FILE: refused when it already is encrypted. */
export function encryptFile(keyring: VaultKeyring, file: string, options: { encryptVaultId?: string; output?: string }): void {
  const plaintext = readInput(file);
  if (isVaultText(plaintext)) throw new HoundError('VAULT_ALREADY_ENCRYPTED', `${file === '-' ? 'stdin' : file}: input is already encrypted`, EXIT.ERROR);
  writeOutput(options.output ?? file, keyring.encrypt(plaintext, options.encryptVaultId));
}

export function decryptFile(keyring: VaultKeyring, file: string, options: { output?: string }): void {
  const text = readInput(file).toString('utf8');
  const where = file === '-' ? 'stdin' : file;
  if (!isVaultText(text)) throw new HoundError('VAULT_NOT_ENCRYPTED', `input is not vault encrypted data. ${where} is not a vault encrypted file`, EXIT.ERROR);
  writeOutput(options.output ?? file, keyring.decrypt(text, where));
}

/** ansible-vault rekey: decrypted with the old passwords, encrypted with the new one. */
export function rekeyFile(keyring: VaultKeyring, file: string, newKeyring: VaultKeyring, encryptVaultId?: string): void {
  const plaintext = keyring.decrypt(readInput(file).toString('utf8'), file);
  writeOutput(file, newKeyring.encrypt(plaintext, encryptVaultId));
}

/** encrypt_string's YAML block: `NAME: !vault |` then the vaulttext indented by 10 spaces. */
export function vaultYamlBlock(vaulttext: string, name?: string): string {
  const lines = [
    `${name ? `${name}: ` : ''}!vault |`,
    ...vaulttext
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `          ${l}`),
  ];
  return lines.join('\n');
}
