import { describe, expect, it } from 'vitest';
import { parseSshArgs } from '../../../transport/ssh-args.js';
import { HoundError } from '../../../base/errors.js';

describe('parseSshArgs', () => {
  it('reads -o Key=Value options', () => {
    const r = parseSshArgs(
      '-o UserKnownHostsFile=/tmp/kh -o StrictHostKeyChecking=accept-new -o ConnectTimeout=7 -o User=deploy -o Port=2222 -o IdentityFile=~/.ssh/k1',
    );
    expect(r).toEqual({
      userKnownHostsFiles: ['/tmp/kh'],
      strictHostKeyChecking: 'accept-new',
      connectTimeoutSeconds: 7,
      user: 'deploy',
      port: 2222,
      identityFiles: ['~/.ssh/k1'],
      ignored: [],
    });
  });

  it('reads -o Key Value (two words and one quoted word) and is case-insensitive on keys', () => {
    expect(parseSshArgs('-o ProxyJump bastion').proxyJump).toEqual(['bastion']);
    expect(parseSshArgs('-o "proxyjump j1,admin@j2:2200"').proxyJump).toEqual(['j1', 'admin@j2:2200']);
    expect(parseSshArgs("-o 'StrictHostKeyChecking no'").strictHostKeyChecking).toBe('no');
  });

  it('reads short flags, attached or separate', () => {
    const r = parseSshArgs('-i /k/a -i/k/b -p 2200 -l root -J jump1,jump2');
    expect(r.identityFiles).toEqual(['/k/a', '/k/b']);
    expect(r.port).toBe(2200);
    expect(r.user).toBe('root');
    expect(r.proxyJump).toEqual(['jump1', 'jump2']);
    expect(parseSshArgs('-p2222').port).toBe(2222);
  });

  it('maps StrictHostKeyChecking values like OpenSSH (ask cannot prompt: yes)', () => {
    expect(parseSshArgs('-o StrictHostKeyChecking=ask').strictHostKeyChecking).toBe('yes');
    expect(parseSshArgs('-o StrictHostKeyChecking=off').strictHostKeyChecking).toBe('no');
    expect(parseSshArgs('-o StrictHostKeyChecking=yes').strictHostKeyChecking).toBe('yes');
  });

  it('splits like a shell: quotes keep spaces in one word', () => {
    const r = parseSshArgs(`-o 'ProxyCommand=nc -X connect -x proxy:8080 %h %p' -i "/path with space/key"`);
    expect(r.identityFiles).toEqual(['/path with space/key']);
    expect(r.ignored).toEqual(['-o ProxyCommand=nc -X connect -x proxy:8080 %h %p']);
  });

  it('reads the classic `ProxyCommand=ssh -W %h:%p bastion` as a jump host', () => {
    expect(parseSshArgs(`-o ProxyCommand="ssh -W %h:%p -q admin@bastion.example"`).proxyJump).toEqual(['admin@bastion.example']);
    expect(parseSshArgs(`-o 'ProxyCommand=/usr/bin/ssh -p 2222 -l ops -i /k/j -W %h:%p 10.0.0.9'`).proxyJump).toEqual(['ops@10.0.0.9:2222']);
    const other = parseSshArgs(`-o 'ProxyCommand=ssh bastion nc %h %p'`);
    expect(other.proxyJump).toBeUndefined();
    expect(other.ignored).toHaveLength(1);
  });

  it('returns options it does not act on as ignored', () => {
    const r = parseSshArgs('-C -o ControlMaster=auto -o ControlPersist=60s -vv -F /etc/ssh/alt');
    expect(r.ignored).toEqual(['-C', '-o ControlMaster=auto', '-o ControlPersist=60s', '-v', '-v', '-F /etc/ssh/alt']);
  });

  it('ProxyJump=none clears jumps', () => {
    expect(parseSshArgs('-o ProxyJump=none').proxyJump).toEqual([]);
  });

  it('empty string gives nothing', () => {
    expect(parseSshArgs('')).toEqual({ identityFiles: [], ignored: [] });
  });

  it.each([
    ['-p', 'needs a value'],
    ['-p 99999', 'not a port'],
    ['-o ConnectTimeout=soon', 'ConnectTimeout'],
    ['-o StrictHostKeyChecking=maybe', 'StrictHostKeyChecking'],
    ['-o User', 'needs a value'],
    ['-o User=a | cat', 'shell operator'],
  ])('rejects %j with SSH_ARGS_INVALID', (text, reason) => {
    let caught: unknown;
    try {
      parseSshArgs(text, 'ansible_ssh_extra_args');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HoundError);
    expect((caught as HoundError).code).toBe('SSH_ARGS_INVALID');
    expect((caught as HoundError).message).toContain(reason);
    expect((caught as HoundError).message).toContain('ansible_ssh_extra_args');
  });
});
