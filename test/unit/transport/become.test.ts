import { describe, expect, it } from 'vitest';
import { becomeCommandLine, becomeKey, becomeSettings } from '../../../transport/become.js';
import { shlexQuote, shlexSplit } from '../../../base/shlex.js';
import { withEnvironment } from '../../../transport/task-connection.js';

describe('become: the sudo command line, as Ansible sudo plugin builds it', () => {
  it('without a password: sudo -H -S -n, a unique prompt, -u USER, the command behind a marker', () => {
    const { line, prompt, marker } = becomeCommandLine('docker system dial-stdio', becomeSettings({ user: 'root' }), 'abc');
    expect(marker).toBe('BECOME-SUCCESS-abc');
    expect(prompt).toBe('[sudo via hound, key=abc] password:');
    expect(line).toBe(`sudo -H -S -n -p "[sudo via hound, key=abc] password:" -u root /bin/sh -c 'echo BECOME-SUCCESS-abc; docker system dial-stdio'`);
    // What the node's shell hands to sudo: the command runs as one argument of sh -c.
    expect(shlexSplit(line).slice(-3)).toEqual(['/bin/sh', '-c', 'echo BECOME-SUCCESS-abc; docker system dial-stdio']);
  });

  it('with a password: -n is dropped (sudo must be allowed to ask) and the password is nowhere in the line', () => {
    const settings = becomeSettings({ user: 'app user', flags: '-H -Sn', password: 's3cret pw' });
    const { line } = becomeCommandLine("echo 'hi'", settings, 'k');
    expect(line).toBe(`sudo -H -S -p "[sudo via hound, key=k] password:" -u 'app user' /bin/sh -c 'echo BECOME-SUCCESS-k; echo '"'"'hi'"'"''`);
    expect(line).not.toContain('s3cret');
    // The password stays out of every serialisation and of the cache key.
    expect(JSON.stringify(settings)).not.toContain('s3cret');
    expect(becomeKey(settings)).toBe('sudo:app user:-H -Sn:sudo');
    expect(settings.password).toBe('s3cret pw');
  });

  it('become_flags and become_exe as written', () => {
    const { line } = becomeCommandLine('id -u', becomeSettings({ user: 'postgres', flags: '-i', exe: '/usr/local/bin/sudo' }), 'x');
    expect(line).toBe(`/usr/local/bin/sudo -i -p "[sudo via hound, key=x] password:" -u postgres /bin/sh -c 'echo BECOME-SUCCESS-x; id -u'`);
  });
});

describe('shlexQuote (Python shlex.quote)', () => {
  it('leaves safe words alone and single-quotes the rest, round-tripping through shlexSplit', () => {
    expect(shlexQuote('/var/lib/docker')).toBe('/var/lib/docker');
    expect(shlexQuote('')).toBe("''");
    expect(shlexQuote('a b')).toBe("'a b'");
    expect(shlexQuote("it's")).toBe(`'it'"'"'s'`);
    for (const word of ['a b', "it's", '$HOME', 'x;rm -rf /', '"q"', '']) expect(shlexSplit(shlexQuote(word))).toEqual([word]);
  });
});

describe('environment: exported before the command, values quoted', () => {
  it('exports each variable for the whole command line', () => {
    expect(withEnvironment('cd /x && make', { HTTP_PROXY: 'http://p:3128', GREETING: "it's me" })).toBe(
      `export HTTP_PROXY=http://p:3128 GREETING='it'"'"'s me'; cd /x && make`,
    );
    expect(withEnvironment('true', {})).toBe('true');
    expect(withEnvironment('true', undefined)).toBe('true');
  });
});
