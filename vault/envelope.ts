// The text around Ansible Vault ciphertext ("vaulttext"), as ansible-core's parsing/vault
// writes and reads it: a header `$ANSIBLE_VAULT;1.1;AES256` (1.2 adds `;VAULT_ID`), then the
// hex of the cipher's output in lines of 80 characters. The header is not authenticated:
// the vault id only chooses which password to try first.
import { ParseError } from '../base/errors.js';

export const VAULT_HEADER = '$ANSIBLE_VAULT';
/** The vault id of passwords given without one (`--vault-password-file`, `--ask-vault-pass`). */
export const DEFAULT_VAULT_ID = 'default';

export interface VaultEnvelope {
  version: string;
  cipher: string;
  /** From a 1.2 header; undefined for 1.1. */
  vaultId?: string;
  /** The hex body with the line breaks removed. */
  body: string;
}

/** Whether `text` is vault-encrypted data (what Ansible's is_encrypted tests: the header prefix). */
export function isVaultText(text: string | Buffer): boolean {
  const head = typeof text === 'string' ? text.slice(0, VAULT_HEADER.length) : text.subarray(0, VAULT_HEADER.length).toString('latin1');
  return head === VAULT_HEADER;
}

/** Splits vaulttext into its header fields and body; `where` names the file (and line) in errors. */
export function parseEnvelope(text: string, where: string): VaultEnvelope {
  const lines = text.split(/\r?\n|\r/);
  const header = (lines[0] ?? '').trim().split(';');
  if (header[0] !== VAULT_HEADER || header.length < 3) {
    throw new ParseError('VAULT_FORMAT', `${where}: the vault header "${lines[0] ?? ''}" is not $ANSIBLE_VAULT;VERSION;CIPHER[;VAULT_ID]`, {
      hint: 'the file looks vault-encrypted but its first line is damaged; encrypt it again with `hound vault encrypt` or ansible-vault',
    });
  }
  const version = header[1].trim();
  const cipher = header[2].trim();
  const vaultId = header.length >= 4 ? header[3].trim() : undefined;
  const body = lines
    .slice(1)
    .map((l) => l.trim())
    .join('');
  return { version, cipher, ...(vaultId !== undefined ? { vaultId } : {}), body };
}

/** The text `ansible-vault encrypt` writes: 1.2 with a vault id other than `default`, else 1.1. */
export function formatEnvelope(body: string, vaultId?: string): string {
  const header =
    vaultId !== undefined && vaultId !== '' && vaultId !== DEFAULT_VAULT_ID ? `${VAULT_HEADER};1.2;AES256;${vaultId}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < body.length; i += 80) lines.push(body.slice(i, i + 80));
  return lines.join('\n') + '\n';
}
