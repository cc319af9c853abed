// The distribution facts (distribution, distribution_version, distribution_major_version,
// distribution_release, os_family, …) as ansible-core 2.14's Distribution collector works
// them out on Linux: a guess from the distro library, then the first of its release files
// (OSDIST_LIST) that exists and parses, then the OS family of the name found.
import { distroRelease, type HostFiles } from './distro-release.js';

export type Facts = Record<string, unknown>;

// Ansible's OSDIST_LIST by distribution: the release files the collector tries, in its order
// (the first that exists and parses wins). Only the files in ALLOW_EMPTY count when empty.
const RELEASE_FILES: Record<string, string[]> = {
  Altlinux: ['/etc/altlinux-release'],
  OracleLinux: ['/etc/oracle-release'],
  Slackware: ['/etc/slackware-version'],
  CentOS: ['/etc/centos-release'],
  RedHat: ['/etc/redhat-release'],
  VMwareESX: ['/etc/vmware-release'],
  OpenWrt: ['/etc/openwrt_release'],
  Amazon: ['/etc/os-release', '/etc/system-release'],
  Alpine: ['/etc/alpine-release'],
  Archlinux: ['/etc/arch-release', '/etc/os-release'],
  SUSE: ['/etc/os-release', '/etc/SuSE-release'],
  Gentoo: ['/etc/gentoo-release'],
  Debian: ['/etc/os-release', '/etc/lsb-release'],
  Mandriva: ['/etc/lsb-release'],
  SMGL: ['/etc/sourcemage-release'],
  ClearLinux: ['/usr/lib/os-release'],
  Coreos: ['/etc/coreos/update.conf'],
  Flatcar: ['/etc/os-release'],
  NA: ['/etc/os-release'],
};
const ALLOW_EMPTY = new Set(['/etc/vmware-release', '/etc/arch-release']);
const OSDIST_LIST = Object.entries(RELEASE_FILES).flatMap(([name, paths]) => paths.map((path) => ({ name, path, allowEmpty: ALLOW_EMPTY.has(path) })));

const SEARCH_STRING: Record<string, string> = { OracleLinux: 'Oracle Linux', RedHat: 'Red Hat', Altlinux: 'ALT', SMGL: 'Source Mage GNU/Linux' };
const OS_RELEASE_ALIAS: Record<string, string> = { Archlinux: 'Arch Linux' };

const OS_FAMILY_MAP: Record<string, string[]> = {
  RedHat: [
    'RedHat',
    'RHEL',
    'Fedora',
    'CentOS',
    'Scientific',
    'SLC',
    'Ascendos',
    'CloudLinux',
    'PSBM',
    'OracleLinux',
    'OVS',
    'OEL',
    'Amazon',
    'Virtuozzo',
    'XenServer',
    'Alibaba',
    'EulerOS',
    'openEuler',
    'AlmaLinux',
    'Rocky',
    'TencentOS',
    'EuroLinux',
    'Kylin Linux Advanced Server',
  ],
  Debian: [
    'Debian',
    'Ubuntu',
    'Raspbian',
    'Neon',
    'KDE neon',
    'Linux Mint',
    'SteamOS',
    'Devuan',
    'Kali',
    'Cumulus Linux',
    'Pop!_OS',
    'Parrot',
    'Pardus GNU/Linux',
    'Uos',
    'Deepin',
    'OSMC',
  ],
  Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap'],
  Archlinux: ['Archlinux', 'Antergos', 'Manjaro'],
  Mandrake: ['Mandrake', 'Mandriva'],
  Solaris: ['Solaris', 'Nexenta', 'OmniOS', 'OpenIndiana', 'SmartOS'],
  Slackware: ['Slackware'],
  Altlinux: ['Altlinux'],
  SGML: ['SGML'],
  Gentoo: ['Gentoo', 'Funtoo'],
  Alpine: ['Alpine'],
  AIX: ['AIX'],
  'HP-UX': ['HPUX'],
  Darwin: ['MacOSX'],
  FreeBSD: ['FreeBSD', 'TrueOS'],
  ClearLinux: ['Clear Linux OS', 'Clear Linux Mix'],
  DragonFly: ['DragonflyBSD', 'DragonFlyBSD', 'Gentoo/DragonflyBSD', 'Gentoo/DragonFlyBSD'],
  NetBSD: ['NetBSD'],
};
const OS_FAMILY = new Map(Object.entries(OS_FAMILY_MAP).flatMap(([family, names]) => names.map((n) => [n, family] as const)));

/** Python's str.strip with a set of characters. */
function strip(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start])) start++;
  while (end > start && chars.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

const pyStrip = (text: string) => text.replace(/^\s+|\s+$/g, '');

/** Python's str.capitalize(): first letter upper, the rest lower. */
function capitalize(text: string): string {
  return text.slice(0, 1).toUpperCase() + text.slice(1).toLowerCase();
}

interface ParseContext {
  files: HostFiles;
  collected: Facts;
  distroId: string;
}

type Parsed = [boolean, Facts];

function debianFacts(data: string, path: string, ctx: ParseContext): Parsed {
  const f: Facts = {};
  const search = (re: RegExp) => re.exec(data);
  if (data.includes('Debian') || data.includes('Raspbian')) {
    f.distribution = 'Debian';
    const release = search(/PRETTY_NAME=[^(]+ \(?([^)]+?)\)/);
    if (release) f.distribution_release = release[1];
    for (const line of (ctx.files.get('/etc/debian_version') ?? '').split('\n')) {
      const m = /(\d+)\.(\d+)/.exec(line.trim());
      if (m) f.distribution_minor_version = m[2];
    }
  } else if (data.includes('Ubuntu')) f.distribution = 'Ubuntu';
  else if (data.includes('SteamOS')) f.distribution = 'SteamOS';
  else if ((path === '/etc/lsb-release' || path === '/etc/os-release') && (data.includes('Kali') || data.includes('Parrot'))) {
    f.distribution = data.includes('Kali') ? 'Kali' : 'Parrot';
    const release = search(/DISTRIB_RELEASE=(.*)/);
    if (release) f.distribution_release = release[1];
  } else if (data.includes('Devuan')) {
    f.distribution = 'Devuan';
    const release = search(/PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?/);
    if (release) f.distribution_release = release[1];
    const version = search(/VERSION_ID="(.*)"/);
    if (version) f.distribution_version = f.distribution_major_version = version[1];
  } else if (data.includes('Cumulus')) {
    f.distribution = 'Cumulus Linux';
    const version = search(/VERSION_ID=(.*)/);
    if (version) {
      f.distribution_version = version[1];
      f.distribution_major_version = version[1].split('.')[0];
    }
    const release = search(/VERSION="(.*)"/);
    if (release) f.distribution_release = release[1];
  } else if (data.includes('Mint')) {
    f.distribution = 'Linux Mint';
    versionFromId(data, f);
  } else if (data.includes('UOS') || data.includes('Uos') || data.includes('uos')) {
    f.distribution = 'Uos';
    codenameAndVersion(data, f);
  } else if (data.includes('Deepin') || data.includes('deepin')) {
    f.distribution = 'Deepin';
    codenameAndVersion(data, f);
  } else return [false, f];
  return [true, f];
}

function versionFromId(data: string, f: Facts): void {
  const version = /VERSION_ID="(.*)"/.exec(data);
  if (version) {
    f.distribution_version = version[1];
    f.distribution_major_version = version[1].split('.')[0];
  }
}

function codenameAndVersion(data: string, f: Facts): void {
  const release = /VERSION_CODENAME="?([^"]+)"?/.exec(data);
  if (release) f.distribution_release = release[1];
  versionFromId(data, f);
}

function suseFacts(data: string, path: string, ctx: ParseContext): Parsed {
  const f: Facts = {};
  const lower = data.toLowerCase();
  if (!lower.includes('suse')) return [false, f];
  if (path === '/etc/os-release') {
    for (const line of data.split('\n')) {
      const distribution = /^NAME=(.*)/.exec(line);
      if (distribution) f.distribution = strip(distribution[1], '"');
      const version = /^VERSION_ID="?([0-9]+\.?[0-9]*)"?/.exec(line);
      if (version) {
        f.distribution_version = version[1];
        f.distribution_major_version = version[1].split('.')[0];
      }
      if (lower.includes('open')) {
        const release = /^VERSION_ID="?[0-9]+\.?([0-9]*)"?/.exec(line);
        if (release) f.distribution_release = release[1];
      } else if (lower.includes('enterprise') && line.includes('VERSION_ID')) {
        const release = /^VERSION_ID="?[0-9]+\.?([0-9]*)"?/.exec(line);
        f.distribution_release = release?.[1] ? release[1] : '0';
      }
    }
  } else if (path === '/etc/SuSE-release') {
    if (lower.includes('open')) {
      f.distribution = data.split('\n')[0].split(/\s+/)[0];
      for (const line of data.split('\n')) {
        const release = /CODENAME *= *([^\n]+)/.exec(line);
        if (release) f.distribution_release = pyStrip(release[1]);
      }
    } else if (lower.includes('enterprise')) {
      if (data.includes('Server')) f.distribution = 'SLES';
      else if (data.includes('Desktop')) f.distribution = 'SLED';
      for (const line of data.split('\n')) {
        const release = /PATCHLEVEL = ([0-9]+)/.exec(line);
        if (release) {
          f.distribution_release = release[1];
          f.distribution_version = `${String(ctx.collected.distribution_version)}.${release[1]}`;
        }
      }
    }
  }
  if (ctx.files.get('@baseproduct')?.endsWith('SLES_SAP.prod')) f.distribution = 'SLES_SAP';
  return [true, f];
}

function amazonFacts(data: string, path: string): Parsed {
  const f: Facts = {};
  if (!data.includes('Amazon')) return [false, f];
  f.distribution = 'Amazon';
  if (path === '/etc/os-release') {
    const version = /VERSION_ID="(.*)"/.exec(data);
    if (version) {
      f.distribution_version = version[1];
      const parts = version[1].split('.');
      // Python unpacks exactly two parts; more would raise, which the collector reports as not parsed.
      if (parts.length > 2) return [false, {}];
      f.distribution_major_version = parts[0];
      f.distribution_minor_version = parts.length > 1 ? parts[1] : 'NA';
    }
  } else {
    f.distribution_version = data.split(/\s+/).find((w) => /^\d+$/.test(w)) ?? 'NA';
  }
  return [true, f];
}

/** OpenWrt's and Mandriva's files alike: the name in the text, then DISTRIB_RELEASE and DISTRIB_CODENAME (quoted). */
function distribFacts(name: string, data: string): Parsed {
  if (!data.includes(name)) return [false, {}];
  const f: Facts = { distribution: name };
  const version = /DISTRIB_RELEASE="(.*)"/.exec(data);
  if (version) f.distribution_version = version[1];
  const release = /DISTRIB_CODENAME="(.*)"/.exec(data);
  if (release) f.distribution_release = release[1];
  return [true, f];
}

function parseFile(name: string, data: string, path: string, ctx: ParseContext): Parsed {
  switch (name) {
    case 'Slackware': {
      if (!data.includes('Slackware')) return [false, {}];
      const version = /\w+[.]\w+\+?/.exec(data);
      return [true, { distribution: name, ...(version ? { distribution_version: version[0] } : {}) }];
    }
    case 'Amazon':
      return amazonFacts(data, path);
    case 'OpenWrt':
      return distribFacts(name, data);
    case 'Alpine':
      return [true, { distribution: 'Alpine', distribution_version: data }];
    case 'SUSE':
      return suseFacts(data, path, ctx);
    case 'Debian':
      return debianFacts(data, path, ctx);
    case 'Mandriva':
      return distribFacts(name, data);
    case 'NA': {
      const f: Facts = {};
      for (const line of data.split('\n')) {
        const distribution = /^NAME=(.*)/.exec(line);
        if (distribution) f.distribution = strip(distribution[1], '"');
        const version = /^VERSION=(.*)/.exec(line);
        if (version && ctx.collected.distribution_version === 'NA') f.distribution_version = strip(version[1], '"');
      }
      return [true, f];
    }
    case 'Coreos': {
      if (ctx.distroId.toLowerCase() !== 'coreos' || !data) return [false, {}];
      const release = /^GROUP=(.*)/.exec(data);
      return [true, release ? { distribution_release: strip(release[1], '"') } : {}];
    }
    case 'Flatcar': {
      if (ctx.distroId.toLowerCase() !== 'flatcar' || !data) return [false, {}];
      const version = /VERSION=(.*)/.exec(data);
      if (!version) return [true, {}];
      const v = strip(version[1], '"');
      return [true, { distribution_major_version: v.split('.')[0], distribution_version: v }];
    }
    case 'ClearLinux': {
      const f: Facts = {};
      const pname = /NAME="(.*)"/.exec(data);
      if (pname) {
        if (!pname[1].includes('Clear Linux')) return [false, {}];
        f.distribution = pname[1];
      }
      const version = /VERSION_ID=(.*)/.exec(data);
      if (version) f.distribution_major_version = f.distribution_version = version[1];
      const release = /ID=(.*)/.exec(data);
      if (release) f.distribution_release = release[1];
      return [true, f];
    }
    case 'CentOS':
      if (data.includes('CentOS Stream')) return [true, { distribution_release: 'Stream' }];
      if (data.includes('TencentOS Server')) return [true, { distribution: 'TencentOS' }];
      return [false, {}];
    default:
      // Gentoo, VMwareESX, …: Ansible has no parser for them, so they never match.
      return [false, {}];
  }
}

function parseDistFile(name: string, content: string, path: string, ctx: ParseContext): Parsed {
  const data = strip(content, `'"\\`);
  const search = SEARCH_STRING[name];
  if (search !== undefined) {
    return [true, data.includes(search) ? { distribution: name, distribution_file_search_string: search } : { distribution: data.split(/\s+/)[0] }];
  }
  const alias = OS_RELEASE_ALIAS[name];
  if (alias !== undefined) return data.includes(alias) ? [true, { distribution: name }] : [false, {}];
  return parseFile(name, data, path, ctx);
}

/**
 * The distribution facts for a Linux host whose files are `files` (missing files absent,
 * empty files ''); `@baseproduct` holds where /etc/products.d/baseproduct links to, if it does.
 */
export function distributionFacts(files: HostFiles): Facts {
  const distro = distroRelease(files);
  let distribution = capitalize(distro.id);
  if (distribution === 'Amzn') distribution = 'Amazon';
  else if (distribution === 'Rhel') distribution = 'Redhat';
  else if (!distribution) distribution = 'OtherLinux';
  let version = distro.version;
  if (distro.id === 'centos') version = distro.versionBest.split('.').slice(0, 2).join('.');
  if (distro.id === 'debian') version = distro.versionBest;
  const facts: Facts = {
    distribution: distribution || 'NA',
    distribution_version: version || 'NA',
    distribution_release: distro.ansibleCodename ?? 'NA',
  };
  facts.distribution_major_version = String(facts.distribution_version).split('.')[0] || 'NA';
  const ctx: ParseContext = { files, collected: facts, distroId: distribution };
  for (const entry of OSDIST_LIST) {
    const content = files.get(entry.path);
    if (content === undefined || (content === '' && !entry.allowEmpty)) continue;
    if (entry.allowEmpty) {
      Object.assign(facts, { distribution: entry.name, distribution_file_path: entry.path, distribution_file_variety: entry.name });
      break;
    }
    const [parsed, parsedFacts] = parseDistFile(entry.name, content, entry.path, ctx);
    if (parsed) {
      Object.assign(facts, {
        distribution: entry.name,
        distribution_file_path: entry.path,
        distribution_file_variety: entry.name,
        distribution_file_parsed: true,
        ...parsedFacts,
      });
      break;
    }
  }
  facts.os_family = OS_FAMILY.get(String(facts.distribution)) ?? facts.distribution;
  return facts;
}
