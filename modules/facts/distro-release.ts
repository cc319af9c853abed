// What the `distro` library (1.8, which Ansible's setup module uses on the node) answers
// from a host's files: id, version (first and most precise), codename. Read from
// /etc/os-release (or /usr/lib/os-release), the first /etc/*-release or *_version file that
// names a distribution, and /etc/debian_version; the lsb_release command is not run.
import { ShlexError, shlexSplit } from '../../base/shlex.js';

export interface DistroRelease {
  id: string;
  version: string;
  versionBest: string;
  codename: string;
  /** The release name Ansible's get_distribution_codename() gives: undefined when there is none. */
  ansibleCodename: string | undefined;
  /** os-release ID_LIKE. */
  like: string;
}

/** A host's files by path (what the gather script read), with the names found under /etc. */
export type HostFiles = ReadonlyMap<string, string>;

const NORMALIZED_OS_ID: Record<string, string> = { ol: 'oracle', 'opensuse-leap': 'opensuse' };
const NORMALIZED_DISTRO_ID: Record<string, string> = { redhat: 'rhel' };
const RELEASE_BASENAME = /^(\w+)[-_](release|version)$/;
const IGNORED_BASENAMES = new Set(['debian_version', 'lsb-release', 'oem-release', 'os-release', 'system-release', 'plesk-release', 'iredmail-release']);
// distro's pattern, matched against the line reversed.
const RELEASE_CONTENT_REVERSED = /^(?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)/;

/** os-release as distro reads it: shell words KEY=value, keys lower-cased, codename worked out. */
export function parseOsRelease(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  let tokens: string[];
  try {
    tokens = shlexSplit(text);
  } catch (err) {
    if (!(err instanceof ShlexError)) throw err;
    return props;
  }
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq >= 0) props[token.slice(0, eq).toLowerCase()] = token.slice(eq + 1);
  }
  if ('version' in props) {
    const match = /\((\D+)\)|,\s*(\D+)/.exec(props.version);
    if (match) props.codename = props.release_codename = match[1] ?? match[2];
  }
  if ('version_codename' in props) props.codename = props.version_codename;
  else if ('ubuntu_codename' in props) props.codename = props.ubuntu_codename;
  return props;
}

/** One line of a distro release file ("CentOS Linux release 7.9.2009 (Core)"): name, version, codename. */
export function parseReleaseLine(line: string): { name?: string; version_id?: string; codename?: string } {
  const reversed = [...line.trim()].reverse().join('');
  const match = RELEASE_CONTENT_REVERSED.exec(reversed);
  const back = (s: string) => [...s].reverse().join('');
  if (match) {
    return {
      name: back(match[3]),
      ...(match[2] ? { version_id: back(match[2]) } : {}),
      ...(match[1] ? { codename: back(match[1]) } : {}),
    };
  }
  return line ? { name: line.trim() } : {};
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0];
}

/** The first release file under /etc, sorted by name, whose first line names a distribution. */
function distroReleaseInfo(files: HostFiles): Record<string, string> {
  const names = [...files.keys()]
    .filter((f) => f.startsWith('/etc/') && !f.slice(5).includes('/'))
    .map((f) => f.slice(5))
    .sort();
  for (const basename of names) {
    if (IGNORED_BASENAMES.has(basename)) continue;
    const match = RELEASE_BASENAME.exec(basename);
    if (!match) continue;
    const info: Record<string, string> = { ...parseReleaseLine(firstLine(files.get(`/etc/${basename}`))) };
    if ('name' in info) {
      info.id = info.name.toLowerCase().includes('cloudlinux') ? 'cloudlinux' : match[1];
      return info;
    }
  }
  return {};
}

export function osReleaseText(files: HostFiles): string | undefined {
  return files.get('/etc/os-release') ?? files.get('/usr/lib/os-release');
}

export function distroRelease(files: HostFiles): DistroRelease {
  const osRelease = parseOsRelease(osReleaseText(files) ?? '');
  const release = distroReleaseInfo(files);
  const normalize = (id: string, table: Record<string, string>) => {
    const key = id.toLowerCase().replace(/ /g, '_');
    return table[key] ?? key;
  };
  const id = osRelease.id ? normalize(osRelease.id, NORMALIZED_OS_ID) : release.id ? normalize(release.id, NORMALIZED_DISTRO_ID) : '';
  const like = osRelease.id_like ?? '';
  const versions = [osRelease.version_id ?? '', release.version_id ?? '', parseReleaseLine(osRelease.pretty_name ?? '').version_id ?? ''];
  if (id === 'debian' || like.split(/\s+/).includes('debian')) versions.push(firstLine(files.get('/etc/debian_version')).trimEnd());
  const version = versions.find((v) => v !== '') ?? '';
  let versionBest = '';
  for (const v of versions) if (dots(v) > dots(versionBest) || versionBest === '') versionBest = v;
  const codename = 'codename' in osRelease ? osRelease.codename : (release.codename ?? '');
  // version_codename (even empty), then ubuntu_codename, then distro's codename unless empty.
  const ansibleCodename = osRelease.version_codename ?? osRelease.ubuntu_codename ?? (codename === '' ? undefined : codename);
  return { id, version, versionBest, codename, ansibleCodename, like };
}

function dots(v: string): number {
  return v.split('.').length - 1;
}
