// The vault passwords of a run, each under its vault id, in the order Ansible tries them:
// for vaulttext naming a vault id, the passwords of that id first, then (unless
// vault_id_match) every other one; the first whose HMAC matches opens it.
import { EXIT, HoundError } from '../base/errors.js';
import { registerSecret } from '../base/secrets.js';
import { decryptAes256, encryptAes256, parseBody } from './aes256.js';
import { DEFAULT_VAULT_ID, formatEnvelope, isVaultText, parseEnvelope } from './envelope.js';

export interface VaultPassword {
  /** The vault id it is given for (`default` when none was named). */
  id: string;
  password: Buffer;
  /** Where it came from, for messages: a file, a script, `prompt`. Never the password. */
  source: string;
}

export interface KeyringOptions {
  /** Ansible's vault_id_match: only passwords of the vaulttext's own vault id are tried. */
  idMatch?: boolean;
}

const PASSWORD_HINT =
  'give the password that encrypted it: --vault-id ID@FILE, --vault-password-file FILE or --ask-vault-pass (or vault_password_file in ansible.cfg)';

export class VaultKeyring {
  private readonly passwords: VaultPassword[] = [];

  constructor(
    passwords: readonly VaultPassword[] = [],
    private readonly options: KeyringOptions = {},
  ) {
    for (const p of passwords) this.add(p);
  }

  add(password: VaultPassword): void {
    this.passwords.push(password);
    // A password is as secret as what it opens.
    registerSecret(password.password.toString('utf8'));
  }

  get size(): number {
    return this.passwords.length;
  }

  get vaultIds(): string[] {
    return this.passwords.map((p) => p.id);
  }

  /**
   * The plaintext of `vaulttext`. `where` names its file (and line) in errors; a wrong or
   * missing password is one HoundError (exit 1, as ansible-playbook), a damaged text a ParseError.
   */
  decrypt(vaulttext: string, where: string): Buffer {
    if (!isVaultText(vaulttext)) {
      throw new HoundError('VAULT_NOT_ENCRYPTED', `${where} is not vault-encrypted data`, EXIT.ERROR, {
        hint: 'vault-encrypted text starts with $ANSIBLE_VAULT;',
      });
    }
    const envelope = parseEnvelope(vaulttext, where);
    if (envelope.cipher !== 'AES256') {
      throw new HoundError('VAULT_CIPHER', `${where}: the vault cipher ${envelope.cipher} is not supported (only AES256, as ansible-core)`, EXIT.ERROR, {
        hint: 'encrypt it again with `hound vault encrypt` or a current ansible-vault',
      });
    }
    if (this.passwords.length === 0) {
      throw new HoundError('VAULT_NO_PASSWORD', `${where} is vault-encrypted and no vault password was given`, EXIT.ERROR, { hint: PASSWORD_HINT });
    }
    const body = parseBody(envelope.body, where);
    for (const candidate of this.candidates(envelope.vaultId)) {
      const plaintext = decryptAes256(body, candidate.password);
      if (plaintext) return plaintext;
    }
    const ids = [...new Set(this.passwords.map((p) => p.id))].join(', ');
    const named = envelope.vaultId ? ` (encrypted for vault id '${envelope.vaultId}')` : '';
    throw new HoundError(
      'VAULT_DECRYPT_FAILED',
      `${where}${named}: decryption failed, none of the vault passwords given (vault ids: ${ids}) opens it`,
      EXIT.ERROR,
      {
        hint: PASSWORD_HINT,
      },
    );
  }

  /** The plaintext as UTF-8 text, recorded as a secret (masked in every event and error from now on). */
  decryptText(vaulttext: string, where: string): string {
    const text = this.decrypt(vaulttext, where).toString('utf8');
    registerSecret(text.trim());
    return text;
  }

  /**
   * Vaulttext for `plaintext`, with the password of `encryptVaultId`, or the first password
   * when none is named (ansible-vault's --encrypt-vault-id).
   */
  encrypt(plaintext: Buffer, encryptVaultId?: string): string {
    const password = this.encryptionPassword(encryptVaultId);
    return formatEnvelope(encryptAes256(plaintext, password.password), password.id);
  }

  encryptionPassword(encryptVaultId?: string): VaultPassword {
    if (this.passwords.length === 0) {
      throw new HoundError('VAULT_NO_PASSWORD', 'a vault password is needed to encrypt', EXIT.ERROR, { hint: PASSWORD_HINT });
    }
    if (encryptVaultId === undefined) return this.passwords[0];
    const found = this.passwords.find((p) => p.id === encryptVaultId);
    if (!found) {
      throw new HoundError(
        'VAULT_ID_UNKNOWN',
        `no vault password was given for --encrypt-vault-id ${encryptVaultId} (known vault ids: ${this.vaultIds.join(', ')})`,
        EXIT.ERROR,
        {
          hint: `add --vault-id ${encryptVaultId}@FILE`,
        },
      );
    }
    return found;
  }

  private candidates(vaultId: string | undefined): VaultPassword[] {
    const id = vaultId ?? DEFAULT_VAULT_ID;
    const own = this.passwords.filter((p) => p.id === id);
    if (this.options.idMatch) return own;
    return [...own, ...this.passwords.filter((p) => p.id !== id)];
  }
}
