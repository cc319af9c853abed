// Host patterns (a play's `hosts:`, --limit), evaluated as ansible-core's InventoryManager
// evaluates them: split on `,` (or `:`), unions first, then `&` intersections, then `!`
// exclusions; each part a host name, a group, a glob or a `~regex`, with an optional
// `[i]` / `[i:j]` subscript; `@file` reads patterns from a file, one a line.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { EXIT, OptionsError } from '../base/errors.js';
import { readInputTextSync } from '../base/input-file.js';
import { UserRegex, UserRegexError } from '../base/user-regex.js';
import { parseAddress } from './host-range.js';
import type { Inventory } from './model.js';
import { hostsOfGroup } from './vars.js';
import { appendAll } from '../base/append.js';
import { isDirectory } from '../base/file-kind.js';
import { globToRegExp } from '../base/fnmatch.js';

export interface PatternOptions {
  /** Where relative `@file` paths are read from (default: the working directory). */
  baseDir?: string;
  /** Called with Ansible's message for each part of the pattern that matched nothing. */
  warn?: (message: string) => void;
}

/** A file of host patterns for --limit @file; a list of a million hosts is some 30 MiB. */
const MAX_LIMIT_FILE_BYTES = 32 * 1024 * 1024;

const SPLIT_ON_COLONS = /(?:[^\s:[\]]|\[[^\]]*\])+/g;
const WITH_SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;

/** Ansible's split_host_pattern. */
export function splitHostPattern(pattern: string | string[]): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap((p) => splitHostPattern(p));
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern)) parts = [pattern];
  else parts = pattern.match(SPLIT_ON_COLONS) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Unions, then intersections, then exclusions; only exclusions/intersections means `all` first. */
export function orderPatterns(patterns: string[]): string[] {
  const regular: string[] = [];
  const intersect: string[] = [];
  const exclude: string[] = [];
  for (const p of patterns) {
    if (!p) continue;
    if (p[0] === '!') exclude.push(p);
    else if (p[0] === '&') intersect.push(p);
    else regular.push(p);
  }
  return [...(regular.length ? regular : ['all']), ...intersect, ...exclude];
}

function pythonRegex(source: string, whole: string): UserRegex {
  // re.match anchors at the start only. On RE2: a user's pattern cannot backtrack for ever.
  try {
    return UserRegex.compile(`^(?:${source})`, { dotAll: true });
  } catch (err) {
    if (!(err instanceof UserRegexError)) throw err;
    throw new OptionsError('INVALID_HOST_PATTERN', `Invalid host list pattern: ${whole}`, {
      hint: `a pattern starting with ~ is a regular expression: ${err.message}`,
    });
  }
}

class PatternEvaluator {
  private readonly cache = new Map<string, string[]>();
  constructor(
    private readonly inv: Inventory,
    private readonly options: PatternOptions,
  ) {}

  evaluate(patterns: string[]): string[] {
    let hosts: string[] = [];
    for (const p of orderPatterns(patterns)) {
      if (this.inv.hosts.has(p)) {
        hosts.push(p);
        continue;
      }
      const that = this.matchOne(p);
      if (p[0] === '!') {
        const drop = new Set(that);
        hosts = hosts.filter((h) => !drop.has(h));
      } else if (p[0] === '&') {
        const keep = new Set(that);
        hosts = hosts.filter((h) => keep.has(h));
      } else {
        const existing = new Set(hosts);
        for (const h of that) if (!existing.has(h)) hosts.push(h);
      }
    }
    return [...new Set(hosts)];
  }

  private matchOne(raw: string): string[] {
    const pattern = raw[0] === '&' || raw[0] === '!' ? raw.slice(1) : raw;
    const cached = this.cache.get(pattern);
    if (cached) return cached;
    if (!pattern) return [];
    const { expr, subscript } = splitSubscript(pattern);
    const hosts = this.enumerate(expr);
    const result = applySubscript(hosts, subscript, pattern);
    this.cache.set(pattern, result);
    return result;
  }

  private matcher(pattern: string): UserRegex {
    if (pattern[0] === '~') return pythonRegex(pattern.slice(1), pattern);
    return globToRegExp(pattern);
  }

  private enumerate(pattern: string): string[] {
    const re = this.matcher(pattern);
    const results: string[] = [];
    const groups = [...this.inv.groups.keys()].filter((g) => re.test(g));
    for (const g of groups) appendAll(results, hostsOfGroup(this.inv, g));
    if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
      for (const h of this.inv.hosts.keys()) if (re.test(h)) results.push(h);
    }
    if (results.length === 0 && groups.length === 0 && pattern !== 'all') {
      this.options.warn?.(`Could not match supplied host pattern, ignoring: ${pattern}`);
    }
    return results;
  }
}

function splitSubscript(pattern: string): { expr: string; subscript: [number, number | null] | null } {
  if (pattern[0] === '~') return { expr: pattern, subscript: null };
  const m = WITH_SUBSCRIPT.exec(pattern);
  if (!m) return { expr: pattern, subscript: null };
  if (m[2] !== undefined) return { expr: m[1], subscript: [parseInt(m[2], 10), null] };
  return { expr: m[1], subscript: [parseInt(m[3], 10), m[5] ? parseInt(m[5], 10) : -1] };
}

function applySubscript(hosts: string[], subscript: [number, number | null] | null, pattern: string): string[] {
  if (hosts.length === 0 || !subscript) return hosts;
  const [start] = subscript;
  let end = subscript[1];
  // Ansible treats an end of 0 like no end at all (a single index); kept for compatibility.
  if (end) {
    if (end === -1) end = hosts.length - 1;
    return pySlice(hosts, start, end + 1);
  }
  const index = start < 0 ? hosts.length + start : start;
  if (index < 0 || index >= hosts.length) {
    throw new OptionsError('NO_HOSTS_IN_SUBSCRIPT', `No hosts matched the subscripted pattern '${pattern}'`, {
      hint: `the pattern matches ${hosts.length} host(s); subscripts count from 0`,
    });
  }
  return [hosts[index]];
}

function pySlice<T>(list: T[], start: number, stop: number): T[] {
  const norm = (i: number) => (i < 0 ? Math.max(0, list.length + i) : Math.min(i, list.length));
  return list.slice(norm(start), norm(stop));
}

/** Expands `@file` entries into the patterns written in the file, one a line. */
function expandFiles(patterns: string[], options: PatternOptions): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    if (p[0] !== '@') {
      out.push(p);
      continue;
    }
    const file = path.resolve(options.baseDir ?? process.cwd(), p.slice(1));
    // Ansible's own words where it has them; the one reader for everything (a FIFO or a device is refused, never read).
    if (!existsSync(file)) throw new OptionsError('LIMIT_FILE_NOT_FOUND', `Unable to find limit file ${file}`, { hint: 'check the path after @' });
    if (isDirectory(file)) throw new OptionsError('LIMIT_FILE_NOT_FILE', `Limit starting with "@" must be a file, not a directory: ${file}`);
    const text = readInputTextSync(file, {
      what: 'limit file',
      maxBytes: MAX_LIMIT_FILE_BYTES,
      codes: { missing: 'LIMIT_FILE_NOT_FOUND', 'not-regular': 'LIMIT_FILE_NOT_FILE' },
      exitCode: EXIT.OPTIONS,
    });
    appendAll(
      out,
      text.split('\n').map((l) => l.trim()),
    );
  }
  return out;
}

/** The hosts a pattern selects, in the order Ansible lists them; [] when nothing matches. */
export function resolvePattern(inv: Inventory, pattern: string | string[], options: PatternOptions = {}): string[] {
  const patterns = expandFiles(splitHostPattern(pattern), options);
  return new PatternEvaluator(inv, options).evaluate(patterns);
}

/** `hosts` restricted by --limit (which may be several patterns, each possibly `@file`). */
export function applyLimit(inv: Inventory, hosts: string[], limit: string | string[], options: PatternOptions = {}): string[] {
  const allowed = new Set(resolvePattern(inv, limit, options));
  return hosts.filter((h) => allowed.has(h));
}
