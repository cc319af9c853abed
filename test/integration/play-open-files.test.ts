// A run with more hosts than the controller may hold open files for: hound keeps one SSH
// connection open to each host for the whole run, so past a few thousand hosts the process's
// open-file limit is what stops it. Here the limit is lowered with prlimit(1) instead, and the
// hosts are aliases of the lab's nodes (each alias its own connection, as distinct hosts are).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../lab/index.js';
import { readTestLab } from '../fixtures/test-lab.js';

const HOUND = path.resolve('dist/cli/hound.js');
/** Hosts in the run, and the descriptors hound may open: room for 50 connections besides the 100 kept for the rest of the run. */
const HOSTS = 90;
const LIMIT = 150;
const CAPACITY = 50;

let info: LabInfo;
let work: string;

beforeAll(async () => {
  info = await readTestLab();
  work = mkdtempSync(path.join(tmpdir(), 'hound-open-files-'));
  const lines = Array.from({ length: HOSTS }, (_, i) => {
    const node = info.nodes[i % info.nodes.length];
    return `alias${i + 1} ansible_host=${node.ip} ansible_user=root ansible_ssh_private_key_file=${info.privateKey} ansible_ssh_common_args="-o UserKnownHostsFile=${info.knownHosts}"`;
  });
  writeFileSync(path.join(work, 'hosts.ini'), `[many]\n${lines.join('\n')}\n`);
  writeFileSync(path.join(work, 'ping.yml'), '- hosts: many\n  gather_facts: false\n  tasks:\n    - ping:\n');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function houndUnderLimit(limit: number, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'prlimit',
      [`--nofile=${limit}:${limit}`, '--', process.execPath, HOUND, ...args],
      { cwd: work, encoding: 'utf8', timeout: 170_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('more hosts than open files', () => {
  it('warns before connecting, says which hosts could not connect and why, and reaches the rest', async () => {
    const ran = await houndUnderLimit(LIMIT, 'play', 'ping.yml', '-i', 'hosts.ini', '-f', String(HOSTS), '--reporter', 'plain');
    const out = ran.stdout + ran.stderr;
    // Up front, once: the hosts, the limit, what to do.
    expect(ran.stderr).toContain(
      `[WARNING]: this run reaches ${HOSTS} hosts and keeps one SSH connection open to each, but hound may hold only ${LIMIT} open files (the hard limit of ulimit -n), 100 of them for the rest of the run: hosts past the first ${CAPACITY} will not be connected.`,
    );
    expect(ran.stderr.match(/\[WARNING\]: this run reaches/g)).toHaveLength(1);
    // Hosts past the room left are unreachable for the controller's reason, said before any socket runs out.
    const refused = [
      ...out.matchAll(
        /UNREACHABLE! => not connecting to alias\d+: hound holds (\d+) SSH connections, as many as its open-file limit leaves room for \(ulimit -n: (\d+), 100 of them kept for the rest of the run\)/g,
      ),
    ];
    expect(refused).toHaveLength(HOSTS - CAPACITY);
    for (const m of refused) expect([Number(m[1]), Number(m[2])]).toEqual([CAPACITY, LIMIT]);
    expect(out).not.toContain('EMFILE');
    // The others were reached: the recap counts them ok.
    expect([...out.matchAll(/^alias\d+\s*: ok=1 /gm)]).toHaveLength(CAPACITY);
    expect(ran.code).toBe(3);
    // No stack trace anywhere.
    expect(out).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  });

  it('says nothing when the limit leaves room for every host', async () => {
    const ran = await houndUnderLimit(HOSTS + 200, 'play', 'ping.yml', '-i', 'hosts.ini', '-f', String(HOSTS), '--reporter', 'plain');
    expect(ran.stderr).not.toContain('[WARNING]: this run reaches');
    expect([...ran.stdout.matchAll(/^alias\d+\s*: ok=1 /gm)]).toHaveLength(HOSTS);
    expect(ran.code).toBe(0);
  });

  it('refuses to start, in one clear error, under fewer descriptors than hound needs for itself', async () => {
    const ran = await houndUnderLimit(64, 'play', 'ping.yml', '-i', 'hosts.ini', '--reporter', 'plain');
    expect(ran.stderr).toBe(
      'error OPEN_FILES_TOO_FEW: hound may hold only 64 open files (ulimit -n), and needs 100 for itself besides one per host it connects to\n' +
        '  hint: raise the limit (ulimit -n, or its hard limit ulimit -Hn; LimitNOFILE= in a systemd unit)\n',
    );
    expect(ran.stdout).toBe('');
    expect(ran.code).toBe(1);
  });
});
