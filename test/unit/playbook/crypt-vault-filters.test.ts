// ansible-core's password_hash, vault, unvault and fileglob filters, against ansible-core's own
// Templar (Debian's /usr/bin/python3, without passlib: password_hash runs Python's crypt
// module), case by case: hound's value must be Ansible's byte for byte, or hound must fail
// where Ansible fails. Random salts are checked by shape and by Python's crypt.crypt; vault
// text both ways with ansible-vault; an unvaulted value printed by debug is masked.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { maskSecrets } from '../../../base/secrets.js';
import { EventBus, SECRET_MASK, type HoundEvent, type TaskResultEvent } from '../../../core/events.js';
import { TaskExecutor } from '../../../core/executor.js';
import { Semaphore } from '../../../core/scheduler.js';
import { CredentialStore } from '../../../modules/implementation.js';
import { collectTemplateWarnings, evaluateCondition, loopItemsFor, renderTemplateFile, renderValue } from '../../../playbook/templating.js';
import { task } from '../executor/play-fixture.js';
import { ansible, compareWithAnsible, ORACLE_TIMEOUT_MS, renderFailure } from './templar-oracle.js';

// The oracle's password_hash warns that Python's crypt module is deprecated, on every run.
process.env.ANSIBLE_DEPRECATION_WARNINGS = 'False';

const vars = { pw: 'S3cret-pw', salt: 'abcdefgh', n: 5 };

/** Every template gives Ansible's value, or fails where Ansible fails; `errors` of them fail in Ansible. */
function agrees(templates: string[], variables: Record<string, unknown>, errors: number, basedir?: string): void {
  const { expected, differences } = compareWithAnsible(templates, variables, false, basedir);
  expect(differences).toEqual([]);
  expect(expected.filter((o) => 'error' in o).length).toBe(errors);
}

describe("password_hash, against ansible-core's (crypt module, no passlib)", () => {
  it(
    'gives the same hash for a given salt, and fails where Ansible fails',
    () => {
      const passwords = ["'pw'", "''", "'é€ ü'", "'" + 'long-password-'.repeat(6) + "'", 'pw'];
      const calls = [
        "password_hash('sha512', 'abcdefgh')",
        "password_hash('sha256', 'abcdefgh')",
        "password_hash('md5', 'abcdefgh')",
        "password_hash('sha512_crypt', 'abcdefghijklmnop')",
        "password_hash('sha256_crypt', 'x')",
        "password_hash('md5_crypt', 'abc')",
        "password_hash(salt='a./Z09')",
        "password_hash('sha512', 'abc', rounds=5000)",
        "password_hash('sha512', 'abc', rounds=656000)",
        "password_hash('sha256', 'abc', rounds=535000.0)",
        "password_hash('sha256', 'abc', rounds=1000)",
        "password_hash('sha256', 'abc', rounds=2000.7)",
        "password_hash('sha256', 'abc', rounds=0)",
        "password_hash('md5', 'abc', rounds=10)",
        "password_hash('md5', 'abc', rounds=-4)",
        "password_hash('sha512', 'abc', salt_size=3)",
        // bcrypt with another method's id (Ansible passes any ident for bcrypt on to crypt).
        "password_hash('blowfish', 'abcdefghijklmnopqrstuv', ident='1')",
        "password_hash('blowfish', 'abcdefghijklmnopqrstuv', ident=5)",
        "password_hash('bcrypt', 'abcdefghijklmnopqrstuv', ident='6', rounds=1000)",
      ];
      const templates = passwords.flatMap((p) => calls.map((c) => `{{ ${p} | ${c} }}`));
      // Ansible's own errors: an unknown type, bad salts, wrong types.
      const failing = [
        "{{ 'pw' | password_hash('des_crypt') }}",
        "{{ 'pw' | password_hash('nope', 'abc') }}",
        "{{ 'pw' | password_hash(5) }}",
        "{{ 'pw' | password_hash(['sha512']) }}",
        "{{ 'pw' | password_hash('md5', 'abcdefghi') }}",
        "{{ 'pw' | password_hash('sha512', 'abcdefghijklmnopq') }}",
        "{{ 'pw' | password_hash('sha512', 'ab$') }}",
        "{{ 'pw' | password_hash('sha512', 'a b') }}",
        "{{ 'pw' | password_hash('blowfish', 'short') }}",
        "{{ 'pw' | password_hash('sha512', salt_size=17) }}",
        "{{ 'pw' | password_hash('sha512', salt_size='4') }}",
        "{{ 'pw' | password_hash('sha512', salt_size=4.5) }}",
        "{{ 'pw' | password_hash('sha512', 5) }}",
        "{{ 'pw' | password_hash('sha256', 'abc', rounds='2000') }}",
        "{{ 5 | password_hash('sha512', 'abc') }}",
        "{{ none | password_hash('sha512', 'abc') }}",
        "{{ ['pw'] | password_hash('sha512', 'abc') }}",
        "{{ nope | password_hash('sha512', 'abc') }}",
        "{{ 'pw' | password_hash('sha512', 'abc', nope=1) }}",
        "{{ 'pw' | password_hash('sha512', 'abc', 8, 5000, '6', 'extra') }}",
      ];
      agrees([...templates, ...failing], vars, failing.length);
    },
    ORACLE_TIMEOUT_MS,
  );

  it(
    "refuses the settings this crypt library refuses, where ansible-core returns its failure token '*0' as the hash",
    () => {
      const refused = [
        "{{ 'pw' | password_hash('blowfish', 'abcdefghijklmnopqrstuv') }}",
        "{{ 'pw' | password_hash('blowfish') }}",
        "{{ 'pw' | password_hash('bcrypt', 'abcdefghijklmnopqrstuv', rounds=10) }}",
        "{{ 'pw' | password_hash('sha512', 'abc', rounds=999) }}",
        "{{ 'pw' | password_hash('sha256', 'abc', rounds=-1) }}",
        "{{ 'pw' | password_hash('sha512', 'abc', rounds=true) }}",
        "{{ 'pw' | password_hash('sha512', 'abc', ident='6') }}",
        "{{ 'pw' | password_hash('md5_crypt', 'abc', ident='1') }}",
      ];
      expect(ansible(refused, vars)).toEqual(refused.map(() => ({ value: '*0' })));
      for (const template of refused)
        expect(renderFailure(template, vars).message).toMatch(
          /^filter 'password_hash': crypt\.crypt does not support '\w+' algorithm \(crypt refuses the setting '/,
        );
      const bcrypt = renderFailure("{{ 'pw' | password_hash('blowfish') }}", vars);
      expect(bcrypt.code).toBe('TEMPLATE_ERROR');
      expect(bcrypt.hint).toContain('passlib');
    },
    ORACLE_TIMEOUT_MS,
  );

  it('makes a random salt of the size and alphabet Ansible uses, and a hash that Python crypt.crypt verifies', () => {
    const cases: [string, RegExp][] = [
      ['{{ pw | password_hash }}', /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/],
      ["{{ pw | password_hash('sha512') }}", /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/],
      ["{{ pw | password_hash('sha256') }}", /^\$5\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$/],
      ["{{ pw | password_hash('md5') }}", /^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/],
      ["{{ pw | password_hash('sha512', salt_size=4) }}", /^\$6\$[./0-9A-Za-z]{4}\$[./0-9A-Za-z]{86}$/],
      ["{{ pw | password_hash('sha256', none, rounds=1200) }}", /^\$5\$rounds=1200\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$/],
      ["{{ pw | password_hash('md5', salt='') }}", /^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/],
      ["{{ pw | password_hash('sha512', salt_size=-1) }}", /^\$6\$\$[./0-9A-Za-z]{86}$/],
    ];
    const hashes = cases.map(([template, shape]) => {
      const hash = renderValue(template, vars) as string;
      expect(hash).toMatch(shape);
      return hash;
    });
    // Two draws differ: the salt is random.
    expect(renderValue('{{ pw | password_hash }}', vars)).not.toBe(renderValue('{{ pw | password_hash }}', vars));
    const verified = execFileSync(
      '/usr/bin/python3',
      ['-W', 'ignore', '-c', 'import crypt, json, sys\npw, hashes = json.load(sys.stdin)\nprint(json.dumps([crypt.crypt(pw, h) == h for h in hashes]))'],
      { input: JSON.stringify([vars.pw, hashes]), encoding: 'utf8' },
    );
    expect(JSON.parse(verified)).toEqual(hashes.map(() => true));
  });

  it('fails with one clear error, never a stack, and keeps the password a secret', () => {
    for (const [template, message] of [
      ["{{ 'pw' | password_hash('whirlpool') }}", "filter 'password_hash': crypt.crypt does not support 'whirlpool' algorithm"],
      ["{{ 'pw' | password_hash('sha512', 'ab$') }}", "filter 'password_hash': invalid characters in salt"],
      ["{{ 'pw' | password_hash('md5', 'abcdefghi') }}", "filter 'password_hash': invalid salt size"],
      ["{{ 5 | password_hash('sha512', 'abc') }}", "filter 'password_hash': crypt() argument 1 must be str, not int"],
      ["{{ 'pw' | password_hash(rounds='x') }}", "filter 'password_hash': %d format: a real number is required, not str"],
      ["{{ 'pw' | password_hash(hash='md5') }}", "TypeError: get_encrypted_password() got an unexpected keyword argument 'hash'"],
      ["{{ 'pw' | vault }}", "TypeError: do_vault() missing 1 required positional argument: 'secret'"],
      ["{{ 'pw' | unvault(1, 2, 3) }}", 'TypeError: do_unvault() takes from 2 to 3 positional arguments but 4 were given'],
    ]) {
      const error = renderFailure(template, vars);
      expect(error).toBeInstanceOf(HoundError);
      expect(error.message).toBe(message);
    }
    renderValue("{{ 'hash-me-Pw-93' | password_hash('sha512', 'abc') }}", {});
    expect(maskSecrets('the password hash-me-Pw-93')).toBe(`the password ${SECRET_MASK}`);
  });

  it('works by its full names too', () => {
    expect(renderValue("{{ 'pw' | ansible.builtin.password_hash('md5', 'abcdefgh') }}", {})).toBe('$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc.');
    expect(renderValue("{{ ['pw'] | map('ansible.legacy.password_hash', 'md5', 'abcdefgh') | first }}", {})).toBe('$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc.');
  });
});

describe("vault and unvault, against ansible-core's and ansible-vault", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-vault-filter-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'encrypts as Ansible does with a given salt, byte for byte, and decrypts what either wrote',
    () => {
      // Ciphertext Ansible made with a random salt, for hound to open.
      const [made] = ansible(["{{ 'from ansible: Pw-77\\nline 2' | vault('ansible-made-pw', vaultid='made') }}"], {});
      const ciphertext = (made as { value: string }).value;
      expect(ciphertext).toMatch(/^\$ANSIBLE_VAULT;1\.2;AES256;made\n/);
      const templates = [
        "{{ 'hello' | vault('pw', 'fixedsalt') }}",
        "{{ 'hello' | vault(pw, salt='fixedsalt') }}",
        "{{ 'hello' | vault('pw', 'fixedsalt', 'default') }}",
        "{{ 'hello' | vault('pw', 'fixedsalt', '') }}",
        "{{ 'hello' | vault('pw', 'fixedsalt', 'myid', true) }}",
        "{{ 'hé\\nmulti\\n' | vault('sécret', 'sé') }}",
        "{{ '' | vault('pw', 'x') }}",
        "{{ ('x' * 100) | vault('', 'salt') }}",
        "{{ 'hello' | vault('pw', 5) }}",
        "{{ 'hello' | vault('pw') | unvault('pw') }}",
        "{{ 'hello' | vault('pw', vaultid='a') | unvault('pw', 'b') }}",
        "{{ ('hé' | vault('pw', 'x', 'i', wrap_object=true)) | unvault('pw') }}",
        "{{ 'plain text' | unvault('pw') }}",
        "{{ c | unvault('ansible-made-pw') }}",
        "{{ c | unvault('ansible-made-pw') | length }}",
        // Ansible's errors: wrong types, a wrong secret, damaged or doubled vault text, a wrong keyword.
        "{{ 'hello' | vault(5) }}",
        "{{ 5 | vault('pw') }}",
        "{{ none | vault('pw') }}",
        "{{ 'x' | unvault(none) }}",
        "{{ 5 | unvault('pw') }}",
        "{{ c | unvault('wrong') }}",
        "{{ 'hello' | vault('pw') | unvault('nope') }}",
        "{{ 'hello' | vault('pw', 'salt') | vault('pw') }}",
        "{{ '$ANSIBLE_VAULT;1.1;AES256\\nzz' | unvault('pw') }}",
        "{{ 'hello' | vault('pw', '') }}",
        "{{ 'hello' | vault('pw', vault_id='x') }}",
        "{{ 'hello' | vault }}",
        "{{ nope | vault('pw') }}",
      ];
      agrees(templates, { c: ciphertext, pw: 'pw' }, 13);
    },
    ORACLE_TIMEOUT_MS,
  );

  it(
    'writes what ansible-vault decrypts, and opens what ansible-vault encrypts',
    () => {
      const password = path.join(dir, 'pw');
      writeFileSync(password, 'file-Pw-12\n');
      const written = renderValue("{{ plain | vault('file-Pw-12', vaultid='prod') }}", { plain: 'registry: s3cr3t-äöü\n' }) as string;
      const file = path.join(dir, 'hound.vault');
      writeFileSync(file, written);
      expect(execFileSync('ansible-vault', ['decrypt', '--vault-password-file', password, '--output', '-', file], { encoding: 'utf8' })).toBe(
        'registry: s3cr3t-äöü\n',
      );
      const plain = path.join(dir, 'ansible.txt');
      writeFileSync(plain, 'opened by hound\n');
      execFileSync('ansible-vault', ['encrypt', '--vault-password-file', password, plain], { stdio: 'pipe' });
      const text = execFileSync('cat', [plain], { encoding: 'utf8' });
      expect(renderValue("{{ t | unvault('file-Pw-12') }}", { t: text })).toBe('opened by hound\n');
      const wrong = renderFailure("{{ t | unvault('wrong-pw') }}", { t: text });
      expect(wrong.code).toBe('TEMPLATE_ERROR');
      expect(wrong.message).toBe("filter 'unvault': Unable to decrypt: Decryption failed (no vault secrets were found that could decrypt)");
    },
    ORACLE_TIMEOUT_MS,
  );

  it('keeps the secret and the unvaulted text secrets: a debug of an unvaulted value is masked', async () => {
    const bus = new EventBus();
    const events: HoundEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const limit = new Semaphore(8);
    const executor = new TaskExecutor({
      bus,
      check: false,
      verbosity: 0,
      signal: new AbortController().signal,
      credentials: new CredentialStore(),
      limits: { pull: (_h, _r, work) => limit.run(work) },
      templating: { renderValue, evaluateCondition, renderTemplateFile, loopItems: loopItemsFor, collectWarnings: collectTemplateWarnings },
      access: {
        connection: () => Promise.reject(new Error('no hosts')),
        docker: () => Promise.reject(new Error('no hosts')),
        remoteDigest: () => Promise.reject(new Error('no hosts')),
        pull: () => Promise.reject(new Error('no hosts')),
      },
    });
    // Encrypted by ansible-core, so hound has seen neither the plaintext nor the secret before the task.
    const [made] = ansible(["{{ 'db-Pw-4417' | vault('unvault-key-88') }}"], {});
    const vaulted = (made as { value: string }).value;
    const args = { msg: "db password: {{ vaulted | unvault('unvault-key-88') }} (key {{ 'unvault-key-88' }})" };
    await executor.runTask([task('node1', 0, { module: 'debug', args, deferred: true, vars: { vaulted } })], { handler: false });
    const result = events.find((e): e is TaskResultEvent => e.event === 'task_result');
    expect(result?.msg).toBe(`db password: ${SECRET_MASK} (key ${SECRET_MASK})`);
    expect(JSON.stringify(events)).not.toContain('db-Pw-4417');
    expect(JSON.stringify(events)).not.toContain('unvault-key-88');
  });
});

describe("the fileglob filter, against ansible-core's (glob.glob, files only)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hound-fileglob-filter-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['conf.d', 'conf.d/sub.conf', 'a', 'b', '.hidden']) mkdirSync(path.join(dir, sub), { recursive: true });
  for (const f of ['conf.d/x.conf', 'conf.d/y.conf', 'conf.d/.z.conf', 'a/1.txt', 'b/2.txt', 'b/3.log', '.hidden/h.txt', 'top.txt', '[x].txt'])
    writeFileSync(path.join(dir, f), f);
  symlinkSync(path.join(dir, 'top.txt'), path.join(dir, 'link.txt'));
  symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.txt'));
  symlinkSync(path.join(dir, 'a'), path.join(dir, 'alink'));

  it(
    "lists the controller's files as Python's glob does, in the folder's own order",
    () => {
      const templates = [
        "{{ (d ~ '/conf.d/*.conf') | fileglob | sort }}",
        "{{ (d ~ '/conf.d/*') | fileglob | sort }}",
        "{{ (d ~ '/conf.d/.*') | fileglob }}",
        "{{ (d ~ '/*/*.txt') | fileglob | sort }}",
        "{{ (d ~ '/*link*/*') | fileglob | sort }}",
        "{{ (d ~ '/*.txt') | fileglob | sort }}",
        "{{ (d ~ '/top.txt') | fileglob }}",
        "{{ (d ~ '/nope.txt') | fileglob }}",
        "{{ (d ~ '/conf.d') | fileglob }}",
        "{{ (d ~ '/[[]x].txt') | fileglob }}",
        "{{ (d ~ '/?/[0-9].*') | fileglob | sort }}",
        "{{ (d ~ '/./a/../b/*') | fileglob | sort }}",
        "{{ (d ~ '//a//*') | fileglob }}",
        "{{ (d ~ '/**/*.txt') | fileglob | sort }}",
        "{{ d ~ '/b/*' | fileglob | length }}",
        "{{ 'docs/*.md' | fileglob | sort }}",
        "{{ './base/f*.ts' | fileglob | sort }}",
        "{{ 'base' | fileglob }}",
        "{{ '' | fileglob }}",
        "{{ 'base/' | fileglob }}",
        "{{ 'ba*/' | fileglob }}",
        "{{ 'x' | ansible.builtin.fileglob }}",
        '{{ 5 | fileglob }}',
        '{{ nope | fileglob }}',
      ];
      agrees(templates, { d: dir }, 2);
    },
    ORACLE_TIMEOUT_MS,
  );
});
