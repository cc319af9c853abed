// Roles: found in roles/ beside the playbook, then on the roles path (--roles-path,
// HOUND_ROLES_PATH), as Ansible does; each brings tasks, handlers, defaults and vars.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { EXIT, HoundError, ParseError } from '../base/errors.js';
import type { PlaybookFiles } from './files.js';
import type { SourceRef, Vars } from './model.js';
import { isPlainObject } from './template-values.js';
import { closestName } from '../base/suggest.js';
import type { YamlSource } from './yaml-source.js';

export interface RoleLookup {
  playbookDir: string;
  rolesPath: string[];
  files: PlaybookFiles;
  referrer: SourceRef;
}

export interface RoleFiles {
  tasks?: YamlSource;
  handlers?: YamlSource;
  /** meta/main.yml, for its `dependencies:` (roles that run before this one). */
  meta?: YamlSource;
  defaults: Vars;
  vars: Vars;
}

/** The directories searched for role `name`, in order. */
export function roleSearchPath(playbookDir: string, rolesPath: string[]): string[] {
  return [path.join(playbookDir, 'roles'), ...rolesPath.map((p) => path.resolve(playbookDir, p)), playbookDir];
}

/**
 * The directory of role `name`, found as Ansible's RoleDefinition finds it: under each root of
 * the search path (`roles/` beside the playbook first), a name with a slash too
 * (`policies/org` is `roles/policies/org`); then a name with a slash as a path of its own.
 * With it, the role's name as Ansible gives it: as written when found under a root, else its
 * folder's name.
 */
export function findRole(name: string, lookup: RoleLookup): { dir: string; name: string } {
  const roots = roleSearchPath(lookup.playbookDir, lookup.rolesPath);
  const nested = name.includes('/');
  for (const root of roots) {
    const dir = path.resolve(root, name);
    if (lookup.files.isDirectory(dir) && (root !== lookup.playbookDir || nested || lookup.files.isDirectory(path.join(dir, 'tasks')))) return { dir, name };
  }
  // Ansible's last try, unfrackpath(name): an absolute path, or one from where it runs.
  const asPath = path.resolve(name);
  if (nested && lookup.files.isDirectory(asPath)) return { dir: asPath, name: path.basename(asPath) };
  throw roleNotFound(name, roots, lookup);
}

/** Exit 1, as ansible-playbook exits when a role is missing (like any missing file). */
function roleNotFound(name: string, roots: string[], lookup: RoleLookup): HoundError {
  const known = roots.flatMap((root) => {
    try {
      return readdirSync(root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return [];
    }
  });
  const closest = closestName(path.basename(name), known);
  return new HoundError('ROLE_NOT_FOUND', `role '${name}' was not found`, EXIT.ERROR, {
    position: lookup.referrer.source.positionOf(lookup.referrer.path),
    hint: `${closest ? `did you mean '${closest}'? ` : ''}searched ${roots.join(', ')}; add a directory with --roles-path or HOUND_ROLES_PATH`,
  });
}

function firstFile(files: PlaybookFiles, dir: string, base: string): string | undefined {
  const names = /\.ya?ml$/.test(base) ? [base] : [`${base}.yml`, `${base}.yaml`, base];
  return names.map((n) => path.join(dir, n)).find((f) => files.isFile(f));
}

function readVars(files: PlaybookFiles, file: string | undefined, referrer: SourceRef): Vars {
  if (!file) return {};
  const source = files.read(file, referrer, 'role vars file');
  if (source.data === null || source.data === undefined) return {};
  if (!isPlainObject(source.data)) {
    throw new ParseError('VARS_NOT_MAPPING', `${file} must be a mapping of variable names to values`, { position: source.positionOf([]) });
  }
  return source.data;
}

/** The role's `kind/main`, or the file vars_from/defaults_from chose (which must exist, as Ansible requires). */
function chosenFile(files: PlaybookFiles, dir: string, kind: string, chosen: string | undefined, referrer: SourceRef): string | undefined {
  const file = firstFile(files, path.join(dir, kind), chosen ?? 'main');
  if (chosen !== undefined && file === undefined) {
    throw new ParseError('FILE_NOT_FOUND', `role ${path.basename(dir)} has no ${kind} file '${chosen}'`, {
      position: referrer.source.positionOf(referrer.path),
    });
  }
  return file;
}

/** Reads the role's main files (or the ones chosen with tasks_from/handlers_from). */
export function loadRoleFiles(
  dir: string,
  files: PlaybookFiles,
  referrer: SourceRef,
  options: { tasksFrom?: string; handlersFrom?: string; varsFrom?: string; defaultsFrom?: string },
): RoleFiles {
  const tasksFile = firstFile(files, path.join(dir, 'tasks'), options.tasksFrom ?? 'main');
  if (options.tasksFrom && !tasksFile) {
    throw new ParseError('FILE_NOT_FOUND', `role ${path.basename(dir)} has no tasks file '${options.tasksFrom}'`, {
      position: referrer.source.positionOf(referrer.path),
    });
  }
  const handlersFile = firstFile(files, path.join(dir, 'handlers'), options.handlersFrom ?? 'main');
  const read = (file: string | undefined): YamlSource | undefined => {
    if (!file) return undefined;
    const source = files.read(file, referrer, 'role file');
    if (source.data !== null && source.data !== undefined && !Array.isArray(source.data)) {
      throw new ParseError('TASKS_NOT_LIST', `${file} must be a list of tasks`, { position: source.positionOf([]) });
    }
    return source;
  };
  const metaFile = firstFile(files, path.join(dir, 'meta'), 'main');
  const meta = metaFile ? files.read(metaFile, referrer, 'role meta file') : undefined;
  if (meta && meta.data !== null && meta.data !== undefined) {
    const data = meta.data as Record<string, unknown>;
    if (!isPlainObject(data) || (data.dependencies !== undefined && data.dependencies !== null && !Array.isArray(data.dependencies))) {
      throw new ParseError('ROLE_META_INVALID', `${metaFile} must be a mapping whose 'dependencies' is a list of roles`, {
        position: meta.positionOf(['dependencies']),
      });
    }
  }
  return {
    meta,
    tasks: read(tasksFile),
    handlers: read(handlersFile),
    defaults: readVars(files, chosenFile(files, dir, 'defaults', options.defaultsFrom, referrer), referrer),
    vars: readVars(files, chosenFile(files, dir, 'vars', options.varsFrom, referrer), referrer),
  };
}
