import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LabInfo } from '../../../lab/info.js';
import { composeFile } from '../../../bench/contenders/compose.js';
import { houndContender } from '../../../bench/contenders/hound.js';
import { parseGnuTimeReport, parseSshSetupLine, withGnuTime } from '../../../bench/controller-cost.js';
import { describeConnectionStats } from '../../../transport/pool.js';
import { inventoryFiles, sshArgv } from '../../../bench/lab-nodes.js';
import { targetOf } from '../../../bench/matrix.js';

const node = (i: number) => ({
  name: `node${i}`,
  ip: `10.1.2.${10 + i}`,
  netns: `hound-bench.node${i}`,
  sshPort: 22,
  runtime: 'docker' as const,
  socket: { node: '/run/docker.sock', controller: `/var/tmp/hound-lab/bench/nodes/node${i}/run/docker.sock` },
  dockerSocket: `/var/tmp/hound-lab/bench/nodes/node${i}/run/docker.sock`,
  hostInterface: `hb-n${i}`,
  pids: { sshd: 1, dockerd: 2 },
});

const lab = {
  name: 'bench',
  dir: '/var/tmp/hound-lab/bench',
  registry: { ip: '10.1.2.2', port: 5000, url: 'http://10.1.2.2:5000', netns: 'r', pid: 1 },
  nodes: [node(1), node(2), node(3)],
  privateKey: '/var/tmp/hound-lab/bench/id_ed25519',
  knownHosts: '/var/tmp/hound-lab/bench/known_hosts',
} as unknown as LabInfo;

describe('files the contenders are given', () => {
  it('targets the first N nodes with registry-qualified references', () => {
    const t = targetOf(lab, 'diverse', 2);
    expect(t.nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
    expect(t.needs).toEqual([
      ['10.1.2.2:5000/bench/app0:latest', '10.1.2.2:5000/bench/app3:latest'],
      ['10.1.2.2:5000/bench/app1:latest', '10.1.2.2:5000/bench/app4:latest'],
    ]);
  });

  it('writes an Ansible inventory with host_vars listing each node its images', () => {
    const files = inventoryFiles(targetOf(lab, 'diverse', 2));
    const ini = files.get('inventory.ini')!;
    expect(ini).toContain(
      '[nodes]\nnode1 ansible_host=10.1.2.11 ansible_port=22 ansible_user=root ansible_ssh_private_key_file=/var/tmp/hound-lab/bench/id_ed25519 hound_container_runtime=docker hound_docker_socket=/run/docker.sock\nnode2 ',
    );
    expect(ini).not.toContain('node3');
    expect(ini).toContain("ansible_ssh_common_args='-o UserKnownHostsFile=/var/tmp/hound-lab/bench/known_hosts'");
    expect(parse(files.get('host_vars/node2.yml')!)).toEqual({ bench_images: ['10.1.2.2:5000/bench/app1:latest', '10.1.2.2:5000/bench/app4:latest'] });
  });

  it('writes a compose file whose services are the node images', () => {
    const doc = parse(composeFile(['10.1.2.2:5000/bench/app0:latest', '10.1.2.2:5000/bench/app3:latest']));
    expect(Object.values(doc.services as Record<string, { image: string }>).map((s) => s.image)).toEqual([
      '10.1.2.2:5000/bench/app0:latest',
      '10.1.2.2:5000/bench/app3:latest',
    ]);
  });

  it('reaches nodes with the lab key and known_hosts only, checking host keys', () => {
    const argv = sshArgv(lab, node(1), ['docker', 'pull', 'x']);
    expect(argv.slice(-5)).toEqual(['root@10.1.2.11', '--', 'docker', 'pull', 'x']);
    expect(argv).toContain('StrictHostKeyChecking=yes');
    expect(argv).toContain('UserKnownHostsFile=/var/tmp/hound-lab/bench/known_hosts');
    expect(argv[argv.indexOf('-i') + 1]).toBe('/var/tmp/hound-lab/bench/id_ed25519');
  });

  it('reads GNU time, also after a failed command', () => {
    expect(withGnuTime(['hound', 'play'], '/tmp/c').slice(0, 3)).toEqual(['/usr/bin/time', '-o', '/tmp/c']);
    expect(parseGnuTimeReport('Command exited with non-zero status 2\nhound-bench-cost 81234 1.52 0.31\n')).toEqual({
      maxRssBytes: 81234 * 1024,
      userSeconds: 1.52,
      systemSeconds: 0.31,
    });
    expect(parseGnuTimeReport('garbage')).toBeUndefined();
  });

  it("reads hound's ssh line as the pool writes it, with and without connections opened", () => {
    const line = describeConnectionStats({
      opened: 100,
      failed: 1,
      retried: 3,
      reopened: 2,
      spanMs: 4567,
      setupMs: [100, 200, 2500],
      longestWaitMs: 1800,
      slots: 32,
    })!;
    expect(parseSshSetupLine(`PLAY [x]\n${line}\n\nPLAY RECAP`)).toEqual({
      connections: 100,
      spanSeconds: 4.57,
      medianSeconds: 0.2,
      maxSeconds: 2.5,
      longestWaitSeconds: 1.8,
      retried: 3,
      unreachable: 1,
    });
    const none = describeConnectionStats({ opened: 0, failed: 2, retried: 0, reopened: 0, spanMs: 10, setupMs: [], longestWaitMs: 0, slots: 32 })!;
    expect(parseSshSetupLine(none)).toMatchObject({ connections: 0, unreachable: 2, medianSeconds: 0 });
    expect(parseSshSetupLine('distribution auto: relay')).toBeUndefined();
  });

  it("runs a --baseline build's own CLI in the run's folder, with --fanout-image only when its play takes it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hound-baseline-run-'));
    try {
      // A stand-in CLI that writes down how it was called, and what it found beside it.
      const cli = path.join(dir, 'hound.js');
      await writeFile(
        cli,
        "const fs = require('node:fs'); fs.writeFileSync('argv.json', JSON.stringify({ argv: process.argv.slice(2), inventory: fs.existsSync('inventory.ini') }));\n" +
          // At -v the probe's line comes before the choice, and the connections' line at the end.
          "console.log('distribution auto: probed the links in 0.9 s, 1.0 MB moved');\n" +
          "console.log('distribution auto: relay (from the stand-in)');\n" +
          // 60 descriptors held for a while: the benchmark samples them every 200 ms.
          "for (let i = 0; i < 60; i++) fs.openSync('/dev/null', 'r');\n" +
          `console.log(${JSON.stringify(describeConnectionStats({ opened: 2, failed: 0, retried: 1, reopened: 0, spanMs: 1234, setupMs: [400, 900], longestWaitMs: 0, slots: 32 }))});\n` +
          'setTimeout(() => {}, 1500);\n',
      );
      const record = async (takesFanoutImage: boolean) => {
        const workDir = await mkdtemp(path.join(dir, 'run-'));
        const contender = houndContender('auto', { cli, revision: 'abc1234', takesFanoutImage });
        const run = await contender.prepare({ target: targetOf(lab, 'diverse', 2), workDir, signal: new AbortController().signal });
        const outcome = await run.start();
        return { outcome, called: JSON.parse(await readFile(path.join(workDir, 'argv.json'), 'utf8')) as { argv: string[]; inventory: boolean } };
      };
      const old = await record(false);
      expect(old.outcome).toMatchObject({ ok: true, choice: 'relay (from the stand-in)' });
      expect(old.outcome.controller?.ssh).toEqual({
        connections: 2,
        spanSeconds: 1.23,
        medianSeconds: 0.4,
        maxSeconds: 0.9,
        longestWaitSeconds: 0,
        retried: 1,
        unreachable: 0,
      });
      // Its own 60 and Node's (stdio, epoll, pipes): GNU time's few are not the largest process's.
      expect(old.outcome.controller?.peakOpenFds).toBeGreaterThanOrEqual(63);
      expect(old.outcome.controller?.peakOpenFds).toBeLessThan(120);
      expect(old.called).toEqual({
        argv: ['play', 'playbook.yml', '-i', 'inventory.ini', '-v', '--reporter', 'plain', '--distribution', 'auto'],
        inventory: true,
      });
      const newer = await record(true);
      expect(newer.called.argv.slice(-2)).toEqual(['--fanout-image', '10.1.2.2:5000/lab/registry:2.8']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
