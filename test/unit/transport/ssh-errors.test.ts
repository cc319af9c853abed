import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../base/errors.js';
import { resolveConnectionTarget } from '../../../transport/connection-target.js';
import { toUnreachableError } from '../../../transport/ssh-errors.js';

const target = resolveConnectionTarget('web1', { ansible_host: '192.0.2.10', ansible_port: 2222, ansible_user: 'deploy', ansible_timeout: 4 }, { env: {} });
const systemError = (code: string) => Object.assign(new Error(`connect ${code}`), { code, level: 'client-socket' });

describe('toUnreachableError', () => {
  it.each([
    ['ECONNREFUSED', 'nothing listens'],
    ['EHOSTUNREACH', 'host is up'],
    ['ENOTFOUND', 'does not resolve'],
  ])('%s → SSH_UNREACHABLE with the address and a hint', (code, hint) => {
    const error = toUnreachableError({ host: 'web1', dialled: target, error: systemError(code) });
    expect(error.code).toBe('SSH_UNREACHABLE');
    expect(error.exitCode).toBe(EXIT.HOST_UNREACHABLE);
    expect(error.host).toBe('web1');
    expect(error.message).toBe(`cannot reach 192.0.2.10:2222: ${code}`);
    expect(error.hint).toContain(hint);
  });

  it('a handshake timeout says how long it waited', () => {
    const error = toUnreachableError({
      host: 'web1',
      dialled: target,
      error: Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }),
    });
    expect(error.code).toBe('SSH_UNREACHABLE');
    expect(error.message).toBe('192.0.2.10:2222 did not answer within 4 s');
  });

  it('an authentication failure names the user, what was tried and skipped', () => {
    const error = toUnreachableError({
      host: 'web1',
      dialled: target,
      error: Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }),
      triedAuth: ['ssh-agent', 'key /k/a'],
      skippedAuth: ['key /k/b (encrypted)'],
    });
    expect(error.code).toBe('SSH_AUTH_FAILED');
    expect(error.message).toBe('permission denied for deploy@192.0.2.10:2222 (tried ssh-agent, key /k/a; skipped key /k/b (encrypted))');
    expect(error.format()).toContain('hint: set ansible_user');
  });

  it('a refused forward through a jump host names the jump host', () => {
    const error = toUnreachableError({
      host: 'web1',
      dialled: target,
      error: Object.assign(new Error('(SSH) Channel open failure: Connection refused'), { reason: 2 }),
      via: '10.0.0.1',
    });
    expect(error.message).toBe('cannot reach 192.0.2.10:2222 through jump host 10.0.0.1: Channel open failure: Connection refused');
  });

  it('a controller out of descriptors is said as such, with the limit, not blamed on the host', () => {
    const emfile = toUnreachableError({ host: 'web1', dialled: target, error: systemError('EMFILE') });
    expect(emfile.code).toBe('SSH_TOO_MANY_OPEN_FILES');
    expect(emfile.exitCode).toBe(EXIT.HOST_UNREACHABLE);
    expect(emfile.message).toMatch(
      /^cannot open a connection to 192\.0\.2\.10:2222: hound holds as many files open as it may \(ulimit -n: \d+\) \(EMFILE\), and it keeps one SSH connection open to each host for the run$/,
    );
    expect(emfile.hint).toContain('ulimit -Hn');
    const enfile = toUnreachableError({ host: 'web1', dialled: target, error: systemError('ENFILE') });
    expect(enfile.message).toContain("the system's table of open files is full (ENFILE)");
    expect(enfile.hint).toContain('fs.file-max');
  });
});
