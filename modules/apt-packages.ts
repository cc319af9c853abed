// What the apt module decides, pure: a package spec (`name`, `name=1.2*`, `name>=1.2`) split as
// ansible-core 2.14's package_split does, a package's state read from dpkg-query and
// `apt-cache policy` on the node, Debian version order (dpkg's), and which specs apt-get
// installs or removes, by the module's package_status/install/remove rules.
import { fnmatch } from '../base/fnmatch.js';

export interface PackageSpec {
  name: string;
  compare?: '=' | '>=';
  version?: string;
}

/** `name`, `name=version` (a glob), `name>=version`, as package_split: split at the first `=` or `>=`. */
export function splitPackageSpec(spec: string): PackageSpec {
  const match = /^(.*?)(>?=)(.*)$/s.exec(spec);
  if (!match) return { name: spec };
  return { name: match[1], compare: match[2] as '=' | '>=', version: match[3] };
}

/** One package as the node knows it. */
export interface AptPackageState {
  /** Known to dpkg or to apt's lists. */
  known: boolean;
  /** dpkg's status says installed. */
  installed: boolean;
  installedVersion?: string;
  /** Something of it is still on disk (installed, or removed with its configuration kept): a purge acts. */
  hasFiles: boolean;
  /** apt's candidate (undefined: none). */
  candidate?: string;
  /** apt-cache policy's version table, highest first. */
  versions: string[];
}

/**
 * The package report the apt module's node script prints: per package `P NAME`, then
 * dpkg-query's `S <status-abbrev>|<version>` line if dpkg knows it, then `apt-cache policy`'s block.
 */
export function parsePackageReport(out: string): Map<string, AptPackageState> {
  const states = new Map<string, AptPackageState>();
  let current: AptPackageState | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('P ')) {
      current = { known: false, installed: false, hasFiles: false, versions: [] };
      states.set(line.slice(2), current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('S ')) {
      const [abbrev, version] = line.slice(2).split('|');
      const status = abbrev.charAt(1);
      if (status !== '' && status !== 'n') {
        current.known = true;
        current.hasFiles = true;
      }
      if (status === 'i') {
        current.installed = true;
        current.installedVersion = version.trim();
      }
      continue;
    }
    if (/^\S.*:$/.test(line)) {
      current.known = true;
      continue;
    }
    const candidate = /^ {2}Candidate: (\S+)$/.exec(line);
    if (candidate) {
      if (candidate[1] !== '(none)') current.candidate = candidate[1];
      continue;
    }
    const row = /^ (?:\*\*\*| {3}) (\S+) -?\d+$/.exec(line);
    if (row) current.versions.push(row[1]);
  }
  return states;
}

// dpkg's version order: epoch, then upstream and revision compared part by part (non-digits
// with `~` before everything and letters before other characters, then digits as numbers).
function order(c: string): number {
  if (c === '~') return -1;
  if (/[0-9]/.test(c)) return 0;
  if (c === '') return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/[0-9]/.test(a[i])) || (j < b.length && !/[0-9]/.test(b[j]))) {
      const ac = order(a[i] ?? '');
      const bc = order(b[j] ?? '');
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (i < a.length && /[0-9]/.test(a[i]) && j < b.length && /[0-9]/.test(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && /[0-9]/.test(a[i])) return 1;
    if (j < b.length && /[0-9]/.test(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

function versionParts(v: string): [number, string, string] {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ''];
}

/** <0, 0, >0 as dpkg --compare-versions orders a and b. */
export function compareDebianVersions(a: string, b: string): number {
  const [ea, ua, ra] = versionParts(a);
  const [eb, ub, rb] = versionParts(b);
  if (ea !== eb) return Math.sign(ea - eb);
  return Math.sign(compareFragment(ua, ub)) || Math.sign(compareFragment(ra, rb));
}

/** The version apt would install for the spec (package_best_match: a `=` glob picks the highest matching version). */
function bestMatch(spec: PackageSpec, state: AptPackageState): string | undefined {
  if (spec.compare === '=') return state.versions.find((v) => fnmatch(v, spec.version!));
  return state.candidate;
}

function satisfies(version: string, spec: PackageSpec): boolean {
  if (spec.compare === '=') return fnmatch(version, spec.version!);
  if (spec.compare === '>=') return compareDebianVersions(version, spec.version!) >= 0;
  return true;
}

/** `unknown`: the module fails at once there (package_status), without the cache fields its other failures carry. */
export type InstallDecision = { install: string[] } | { failure: string; unknown?: true };

/** What `apt-get install` gets for `state: present` (upgrade false) or `latest` (upgrade true), as the module's install(). */
export function packagesToInstall(
  specs: string[],
  states: ReadonlyMap<string, AptPackageState>,
  options: { upgrade: boolean; onlyUpgrade: boolean },
): InstallDecision {
  const install: string[] = [];
  for (const written of specs) {
    const spec = splitPackageSpec(written);
    const state = states.get(spec.name);
    if (!state?.known) return { failure: `No package matching '${spec.name}' is available`, unknown: true };
    const best = bestMatch(spec, state);
    let installedMatches = false;
    let installable: string | undefined;
    if (state.installed) {
      installedMatches = satisfies(state.installedVersion!, spec);
      if (best !== undefined && best !== state.installedVersion && satisfies(best, spec)) installable = best;
    } else installable = best;
    if (!state.installed && options.onlyUpgrade) continue;
    if (!installedMatches && installable === undefined) return { failure: `no available installation candidate for ${written}` };
    if (installable !== undefined && ((!state.installed && !options.onlyUpgrade) || options.upgrade || !installedMatches))
      install.push(`${spec.name}=${installable}`);
    else if (installedMatches && installable !== undefined && spec.compare === '=') install.push(`${spec.name}=${spec.version}`);
  }
  return { install };
}

/** What `apt-get remove` gets for `state: absent`: the specs installed in a matching version, or with files left when purging. */
export function packagesToRemove(specs: string[], states: ReadonlyMap<string, AptPackageState>, purge: boolean): string[] {
  return specs.filter((written) => {
    const spec = splitPackageSpec(written);
    const state = states.get(spec.name);
    if (!state) return false;
    return (state.installed && satisfies(state.installedVersion!, spec)) || (state.hasFiles && purge);
  });
}
