// crypt(3) for the three hash methods Ansible's password_hash reaches without passlib, as
// libxcrypt (the crypt library of Debian, Fedora and others) computes them: MD5-crypt
// (`$1$`, Poul-Henning Kamp's), and SHA-256-crypt and SHA-512-crypt (`$5$`, `$6$`, Ulrich
// Drepper's "Unix crypt using SHA-256 and SHA-512", with node:crypto's digests). A setting
// libxcrypt refuses (rounds out of 1000..999999999, an unknown method, bcrypt) is refused here
// too, with the reason.
import { createHash, type Hash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The outcome of crypt(password, setting): the hash, or why the setting is refused. */
export type CryptResult = { hash: string } | { refused: string };

/** `onRounds(n)` hears of the work done, every 1024 rounds (a template's budget). */
export function unixCrypt(password: string, setting: string, onRounds?: (n: number) => void): CryptResult {
  const key = Buffer.from(password, 'utf8');
  if (/[^\x21-\x7e]/.test(setting)) return { refused: 'it holds a character that is not printable ASCII' };
  if (setting.startsWith('$1$')) {
    const salt = saltOf(setting.slice(3), 8);
    return salt === undefined ? { refused: 'the salt ends in a character other than $' } : { hash: md5Crypt(key, salt) };
  }
  const sha = setting.startsWith('$5$') ? 'sha256' : setting.startsWith('$6$') ? 'sha512' : undefined;
  if (sha === undefined) return { refused: 'hound computes only MD5-crypt ($1$), SHA-256-crypt ($5$) and SHA-512-crypt ($6$)' };
  let rest = setting.slice(3);
  let rounds: number | undefined;
  const custom = /^rounds=([^$]*)\$/.exec(rest);
  if (rest.startsWith('rounds=')) {
    // libxcrypt: digits with no leading zero, then `$`, from 1000 to 999999999 (glibc clamped them).
    if (!custom || !/^[1-9][0-9]*$/.test(custom[1])) return { refused: 'its rounds are not a number followed by $' };
    rounds = Number(custom[1]);
    if (rounds < 1000 || rounds > 999_999_999) return { refused: `SHA-crypt takes 1000 to 999999999 rounds, not ${custom[1]}` };
    rest = rest.slice(custom[0].length);
  }
  const salt = saltOf(rest, 16);
  if (salt === undefined) return { refused: 'the salt ends in a character other than $' };
  return { hash: shaCrypt(sha, key, salt, rounds, onRounds) };
}

/** The salt: up to the first `$` (or the end), at most `max` characters; undefined when `:` or a newline ends it. */
function saltOf(text: string, max: number): string | undefined {
  const end = text.search(/[$:\n]/);
  if (end >= 0 && text[end] !== '$') return undefined;
  return text.slice(0, Math.min(end < 0 ? text.length : end, max));
}

/** `count` characters of crypt's base64 of the 24-bit number (b2 b1 b0), least significant first. */
function base64Of(b2: number, b1: number, b0: number, count: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < count; i++, w >>= 6) out += ITOA64[w & 0x3f];
  return out;
}

/** `block` repeated to `length` bytes. */
function repeated(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function md5Crypt(key: Buffer, salt: string): string {
  const saltBytes = Buffer.from(salt, 'latin1');
  const alternate = createHash('md5').update(key).update(saltBytes).update(key).digest();
  const ctx = createHash('md5').update(key).update('$1$').update(saltBytes);
  ctx.update(repeated(alternate, key.length));
  for (let i = key.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.alloc(1) : key.subarray(0, 1));
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update(i & 1 ? key : final);
    if (i % 3) round.update(saltBytes);
    if (i % 7) round.update(key);
    round.update(i & 1 ? final : key);
    final = round.digest();
  }
  const f = final;
  // The byte triples (0,6,12) (1,7,13) (2,8,14) (3,9,15) (4,10,5), then byte 11 alone.
  const encoded = [0, 1, 2, 3, 4].map((i) => base64Of(f[i], f[i + 6], f[i === 4 ? 5 : i + 12], 4)).join('');
  return `$1$${salt}$${encoded}${base64Of(0, 0, f[11], 2)}`;
}

/** The byte triples of SHA-crypt's output, in its order, and the last, shorter group. */
const SHA256_ORDER = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
];
const SHA512_ORDER = Array.from({ length: 21 }, (_, i) => {
  // Drepper's table: (0,21,42), (22,43,1), (44,2,23), then the same three rotations on.
  const [a, b, c] = [i, i + 21, i + 42];
  return i % 3 === 0 ? [a, b, c] : i % 3 === 1 ? [b, c, a] : [c, a, b];
});

function shaCrypt(algorithm: 'sha256' | 'sha512', key: Buffer, salt: string, rounds: number | undefined, onRounds?: (n: number) => void): string {
  const digest = (...parts: Buffer[]) => {
    const h: Hash = createHash(algorithm);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  const saltBytes = Buffer.from(salt, 'latin1');
  const b = digest(key, saltBytes, key);
  const ctx = createHash(algorithm).update(key).update(saltBytes).update(repeated(b, key.length));
  for (let i = key.length; i > 0; i >>= 1) ctx.update(i & 1 ? b : key);
  const a = ctx.digest();
  const dp = createHash(algorithm);
  for (let i = 0; i < key.length; i++) dp.update(key);
  const p = repeated(dp.digest(), key.length);
  const ds = createHash(algorithm);
  for (let i = 0; i < 16 + a[0]; i++) ds.update(saltBytes);
  const s = repeated(ds.digest(), saltBytes.length);
  let c = a;
  const count = rounds ?? 5000;
  for (let i = 0; i < count; i++) {
    const h = createHash(algorithm);
    h.update(i & 1 ? p : c);
    if (i % 3) h.update(s);
    if (i % 7) h.update(p);
    h.update(i & 1 ? c : p);
    c = h.digest();
    if (onRounds && (i & 0x3ff) === 0x3ff) onRounds(1024);
  }
  const id = algorithm === 'sha256' ? '5' : '6';
  const order = algorithm === 'sha256' ? SHA256_ORDER : SHA512_ORDER;
  let encoded = order.map(([x, y, z]) => base64Of(c[x], c[y], c[z], 4)).join('');
  encoded += algorithm === 'sha256' ? base64Of(0, c[31], c[30], 3) : base64Of(0, 0, c[63], 2);
  return `$${id}$${rounds !== undefined ? `rounds=${rounds}$` : ''}${salt}$${encoded}`;
}
