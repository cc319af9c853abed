// Ansible Vault's one cipher, VaultAES256, with node:crypto: PBKDF2-HMAC-SHA256 (10,000
// iterations) turns the password and a 32-byte salt into an AES-256 key, an HMAC-SHA256 key
// and a 16-byte CTR counter; the plaintext is PKCS#7-padded, encrypted with AES-256-CTR and
// the ciphertext authenticated with the HMAC. The body is hex(hex(salt) \n hex(hmac) \n hex(ciphertext)).
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ParseError } from '../base/errors.js';

const KEY_LENGTH = 32;
const IV_LENGTH = 16;
const ITERATIONS = 10_000;
const BLOCK = 16;

interface DerivedKeys {
  cipherKey: Buffer;
  hmacKey: Buffer;
  iv: Buffer;
}

function deriveKeys(password: Buffer, salt: Buffer): DerivedKeys {
  const derived = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LENGTH + IV_LENGTH, 'sha256');
  return { cipherKey: derived.subarray(0, KEY_LENGTH), hmacKey: derived.subarray(KEY_LENGTH, 2 * KEY_LENGTH), iv: derived.subarray(2 * KEY_LENGTH) };
}

function pad(data: Buffer): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function unpad(data: Buffer): Buffer | undefined {
  const n = data.length > 0 ? data[data.length - 1] : 0;
  if (n < 1 || n > BLOCK || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}

/** The hex body of `plaintext` encrypted with `password` (salt: 32 random bytes unless given, for tests). */
export function encryptAes256(plaintext: Buffer, password: Buffer, salt: Buffer = randomBytes(32)): string {
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const cipher = createCipheriv('aes-256-ctr', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(pad(plaintext)), cipher.final()]);
  const hmac = createHmac('sha256', hmacKey).update(ciphertext).digest();
  const inner = [salt.toString('hex'), hmac.toString('hex'), ciphertext.toString('hex')].join('\n');
  return Buffer.from(inner, 'latin1').toString('hex');
}

export interface VaultBody {
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** The three parts of a body; a malformed body is a format error (not a wrong password). */
export function parseBody(body: string, where: string): VaultBody {
  const formatError = (what: string) =>
    new ParseError('VAULT_FORMAT', `${where}: the vault data is damaged (${what})`, {
      hint: 'the encrypted text was cut or altered; take it again from where it was encrypted',
    });
  if (!HEX.test(body)) throw formatError('not hexadecimal');
  const parts = Buffer.from(body, 'hex').toString('latin1').split('\n');
  if (parts.length < 3) throw formatError('salt, HMAC and ciphertext expected');
  const [salt, hmac, ...rest] = parts;
  const ciphertext = rest.join('\n');
  if (![salt, hmac, ciphertext].every((p) => HEX.test(p))) throw formatError('a part is not hexadecimal');
  return { salt: Buffer.from(salt, 'hex'), hmac: Buffer.from(hmac, 'hex'), ciphertext: Buffer.from(ciphertext, 'hex') };
}

/** The plaintext, or undefined when the password does not open it (the HMAC differs). */
export function decryptAes256(body: VaultBody, password: Buffer): Buffer | undefined {
  const { cipherKey, hmacKey, iv } = deriveKeys(password, body.salt);
  const expected = createHmac('sha256', hmacKey).update(body.ciphertext).digest();
  if (expected.length !== body.hmac.length || !timingSafeEqual(expected, body.hmac)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', cipherKey, iv);
  return unpad(Buffer.concat([decipher.update(body.ciphertext), decipher.final()]));
}
