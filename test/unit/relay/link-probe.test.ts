// The link probe against real parts on the controller: an origin that is an HTTP server on
// the loopback, paced at a known rate, and nodes that are the controller itself
// (LocalConnection: the same head/timeout/wc commands under /bin/sh). The lab test
// (test/integration/auto-distribution.test.ts) checks it against shaped links.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_LIMITS, probeLinks } from '../../../relay/link-probe.js';
import { LocalConnection } from '../../../transport/local-connection.js';
import type { HostConnection } from '../../../transport/types.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** An origin that sends `chunk` bytes every `everyMs` (or nothing at all after its headers). */
async function pacedOrigin(chunk: number, everyMs: number): Promise<(signal: AbortSignal) => Promise<Readable>> {
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (chunk === 0) return;
    const timer = setInterval(() => res.write(Buffer.alloc(chunk, 7)), everyMs);
    res.on('close', () => clearInterval(timer));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return (signal) => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, signal }, resolve).on('error', reject));
}

const local = (name: string) => () => Promise.resolve<HostConnection>(new LocalConnection(name));

describe('probeLinks', () => {
  it('measures the origin at its pace and the nodes, within its byte and time bounds', async () => {
    // 64 KB every 25 ms: 2.6 MB/s.
    const openOriginBlob = await pacedOrigin(65_536, 25);
    const probe = await probeLinks({ openOriginBlob, nodes: [local('a'), local('b'), local('c')] });
    // Never above the pace (the first chunk, which carries the request's set-up, is not
    // counted); below it only by as much as a loaded machine delays the server's timers.
    expect(probe.rates.registryUplink).toBeGreaterThan(0.25 * 2.6e6);
    expect(probe.rates.registryUplink).toBeLessThan(1.5 * 2.6e6);
    expect(probe.rates.nodeLink).toBeGreaterThan(0);
    expect(probe.rates.controllerLink).toBeGreaterThanOrEqual(probe.rates.nodeLink!);
    expect(probe.rates.relayCpu).toBeGreaterThan(0);
    // The nodes here are the controller itself: its own kernel, its own boot id.
    expect(probe.nodesOnController).toBe(true);
    const limits = DEFAULT_PROBE_LIMITS;
    expect(probe.bytes).toBeLessThanOrEqual(limits.originBytes + 65_536 + 4 * limits.nodeBytes);
    expect(probe.seconds).toBeLessThan(10);
  });

  it('reads the origin twice and counts the faster read: other work can only slow one', async () => {
    // The first read is held to 64 KB every 100 ms (0.65 MB/s), as a busy machine held it on
    // the lab; the second gets 64 KB every 20 ms (3.3 MB/s).
    const slow = await pacedOrigin(65_536, 100);
    const fast = await pacedOrigin(65_536, 20);
    let reads = 0;
    const openOriginBlob = (signal: AbortSignal) => (reads++ === 0 ? slow : fast)(signal);
    const probe = await probeLinks({ openOriginBlob, nodes: [local('a'), local('b'), local('c')] });
    expect(reads).toBe(2);
    expect(probe.originReads).toHaveLength(2);
    expect(probe.originReads[0].rate).toBeLessThan(1.5 * 0.65e6);
    expect(probe.originReads[1].rate).toBeGreaterThan(probe.originReads[0].rate);
    expect(probe.rates.registryUplink).toBe(probe.originReads[1].rate);
  });

  it('never reports the controller slower than a rate it was seen to send one node', async () => {
    const openOriginBlob = await pacedOrigin(65_536, 25);
    // The group's commands end a second after their count, as commands ended late on a
    // loaded CI machine: a node whose payload ran out in its window is timed to its
    // command's end, so each of the group reads far below the lone node.
    class LateEnd extends LocalConnection {
      override spawn(command: string, options: { shownAs?: string } = {}) {
        return super.spawn(`${command}; sleep 1`, options);
      }
    }
    const late = (name: string) => () => Promise.resolve<HostConnection>(new LateEnd(name));
    const probe = await probeLinks({ openOriginBlob, nodes: [local('a'), late('b'), late('c')] });
    expect(probe.rates.nodeLink).toBeGreaterThan(0);
    expect(probe.rates.controllerLink).toBe(probe.rates.nodeLink);
    // The group did not show a link wider than one node's: no "at least".
    expect(probe.controllerAtLeast).toBe(false);
  });

  it('fails, in bounded time, when the origin sends nothing', async () => {
    const openOriginBlob = await pacedOrigin(0, 0);
    const started = Date.now();
    const failure = probeLinks({ openOriginBlob, nodes: [local('a'), local('b')] }, { ...DEFAULT_PROBE_LIMITS, stepTimeoutMs: 300 });
    await expect(failure).rejects.toMatchObject({ code: 'RELAY_PROBE_FAILED', message: 'the origin did not answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('fails, in bounded time, when a node never connects', async () => {
    const openOriginBlob = await pacedOrigin(65_536, 5);
    const never = () => new Promise<HostConnection>(() => undefined);
    const started = Date.now();
    const failure = probeLinks({ openOriginBlob, nodes: [local('a'), never] }, { ...DEFAULT_PROBE_LIMITS, windowMs: 100, stepTimeoutMs: 2_000 });
    await expect(failure).rejects.toMatchObject({ code: 'RELAY_PROBE_FAILED', message: "the nodes' connections did not answer within 2 s" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails, in bounded time, when a node of the group never starts reading, and ends what it started', async () => {
    const openOriginBlob = await pacedOrigin(65_536, 5);
    // A duration no other process would have: the stuck command's mark in `ps`.
    const marker = `sleep 30.${process.pid}${Date.now() % 100_000}`;
    // Node c's probe command is replaced by one that never says it is ready.
    class StuckConnection extends LocalConnection {
      override spawn(command: string, options: { shownAs?: string } = {}) {
        return super.spawn(command.includes('echo ready') ? `exec ${marker}` : command, options);
      }
    }
    const stuck = () => Promise.resolve<HostConnection>(new StuckConnection('c'));
    const started = Date.now();
    const failure = probeLinks({ openOriginBlob, nodes: [local('a'), local('b'), stuck] }, { ...DEFAULT_PROBE_LIMITS, windowMs: 100, stepTimeoutMs: 1_500 });
    await expect(failure).rejects.toMatchObject({ code: 'RELAY_PROBE_FAILED', message: 'node c did not answer within 1.5 s (starting its probe)' });
    expect(Date.now() - started).toBeLessThan(5_000);
    // The stuck command was killed, not left behind.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(marker);
  });

  it('refuses fewer than two nodes', async () => {
    const openOriginBlob = await pacedOrigin(65_536, 5);
    await expect(probeLinks({ openOriginBlob, nodes: [local('a')] })).rejects.toMatchObject({ code: 'RELAY_PROBE_FAILED' });
  });
});
