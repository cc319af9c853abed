// The one masking step of hound. Every secret hound learns (connection passwords from the
// inventory, variables named like secrets from vars files and -e, a module's secret
// arguments, what a no_log task handles, Vault values, credential-helper output) is
// registered here, and everything that leaves the process goes through `maskSecrets` or a
// SecretMask: events (core/events.ts), error frames (HoundError.format), the CLI's error
// handler and the binary's stdout/stderr (cli/output.ts).
//
// A value is masked in every form it may be printed in: raw, JSON- or Python-escaped,
// YAML single-quoted, shell-quoted, URL-encoded and base64 (an Authorization header).
// Text quoted from a file that hound could not parse never had its values registered;
// `maskSecretAssignments` masks what follows a secret-named key there (`ansible_password=`,
// `password:`), to the end of the line when the value's end cannot be told.

import { PythonFloat } from './python-float.js';
import { UnsafeText } from './unsafe-text.js';

export const SECRET_MASK = '********';

/** Values shorter than this are not masked: "a" or "1" would mask innocent text everywhere and reveal nothing. */
const MIN_SECRET_LENGTH = 3;

/** Words that make a variable or argument name a secret's (`ansible_become_pass`, `registry_password`, `api_token`). */
const SECRET_WORDS = new Set(['password', 'passwd', 'pass', 'pw', 'passphrase', 'secret', 'token', 'tokens', 'apikey', 'credential', 'credentials']);
/** Two-word secrets (`api_key`, `aws_secret_access_key`, `private_key`). */
const SECRET_PAIRS = new Set(['api key', 'access key', 'secret key', 'private key', 'auth token', 'identity token']);
/**
 * A name ending in one of these holds where a secret is, or where it is used, not the secret
 * (`ansible_ssh_private_key_file`, `vault_password_file`, `token_registry`, `token_url`).
 */
const NOT_SECRET_LAST_WORDS = new Set([
  'file',
  'files',
  'path',
  'dir',
  'length',
  'prompt',
  'policy',
  'command',
  'cmd',
  'helper',
  'store',
  'env',
  'url',
  'uri',
  'host',
  'hostname',
  'server',
  'registry',
  'endpoint',
  'realm',
  'port',
  'service',
  'scope',
]);
/** Names that are secrets whole: Docker's config.json `auth` (base64 of user:password). */
const SECRET_NAMES = new Set(['auth', 'identitytoken', 'registrytoken']);

/** True when a variable, argument or key named `name` holds a secret. */
export function isSecretName(name: string): boolean {
  // Asked for every key of every task's arguments on every host: the same few names, so
  // remembered (the words' split was a tenth of a 1,000-host compile's garbage).
  let known = secretNameCache.get(name);
  if (known === undefined) {
    known = secretNameByWords(name);
    if (secretNameCache.size >= 10_000) secretNameCache.clear();
    secretNameCache.set(name, known);
  }
  return known;
}

const secretNameCache = new Map<string, boolean>();

function secretNameByWords(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_NAMES.has(lower)) return true;
  const words = lower.split(/[^a-z0-9]+/).filter((w) => w !== '');
  if (words.length === 0 || NOT_SECRET_LAST_WORDS.has(words[words.length - 1])) return false;
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i])) return true;
    if (i + 1 < words.length && SECRET_PAIRS.has(`${words[i]} ${words[i + 1]}`)) return true;
  }
  return false;
}

/** The forms in which `value` may appear in output. */
export function printedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(value.replace(/\\/g, '\\\\').replace(/'/g, "\\'"));
  forms.add(value.replace(/'/g, "''"));
  forms.add(value.replace(/'/g, `'"'"'`));
  forms.add(value.replace(/([^\w@%+=:,./-])/g, '\\$1'));
  forms.add(encodeURIComponent(value));
  forms.add(encodeURIComponent(value).replace(/%20/g, '+'));
  forms.add(encodeURI(value));
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  forms.add(base64);
  forms.add(base64.replace(/=+$/, ''));
  forms.add(Buffer.from(value, 'utf8').toString('base64url'));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A set of secrets and the masking of text and values by them. A child mask (a run's event
 * bus) masks its parent's secrets too, and can forget its own (a no_log task's values once
 * the task is over) without touching the parent's.
 */
export class SecretMask {
  private readonly own = new Map<string, number>();
  private pattern: RegExp | null = null;
  private builtAt = -1;
  private version = 0;

  constructor(private readonly parent?: SecretMask) {}

  /** Registers `value`; every printed form of it is masked from now on. */
  add(value: string | undefined): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    this.own.set(value, (this.own.get(value) ?? 0) + 1);
    this.version++;
  }

  /** A user and password pair: the password, and `user:password` (what a Basic Authorization header encodes). */
  addCredentials(user: string | undefined, password: string | undefined): void {
    this.add(password);
    if (user !== undefined && password !== undefined && password.length >= MIN_SECRET_LENGTH) this.add(`${user}:${password}`);
  }

  has(value: string): boolean {
    return this.own.has(value) || this.parent?.has(value) === true;
  }

  /** Undoes one `add` of `value` made on this mask (the parent's registrations stay). */
  remove(value: string): void {
    const count = this.own.get(value);
    if (count === undefined) return;
    if (count > 1) this.own.set(value, count - 1);
    else this.own.delete(value);
    this.version++;
  }

  /** Forgets every secret of this mask (tests, and the start of a CLI run). */
  clear(): void {
    this.own.clear();
    this.version++;
  }

  get size(): number {
    return this.own.size + (this.parent?.size ?? 0);
  }

  /** `text` with every printed form of every secret replaced by the mask. */
  maskText(text: string): string {
    const pattern = this.compiled();
    if (pattern === null || text.length < MIN_SECRET_LENGTH) return text;
    pattern.lastIndex = 0;
    return text.replace(pattern, SECRET_MASK);
  }

  /** Every string inside `value` masked; objects and arrays are copied, never changed in place. */
  maskDeep(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.maskText(value);
    if (depth > 64 || this.size === 0) return value;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v, depth + 1));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        Object.defineProperty(out, k, { value: this.maskDeep(v, depth + 1), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return value;
  }

  private stamp(): number {
    return this.version + (this.parent ? this.parent.stamp() * 1_000_003 : 0);
  }

  private values(): string[] {
    return [...(this.parent?.values() ?? []), ...this.own.keys()];
  }

  private compiled(): RegExp | null {
    const stamp = this.stamp();
    if (stamp !== this.builtAt) {
      this.builtAt = stamp;
      const forms = new Set(this.values().flatMap(printedForms));
      // Longest first: a secret that contains a shorter one must be masked whole, before the shorter one breaks it up.
      const sorted = [...forms].sort((a, b) => b.length - a.length);
      this.pattern = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
    }
    return this.pattern;
  }
}

/** The process's secrets: what loaders, Vault and credential helpers register, and what every output path masks. */
export const processSecrets = new SecretMask();

/** Registers a secret for the whole process (Vault values, credential-helper output, secret-named variables). */
export function registerSecret(value: string | undefined): void {
  processSecrets.add(value);
}

/**
 * Registers a whole text that is secret (a vault-encrypted file's plaintext): whole, stripped and
 * line by line, as it may be printed in any of those pieces (a lookup strips it, a diff shows
 * lines).
 */
export function registerSecretText(text: string): void {
  for (const part of [text, text.trim(), ...text.split(/\r?\n/).map((line) => line.trim())]) if (part !== '') registerSecret(part);
}

/** Registers a user and password pair for the whole process (also masks base64 of `user:password`). */
export function registerCredentials(user: string | undefined, password: string | undefined): void {
  processSecrets.addCredentials(user, password);
}

/**
 * Registers every string held under a secret-named key in `vars` (deeply: a secret-named
 * mapping's strings are all secrets), e.g. the variables of an inventory or a vars file.
 */
export function registerSecretVariables(vars: unknown, underSecret = false, depth = 0): void {
  if (depth > 64) return;
  if (typeof vars === 'string') {
    // A template is not the secret; its value is registered when it is rendered (playbook/templating.ts).
    if (underSecret && !vars.includes('{{') && !vars.includes('{%')) registerSecret(vars);
  } else if (vars instanceof UnsafeText) {
    // `!unsafe` text is never rendered: it is the secret as written (a password with `{%` in it).
    if (underSecret) registerSecret(vars.text);
  } else if (vars instanceof Map) {
    for (const [k, v] of vars) registerSecretVariables(v, underSecret || (typeof k === 'string' && isSecretName(k)), depth + 1);
  } else if (Array.isArray(vars)) {
    for (const v of vars) registerSecretVariables(v, underSecret, depth + 1);
  } else if (vars instanceof PythonFloat) {
    if (underSecret) registerSecret(String(vars));
  } else if (vars !== null && typeof vars === 'object') {
    const object = vars as Record<string, unknown>;
    for (const k of Object.keys(object)) registerSecretVariables(object[k], underSecret || isSecretName(k), depth + 1);
  } else if (underSecret && (typeof vars === 'number' || typeof vars === 'bigint')) {
    // A numeric password is printed as digits all the same.
    registerSecret(String(vars));
  }
}

// A secret-named key followed by `=` (INI, key=value arguments, -e) or `:` (YAML, JSON), the
// key possibly quoted. Names are words of letters, digits, `_`, `-` and `.`; a match starts
// only where a word does, so a long line costs linear time.
const ASSIGNMENT = /(?<![\w.-])(["']?)([A-Za-z_][\w.-]*)\1[ \t]*(=|:)[ \t]*/g;

/**
 * Where the value starting at `start` ends when it is plainly delimited: a word without quotes
 * or backslashes, or one quoted string without backslashes. -1 otherwise (an unclosed quote,
 * escapes, a value quoted inside a quoted message): then nobody can tell where it ends.
 */
function plainValueEnd(line: string, start: number): number {
  const quote = line[start];
  if (quote === '"' || quote === "'") {
    const close = line.indexOf(quote, start + 1);
    if (close < 0 || line.slice(start + 1, close).includes('\\')) return -1;
    const after = line[close + 1];
    return after === undefined || after === ' ' || after === '\t' ? close + 1 : -1;
  }
  let i = start;
  while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
    if (line[i] === '"' || line[i] === "'" || line[i] === '\\') return -1;
    i++;
  }
  return i;
}

/** One line with the values after secret-named keys masked; the rest of the line when a value's end is unclear. */
function maskAssignmentsInLine(line: string, toEndOfLine: boolean): string {
  ASSIGNMENT.lastIndex = 0;
  let out = '';
  let from = 0;
  for (let m = ASSIGNMENT.exec(line); m !== null; m = ASSIGNMENT.exec(line)) {
    if (!isSecretName(m[2]) || m.index < from) continue;
    const valueStart = m.index + m[0].length;
    if (valueStart >= line.length) continue;
    // `key: value` (YAML, JSON) runs to the end of the line; `key=value` is one plain word or quoted string.
    const end = m[3] === ':' || toEndOfLine ? -1 : plainValueEnd(line, valueStart);
    if (line.slice(valueStart, end === -1 ? line.length : end) === SECRET_MASK) continue;
    out += line.slice(from, valueStart) + SECRET_MASK;
    if (end === -1) return out;
    from = end;
    ASSIGNMENT.lastIndex = end;
  }
  return out + line.slice(from);
}

/**
 * Text quoted from input hound could not (or not yet) parse, with secret-named assignments
 * masked line by line. `toEndOfLine`: the caller knows the line could not be split into
 * values (free text among key=value words), so everything after the first secret-named key goes.
 */
export function maskSecretAssignments(text: string, { toEndOfLine = false } = {}): string {
  if (!/[=:]/.test(text)) return text;
  return text
    .split('\n')
    .map((line) => maskAssignmentsInLine(line, toEndOfLine))
    .join('\n');
}

/** What every message to the user goes through: registered secrets, then secret-named assignments. */
export function maskSecrets(text: string): string {
  return maskSecretAssignments(processSecrets.maskText(text));
}
