// Where vault passwords come from, as ansible-core's CLI reads them: files, scripts run as
// Ansible runs them (plain, and `-client` scripts asked `--vault-id ID`), prompts, a
// vault-encrypted password file, the order of the sources, and the errors.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { maskSecrets } from '../../../base/secrets.js';
import { VaultKeyring } from '../../../vault/keyring.js';
import { formatEnvelope, parseEnvelope } from '../../../vault/envelope.js';
import { loadVaultKeyring, splitVaultId, vaultIdSlugs, type VaultSourceOptions } from '../../../vault/password-sources.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-vault-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode = 0o600): string {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  chmodSync(full, mode);
  return full;
}

const noPrompt: VaultSourceOptions['prompt'] = () => Promise.reject(new Error('no prompt expected'));
const warnings: string[] = [];
const base = { prompt: noPrompt, warn: (m: string) => warnings.push(m) };

describe('vault id slugs', () => {
  it('split at the first @; a bare source has no id', () => {
    expect(splitVaultId('prod@/x/pw')).toEqual(['prod', '/x/pw']);
    expect(splitVaultId('a@b@c')).toEqual(['a', 'b@c']);
    expect(splitVaultId('/x/pw')).toEqual([undefined, '/x/pw']);
  });
  it("are in Ansible's order: vault_identity_list, --vault-id, password files as default@, then the prompt", () => {
    expect(vaultIdSlugs({ identityList: ['cfg@c'], vaultIds: ['cli@x'], passwordFiles: ['f1'], defaultPasswordFile: 'f2', askVaultPass: true })).toEqual([
      'cfg@c',
      'cli@x',
      'default@f1',
      'default@f2',
      'default@prompt_ask_vault_pass',
    ]);
    expect(vaultIdSlugs({})).toEqual([]);
    expect(vaultIdSlugs({ autoPrompt: true })).toEqual(['default@prompt_ask_vault_pass']);
  });
});

describe('loading passwords', () => {
  it('a file: its content stripped; the id from the slug, default otherwise', async () => {
    const k = await loadVaultKeyring({ ...base, vaultIds: [`prod@${file('p1', '  prod-pw \n\n')}`], passwordFiles: [file('p2', 'plain-pw\n')] });
    expect(k.vaultIds).toEqual(['prod', 'default']);
    expect(k.encryptionPassword('prod').password.toString()).toBe('prod-pw');
    expect(k.encryptionPassword('default').password.toString()).toBe('plain-pw');
  });

  it('an executable script: its stdout, without arguments', async () => {
    const script = file('pw-script.sh', '#!/bin/sh\necho "script-pw:$#"\n', 0o700);
    const k = await loadVaultKeyring({ ...base, vaultIds: [`dev@${script}`] });
    expect(k.encryptionPassword('dev').password.toString()).toBe('script-pw:0');
  });

  it('a client script (name ends in -client) is asked --vault-id ID; exit 2 means it has none', async () => {
    const client = file(
      'keyring-client.sh',
      '#!/bin/sh\n[ "$1" = --vault-id ] || exit 9\n[ "$2" = prod ] && { echo "client-pw-$2"; exit 0; }\necho "no key for $2" >&2; exit 2\n',
      0o700,
    );
    const k = await loadVaultKeyring({ ...base, vaultIds: [`prod@${client}`] });
    expect(k.encryptionPassword('prod').password.toString()).toBe('client-pw-prod');
    const err = await loadVaultKeyring({ ...base, vaultIds: [`dev@${client}`] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HoundError);
    expect((err as HoundError).message).toBe(`vault password client script ${client} did not find a secret for vault-id=dev: no key for dev`);
  });

  it('a script that fails: its exit code in the error', async () => {
    const failing = file('fails.sh', '#!/bin/sh\nexit 3\n', 0o700);
    await expect(loadVaultKeyring({ ...base, vaultIds: [failing] })).rejects.toThrow(`vault password script ${failing} returned non-zero (3)`);
  });

  it('a password file that is itself vault-encrypted, opened with a password given before it', async () => {
    const outer = new VaultKeyring([{ id: 'default', password: Buffer.from('outer-pw'), source: 'x' }]);
    const inner = file('inner-pw.vault', outer.encrypt(Buffer.from('inner-pw\n')));
    const k = await loadVaultKeyring({ ...base, vaultIds: [`outer@${file('outer', 'outer-pw')}`, `inner@${inner}`] });
    expect(k.encryptionPassword('inner').password.toString()).toBe('inner-pw');
  });

  it('a missing source is a warning while another gives a password, an error when none does', async () => {
    warnings.length = 0;
    const k = await loadVaultKeyring({ ...base, vaultIds: [`a@${path.join(dir, 'missing')}`, `b@${file('b', 'b-pw')}`] });
    expect(k.vaultIds).toEqual(['b']);
    expect(warnings).toEqual([`Error getting vault password file (a): The vault password file ${path.join(dir, 'missing')} was not found`]);
    await expect(loadVaultKeyring({ ...base, vaultIds: [path.join(dir, 'missing')] })).rejects.toThrow(/was not found/);
  });

  it('an empty password file is refused', async () => {
    await expect(loadVaultKeyring({ ...base, passwordFiles: [file('empty', '\n\n')] })).rejects.toThrow(/Invalid vault password was provided from file/);
  });

  it('prompts: --ask-vault-pass asks "Vault password: "; a new password is asked twice and must match', async () => {
    const asked: string[] = [];
    const answers = ['typed-pw', 'new-pw', 'new-pw', 'new-pw', 'other'];
    const prompt = (q: string) => {
      asked.push(q);
      return Promise.resolve(answers.shift()!);
    };
    const k = await loadVaultKeyring({ ...base, prompt, askVaultPass: true });
    expect(k.encryptionPassword().password.toString()).toBe('typed-pw');
    await loadVaultKeyring({ ...base, prompt, vaultIds: ['label@prompt'], newPassword: true });
    await expect(loadVaultKeyring({ ...base, prompt, askVaultPass: true, newPassword: true })).rejects.toThrow('Passwords do not match');
    expect(asked).toEqual([
      'Vault password: ',
      'New vault password (label): ',
      'Confirm new vault password (label): ',
      'New Vault password: ',
      'Confirm New Vault password: ',
    ]);
  });

  it('every password is a secret from the moment it is read', async () => {
    await loadVaultKeyring({ ...base, passwordFiles: [file('secret-pw', 'never-print-this-pw\n')] });
    expect(maskSecrets('x never-print-this-pw y')).toBe('x ******** y');
  });
});

describe('decryption errors', () => {
  const keyring = new VaultKeyring([{ id: 'default', password: Buffer.from('right'), source: 'x' }]);
  const text = keyring.encrypt(Buffer.from('value'));
  it('no password given: says how to give one', () => {
    expect(() => new VaultKeyring().decrypt(text, 'group_vars/all/vault.yml')).toThrow(
      /group_vars\/all\/vault\.yml is vault-encrypted and no vault password was given/,
    );
  });
  it('damaged text is a format error, not a wrong password', () => {
    const damaged = text.replace(/\n[0-9a-f]{10}/, '\nzzzzzzzzzz');
    expect(() => keyring.decrypt(damaged, 'f')).toThrow(/the vault data is damaged/);
  });
  it('a tampered ciphertext fails its HMAC', () => {
    const [salt, hmac, ciphertext] = Buffer.from(parseEnvelope(text, 'f').body, 'hex').toString('latin1').split('\n');
    const flipped = (ciphertext[0] === '0' ? '1' : '0') + ciphertext.slice(1);
    const tampered = formatEnvelope(Buffer.from([salt, hmac, flipped].join('\n'), 'latin1').toString('hex'));
    expect(() => keyring.decrypt(tampered, 'f')).toThrow(/f: decryption failed, none of the vault passwords given \(vault ids: default\) opens it/);
  });
});
