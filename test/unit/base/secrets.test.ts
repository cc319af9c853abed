import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HoundError, ParseError } from '../../../base/errors.js';
import {
  isSecretName,
  maskSecretAssignments,
  maskSecrets,
  printedForms,
  processSecrets,
  registerCredentials,
  registerSecret,
  registerSecretVariables,
  SECRET_MASK,
  SecretMask,
} from '../../../base/secrets.js';

afterEach(() => processSecrets.clear());

describe('secret names', () => {
  it('knows the connection passwords and secret-named variables', () => {
    for (const name of [
      'ansible_password',
      'ansible_ssh_pass',
      'ansible_ssh_password',
      'ansible_become_password',
      'ansible_become_pass',
      'password',
      'registry_password',
      'api_token',
      'aws_secret_access_key',
      'api_key',
      'db_pw',
      'HOUND_REGISTRY_PASSWORD',
      'auth',
    ])
      expect(isSecretName(name), name).toBe(true);
  });

  it('leaves paths to secrets and ordinary names alone', () => {
    for (const name of [
      'ansible_ssh_private_key_file',
      'vault_password_file',
      'ansible_host',
      'ansible_user',
      'passthrough',
      'compass',
      'image',
      'tokenizer',
      'lab_token_registry',
      'token_url',
      'auth_token_realm',
      'token_server',
    ])
      expect(isSecretName(name), name).toBe(false);
  });
});

describe('the mask', () => {
  it('masks every printed form of a secret: raw, JSON, Python repr, shell-quoted, URL-encoded, base64', () => {
    const secret = `p"a\\s s'w&rd`;
    const mask = new SecretMask();
    mask.add(secret);
    const printed = [
      secret,
      JSON.stringify({ password: secret }),
      `'${secret.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
      `'${secret.replace(/'/g, `'"'"'`)}'`,
      `https://u:${encodeURIComponent(secret)}@registry`,
      `password=${encodeURIComponent(secret).replace(/%20/g, '+')}`,
      `Authorization: Basic ${Buffer.from(secret).toString('base64')}`,
    ];
    for (const text of printed) {
      const masked = mask.maskText(text);
      expect(masked, text).toContain(SECRET_MASK);
      for (const form of printedForms(secret)) expect(masked, text).not.toContain(form);
    }
  });

  it('masks user:password in a Basic Authorization header', () => {
    registerCredentials('bob', 'hunter22');
    const header = `Authorization: Basic ${Buffer.from('bob:hunter22').toString('base64')}`;
    expect(maskSecrets(header)).toBe(`Authorization: Basic ${SECRET_MASK}`);
  });

  it('never lets a registered secret through, whatever surrounds it (property)', () => {
    const secretChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789\'"\\ %&'.split(''));
    const otherChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.,;:!?()[]{}<>\n\t'.split(''));
    fc.assert(
      fc.property(
        fc.string({ unit: secretChars, minLength: 3, maxLength: 20 }),
        fc.string({ unit: otherChars, maxLength: 30 }),
        fc.string({ unit: otherChars, maxLength: 30 }),
        (secret, before, after) => {
          const mask = new SecretMask();
          mask.add(secret);
          for (const form of printedForms(secret)) expect(mask.maskText(before + form + after)).toBe(before + SECRET_MASK + after);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a child mask forgets its own secrets and keeps its parent’s', () => {
    const parent = new SecretMask();
    parent.add('parent-secret');
    const child = new SecretMask(parent);
    child.add('child-secret');
    child.add('parent-secret');
    expect(child.maskText('parent-secret child-secret')).toBe(`${SECRET_MASK} ${SECRET_MASK}`);
    child.remove('child-secret');
    child.remove('parent-secret');
    expect(child.maskText('parent-secret child-secret')).toBe(`${SECRET_MASK} child-secret`);
  });

  it('registers secret-named variables deeply, but not templates', () => {
    registerSecretVariables({
      ansible_password: 'hunter22',
      nested: { api_token: 'tok-123' },
      creds: { registry_password: ['a-1', 'b-2'] },
      pw_tpl: '{{ x }}',
    });
    registerSecretVariables(new Map([['db_password', 918273645]]));
    expect(maskSecrets('hunter22 tok-123 a-1 b-2 918273645 {{ x }}')).toBe(`${Array(5).fill(SECRET_MASK).join(' ')} {{ x }}`);
  });

  it('masks large text in linear time', () => {
    registerSecret('hunter22');
    const line = 'x'.repeat(5_000_000) + ' ansible_password=hunter22';
    expect(maskSecrets(line).endsWith(`ansible_password=${SECRET_MASK}`)).toBe(true);
    const word = 'a'.repeat(2_000_000);
    expect(maskSecretAssignments(word)).toBe(word);
  });
});

describe('assignments quoted from input that was never parsed', () => {
  it.each([
    ['web1 ansible_password=hunter22 ansible_host=10.0.0.1', `web1 ansible_password=${SECRET_MASK} ansible_host=10.0.0.1`],
    ['web1 ansible_password="hunter 22" ansible_port=22', `web1 ansible_password=${SECRET_MASK} ansible_port=22`],
    ['web1 ansible_password="hunter 22', `web1 ansible_password=${SECRET_MASK}`],
    [`-e "ansible_password=\\"abc def": No closing quotation`, `-e "ansible_password=${SECRET_MASK}`],
    ['    password: "{{ missing }}s3cret"', `    password: ${SECRET_MASK}`],
    ['{"ansible_become_pass": "x y", "a": 1}', `{"ansible_become_pass": ${SECRET_MASK}`],
    ['ansible_host=1.2.3.4 token=abc', `ansible_host=1.2.3.4 token=${SECRET_MASK}`],
  ])('%s', (line, shown) => {
    expect(maskSecretAssignments(line)).toBe(shown);
  });

  it('masks to the end of the line when asked (free text among key=value words)', () => {
    expect(maskSecretAssignments('registry_login: username=u password=hunter 2 bogus', { toEndOfLine: true })).toBe(
      `registry_login: username=u password=${SECRET_MASK}`,
    );
  });
});

describe('errors', () => {
  it('format() masks the message, the quoted line and the hint, and keeps the caret under the column', () => {
    registerSecret('hunter22');
    const line = 'web1 ansible_become_pass=hunter22 [bad';
    const err = new ParseError('INVENTORY_INI', `bad line: ${line}`, {
      position: { file: 'hosts', line: 3, column: line.indexOf('[') + 1, sourceLine: line },
      hint: 'was hunter22',
    });
    const text = err.format();
    expect(text).not.toContain('hunter22');
    const [, quoted, caret] = text.split('\n');
    expect(quoted.indexOf('[')).toBe(caret.indexOf('^'));
  });

  it('format() cuts a 20 MB line to a window around the column', () => {
    const line = 'a'.repeat(20_000_000) + '[x';
    const err = new HoundError('INVENTORY_INI', 'bad range', 4, { position: { file: 'f', line: 1, column: line.length - 1, sourceLine: line } });
    const [, quoted, caret] = err.format().split('\n');
    expect(quoted.length).toBeLessThan(400);
    expect(quoted[caret.indexOf('^')]).toBe('[');
  });
});
