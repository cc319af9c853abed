// synchronize's rsync command line against the ansible.posix module's own construction
// (ansible.posix 1.5, plugins/modules/synchronize.py main()), and how its output is read.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANGED_MARKER, controllerPath, rsyncOptions, synchronizeResult } from '../../../modules/synchronize.js';
import { ModuleFailure } from '../../../modules/implementation.js';

const OUT = `--out-format=${CHANGED_MARKER}%i %n%L`;

describe('rsyncOptions', () => {
  it('the defaults: delay updates, compress, archive, the out-format', () => {
    expect(rsyncOptions({ src: 'a', dest: 'h:/b' }, false, 'h:/b')).toEqual(['--delay-updates', '-F', '--compress', '--archive', OUT]);
  });

  it('check mode adds --dry-run after the timeout, as the module orders them', () => {
    expect(rsyncOptions({ src: 'a', dest: 'b', rsync_timeout: 30, delete: true }, true, 'b')).toEqual([
      '--delay-updates',
      '-F',
      '--compress',
      '--timeout=30',
      '--dry-run',
      '--delete-after',
      '--archive',
      OUT,
    ]);
  });

  it('with archive, false toggles are turned off; without it, true toggles are turned on', () => {
    expect(rsyncOptions({ src: 'a', dest: 'b', links: false, owner: false, recursive: true }, false, 'b')).toContain('--no-links');
    expect(rsyncOptions({ src: 'a', dest: 'b', links: false, owner: false }, false, 'b')).toContain('--no-owner');
    expect(rsyncOptions({ src: 'a', dest: 'b', links: false }, false, 'b')).not.toContain('--no-recursive');
    const plain = rsyncOptions(
      { src: 'a', dest: 'b', archive: false, compress: false, delay_updates: false, recursive: true, times: true, perms: false },
      false,
      'b',
    );
    expect(plain).toEqual(['--recursive', '--times', OUT]);
  });

  it('rsync_path, rsync_opts (a list or a comma string), partial, link_dest in the module’s order', () => {
    const o = rsyncOptions(
      { src: 'a', dest: '/srv/x/y', rsync_path: 'sudo rsync', rsync_opts: '--exclude=.git,--no-motd', partial: true, link_dest: ['/old'] },
      false,
      '/srv/x/y',
    );
    expect(o.slice(o.indexOf('--archive') + 1)).toEqual([
      '--rsync-path=sudo rsync',
      '--exclude=.git',
      '--no-motd',
      '--partial',
      '-H',
      '-vv',
      '--link-dest=/old',
      OUT,
    ]);
  });

  it('a link_dest above the destination is refused as the module refuses it', () => {
    expect(() => rsyncOptions({ src: 'a', dest: '/srv/x/y', link_dest: ['/srv'] }, false, '/srv/x/y')).toThrow(ModuleFailure);
  });
});

describe('synchronizeResult', () => {
  it('changed when rsync itemized something; the marker is taken out of msg and lines', () => {
    const r = synchronizeResult(`${CHANGED_MARKER}<f+++++++++ a.txt\n${CHANGED_MARKER}cd+++++++++ sub/\n`, false);
    expect(r).toEqual({ changed: true, msg: '<f+++++++++ a.txt\ncd+++++++++ sub/\n', stdout_lines: ['<f+++++++++ a.txt', 'cd+++++++++ sub/'] });
    expect(synchronizeResult('', false).changed).toBe(false);
  });

  it('with link_dest, a leading period (no change) is what decides', () => {
    expect(synchronizeResult(`${CHANGED_MARKER}.f         a.txt\n`, true).changed).toBe(false);
    expect(synchronizeResult(`${CHANGED_MARKER}hf+++++++++ a.txt => old/a.txt\n`, true).changed).toBe(true);
  });
});

describe('controllerPath', () => {
  const fixtures = path.resolve('test/fixtures/play/synchronize');
  it('a relative path is found in files/, its trailing slash kept', () => {
    expect(controllerPath('payload/', [fixtures])).toBe(path.join(fixtures, 'files/payload/'));
  });
  it('absolute paths and paths with a colon are kept; one found nowhere is the playbook’s', () => {
    expect(controllerPath('/etc/hosts', [fixtures])).toBe('/etc/hosts');
    expect(controllerPath('host:/x', [fixtures])).toBe('host:/x');
    expect(controllerPath('out/new.txt', ['/role', fixtures])).toBe(path.join(fixtures, 'out/new.txt'));
  });
});
