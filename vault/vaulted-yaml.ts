// Vault inside YAML files: a whole file encrypted (vars_files, group_vars, host_vars,
// inventories, include_vars), and inline `!vault |` scalars (ansible-vault encrypt_string).
// Every value decrypted here is recorded as a secret, so no event, log or error shows it.
import { isMap, isPair, isScalar, isSeq, visit, type Document, type ScalarTag } from 'yaml';
import { registerSecret } from '../base/secrets.js';
import { isVaultText } from './envelope.js';
import { VaultKeyring } from './keyring.js';

/** What a YAML reader does with vault: decrypt (a run), or keep inline values as ciphertext (`hound inventory`, as ansible-inventory prints them). */
export interface VaultReading {
  keyring?: VaultKeyring;
  /** `keep`: an inline value reads as `{__ansible_vault: ciphertext}`; whole files are still decrypted. */
  inline?: 'decrypt' | 'keep';
}

/** `!vault` and its older spelling `!vault-encrypted`, read as the ciphertext text until decrypted. */
export const VAULT_TAGS: ScalarTag[] = ['!vault', '!vault-encrypted'].map((tag) => ({ tag, resolve: (text: string) => text, identify: () => false }));

/**
 * The text of a file, decrypted when the whole file is vault-encrypted. `vaulted` tells the
 * caller to record the values it parses from it as secrets (revealValues).
 */
export function openVaultedText(file: string, text: string, vault: VaultReading | undefined): { text: string; vaulted: boolean } {
  if (!isVaultText(text)) return { text, vaulted: false };
  return { text: keyringOf(vault).decryptText(text, file), vaulted: true };
}

const emptyKeyring = new VaultKeyring();

function keyringOf(vault: VaultReading | undefined): VaultKeyring {
  // Without a keyring the keyring's own "no vault password was given" error is the right one.
  return vault?.keyring ?? emptyKeyring;
}

/**
 * Replaces each `!vault` scalar of `doc` by its plaintext (or, with inline: 'keep', by
 * Ansible's `{__ansible_vault: ciphertext}`); `where(offset)` names the file and line in errors.
 */
export function decryptVaultScalars(doc: Document, vault: VaultReading | undefined, where: (offset: number) => string): void {
  if (!hasVaultTag(doc.contents)) return;
  visit(doc, {
    Scalar(_key, node) {
      if (node.tag !== '!vault' && node.tag !== '!vault-encrypted') return undefined;
      const ciphertext = String(node.value);
      if (vault?.inline === 'keep') return doc.createNode({ __ansible_vault: ciphertext });
      const plaintext = keyringOf(vault).decryptText(ciphertext, where(node.range?.[0] ?? 0));
      node.value = plaintext;
      node.tag = undefined;
      registerSecret(plaintext);
      return undefined;
    },
  });
}

function hasVaultTag(node: unknown): boolean {
  if (isScalar(node)) return node.tag === '!vault' || node.tag === '!vault-encrypted';
  if (isMap(node) || isSeq(node))
    return (node.items as unknown[]).some((item) => (isPair(item) ? hasVaultTag(item.value) || hasVaultTag(item.key) : hasVaultTag(item)));
  return false;
}

/**
 * A vaulted value given as Ansible's JSON writes one (`{"__ansible_vault": ciphertext}`, as an
 * inventory script prints it): its plaintext, recorded as a secret, or with inline: 'keep' the
 * same mapping back.
 */
export function openVaultValue(ciphertext: string, vault: VaultReading | undefined, where: string): unknown {
  if (vault?.inline === 'keep') return { __ansible_vault: ciphertext };
  const plaintext = keyringOf(vault).decryptText(ciphertext, where);
  registerSecret(plaintext);
  return plaintext;
}

/** Records every string in `value` (a vaulted file's data) as a secret. */
export function revealValues(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (value instanceof Map) for (const v of value.values()) revealValues(v);
  else if (Array.isArray(value)) for (const v of value) revealValues(v);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) revealValues(v);
}
