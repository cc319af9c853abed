// Ansible's password_hash filter as ansible-core 2.14 runs it without passlib (its CryptHash,
// ansible/utils/encrypt.py): the hash type's alias (sha512 is sha512_crypt), the salt checked
// or made (random, of the type's size, from [./0-9A-Za-z]), the rounds dropped when they are
// the type's implicit ones, then crypt(3) of the setting `$ID[$rounds=N]$SALT` (base/unix-crypt.ts).
// Where that crypt library refuses the setting, Ansible's CryptHash means to fail ("crypt.crypt
// does not support 'X' algorithm"); on a controller whose libxcrypt answers with a failure token,
// ansible-core hands back `*0` as the hash instead, a locked password. hound fails.
import { randomInt } from 'node:crypto';
import { unixCrypt } from '../base/unix-crypt.js';
import { isPlainObject, isPythonNumber, pythonStr, pythonTruthy, pythonTypeName } from './template-values.js';
import { PythonFloat } from '../base/python-float.js';

/** A password_hash failure: Ansible's message, and a hint where hound says more. */
export class PasswordHashError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

interface Algorithm {
  cryptId: string;
  saltSize: number;
  implicitRounds?: number;
  saltExact: boolean;
}

const ALGORITHMS: Record<string, Algorithm> = {
  md5_crypt: { cryptId: '1', saltSize: 8, saltExact: false },
  bcrypt: { cryptId: '2b', saltSize: 22, implicitRounds: 12, saltExact: true },
  sha256_crypt: { cryptId: '5', saltSize: 16, implicitRounds: 535000, saltExact: false },
  sha512_crypt: { cryptId: '6', saltSize: 16, implicitRounds: 656000, saltExact: false },
};
const ALIASES: Record<string, string> = { md5: 'md5_crypt', blowfish: 'bcrypt', sha256: 'sha256_crypt', sha512: 'sha512_crypt' };
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./';

export interface PasswordHashOptions {
  hashtype: unknown;
  salt: unknown;
  saltSize: unknown;
  rounds: unknown;
  ident: unknown;
  /** Hears of the hashing rounds done (the template's budget). */
  onRounds?: (n: number) => void;
}

function typeError(message: string): PasswordHashError {
  return new PasswordHashError(message);
}

/** Python's `%d` of a number (int() of a float); a TypeError for anything else. */
function percentD(value: unknown): number {
  if (!isPythonNumber(value)) throw typeError(`%d format: a real number is required, not ${pythonTypeName(value)}`);
  const n = value instanceof PythonFloat ? value.value : Number(value);
  if (!Number.isFinite(n)) throw typeError(Number.isNaN(n) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer');
  return Math.trunc(n);
}

function numberValue(value: unknown): number | undefined {
  if (value instanceof PythonFloat) return value.value;
  if (typeof value === 'number' || typeof value === 'boolean') return Number(value);
  return undefined;
}

/** get_encrypted_password(password, hashtype, salt, salt_size, rounds, ident) through CryptHash. */
export function passwordHash(password: unknown, o: PasswordHashOptions): string {
  if (Array.isArray(o.hashtype) || isPlainObject(o.hashtype)) throw typeError(`unhashable type: '${pythonTypeName(o.hashtype)}'`);
  const given = typeof o.hashtype === 'string' ? o.hashtype : pythonStr(o.hashtype);
  const name = Object.hasOwn(ALIASES, given) && typeof o.hashtype === 'string' ? ALIASES[given] : given;
  const algorithm = Object.hasOwn(ALGORITHMS, name) && typeof o.hashtype === 'string' ? ALGORITHMS[name] : undefined;
  const unsupported = `crypt.crypt does not support '${name}' algorithm`;
  if (algorithm === undefined)
    throw new PasswordHashError(unsupported, `the hash types are ${Object.keys(ALIASES).join(', ')} (or ${Object.keys(ALGORITHMS).join(', ')})`);

  // _salt: the given one, or a random one of salt_size (else the type's size) characters.
  let salt: string;
  if (pythonTruthy(o.salt)) {
    if (typeof o.salt !== 'string') throw typeError(`expected string or bytes-like object, got '${pythonTypeName(o.salt)}'`);
    salt = o.salt;
  } else {
    let size = algorithm.saltSize;
    if (pythonTruthy(o.saltSize)) {
      if (typeof o.saltSize !== 'number' && typeof o.saltSize !== 'boolean')
        throw typeError(`'${pythonTypeName(o.saltSize)}' object cannot be interpreted as an integer`);
      if (typeof o.saltSize === 'number' && !Number.isInteger(o.saltSize)) throw typeError("'float' object cannot be interpreted as an integer");
      size = Number(o.saltSize);
    }
    salt = Array.from({ length: Math.max(0, size) }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join('');
  }
  if (/[^./0-9A-Za-z]/.test(salt)) throw new PasswordHashError('invalid characters in salt', 'a salt is made of the characters ./0-9A-Za-z');
  if (algorithm.saltExact ? salt.length !== algorithm.saltSize : salt.length > algorithm.saltSize)
    throw new PasswordHashError('invalid salt size', `${name} takes ${algorithm.saltExact ? 'exactly' : 'at most'} ${algorithm.saltSize} characters of salt`);

  // _rounds: none when they are the type's implicit ones; _ident: the type's own id unless given (bcrypt only).
  const rounds = numberValue(o.rounds) === algorithm.implicitRounds && algorithm.implicitRounds !== undefined ? undefined : o.rounds;
  const ident = !pythonTruthy(o.ident) ? algorithm.cryptId : name === 'bcrypt' ? o.ident : undefined;

  let setting = ident !== undefined ? `$${pythonStr(ident)}` : '';
  if (rounds !== undefined && rounds !== null && pythonTruthy(rounds)) setting += `$rounds=${percentD(rounds)}`;
  setting += `$${salt}`;

  if (typeof password !== 'string') throw typeError(`crypt() argument 1 must be str, not ${pythonTypeName(password)}`);
  if (password.includes('\0')) throw typeError('embedded null character');
  const result = unixCrypt(password, setting, o.onRounds);
  if ('hash' in result) return result.hash;
  throw new PasswordHashError(
    `${unsupported} (crypt refuses the setting '${setting}': ${result.refused})`,
    name === 'bcrypt'
      ? 'without passlib, ansible-core cannot make a bcrypt hash either (it returns the failure token *0); use sha512'
      : 'give rounds from 1000 to 999999999, or none, and no ident (only bcrypt takes one)',
  );
}
