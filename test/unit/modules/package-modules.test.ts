// The pure parts of the package modules (apt, apt_repository, apt_key, git, dnf), compared
// case by case with ansible-core's own functions and apt_pkg's version order where the
// module has them (fixtures/package-modules/oracle.json, made by oracle.py beside it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions, packagesToInstall, packagesToRemove, parsePackageReport, splitPackageSpec } from '../../../modules/apt-packages.js';
import { editSources, parseSourceLine, repoSource, sourceFileName } from '../../../modules/apt-sources.js';
import { keysInListing, parseKeyId } from '../../../modules/apt-key.js';
import { gitSshCommand, hasLocalModifications, remoteRevision } from '../../../modules/git.js';
import { notInstalled, rpmOptions } from '../../../modules/dnf.js';

interface Oracle {
  package_split: { spec: string; result: [string, string | null, string | null] }[];
  version_order: [string, string, number][];
  source_lines: { line: string; valid: boolean; enabled: boolean; source: string; comment: string }[];
  source_file_names: { line: string; filename: string | null; result: string }[];
  key_ids: { id: string; result: [string, string, string] | null }[];
  key_listing: { listing: string; long: string[]; short: string[] };
}
const oracle = JSON.parse(readFileSync(new URL('../../fixtures/package-modules/oracle.json', import.meta.url), 'utf8')) as Oracle;

describe('apt: as ansible-core and apt_pkg decide', () => {
  it(`splits package specs as package_split (${oracle.package_split.length} cases)`, () => {
    for (const c of oracle.package_split) {
      const spec = splitPackageSpec(c.spec);
      expect([spec.name, spec.compare ?? null, spec.version ?? null], c.spec).toEqual(c.result);
    }
  });

  it(`orders Debian versions as apt_pkg.version_compare (${oracle.version_order.length} pairs)`, () => {
    for (const [a, b, order] of oracle.version_order) expect(compareDebianVersions(a, b), `${a} vs ${b}`).toBe(order);
  });

  const report = [
    'P hound-test-pkg',
    'S ii |1.0',
    'hound-test-pkg:',
    '  Installed: 1.0',
    '  Candidate: 2.0',
    '  Version table:',
    '     2.0 500',
    '        500 file:/var/tmp/repo ./ Packages',
    ' *** 1.0 100',
    '        100 /var/lib/dpkg/status',
    'P gone-pkg',
    'S rc |1.5',
    'gone-pkg:',
    '  Installed: (none)',
    '  Candidate: (none)',
    '  Version table:',
    'P new-pkg',
    'new-pkg:',
    '  Installed: (none)',
    '  Candidate: 3.1-1',
    '  Version table:',
    '     3.1-1 500',
    '     3.0-1 500',
    'P nowhere',
    '',
  ].join('\n');
  const states = parsePackageReport(report);

  it('reads dpkg-query and apt-cache policy', () => {
    expect(states.get('hound-test-pkg')).toEqual({
      known: true,
      installed: true,
      installedVersion: '1.0',
      hasFiles: true,
      candidate: '2.0',
      versions: ['2.0', '1.0'],
    });
    expect(states.get('gone-pkg')).toEqual({ known: true, installed: false, hasFiles: true, versions: [] });
    expect(states.get('new-pkg')).toMatchObject({ known: true, installed: false, hasFiles: false, candidate: '3.1-1', versions: ['3.1-1', '3.0-1'] });
    expect(states.get('nowhere')).toMatchObject({ known: false });
  });

  it('installs what is missing, upgrades only for latest, pins versions as install() does', () => {
    const none = { upgrade: false, onlyUpgrade: false };
    expect(packagesToInstall(['hound-test-pkg', 'new-pkg'], states, none)).toEqual({ install: ['new-pkg=3.1-1'] });
    expect(packagesToInstall(['hound-test-pkg'], states, { upgrade: true, onlyUpgrade: false })).toEqual({ install: ['hound-test-pkg=2.0'] });
    expect(packagesToInstall(['new-pkg=3.0*'], states, none)).toEqual({ install: ['new-pkg=3.0-1'] });
    expect(packagesToInstall(['hound-test-pkg=2.*'], states, none)).toEqual({ install: ['hound-test-pkg=2.0'] });
    expect(packagesToInstall(['hound-test-pkg>=0.5'], states, none)).toEqual({ install: [] });
    expect(packagesToInstall(['hound-test-pkg>=1.5'], states, none)).toEqual({ install: ['hound-test-pkg=2.0'] });
    expect(packagesToInstall(['new-pkg'], states, { upgrade: false, onlyUpgrade: true })).toEqual({ install: [] });
    expect(packagesToInstall(['nowhere'], states, none)).toEqual({ failure: "No package matching 'nowhere' is available", unknown: true });
    expect(packagesToInstall(['gone-pkg'], states, none)).toEqual({ failure: 'no available installation candidate for gone-pkg' });
    expect(packagesToInstall(['new-pkg=9*'], states, none)).toEqual({ failure: 'no available installation candidate for new-pkg=9*' });
  });

  it('removes what is installed, and with purge what left files', () => {
    expect(packagesToRemove(['hound-test-pkg', 'gone-pkg', 'new-pkg', 'nowhere'], states, false)).toEqual(['hound-test-pkg']);
    expect(packagesToRemove(['hound-test-pkg', 'gone-pkg', 'new-pkg'], states, true)).toEqual(['hound-test-pkg', 'gone-pkg']);
    expect(packagesToRemove(['hound-test-pkg=2*'], states, false)).toEqual([]);
  });
});

describe('apt_repository: as ansible-core reads and names sources', () => {
  it(`parses source lines as SourcesList._parse (${oracle.source_lines.length} cases)`, () => {
    for (const c of oracle.source_lines)
      expect(parseSourceLine(c.line), JSON.stringify(c.line)).toEqual({ valid: c.valid, enabled: c.enabled, source: c.source, comment: c.comment });
  });

  it(`names the file of a new source as _suggest_filename (${oracle.source_file_names.length} cases)`, () => {
    for (const c of oracle.source_file_names) expect(sourceFileName(c.line, c.filename ?? undefined), JSON.stringify(c)).toBe(c.result);
  });

  it('adds a source to its own file, enables a disabled equal one instead, removes every enabled one', () => {
    const files = new Map([
      ['/etc/apt/sources.list', '# deb http://x/ y z\ndeb http://a/ b c\n'],
      ['/etc/apt/sources.list.d/other.list', 'deb  http://o/   p q # kept\n'],
    ]);
    expect([...editSources(files, 'deb http://n/ m l', 'present', '/etc/apt/sources.list.d/n.list')]).toEqual([
      ['/etc/apt/sources.list.d/n.list', { before: undefined, after: 'deb http://n/ m l\n' }],
    ]);
    expect([...editSources(files, 'deb http://x/ y z', 'present', '/etc/apt/sources.list.d/x.list')]).toEqual([
      ['/etc/apt/sources.list', { before: files.get('/etc/apt/sources.list'), after: 'deb http://x/ y z\ndeb http://a/ b c\n' }],
    ]);
    expect(editSources(files, 'deb http://o/ p q', 'present', '/etc/apt/sources.list.d/o.list').size).toBe(0);
    expect([...editSources(files, 'deb http://o/ p q', 'absent', '/etc/apt/sources.list.d/o.list')]).toEqual([
      ['/etc/apt/sources.list.d/other.list', { before: files.get('/etc/apt/sources.list.d/other.list'), after: '' }],
    ]);
    expect(editSources(files, 'deb http://x/ y z', 'absent', '/x.list').size).toBe(0);
    expect(repoSource('#deb http://x/ y z')).toEqual({ invalid: 'Invalid repository string: deb http://x/ y z' });
    expect(repoSource('deb   http://x/ y')).toEqual({ source: 'deb http://x/ y' });
  });
});

describe('apt_key: as ansible-core reads key ids', () => {
  it(`parses key ids as parse_key_id (${oracle.key_ids.length} cases)`, () => {
    for (const c of oracle.key_ids) {
      const parsed = parseKeyId(c.id);
      expect(parsed === undefined ? null : [parsed.short, parsed.fingerprint, parsed.keyId], c.id).toEqual(c.result);
    }
  });

  it('reads apt-key listings as parse_output_for_keys', () => {
    expect(keysInListing(oracle.key_listing.listing)).toEqual(oracle.key_listing.long);
    expect(keysInListing(oracle.key_listing.listing, true)).toEqual(oracle.key_listing.short);
  });
});

describe('git and dnf helpers', () => {
  it('counts tracked changes, not untracked files, as local modifications', () => {
    expect(hasLocalModifications('?? new.txt\n')).toBe(false);
    expect(hasLocalModifications(' M README.md\n?? new.txt\n')).toBe(true);
    expect(hasLocalModifications('')).toBe(false);
  });

  it('reads ls-remote answers, a tag by its peeled line', () => {
    expect(remoteRevision('aaa\trefs/heads/main\n', 'main', false)).toBe('aaa');
    expect(remoteRevision('bbb\trefs/tags/v1\nccc\trefs/tags/v1^{}\n', 'v1', true)).toBe('ccc');
    expect(remoteRevision('', 'main', false)).toBeUndefined();
  });

  it('builds GIT_SSH_COMMAND from the ssh options', () => {
    expect(gitSshCommand({})).toBeUndefined();
    expect(gitSshCommand({ accept_hostkey: true })).toBe('ssh -o StrictHostKeyChecking=no');
    expect(gitSshCommand({ key_file: '/k', ssh_opts: '-p 2222', accept_newhostkey: true })).toBe(
      'ssh -i /k -o IdentitiesOnly=yes -p 2222 -o StrictHostKeyChecking=accept-new',
    );
  });

  it('reads rpm -q and passes the repository options', () => {
    expect([...notInstalled('docker-ce-24.0.7-1.el9.x86_64\npackage python3-docker is not installed\n')]).toEqual(['python3-docker']);
    expect(rpmOptions({ enablerepo: ['epel'], disablerepo: ['*'], disable_gpg_check: true })).toEqual(['--disablerepo=*', '--enablerepo=epel', '--nogpgcheck']);
  });
});
