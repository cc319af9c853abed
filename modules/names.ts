// How a task's module name is read, in one place: the short name (`command`), Ansible's
// `ansible.builtin.NAME` and `ansible.legacy.NAME`, a collection module's fully qualified name
// (`community.docker.docker_image`, `containers.podman.podman_image`) or its short name, and
// the names the play's, block's or role's `collections:` make short. A module hound does not
// run is refused with the reason its catalog entry gives (modules/ansible-catalog.ts).
import { closestName } from '../base/suggest.js';
import { ANSIBLE_MODULE_CATALOG, shortName, type CatalogEntry } from './ansible-catalog.js';
import type { ModuleDefinition } from './definition.js';
import { MODULE_DEFINITIONS } from './schemas.js';

/** Where every refusal of a module points. */
export const COMPATIBILITY_PAGE = 'docs/ansible-compatibility.md';

export const BUILTIN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/**
 * Collections whose modules moved to another collection, as their meta/runtime.yml routes
 * them (community.general's docker modules went to community.docker).
 */
const COLLECTION_REDIRECTS: Record<string, string> = { 'community.general': 'community.docker' };

/** Task keywords Ansible documents as modules of ansible.builtin (and so writes with its prefix too); `include` is ansible-core 2.14's deprecated one. */
export const INCLUDE_MODULES = ['import_tasks', 'include_tasks', 'import_role', 'include_role', 'import_playbook', 'include'] as const;
export type IncludeModule = (typeof INCLUDE_MODULES)[number];

export type ModuleResolution =
  | { kind: 'module'; definition: ModuleDefinition }
  | { kind: 'include'; keyword: IncludeModule }
  | { kind: 'not supported'; fqcn: string; reason: string }
  | { kind: 'unknown' };

const byShortName = new Map(MODULE_DEFINITIONS.map((d) => [d.name, d]));
const byFqcn = new Map(MODULE_DEFINITIONS.filter((d) => d.collection !== undefined).map((d) => [fqcnOf(d), d]));
const refusedByFqcn = new Map(ANSIBLE_MODULE_CATALOG.filter((e) => e.status === 'not supported').map((e) => [e.fqcn, e]));
const refusedByShortName = new Map<string, CatalogEntry>();
for (const entry of refusedByFqcn.values()) if (!refusedByShortName.has(shortName(entry.fqcn))) refusedByShortName.set(shortName(entry.fqcn), entry);

/** `community.docker.docker_image`, `ansible.builtin.command`; hound's own modules (`image`) under ansible.builtin too, as hound answers to it. */
export function fqcnOf(definition: ModuleDefinition): string {
  return `${definition.collection ?? 'ansible.builtin'}.${definition.name}`;
}

/** What `written` names, where `collections` (the play's, block's and task's, innermost first) are searched first. */
export function resolveModule(written: string, collections: readonly string[] = []): ModuleResolution {
  for (const prefix of BUILTIN_PREFIXES) if (written.startsWith(prefix)) return resolveShort(written.slice(prefix.length));
  const parts = written.split('.');
  if (parts.length >= 3) return resolveQualified(parts.slice(0, 2).join('.'), parts.slice(2).join('.'));
  for (const collection of collections) {
    if (collection === 'ansible.builtin' || collection === 'ansible.legacy') continue;
    const found = resolveQualified(collection, written);
    if (found.kind !== 'unknown') return found;
  }
  return resolveShort(written);
}

function resolveShort(name: string): ModuleResolution {
  if ((INCLUDE_MODULES as readonly string[]).includes(name)) return { kind: 'include', keyword: name as IncludeModule };
  const definition = byShortName.get(name);
  if (definition) return { kind: 'module', definition };
  const refused = refusedByShortName.get(name);
  if (refused) return { kind: 'not supported', fqcn: refused.fqcn, reason: refused.note };
  return { kind: 'unknown' };
}

function resolveQualified(collection: string, name: string): ModuleResolution {
  const target =
    COLLECTION_REDIRECTS[collection] !== undefined && byFqcn.has(`${COLLECTION_REDIRECTS[collection]}.${name}`) ? COLLECTION_REDIRECTS[collection] : collection;
  const definition = byFqcn.get(`${target}.${name}`);
  if (definition) return { kind: 'module', definition };
  const refused = refusedByFqcn.get(`${collection}.${name}`) ?? refusedByFqcn.get(`${target}.${name}`);
  if (refused) return { kind: 'not supported', fqcn: refused.fqcn, reason: refused.note };
  if (collection === 'ansible.builtin' || collection === 'ansible.legacy') return resolveShort(name);
  return { kind: 'unknown' };
}

/** Every name hound answers to, for "did you mean": short names, ansible.builtin./ansible.legacy. names, collections' FQCNs. */
export function moduleNameCandidates(): string[] {
  const names: string[] = [];
  for (const d of MODULE_DEFINITIONS) {
    names.push(d.name);
    if (d.collection === undefined) names.push(...BUILTIN_PREFIXES.map((p) => `${p}${d.name}`));
    else names.push(fqcnOf(d));
  }
  for (const keyword of INCLUDE_MODULES) names.push(keyword, ...BUILTIN_PREFIXES.map((p) => `${p}${keyword}`));
  return names;
}

/** The closest name hound answers to, when `written` looks like a typo of one. */
export function closestModuleName(written: string, extra: readonly string[] = []): string | undefined {
  return closestName(written, [...moduleNameCandidates(), ...extra]);
}
