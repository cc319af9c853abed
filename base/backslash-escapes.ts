// Texts with backslash escapes, walked one way for the two Python notations hound reads:
// string literals (inventory values, inventory/python-literal.ts) and re replacement
// templates (regex_replace, base/user-regex.ts).

/**
 * Hands each plain character of `text` to `literal`, and each backslash that has a character
 * after it to `escape`, which returns how many characters after the backslash it took; 0
 * leaves the backslash a plain character, as Python keeps unknown escapes as written.
 */
export function walkBackslashEscapes(text: string, literal: (c: string) => void, escape: (next: string, at: number) => number): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const taken = c === '\\' && i + 1 < text.length ? escape(text[i + 1], i) : 0;
    if (taken === 0) literal(c);
    i += taken;
  }
}
