// hound_container_runtime=auto on a real shell: the detect script run through the controller's
// own connection (connection: local) against real unix sockets in a temporary folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectRuntime, openNodeRuntime, runtimeKindOf } from '../../../runtime/open-runtime.js';
import { LocalConnection } from '../../../transport/local-connection.js';
import type { RuntimeTarget } from '../../../transport/connection-target.js';

let dir: string;
const servers: net.Server[] = [];
const connection = new LocalConnection('here');

async function listen(name: string): Promise<string> {
  const socket = path.join(dir, name);
  const server = net.createServer((c) => c.end());
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  servers.push(server);
  return socket;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hound-detect-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

const absent = (name: string) => path.join(dir ?? '/nonexistent', `absent-${name}.sock`);

describe('auto finds the runtime by its socket', () => {
  it('Docker first, then CRI-O, then containerd, whichever sockets exist', async () => {
    const docker = await listen('docker.sock');
    const crio = await listen('crio.sock');
    const containerd = await listen('containerd.sock');
    const target = (sockets: RuntimeTarget['sockets']): RuntimeTarget => ({ setting: 'auto', sockets });
    expect(await detectRuntime(connection, target({ docker, 'cri-o': crio, containerd }))).toBe('docker');
    expect(await detectRuntime(connection, target({ docker: absent('d'), 'cri-o': crio, containerd }))).toBe('cri-o');
    expect(await detectRuntime(connection, target({ docker: absent('d'), 'cri-o': absent('c'), containerd }))).toBe('containerd');
    const podman = await listen('podman.sock');
    expect(await detectRuntime(connection, target({ docker: absent('d'), 'cri-o': absent('c'), containerd: absent('k'), podman }))).toBe('podman');
  });

  it('a plain file is not a socket', async () => {
    const file = path.join(dir, 'not-a-socket');
    writeFileSync(file, '');
    const containerd = await listen('containerd2.sock');
    expect(await detectRuntime(connection, { setting: 'auto', sockets: { docker: file, 'cri-o': file, containerd } })).toBe('containerd');
  });

  it('a named runtime is not looked for, and each kind gets its own client', async () => {
    expect(await runtimeKindOf(connection, { setting: 'cri-o', sockets: {} })).toBe('cri-o');
    const target: RuntimeTarget = { setting: 'auto', sockets: {} };
    for (const kind of ['docker', 'containerd', 'cri-o', 'podman'] as const) expect(openNodeRuntime(connection, kind, target).kind).toBe(kind);
    expect(openNodeRuntime(connection, 'cri-o', target).relayUnsupported).toMatch(/no tag/);
    expect(openNodeRuntime(connection, 'containerd', target).relayUnsupported).toBeUndefined();
  });
});
