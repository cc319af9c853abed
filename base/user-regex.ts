// Regular expressions written by users (the regex_search/regex_replace/regex_findall
// filters, the match/search/regex tests, `--limit '~regex'`, and host globs) run on RE2's
// algorithm (the re2js package, a pure-JavaScript port), never on V8's backtracking engine:
// matching takes time linear in the input whatever the pattern, so `(a+)+$` against a long
// string of `a`s cannot hang hound.
//
// Why re2js and not the native `re2` package: `re2` installs here (npm falls back to
// building it with node-gyp when its prebuilt binary cannot be downloaded), but the build
// took 26 minutes on this two-core machine, on every `npm ci` of CI and of each worktree.
// re2js is the same algorithm with no install step.
//
// Patterns are written in Python's syntax, as Ansible's are: `(?P<name>…)` named groups,
// `\Z`. What RE2 cannot do without backtracking is refused with the reason: backreferences
// (`\1`, `(?P=name)`) and lookaround (`(?=…)`, `(?<!…)`); and repeats are bounded by 1000.
import { walkBackslashEscapes } from './backslash-escapes.js';
import { RE2JS } from 're2js';

export interface UserRegexFlags {
  ignoreCase?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
}

/** A pattern RE2 cannot compile; the message says why in the user's terms. */
export class UserRegexError extends Error {}

export interface UserMatch {
  /** The whole match, then each group (undefined when it did not take part). */
  groups: (string | undefined)[];
  named: Record<string, string | undefined>;
  index: number;
}

const cache = new Map<string, UserRegex>();

export class UserRegex {
  private constructor(
    private readonly re: RE2JS,
    readonly source: string,
  ) {}

  /** Compiles a Python-syntax pattern (cached: templates run the same ones over and over). */
  static compile(pattern: string, flags: UserRegexFlags = {}): UserRegex {
    const key = `${flags.ignoreCase ? 'i' : ''}${flags.multiline ? 'm' : ''}${flags.dotAll ? 's' : ''}/${pattern}`;
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = new UserRegex(compileRe2(pattern, flags), pattern);
      if (cache.size > 10_000) cache.clear();
      cache.set(key, compiled);
    }
    return compiled;
  }

  /** True when the pattern matches somewhere in `text` (Python's re.search). */
  test(text: string): boolean {
    return this.re.test(text);
  }

  /** The first match (Python's re.search), or null. */
  search(text: string): UserMatch | null {
    const m = this.re.matcher(text);
    return m.find() ? matchOf(m, this.re) : null;
  }

  /** Every non-overlapping match, in order (Python's re.finditer). */
  all(text: string): UserMatch[] {
    const out: UserMatch[] = [];
    const m = this.re.matcher(text);
    while (m.find()) out.push(matchOf(m, this.re));
    return out;
  }

  /** Python's re.sub(pattern, replacement, text, count): `\1`, `\g<1>`, `\g<name>` and escapes in the replacement. */
  replace(text: string, replacement: string, count = 0): string {
    const template = parseReplacement(replacement);
    const m = this.re.matcher(text);
    let out = '';
    let last = 0;
    let done = 0;
    while ((count <= 0 || done < count) && m.find()) {
      out += text.slice(last, m.start());
      const match = matchOf(m, this.re);
      for (const part of template) {
        if (typeof part === 'string') out += part;
        else {
          const value = typeof part.group === 'number' ? match.groups[part.group] : match.named[part.group];
          if (typeof part.group === 'number' && part.group >= match.groups.length) throw new UserRegexError(`invalid group reference ${part.group}`);
          if (typeof part.group === 'string' && !Object.hasOwn(match.named, part.group)) throw new UserRegexError(`unknown group name '${part.group}'`);
          out += value ?? '';
        }
      }
      last = m.end();
      done++;
    }
    return out + text.slice(last);
  }
}

function matchOf(m: ReturnType<RE2JS['matcher']>, re: RE2JS): UserMatch {
  const groups: (string | undefined)[] = [];
  for (let g = 0; g <= re.groupCount(); g++) groups.push(m.group(g) ?? undefined);
  const named: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (const [name, index] of Object.entries(re.namedGroups())) named[name] = groups[index];
  return { groups, named, index: m.start() };
}

const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\(\?P=\w+\)|\\[1-9]/, 'backreferences are not supported'],
  [/\(\?<?[=!]/, 'lookahead and lookbehind are not supported'],
];

function compileRe2(pattern: string, flags: UserRegexFlags): RE2JS {
  // Python's \Z is RE2's \z (end of text).
  const source = pattern.replace(/(^|[^\\])((?:\\\\)*)\\Z/g, '$1$2\\z');
  let re2Flags = 0;
  if (flags.ignoreCase) re2Flags |= RE2JS.CASE_INSENSITIVE;
  if (flags.multiline) re2Flags |= RE2JS.MULTILINE;
  if (flags.dotAll) re2Flags |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(source, re2Flags);
  } catch (err) {
    const reason = UNSUPPORTED.find(([re]) => re.test(pattern))?.[1];
    const detail = (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '');
    throw new UserRegexError(
      reason ? `${reason} (hound matches regular expressions with RE2, which never backtracks): ${detail}` : `invalid regular expression: ${detail}`,
    );
  }
}

type ReplacementPart = string | { group: number | string };

const replacementCache = new Map<string, ReplacementPart[]>();

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Python's re template: `\g<name>`, `\g<1>`, `\1`..`\99`, and the usual escapes; other `\x` kept as they are. */
function parseReplacement(replacement: string): ReplacementPart[] {
  const cached = replacementCache.get(replacement);
  if (cached) return cached;
  const parts: ReplacementPart[] = [];
  let literal = '';
  walkBackslashEscapes(
    replacement,
    (c) => (literal += c),
    (next, i) => {
      const named = next === 'g' ? /^<([^>]+)>/.exec(replacement.slice(i + 2)) : null;
      const digits = /^[0-9]{1,2}/.exec(replacement.slice(i + 1));
      if (named || digits) {
        if (literal) parts.push(literal);
        literal = '';
        const name = named ? named[1] : digits![0];
        parts.push({ group: /^\d+$/.test(name) ? Number(name) : name });
        return named ? 1 + named[0].length : digits![0].length;
      }
      if (Object.hasOwn(ESCAPES, next)) {
        literal += ESCAPES[next];
        return 1;
      }
      return 0;
    },
  );
  if (literal) parts.push(literal);
  if (replacementCache.size > 10_000) replacementCache.clear();
  replacementCache.set(replacement, parts);
  return parts;
}
