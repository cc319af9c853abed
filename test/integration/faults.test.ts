// Faults during a run, injected by the test on a lab of its own (nodes shaped to 40 mbit so
// a 48 MB pull lasts seconds): a node unreachable from the start, a link cut mid-pull,
// dockerd killed mid-pull, Ctrl-C mid-pull, a full disk. Each time the other nodes finish,
// the recap and exit code say what happened, and rerunning the same command converges.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimRunLabName, labDown, releaseLab, labUp, pushImageSet, type LabInfo, type LabNodeInfo } from '../../lab/index.js';
import { nodePathsOf } from '../../lab/daemons.js';
import type { SummaryEvent, TaskResultEvent } from '../../core/events.js';
import { emptyNode, nodeTags } from '../fixtures/play/helpers.js';
import { isPullUnderWay, killDaemon, restartDockerd, restartSshd, setLink, waitGone, watchHound } from './faults-helpers.js';

/** `faults`, or `faults-PID` while another live run (another engineer's full suite) holds it. */
let labName = 'faults';
const BIG = 'fault/big:v1';
let lab: LabInfo;
let dir: string;
/** dockerd pids, updated when a test restarts one. */
const dockerdPid = new Map<string, number>();
const sshdPid = new Map<string, number>();
const node = (name: string): LabNodeInfo => lab.nodes.find((n) => n.name === name)!;
const mounted: string[] = [];

beforeAll(async () => {
  labName = await claimRunLabName('faults');
  lab = (await labUp({ name: labName, nodes: 3, nodeRate: '40mbit' })).info;
  for (const n of lab.nodes) {
    dockerdPid.set(n.name, n.pids.dockerd!);
    sshdPid.set(n.name, n.pids.sshd);
  }
  await pushImageSet(lab.registry.url, {
    layers: [
      { name: 'big', sizeBytes: 48 << 20, seed: 'faults/big' },
      { name: 'small', sizeBytes: 1 << 20, seed: 'faults/small' },
    ],
    images: [
      { repository: 'fault/big', tag: 'v1', layers: ['big'] },
      { repository: 'fault/small', tag: 'v1', layers: ['small'] },
    ],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'hound-faults-'));
  writeFileSync(path.join(dir, 'hosts.ini'), readFileSync(lab.inventory, 'utf8'));
  writeFileSync(
    path.join(dir, 'warmup.yml'),
    [
      '- name: warm up',
      '  hosts: nodes',
      '  gather_facts: false',
      '  tasks:',
      '    - name: pull the big image',
      '      image:',
      `        name: "{{ lab_registry }}/${BIG}"`,
      '',
    ].join('\n'),
  );
}, 300_000);

afterAll(async () => {
  for (const n of lab?.nodes ?? []) setLinkQuietly(n, 'up');
  if (lab) resumeRegistry();
  for (const m of mounted) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (lab) await labDown(labName);
  await releaseLab(labName);
}, 300_000);

beforeEach(async () => {
  await Promise.all(lab.nodes.map(emptyNode));
});

function resumeRegistry(): void {
  try {
    process.kill(lab.registry.pid, 'SIGCONT');
  } catch {
    // gone with the lab
  }
}

function setLinkQuietly(n: LabNodeInfo, state: 'up' | 'down'): void {
  try {
    setLink(n, state);
  } catch {
    // already gone with the lab
  }
}

const PLAY = ['play', '--distribution', 'direct', 'warmup.yml', '-i', 'hosts.ini', '--json'];
const resultsOf = (events: { event: string }[]) => new Map(events.filter((e): e is TaskResultEvent => e.event === 'task_result').map((e) => [e.host, e]));
const summaryOf = (events: { event: string }[]) => events.find((e): e is SummaryEvent => e.event === 'summary');

/** The rerun of the same command: exit 0, every node holds the image, nothing left to do on a third run. */
async function expectConverges(): Promise<void> {
  const again = await watchHound(PLAY, dir);
  expect(again.code, again.stdout + again.stderr).toBe(0);
  for (const n of lab.nodes) expect(await nodeTags(n, lab), n.name).toContain(BIG);
  const third = await watchHound(PLAY, dir);
  expect(third.code).toBe(0);
  for (const r of resultsOf(third.events).values()) expect(r.status, r.host).toBe('ok');
}

describe('faults during hound play', () => {
  it('a node unreachable from the start: the others finish, it is marked unreachable, exit 3; the rerun converges', async () => {
    setLink(node('node3'), 'down');
    let run;
    try {
      run = await watchHound([...PLAY, '-T', '3'], dir);
    } finally {
      setLink(node('node3'), 'up');
    }
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toBe('');
    const results = resultsOf(run.events);
    expect(results.get('node1')?.status).toBe('changed');
    expect(results.get('node2')?.status).toBe('changed');
    expect(results.get('node3')?.status).toBe('unreachable');
    expect(results.get('node3')?.msg).toMatch(/did not answer within 3 s|cannot reach/);
    expect(summaryOf(run.events)?.hosts.node3).toMatchObject({ unreachable: 1, ok: 0, changed: 0 });
    expect(await nodeTags(node('node1'), lab)).toContain(BIG);
    await expectConverges();
  });

  it('a link cut mid-pull: that node is unreachable (exit 3), the others finish; the rerun converges', async () => {
    let cut = false;
    const run = await watchHound(PLAY, dir, {
      onEvent: (e) => {
        if (!cut && isPullUnderWay(e, 'node2')) {
          cut = true;
          setLink(node('node2'), 'down');
        }
      },
    }).finally(() => setLink(node('node2'), 'up'));
    expect(cut, 'the pull on node2 was seen under way').toBe(true);
    expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(3);
    const results = resultsOf(run.events);
    expect(results.get('node2')).toMatchObject({ status: 'unreachable' });
    expect(results.get('node2')!.msg).toMatch(/connection (dropped|to .* is closed)/);
    expect(results.get('node1')?.status).toBe('changed');
    expect(results.get('node3')?.status).toBe('changed');
    await expectConverges();
  });

  it("dockerd killed mid-pull: that host failed with Docker's reason (exit 2), the others unaffected; the rerun converges", async () => {
    let killed = false;
    const run = await watchHound(PLAY, dir, {
      onEvent: (e) => {
        if (!killed && isPullUnderWay(e, 'node1')) {
          killed = true;
          killDaemon(dockerdPid.get('node1')!);
        }
      },
    });
    expect(killed).toBe(true);
    dockerdPid.set('node1', await restartDockerd(lab, node('node1')));
    expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(2);
    const results = resultsOf(run.events);
    expect(results.get('node1')?.status).toBe('failed');
    // The reason as the node gave it, naming the host and the image, not a bare "aborted".
    expect(results.get('node1')!.msg).toMatch(/node1/);
    expect(results.get('node1')!.msg).toContain(BIG);
    expect(results.get('node2')?.status).toBe('changed');
    expect(results.get('node3')?.status).toBe('changed');
    await expectConverges();
  });

  it('a registry that stops answering mid-pull: stalled pulls are cut after the stall timeout (time without progress, not total time); the rerun converges', async () => {
    let frozen = false;
    const run = await watchHound(
      PLAY,
      dir,
      {
        onEvent: (e) => {
          if (!frozen && isPullUnderWay(e, 'node1')) {
            frozen = true;
            // The registry process stops dead: connections stay open, no byte comes.
            process.kill(lab.registry.pid, 'SIGSTOP');
          }
        },
      },
      { HOUND_STALL_TIMEOUT: '8' },
    ).finally(resumeRegistry);
    expect(frozen).toBe(true);
    expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(2);
    const results = resultsOf(run.events);
    expect(results.get('node1')?.status).toBe('failed');
    // The stall is detected by lack of progress, also while Docker has not answered yet (a pull
    // that starts while the registry is frozen waits on its manifest, silently). Had Docker
    // given up first, its words for it are any of Go's timeout wordings.
    const timedOut =
      /made no progress pulling \S+fault\/big:v1 for \d+ s; gave up|could not pull \S+fault\/big:v1: .*(context deadline exceeded|Client\.Timeout|i\/o timeout|TLS handshake timeout|request canceled|[Tt]imeout)/;
    expect(results.get('node1')!.msg).toMatch(/Docker on node1 /);
    expect(results.get('node1')!.msg).toMatch(timedOut);
    expect(results.get('node1')!.msg).toMatch(/gave up after 3 attempts/);
    // Every node either finished before the freeze or stalled the same way; none hung.
    for (const name of ['node2', 'node3']) {
      const r = results.get(name)!;
      if (r.status !== 'changed') expect(r.msg, name).toMatch(timedOut);
    }
    await expectConverges();
  });

  it('Ctrl-C mid-pull: in-flight pulls cancelled, a recap printed, exit 99; a second run completes the job', async () => {
    let interrupted = false;
    const run = await watchHound(['play', '--distribution', 'direct', 'warmup.yml', '-i', 'hosts.ini', '--reporter', 'plain', '-vvv'], dir, {
      onLine: (line, child) => {
        // -vvv prints Docker's pull progress lines; "Downloading" on node2 means bytes are flowing.
        if (!interrupted && /^docker node2: pull .*: Downloading/.test(line)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(interrupted, run.stdout.slice(-3000)).toBe(true);
    expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(99);
    expect(run.stdout).toMatch(/PLAY RECAP/);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    // Cancelled, not left running: no node finished the 48 MB pull in the moment after Ctrl-C.
    const holding = await Promise.all(lab.nodes.map(async (n) => (await nodeTags(n, lab)).includes(BIG)));
    expect(holding.filter(Boolean).length).toBeLessThan(lab.nodes.length);
    await expectConverges();
  });

  it('a full disk on a node: refused with the host and the space needed; the others finish; the rerun after freeing space converges', async () => {
    const n = node('node3');
    const dataRoot = nodePathsOf(lab.dir, n.name).dataRoot;
    // A 24 MiB filesystem as node3's Docker data root: too small for the 48 MB image. Both
    // daemons restart so that Docker and the node's shell (hound's df) see the new mount.
    const remount = async (action: () => void) => {
      killDaemon(dockerdPid.get(n.name)!);
      await waitGone(dockerdPid.get(n.name)!);
      action();
      dockerdPid.set(n.name, await restartDockerd(lab, n));
      sshdPid.set(n.name, await restartSshd(lab, n, sshdPid.get(n.name)!));
    };
    await remount(() => {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dataRoot]);
      mounted.push(dataRoot);
    });
    const run = await watchHound(PLAY, dir);
    expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(2);
    const results = resultsOf(run.events);
    expect(results.get('node3')?.status).toBe('failed');
    // Refused up front by the free-space check, or (if Docker's own writes fill it) NODE_DISK_FULL:
    // either way the host, what the image needs and what is free.
    const msg = results.get('node3')!.msg;
    expect(msg).toMatch(/node3(: not enough disk space| ran out of disk space)/);
    expect(msg).toMatch(/48\.0 MiB compressed/);
    expect(msg).toMatch(/\d+(\.\d+)? (KiB|MiB|B) (is )?free/);
    expect(results.get('node1')?.status).toBe('changed');
    expect(results.get('node2')?.status).toBe('changed');

    await remount(() => {
      execFileSync('umount', [dataRoot]);
      mounted.splice(mounted.indexOf(dataRoot), 1);
    });
    await expectConverges();
  });
});
