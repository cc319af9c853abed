// The files a templated include_tasks name may render to. Ansible renders the name on each
// host as the include runs; hound reads every file before the run, so it reads each file the
// name could name (its template parts as wildcards, looked up where a relative name is looked
// up) and picks one per host once the name is rendered (compiler, or executor for a name that
// reads gathered facts or registered results).
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isDirectory, isFile } from '../base/file-kind.js';
import { ParseError, type HoundError, type SourcePosition } from '../base/errors.js';

/** Stands for a template's value inside a path pattern: no file name holds it. */
const HOLE = '\u0000';

/** `{{ ... }}`, `{% ... %}` and `{# ... #}` spans of a template string. */
const TEMPLATE_SPAN = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

/** Magic variables whose values are known while the files are read: a name built from them alone is no template at all. */
export interface KnownAtLoad {
  playbookDir: string;
  roleDir?: string;
}

/**
 * `name` with `{{ playbook_dir }}` and `{{ role_path }}` written in: the playbook's folder and
 * the role's are known before the run, and Ansible's magic variables cannot be overridden.
 */
export function withKnownPaths(name: string, known: KnownAtLoad): string {
  return name.replace(/\{\{-?\s*(playbook_dir|role_path)\s*-?\}\}/g, (whole, variable: string) => {
    if (variable === 'playbook_dir') return known.playbookDir;
    return known.roleDir ?? whole;
  });
}

/**
 * Every regular file the templated `name` may render to, looked up from each of `dirs` as a
 * relative name is (an absolute one stands alone), sorted and without repeats. A template part
 * matches any run of characters within one path segment; a file name that is nothing but a
 * template matches only YAML files (`.yml`, `.yaml`), so that an include of `{{ item }}` reads
 * the task files beside it rather than every file there.
 */
export function includeCandidates(name: string, dirs: readonly string[]): string[] {
  const pattern = name.replace(TEMPLATE_SPAN, HOLE);
  const found = new Set<string>();
  for (const dir of dirs) {
    const full = path.resolve(dir, pattern);
    const segments = full.split(path.sep).filter((s) => s !== '');
    for (const file of matchSegments(path.parse(full).root, segments)) found.add(file);
  }
  return [...found].sort();
}

function matchSegments(base: string, segments: string[]): string[] {
  if (segments.length === 0) return isFile(base) ? [base] : [];
  const [segment, ...rest] = segments;
  const last = rest.length === 0;
  if (!segment.includes(HOLE)) {
    const next = path.join(base, segment);
    return last ? (isFile(next) ? [next] : []) : isDirectory(next) ? matchSegments(next, rest) : [];
  }
  const matcher = segmentMatcher(segment, last);
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => matcher.test(entry))
    .flatMap((entry) => {
      const next = path.join(base, entry);
      if (last) return isFile(next) ? [next] : [];
      return isDirectory(next) ? matchSegments(next, rest) : [];
    });
}

function segmentMatcher(segment: string, last: boolean): RegExp {
  if (last && segment.split(HOLE).every((part) => part === '')) return /^[^.].*\.ya?ml$/;
  const parts = segment.split(HOLE).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** Which of `files` a rendered include name names, looked up from `dirs` in order; -1 when none. */
export function chosenInclude(rendered: string, dirs: readonly string[], files: readonly string[]): number {
  for (const dir of dirs) {
    const index = files.indexOf(path.resolve(dir, rendered));
    if (index !== -1) return index;
  }
  return -1;
}

/** How an include fails that names a file hound cannot run. */
export function cannotInclude(file: string, err: HoundError): string {
  return `hound cannot include ${file}: ${err.oneLine()}`;
}

/**
 * Where a play's vars file is looked up, in order, as Ansible's path_dwim_relative_stack looks
 * it up: the playbook's `vars/` folder (unless the name starts there), then the playbook's.
 */
export function varsFileCandidatesOf(name: string, playbookDir: string): string[] {
  if (name === '~' || name.startsWith('~/')) return [path.join(homedir(), name.slice(1))];
  if (path.isAbsolute(name)) return [name];
  return varsFileDirs(name, playbookDir).map((dir) => path.resolve(dir, name));
}

/** The folders a relative vars_files name is looked up in, in order (see varsFileCandidatesOf). */
export function varsFileDirs(name: string, playbookDir: string): string[] {
  return name.split('/')[0] === 'vars' ? [playbookDir] : [path.join(playbookDir, 'vars'), playbookDir];
}

/**
 * Ansible's error when none of a vars_files entry's files is there (VariableManager.get_vars):
 * the entry as written, a list as Python shows it; `context` says which play and host.
 */
export function varsFileNotFound(names: readonly string[], listed: boolean, playbookDir: string, position: SourcePosition, context?: string): ParseError {
  const written = listed ? `[${names.map((n) => `'${n}'`).join(', ')}]` : names[0];
  return new ParseError('FILE_NOT_FOUND', `vars file ${written} was not found${context ? ` (${context})` : ''}`, {
    position,
    hint: `looked for ${listed ? 'each' : 'it'} in ${path.join(playbookDir, 'vars')} and ${playbookDir}`,
  });
}
