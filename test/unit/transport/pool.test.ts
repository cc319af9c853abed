import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../base/errors.js';
import { resolveConnectionTarget } from '../../../transport/connection-target.js';
import { ConnectionPool, describeConnectionStats, HANDSHAKE_ATTEMPTS, isDroppedHandshake } from '../../../transport/pool.js';
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

describe('connection set-up figures', () => {
  /** A connect that ends when the test says, on a clock the test moves. */
  function scripted() {
    let clock = 0;
    const pending = new Map<string, { resolve: (c: SshHostConnection) => void; reject: (e: unknown) => void }[]>();
    const connect = (t: { host: string }) =>
      new Promise<SshHostConnection>((resolve, reject) => {
        const list = pending.get(t.host) ?? [];
        list.push({ resolve, reject });
        pending.set(t.host, list);
      });
    const settle = async (host: string, outcome: 'ok' | 'dropped' | 'refused', at: number) => {
      clock = at;
      const next = pending.get(host)!.shift()!;
      if (outcome === 'ok') next.resolve({ host, isClosed: false, close: async () => undefined } as unknown as SshHostConnection);
      else if (outcome === 'dropped')
        next.reject(new UnreachableError(host, 'SSH_UNREACHABLE', 'cannot reach', { cause: new Error('Connection lost before handshake') }));
      else next.reject(new UnreachableError(host, 'SSH_UNREACHABLE', 'connection refused'));
      // Let the pool's continuations (and a retry's 1 ms wait) run.
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    return { connect, settle, now: () => clock, waiting: (host: string) => pending.get(host)?.length ?? 0 };
  }

  it('counts each first connection, its set-up from its slot to ready, the wait for a slot, retries and failures', async () => {
    const s = scripted();
    const pool = new ConnectionPool({
      target: (host) => ({ ...target(22), host }),
      maxConcurrentConnects: 2,
      retryBaseMs: 1,
      now: s.now,
      connect: s.connect,
    });
    const a = pool.get('a');
    const b = pool.get('b');
    const c = pool.get('c').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(s.waiting('c')).toBe(0); // two slots: c waits for one
    await s.settle('a', 'ok', 300);
    await a;
    expect(s.waiting('c')).toBe(1); // c's handshake starts at 300
    await s.settle('b', 'dropped', 400); // tried again
    await s.settle('b', 'ok', 900);
    await b;
    await s.settle('c', 'refused', 1000);
    expect(await c).toBeInstanceOf(UnreachableError);

    const stats = pool.stats();
    expect(stats).toEqual({ opened: 2, failed: 1, retried: 1, reopened: 0, spanMs: 1000, setupMs: [300, 900], longestWaitMs: 300, slots: 2 });
    expect(describeConnectionStats(stats)).toBe(
      "ssh: 2 connections opened over 1.00 s from the first asked for to the last (each set up in 0.30 s median, 0.90 s at most from its handshake's start; up to 0.30 s waiting for one of 2 handshake slots); 1 handshake tried again; 1 host unreachable",
    );
  });

  it('says nothing for a run that connected nowhere, and counts a dropped connection opened again apart', async () => {
    const s = scripted();
    const pool = new ConnectionPool({ target: (host) => ({ ...target(22), host }), now: s.now, connect: s.connect });
    expect(describeConnectionStats(pool.stats())).toBeUndefined();
    const first = pool.get('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.settle('a', 'ok', 200);
    ((await first) as unknown as { isClosed: boolean }).isClosed = true;
    const again = pool.get('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.settle('a', 'ok', 5000);
    await again;
    const stats = pool.stats();
    expect(stats).toMatchObject({ opened: 1, reopened: 1, spanMs: 200, setupMs: [200] });
    expect(describeConnectionStats(stats)).toMatch(
      /^ssh: 1 connection opened over 0\.20 s .*; 0 handshakes tried again; 0 hosts unreachable; 1 reconnected mid-run$/,
    );
  });

  it('holds no more connections than the open-file limit leaves room for, and refuses the rest before making a socket', async () => {
    let connects = 0;
    const made: SshHostConnection[] = [];
    const pool = new ConnectionPool({
      target: (host) => ({ ...target(22), host }),
      maxConnections: 2,
      openFileLimit: 102,
      connect: (t) => {
        connects++;
        const c = { host: t.host, isClosed: false, close: async () => undefined } as unknown as SshHostConnection;
        made.push(c);
        return Promise.resolve(c);
      },
    });
    const results = await pool.connectAll(['a', 'b', 'c']);
    expect(connects).toBe(2);
    const refused = results.get('c') as UnreachableError;
    expect(refused.code).toBe('SSH_TOO_MANY_OPEN_FILES');
    expect(refused.message).toBe(
      'not connecting to c: hound holds 2 SSH connections, as many as its open-file limit leaves room for (ulimit -n: 102, 100 of them kept for the rest of the run), and keeps each open for the run',
    );
    expect(refused.hint).toContain('ulimit -Hn');
    expect(pool.unreachableHosts).toEqual(['c']);
    // A held connection that dropped is opened again within its own room.
    (made[0] as unknown as { isClosed: boolean }).isClosed = true;
    await pool.get('a');
    expect(connects).toBe(3);
    expect(pool.stats()).toMatchObject({ opened: 2, failed: 1, reopened: 1 });
  });
});
