// Python's `random` module as Ansible's `random` filter uses it: with a seed, Random(seed)
// (the Mersenne Twister, seeded as CPython seeds it) so that `59 | random(seed=inventory_hostname)`
// gives the number ansible-playbook gives; without one, the system's random source.
import { createHash, randomInt } from 'node:crypto';

const N = 624;
const M = 397;

/** CPython's _random.Random: MT19937 seeded with init_by_array over the seed's 32-bit words. */
class MersenneTwister {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  constructor(key: readonly number[]) {
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = ((this.mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        this.mt[0] = this.mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = ((this.mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        this.mt[0] = this.mt[N - 1];
        i = 1;
      }
    }
    this.mt[0] = 0x80000000;
  }

  private initGenrand(seed: number): void {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) this.mt[i] = (Math.imul(1812433253, this.mt[i - 1] ^ (this.mt[i - 1] >>> 30)) + i) >>> 0;
    this.index = N;
  }

  uint32(): number {
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (this.mt[k] & 0x80000000) | (this.mt[(k + 1) % N] & 0x7fffffff);
        this.mt[k] = this.mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** random.getrandbits(k): 32-bit words, least significant first, the last one shortened. */
  getrandbits(k: number): bigint {
    if (k <= 32) return BigInt(this.uint32() >>> (32 - k));
    let out = 0n;
    for (let shift = 0; k > 0; shift += 32, k -= 32) {
      const word = k >= 32 ? this.uint32() : this.uint32() >>> (32 - k);
      out |= BigInt(word) << BigInt(shift);
    }
    return out;
  }
}

/** The 32-bit words of a non-negative integer, least significant first (CPython's seed key; [0] for 0). */
function words(n: bigint): number[] {
  const out: number[] = [];
  for (; n > 0n; n >>= 32n) out.push(Number(n & 0xffffffffn));
  return out.length > 0 ? out : [0];
}

/** The integer CPython's Random.seed (version 2) makes of a seed: abs(int), or str/bytes followed by their sha512. */
function seedInteger(seed: unknown): bigint {
  if (typeof seed === 'number' && Number.isInteger(seed)) return BigInt(Math.abs(seed));
  if (typeof seed === 'boolean') return seed ? 1n : 0n;
  if (typeof seed === 'string') {
    const bytes = Buffer.from(seed, 'utf8');
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()]);
    return BigInt(`0x${all.toString('hex') || '0'}`);
  }
  // Python seeds other values by hash(), which differs from run to run (PYTHONHASHSEED): so does this.
  return BigInt(randomInt(2 ** 47));
}

export interface RandomSource {
  /** An integer in [0, n). */
  below(n: number): number;
}

function seededSource(seed: unknown): RandomSource {
  const mt = new MersenneTwister(words(seedInteger(seed)));
  return {
    below(n: number): number {
      // CPython's _randbelow_with_getrandbits.
      const limit = BigInt(n);
      const k = limit.toString(2).length;
      let r = mt.getrandbits(k);
      while (r >= limit) r = mt.getrandbits(k);
      return Number(r);
    },
  };
}

const systemSource: RandomSource = { below: (n) => (n <= 2 ** 48 - 1 ? randomInt(n) : Math.floor(Math.random() * n)) };

/** Random(seed) when a seed is given (None is no seed), else the system's source, as Ansible's filter picks. */
export function randomSource(seed: unknown): RandomSource {
  return seed === undefined || seed === null ? systemSource : seededSource(seed);
}

/** random.randrange(start, stop, step), for the integers Ansible's filter passes. */
export function randrange(source: RandomSource, start: number, stop: number, step: number): number {
  const width = stop - start;
  if (step === 1) {
    if (width <= 0) throw new RangeError(`empty range for randrange() (${start}, ${stop}, ${width})`);
    return start + source.below(width);
  }
  if (step === 0) throw new RangeError('zero step for randrange()');
  const n = step > 0 ? Math.floor((width + step - 1) / step) : Math.floor((width + step + 1) / step);
  if (n <= 0) throw new RangeError('empty range for randrange()');
  return start + step * source.below(n);
}
