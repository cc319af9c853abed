// Values that must never leave the process (registry passwords, vault passwords, every
// value a vault decrypted), and the one way text is masked against them. The event bus
// masks every event with a SecretValues of its own; `revealedSecrets` holds what this
// process learnt by decrypting, for the bus of each run and for error messages the CLI prints.

export const SECRET_MASK = '********';

export class SecretValues {
  private readonly values = new Set<string>();
  private longestFirst: string[] = [];

  /** Very short values would mask innocent text everywhere ("a", "1") and reveal little if shown. */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 3 && !this.values.has(value)) {
      this.values.add(value);
      this.longestFirst = [...this.values].sort((a, b) => b.length - a.length);
    }
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  remove(value: string): void {
    if (this.values.delete(value)) this.longestFirst = [...this.values].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.values.size;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.values[Symbol.iterator]();
  }

  /** `text` with every value replaced by the mask. */
  mask(text: string): string {
    let out = text;
    // Longest first: a secret that contains a shorter one ("echo token=…" and "echo") must be
    // masked whole, before the shorter one breaks it up.
    for (const secret of this.longestFirst) out = out.split(secret).join(SECRET_MASK);
    return out;
  }
}

/** Every value this process decrypted (and the passwords that decrypted them). */
export const revealedSecrets = new SecretValues();
