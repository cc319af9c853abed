// hound's Vault against the real ansible-vault (ansible-core 2.14, installed by
// scripts/install-system-deps.sh), both ways: what ansible-vault writes (files, several vault
// ids, encrypt_string, the corpus files Ansible's own tests wrote) hound decrypts, and what
// `hound vault` writes ansible-vault decrypts. Needs the built CLI (npx tsc -p .).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { processSecrets } from '../../../base/secrets.js';
import { VaultKeyring } from '../../../vault/keyring.js';
import { YamlSource } from '../../../playbook/yaml-source.js';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist/cli/hound.js');
const corpus = path.join(root, 'test/fixtures/corpus/vault');
const dir = mkdtempSync(path.join(tmpdir(), 'hound-vault-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Every password a keyring holds is a secret of the process (masked in every error): each test
// starts as a fresh hound process would, or one test's password 'wrong' masks another's file name.
beforeEach(() => processSecrets.clear());

/** A clean environment: no ansible.cfg or vault settings of the machine leak in. */
const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_CONFIG: path.join(dir, 'none.cfg') };
delete env.ANSIBLE_VAULT_PASSWORD_FILE;
delete env.ANSIBLE_VAULT_IDENTITY_LIST;

function run(command: string, args: string[], input?: string) {
  const r = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const ansibleVault = (...args: string[]) => run('ansible-vault', args);
const houndVault = (args: string[], input?: string) => run(process.execPath, [cli, 'vault', ...args], input);

function file(name: string, content: string, mode?: number): string {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  if (mode !== undefined) chmodSync(full, mode);
  return full;
}

const password = (text: string) => Buffer.from(text);
const PLAINTEXTS = {
  yaml: 'registry_password: "s3cr3t-äöü"\nregistry_user: warmer\n',
  multiline: 'line one\nline two\n\n\ttabbed\n',
  block16: '0123456789abcdef',
  empty: '',
  large: 'x'.repeat(70_000),
};

describe('files Ansible wrote (corpus: ansible/ansible integration tests)', () => {
  const origins = JSON.parse(readFileSync(path.join(corpus, 'origin.json'), 'utf8')) as { file: string; plaintext: string }[];
  it('decrypts format 1.1 and format 1.2 (vault id test_vault_id) with the published password', () => {
    const keyring = new VaultKeyring([{ id: 'default', password: password('test-vault-password'), source: 'test' }]);
    for (const o of origins) expect(keyring.decrypt(readFileSync(path.join(corpus, o.file), 'utf8'), o.file).toString()).toBe(o.plaintext);
  });
  it('with vault_id_match, only the password of the named vault id is tried', () => {
    const text = readFileSync(path.join(corpus, 'format_1_2_AES256.yml'), 'utf8');
    const other = new VaultKeyring([{ id: 'other', password: password('test-vault-password'), source: 'test' }], { idMatch: true });
    expect(() => other.decrypt(text, 'format_1_2_AES256.yml')).toThrow(/encrypted for vault id 'test_vault_id'/);
    const named = new VaultKeyring([{ id: 'test_vault_id', password: password('test-vault-password'), source: 'test' }], { idMatch: true });
    expect(named.decrypt(text, 'x').toString()).toBe('foobar\n');
  });
});

describe('ansible-vault writes, hound reads', { timeout: 120_000 }, () => {
  const dev = file('dev-pass', 'dev-password\n');
  const prod = file('prod-pass', 'prod-password\n');
  const keyring = () =>
    new VaultKeyring([
      { id: 'dev', password: password('dev-password'), source: dev },
      { id: 'prod', password: password('prod-password'), source: prod },
    ]);

  for (const [label, plaintext] of Object.entries(PLAINTEXTS)) {
    it(`encrypt --vault-id prod@FILE (1.2 header, second of two ids): ${label}`, () => {
      const target = file(`ansible-${label}.txt`, plaintext);
      const r = ansibleVault('encrypt', '--vault-id', `dev@${dev}`, '--vault-id', `prod@${prod}`, '--encrypt-vault-id', 'prod', target);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(target, 'utf8');
      expect(text.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
      expect(keyring().decrypt(text, target).toString()).toBe(plaintext);
    });
  }

  it('encrypt with --vault-password-file (1.1, no vault id), tried after a wrong password', () => {
    const target = file('ansible-default.yml', PLAINTEXTS.yaml);
    expect(ansibleVault('encrypt', '--vault-password-file', dev, target).code).toBe(0);
    expect(readFileSync(target, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    const wrongFirst = new VaultKeyring([
      { id: 'default', password: password('wrong'), source: 'x' },
      { id: 'other', password: password('dev-password'), source: dev },
    ]);
    expect(wrongFirst.decrypt(readFileSync(target, 'utf8'), target).toString()).toBe(PLAINTEXTS.yaml);
  });

  it('encrypt_string with several names and vault ids: `!vault |` values read by the playbook loader', () => {
    const a = ansibleVault('encrypt_string', '--vault-id', `dev@${dev}`, '--name', 'db_password', 'dev-secret-1');
    const b = ansibleVault('encrypt_string', '--vault-id', `prod@${prod}`, '--name', 'registry_password', 'prod secret: with "quotes" & ünïcode');
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const vars = file(
      'inline.yml',
      `plain: visible\n${a.stdout}\n${b.stdout}\nnested:\n  list:\n    - ${b.stdout.replace('registry_password: ', '').replace(/\n/g, '\n      ')}\n`,
    );
    const source = YamlSource.parse(vars, readFileSync(vars, 'utf8'), { keyring: keyring() });
    expect(source.data).toEqual({
      plain: 'visible',
      db_password: 'dev-secret-1',
      registry_password: 'prod secret: with "quotes" & ünïcode',
      nested: { list: ['prod secret: with "quotes" & ünïcode'] },
    });
  });

  it('a wrong password: one error naming the file, exit code 1, no stack', () => {
    const target = file('ansible-wrong.yml', PLAINTEXTS.yaml);
    expect(ansibleVault('encrypt', '--vault-password-file', dev, target).code).toBe(0);
    const wrong = new VaultKeyring([{ id: 'default', password: password('nope'), source: 'x' }]);
    const err = (() => {
      try {
        wrong.decrypt(readFileSync(target, 'utf8'), target);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HoundError);
    expect((err as HoundError).code).toBe('VAULT_DECRYPT_FAILED');
    expect((err as HoundError).exitCode).toBe(1);
    expect((err as HoundError).format()).toContain(target);
    const cliRun = houndVault(['view', '--vault-password-file', prod, target]);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stderr).toContain(`${target}: decryption failed`);
    expect(cliRun.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('hound vault writes, ansible-vault reads', { timeout: 120_000 }, () => {
  const pass = file('hound-pass', 'hound-password\n');
  const other = file('other-pass', 'other-password\n');

  for (const [label, plaintext] of Object.entries(PLAINTEXTS)) {
    it(`hound vault encrypt (1.1), then ansible-vault decrypt: ${label}`, () => {
      const target = file(`hound-${label}.txt`, plaintext, 0o640);
      const r = houndVault(['encrypt', '--vault-password-file', pass, target]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(target, 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n([0-9a-f]{80}\n)*[0-9a-f]{1,80}\n$/);
      // The file keeps its mode, as ansible-vault leaves it.
      expect(statSync(target).mode & 0o777).toBe(0o640);
      const back = ansibleVault('decrypt', '--vault-password-file', pass, '--output', '-', target);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toBe(plaintext);
    });
  }

  it('hound vault encrypt --encrypt-vault-id (1.2 header), ansible-vault view with that id among others', () => {
    const target = file('hound-ids.yml', PLAINTEXTS.yaml);
    const r = houndVault(['encrypt', '--vault-id', `dev@${other}`, '--vault-id', `prod@${pass}`, '--encrypt-vault-id', 'prod', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    const view = ansibleVault('view', '--vault-id', `dev@${other}`, '--vault-id', `prod@${pass}`, target);
    expect(view.code, view.stderr).toBe(0);
    expect(view.stdout).toBe(PLAINTEXTS.yaml);
  });

  it('two vault ids and no --encrypt-vault-id: refused as ansible-vault refuses (exit 5)', () => {
    const target = file('hound-ambiguous.yml', 'a: 1\n');
    const r = houndVault(['encrypt', '--vault-id', `dev@${other}`, '--vault-id', `prod@${pass}`, target]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('The vault-ids dev,prod are available to encrypt. Specify the vault-id to encrypt with --encrypt-vault-id');
    expect(readFileSync(target, 'utf8')).toBe('a: 1\n');
  });

  it('hound vault encrypt_string, read back by ansible-playbook', () => {
    const r = houndVault(['encrypt_string', '--vault-id', `prod@${pass}`, '--name', 'token', 'tok-123 with spaces']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^token: !vault \|\n {10}\$ANSIBLE_VAULT;1\.2;AES256;prod\n( {10}[0-9a-f]{1,80}\n?)+$/);
    const vars = file('hound-inline.yml', r.stdout + '\n');
    const play = file('show.yml', `- hosts: localhost\n  gather_facts: false\n  vars_files: [${vars}]\n  tasks:\n    - debug: var=token\n`);
    const shown = run('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '--vault-id', `prod@${pass}`, play]);
    expect(shown.code, shown.stdout + shown.stderr).toBe(0);
    expect(shown.stdout).toContain('"token": "tok-123 with spaces"');
  });

  it('hound vault decrypt and view read ansible-vault files; rekey output reads back in ansible-vault', () => {
    const target = file('both-ways.yml', PLAINTEXTS.multiline);
    expect(ansibleVault('encrypt', '--vault-password-file', pass, target).code).toBe(0);
    const view = houndVault(['view', '--vault-password-file', pass, target]);
    expect(view.code, view.stderr).toBe(0);
    expect(view.stdout).toBe(PLAINTEXTS.multiline);
    const rekey = houndVault(['rekey', '--vault-password-file', pass, '--new-vault-password-file', other, target]);
    expect(rekey.code, rekey.stderr).toBe(0);
    expect(ansibleVault('view', '--vault-password-file', other, target).stdout).toBe(PLAINTEXTS.multiline);
    const decrypt = houndVault(['decrypt', '--vault-password-file', other, target]);
    expect(decrypt.code, decrypt.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(PLAINTEXTS.multiline);
  });

  it('a file that is already encrypted is refused, exit 1', () => {
    const target = file('twice.yml', 'a: 1\n');
    expect(houndVault(['encrypt', '--vault-password-file', pass, target]).code).toBe(0);
    const again = houndVault(['encrypt', '--vault-password-file', pass, target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('input is already encrypted');
  });
});
