import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../base/errors.js';
import { resolveConnectionTarget } from '../../../transport/connection-target.js';
import { ConnectionPool, HANDSHAKE_ATTEMPTS, isDroppedHandshake } from '../../../transport/pool.js';
import { connectHost, type SshHostConnection } from '../../../transport/ssh-connection.js';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP server on loopback that accepts and at once drops every connection, as sshd does past MaxStartups. */
async function droppingServer(how: 'end' | 'reset'): Promise<number> {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    if (how === 'reset') socket.resetAndDestroy();
    else socket.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const knownHosts = path.join(mkdtempSync(path.join(tmpdir(), 'hound-pool-')), 'known_hosts');
writeFileSync(knownHosts, '');

function target(port: number) {
  return resolveConnectionTarget(
    'node1',
    { ansible_host: '127.0.0.1', ansible_port: port, ansible_user: 'root', ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts}` },
    { env: {} },
  );
}

/** A TCP server on loopback that accepts every connection and never says a word (no SSH banner): a host too busy to answer. */
async function silentServer(): Promise<number> {
  const server = net.createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('SSH connect retries', () => {
  it('classes a host that takes the connection but does not finish the handshake in time as a stalled handshake, tried again', async () => {
    const port = await silentServer();
    const slow = { ...target(port), connectTimeoutMs: 300 };
    const error = await connectHost(slow).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).code).toBe('SSH_HANDSHAKE_TIMEOUT');
    expect((error as UnreachableError).message).toBe(`127.0.0.1:${port} took the connection but did not finish the SSH handshake within 0.3 s`);
    expect(isDroppedHandshake(error)).toBe(true);
    // Nothing listening at all within the timeout is not a stalled handshake: the plain timeout stays final.
    const plain = new UnreachableError('node1', 'SSH_UNREACHABLE', '10.0.0.1:22 did not answer within 10 s');
    expect(isDroppedHandshake(plain)).toBe(false);
  });

  it('classes a handshake the server drops (closed or reset before the banner) as dropped, and a refused port as not', async () => {
    for (const how of ['end', 'reset'] as const) {
      const port = await droppingServer(how);
      const error = await connectHost(target(port)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, how).toBeInstanceOf(UnreachableError);
      expect(isDroppedHandshake(error), `${how}: ${String(error)}`).toBe(true);
    }
    const closed = await droppingServer('end');
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const refused = await connectHost(target(closed)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UnreachableError);
    expect(isDroppedHandshake(refused)).toBe(false);
    expect(isDroppedHandshake(new UnreachableError('n', 'SSH_AUTH_FAILED', 'permission denied'))).toBe(false);
  });

  it('tries a dropped handshake again, up to HANDSHAKE_ATTEMPTS in all, and says so at -v', async () => {
    const logged: string[] = [];
    let calls = 0;
    const fake = {} as SshHostConnection;
    const pool = new ConnectionPool({
      target: () => target(22),
      retryBaseMs: 1,
      logger: (_level, message) => logged.push(message),
      connect: () => {
        calls++;
        if (calls < HANDSHAKE_ATTEMPTS)
          return Promise.reject(new UnreachableError('node1', 'SSH_UNREACHABLE', 'cannot reach', { cause: new Error('Connection lost before handshake') }));
        return Promise.resolve(fake);
      },
    });
    expect(await pool.get('node1')).toBe(fake);
    expect(calls).toBe(HANDSHAKE_ATTEMPTS);
    expect(logged.filter((l) => /trying again in/.test(l))).toHaveLength(HANDSHAKE_ATTEMPTS - 1);
  });

  it('gives up after HANDSHAKE_ATTEMPTS, and never retries other failures', async () => {
    let dropped = 0;
    const droppedPool = new ConnectionPool({
      target: () => target(22),
      retryBaseMs: 1,
      connect: () => {
        dropped++;
        return Promise.reject(
          new UnreachableError('node1', 'SSH_UNREACHABLE', 'cannot reach', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }),
        );
      },
    });
    await expect(droppedPool.get('node1')).rejects.toThrow(/cannot reach/);
    expect(dropped).toBe(HANDSHAKE_ATTEMPTS);
    expect(droppedPool.unreachableHosts).toEqual(['node1']);

    let timedOut = 0;
    const timeoutPool = new ConnectionPool({
      target: () => target(22),
      retryBaseMs: 1,
      connect: () => {
        timedOut++;
        return Promise.reject(
          new UnreachableError('node1', 'SSH_UNREACHABLE', 'did not answer within 10 s', {
            cause: Object.assign(new Error('Timed out'), { level: 'client-timeout' }),
          }),
        );
      },
    });
    await expect(timeoutPool.get('node1')).rejects.toThrow(/did not answer/);
    expect(timedOut).toBe(1);
  });
});
