import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshConfigFile } from '../../../transport/ssh-config.js';
import { HoundError } from '../../../base/errors.js';

const CONFIG = `
# lab nodes
Host node1
  HostName 10.0.0.1
  IdentityFile ~/.ssh/node1_key

Host node? !node9
  user deploy
  Port 2222
  IdentityFile /keys/shared
  ProxyJump admin@bastion:2200,jump2
  UserKnownHostsFile ~/.ssh/lab_known_hosts /etc/lab_known_hosts
  StrictHostKeyChecking accept-new
  ConnectTimeout 4

Host *.internal
  HostName %h.example

Host *
  User fallback
  Port 22
  StrictHostKeyChecking ask
`;

describe('SshConfigFile.resolve', () => {
  const config = SshConfigFile.parse(CONFIG, '/home/u/.ssh/config');

  it('first value wins per option across matching Host blocks; IdentityFile accumulates', () => {
    expect(config.resolve('node1')).toEqual({
      hostName: '10.0.0.1',
      user: 'deploy',
      port: 2222,
      identityFiles: [join(homedir(), '.ssh/node1_key'), '/keys/shared'],
      proxyJump: ['admin@bastion:2200', 'jump2'],
      userKnownHostsFiles: [join(homedir(), '.ssh/lab_known_hosts'), '/etc/lab_known_hosts'],
      strictHostKeyChecking: 'accept-new',
      connectTimeoutSeconds: 4,
    });
  });

  it('negated patterns exclude a host; Host * supplies defaults', () => {
    expect(config.resolve('node9')).toEqual({ user: 'fallback', port: 22, identityFiles: [], strictHostKeyChecking: 'yes' });
  });

  it('expands %h in HostName', () => {
    expect(config.resolve('db.internal').hostName).toBe('db.internal.example');
  });

  it('an absent file is an empty config', async () => {
    const empty = await SshConfigFile.load(join(tmpdir(), 'no-such-hound-config'));
    expect(empty.resolve('anything')).toEqual({ identityFiles: [] });
  });

  it('loads HOUND_SSH_CONFIG by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-sshcfg-'));
    const file = join(dir, 'config');
    writeFileSync(file, 'Host x\n  HostName 127.0.0.9\n');
    const saved = process.env.HOUND_SSH_CONFIG;
    process.env.HOUND_SSH_CONFIG = file;
    try {
      const loaded = await SshConfigFile.load();
      expect(loaded.path).toBe(file);
      expect(loaded.resolve('x').hostName).toBe('127.0.0.9');
    } finally {
      if (saved === undefined) delete process.env.HOUND_SSH_CONFIG;
      else process.env.HOUND_SSH_CONFIG = saved;
    }
  });

  it('follows Include: absolute paths and globs, in sorted order, in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hound-sshinc-'));
    mkdirSync(join(dir, 'config.d'));
    writeFileSync(join(dir, 'config.d', '20-web'), 'Host web*\n  User webuser\n  Port 2200\n');
    writeFileSync(join(dir, 'config.d', '10-all'), 'Host web1\n  HostName 10.1.0.1\n  Include ' + join(dir, 'nested') + '\n');
    writeFileSync(join(dir, 'nested'), '  User nesteduser\n');
    writeFileSync(join(dir, 'config.d', 'ignored.bak'), 'Host web1\n  User wrong\n');
    writeFileSync(join(dir, 'config'), `Include ${join(dir, 'config.d')}/[0-9]*\nHost *\n  User last\n`);
    const loaded = await SshConfigFile.load(join(dir, 'config'));
    expect(loaded.resolve('web1')).toMatchObject({ hostName: '10.1.0.1', user: 'nesteduser', port: 2200 });
    expect(loaded.resolve('web2')).toMatchObject({ user: 'webuser', port: 2200 });
    expect(loaded.resolve('db')).toMatchObject({ user: 'last' });
  });

  it('a bad value is a clear error naming the file', () => {
    const bad = SshConfigFile.parse('Host a\n  Port twenty\n', '/cfg');
    expect(() => bad.resolve('a')).toThrow(HoundError);
    try {
      bad.resolve('a');
    } catch (e) {
      expect((e as HoundError).code).toBe('SSH_CONFIG_INVALID');
      expect((e as HoundError).message).toContain('/cfg');
    }
  });
});
