// The pure parts of the Ansible modules: stat's parsing of its node script, community.docker's
// name, tag and platform rules, Docker filters, and the version test.
import { describe, expect, it } from 'vitest';
import { parseStatOutput } from '../../../modules/stat.js';
import { convertFilters, isImageId, nameAndTag, parseRepositoryTag, pullReference, resolveRepositoryName } from '../../../modules/docker-engine.js';
import { normalisePlatform, samePlatform } from '../../../modules/docker-platform.js';
import { globWord } from '../../../modules/command.js';
import { searchRegex } from '../../../modules/wait-for.js';
import { looseVersion, versionTest } from '../../../playbook/version-test.js';
import { shlexQuote } from '../../../base/shlex.js';

describe('stat', () => {
  it('reads a regular file as Ansible’s stat returns it (mode, types, permissions, times as floats, names, checksum, mime, attributes)', () => {
    const out = [
      'stat 81a4 14 0 0 1311 64769 1 1792201761.000000000 1796115827.814787000 1796115827.814787000 8 4096 0 0',
      'user root',
      'group root',
      'access 1 1 0',
      'checksum 7ee7f4d3a1ad24b8bfcf9a6b0d0b6b8c5bf2b3ea',
      'mime text/plain; charset=us-ascii',
      'attr 3462849421 --------------e-------',
    ].join('\n');
    const stat = parseStatOutput(out, { path: '/etc/hostname' });
    expect(stat).toMatchObject({
      exists: true,
      path: '/etc/hostname',
      mode: '0644',
      isreg: true,
      isdir: false,
      islnk: false,
      size: 14,
      uid: 0,
      pw_name: 'root',
      rusr: true,
      wusr: true,
      xusr: false,
      roth: true,
      woth: false,
      atime: 1792201761,
      mtime: 1796115827.814787,
      blocks: 8,
      block_size: 4096,
      device_type: 0,
      readable: true,
      writeable: true,
      executable: false,
      checksum: '7ee7f4d3a1ad24b8bfcf9a6b0d0b6b8c5bf2b3ea',
      mimetype: 'text/plain',
      charset: 'us-ascii',
      version: '3462849421',
      attr_flags: 'e',
      attributes: ['extents'],
    });
  });

  it('a missing path is exists: false only; without file(1) the mime keys are "unknown"; a symlink has its source and target', () => {
    expect(parseStatOutput('missing', { path: '/nope' })).toEqual({ exists: false });
    const link = parseStatOutput(
      'stat a1ff 7 0 0 5 6 1 1.0 2.0 3.0 0 4096 0 0\nuser root\ngroup root\naccess 1 1 1\nlnk_source /usr/bin/dash\nlnk_target dash\nmime unknown',
      { path: '/bin/sh', get_attributes: false },
    );
    expect(link).toMatchObject({
      islnk: true,
      isreg: false,
      mode: '0777',
      lnk_source: '/usr/bin/dash',
      lnk_target: 'dash',
      mimetype: 'unknown',
      charset: 'unknown',
    });
    expect(link).not.toHaveProperty('attributes');
  });
});

describe('community.docker names and platforms', () => {
  it('splits name and tag as docker-py does, a tag in the name winning over tag:', () => {
    expect(parseRepositoryTag('reg:5000/app')).toEqual(['reg:5000/app', undefined]);
    expect(parseRepositoryTag('reg:5000/app:1.2')).toEqual(['reg:5000/app', '1.2']);
    expect(parseRepositoryTag('app@sha256:abc')).toEqual(['app', 'sha256:abc']);
    expect(nameAndTag('reg:5000/app:1.2', 'latest')).toEqual({ name: 'reg:5000/app', tag: '1.2' });
    expect(nameAndTag('app', undefined)).toEqual({ name: 'app', tag: 'latest' });
    expect(pullReference('app', 'sha256:abc')).toBe('app@sha256:abc');
    expect(isImageId(`sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(isImageId('sha256:abc')).toBe(false);
    expect(resolveRepositoryName('library/nginx')).toEqual({ registry: 'docker.io', repo: 'library/nginx' });
    expect(resolveRepositoryName('index.docker.io/x/y')).toEqual({ registry: 'docker.io', repo: 'x/y' });
    expect(resolveRepositoryName('localhost/x')).toEqual({ registry: 'localhost', repo: 'x' });
  });

  it('compares platforms as community.docker does, filling in the daemon’s OS or architecture', () => {
    expect(normalisePlatform('amd64', 'linux', 'x86_64')).toBe('linux/amd64');
    expect(normalisePlatform('linux', 'linux', 'aarch64')).toBe('linux/arm64');
    expect(normalisePlatform('linux/armhf')).toBe('linux/arm/v7');
    expect(samePlatform('linux/x86_64', 'linux/amd64')).toBe(true);
    expect(samePlatform('arm64', 'linux/amd64', 'linux', 'x86_64')).toBe(false);
  });

  it('writes Docker filters as convert_filters does', () => {
    expect(JSON.parse(convertFilters({ dangling: true, label: ['a=b', 'c'], before: 3 }))).toEqual({ dangling: ['true'], label: ['a=b', 'c'], before: ['3'] });
  });
});

describe('command lines', () => {
  it('globWord keeps *, ? and […] special and nothing else', () => {
    expect(globWord('/opt/app-*.conf')).toBe('\\/\\o\\p\\t\\/\\a\\p\\p\\-*\\.\\c\\o\\n\\f');
    expect(globWord('$(rm -rf /);x')).not.toMatch(/(^|[^\\])[$;()]/);
    expect(shlexQuote("it's")).toBe(`'it'"'"'s'`);
  });

  it('wait_for reads Python named groups', () => {
    expect(searchRegex('(?P<word>\\w+) (\\d)').exec('abc 1')?.groups).toEqual({ word: 'abc' });
  });
});

describe('the version test', () => {
  it('compares as LooseVersion, with every operator spelling', () => {
    expect(looseVersion('1.2.3-rc1')).toEqual([1, 2, 3, '-', 'rc', 1]);
    expect(versionTest('1.41', '1.25', '>=')).toBe(true);
    expect(versionTest('1.9', '1.10', 'lt')).toBe(true);
    expect(versionTest('2.0', '2.0')).toBe(true);
    expect(versionTest('2.0', '2.0', '!=')).toBe(false);
    expect(() => versionTest('1.0', '1.0', 'bigger')).toThrow(/Invalid operator type/);
    expect(() => versionTest('', '1.0')).toThrow(/cannot be empty/);
    expect(() => versionTest('1.a', '1.1', '<')).toThrow(/cannot compare/);
  });
});
