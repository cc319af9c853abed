import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSocketBridge } from '../../../runtime/socket-bridge.js';

// The "node's socket" is a local echo server on a unix socket: the bridge only pipes bytes.
let dir: string;
let server: net.Server;
let echoPath: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hound-bridge-test-'));
  echoPath = path.join(dir, 'echo.sock');
  server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => server.listen(echoPath, resolve));
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function roundTrip(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socketPath, () => c.write(text));
    let got = '';
    c.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        c.end();
        resolve(got);
      }
    });
    c.on('error', reject);
  });
}

describe('socket bridge', () => {
  it('listens in a private dir and pipes each connection to a fresh remote stream', async () => {
    let opened = 0;
    const bridge = await openSocketBridge(async () => {
      opened++;
      return net.connect(echoPath);
    });
    try {
      expect(statSync(path.dirname(bridge.path)).mode & 0o777).toBe(0o700);
      expect(await roundTrip(bridge.path, 'one')).toBe('one');
      expect(await roundTrip(bridge.path, 'two')).toBe('two');
      expect(opened).toBe(2);
    } finally {
      await bridge.close();
    }
    expect(existsSync(path.dirname(bridge.path))).toBe(false);
  });

  it('keeps why the remote could not be opened, and drops the local connection', async () => {
    const bridge = await openSocketBridge(async () => {
      throw new Error('ssh node1: cannot open /run/containerd/containerd.sock: No such file or directory');
    });
    try {
      await new Promise<void>((resolve) => {
        const c = net.connect(bridge.path);
        c.on('close', () => resolve());
        c.on('error', () => {});
      });
      expect(bridge.lastOpenError?.message).toMatch(/No such file/);
    } finally {
      await bridge.close();
    }
  });

  it('ends live connections on close', async () => {
    const bridge = await openSocketBridge(async () => net.connect(echoPath));
    const c = net.connect(bridge.path);
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.on('error', () => {});
    await bridge.close();
    await closed;
  });
});
