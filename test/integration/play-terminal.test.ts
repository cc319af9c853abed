// `hound play` as a person meets it: a live view on a real pseudo-terminal, Ctrl-C in the
// middle of a run, and an image tarball loaded from the controller.
import { spawn } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { TaskResultEvent } from '../../core/events.js';
import { emptyNode, FIXTURES, hound, houndEnv, jsonEvents, nodeDocker, nodeTags, summaryOf, useLabWorkDir } from '../fixtures/play/helpers.js';

const work = useLabWorkDir();
const node = (name: string) => work.node(name);

const HOUND = path.resolve(FIXTURES, '../../../dist/cli/hound.js');

describe('hound play on a terminal', () => {
  it('draws one row per host on a pseudo-terminal and ends with the recap', async () => {
    await Promise.all(work.lab.nodes.map(emptyNode));
    // script(1) gives the command a real pty, so stdout.isTTY is true and the live view is used.
    // A pty script(1) makes has no size; the renderer needs columns to draw rows.
    const command = `stty cols 160 rows 50; ${process.execPath} ${HOUND} play warmup.yml -i hosts.ini`;
    const result = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: work.dir, env: houndEnv({ TERM: 'xterm' }) });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(result.code, result.out).toBe(0);
    // The live renderer repaints with cursor movement: proof it was the TTY view, not plain lines.
    expect(result.out).toMatch(/\x1b\[/);
    expect(result.out).not.toContain('TASK [');
    const text = result.out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    for (const host of ['node1', 'node2', 'node3']) expect(text).toMatch(new RegExp(`${host}: ok=1 changed=1 pulled \\d+\\.\\d+ MiB`));
    expect(text).toMatch(/node4: ok=1 changed=0 pulled 0 B/);
    expect(text).toMatch(/PLAY RECAP \*+/);
    expect(text).toMatch(/node1 +: ok=1 +changed=1/);
  });
});

describe('Ctrl-C', () => {
  it('cancels in-flight work, skips the rest, prints the recap and exits 99', async () => {
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [HOUND, 'play', 'slow.yml', '-i', 'hosts.ini', '--json'], { cwd: work.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        // Once every node is running its `sleep 29.987`, interrupt.
        if (!sent && (stdout.match(/"event":"task_start"/g) ?? []).length >= work.lab.nodes.length) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.code, result.stdout).toBe(99);
    // Well before the sleep would have ended by itself.
    expect(Date.now() - started).toBeLessThan(25_000);
    const events = jsonEvents(result.stdout);
    const summary = summaryOf(events);
    expect(summary).toMatchObject({ interrupted: true, exit_code: 99 });
    expect(events.some((e) => e.event === 'task_start' && e.task === 'never reached after Ctrl-C')).toBe(false);
    // Every host's task was cut short and reported as interrupted, not left hanging.
    const results = events.filter((e): e is TaskResultEvent => e.event === 'task_result');
    expect(results.map((r) => [r.host, r.msg]).sort()).toEqual(work.lab.nodes.map((n) => [n.name, 'interrupted']).sort());
    expect(events.some((e) => e.event === 'play_abort')).toBe(false);
    // And the commands themselves are gone from the nodes: OpenSSH refuses the channel's
    // KILL signal here, so this is the watcher's doing (modules/command.ts), within seconds.
    const left = async () => (await runLocal('pgrep', ['-f', 'sleep 29.987'])).stdout.trim();
    for (let i = 0; i < 50 && (await left()) !== ''; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await left()).toBe('');
  });
});

function runLocal(file: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe('load', () => {
  it('streams a tarball from the controller into the node, and skips it once the image is there', async () => {
    await emptyNode(node('node4'));
    const ref = `${work.lab.registry.ip}:${work.lab.registry.port}/hound/app5:latest`;
    // Make the tarball from another node's Docker, straight through its socket.
    const source = nodeDocker(node('node1'));
    await new Promise<void>((resolve, reject) => {
      void source.pull(ref, (err: Error | null, stream: NodeJS.ReadableStream) =>
        err ? reject(err) : source.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())),
      );
    });
    const tarball = path.join(work.dir, 'app5.tar');
    await pipeline(await source.getImage(ref).get(), createWriteStream(tarball));

    const first = await hound(['play', 'load.yml', '-i', 'hosts.ini', '--json', '-e', `tarball=${tarball}`], work.dir);
    expect(first.code).toBe(0);
    const loaded = jsonEvents(first.stdout).find((e): e is TaskResultEvent => e.event === 'task_result')!;
    expect(loaded.status).toBe('changed');
    expect(loaded.bytes).toBe(statSync(tarball).size);
    expect(await nodeTags(node('node4'), work.lab)).toEqual(['hound/app5:latest']);

    const second = await hound(['play', 'load.yml', '-i', 'hosts.ini', '--json', '-e', `tarball=${tarball}`], work.dir);
    expect(second.code).toBe(0);
    expect(summaryOf(jsonEvents(second.stdout)).hosts.node4).toMatchObject({ changed: 0, bytes: 0 });

    const missing = await hound(['play', 'load.yml', '-i', 'hosts.ini', '--reporter', 'plain', '-e', `tarball=${work.dir}/nope.tar`], work.dir);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/fatal: \[node4\]: FAILED! => cannot read the image tarball \S+nope\.tar on the controller/);
  });
});
