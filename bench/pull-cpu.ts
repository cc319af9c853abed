// The machine's CPU bound for the benchmark (issue #20's target is "within 1.5× of the larger
// of the network bound and this machine's CPU bound"): a runtime's own pull processing
// (decompressing, hashing, writing layers) costs CPU per byte, and on the lab every node's
// runtime runs on this machine's cores. Measured once per benchmark and runtime, before the
// matrix: one node pulls every image of the run through its own runtime (no contender
// involved), and the CPU of the process tree that did the work is read from /proc: dockerd
// and everything it started (its containerd, unpigz, its re-executions applying layers);
// containerd (the CRI pulls inside it); on podman, which has no daemon, the node's sshd, whose
// sessions run each `podman pull`, less as many sessions running `true` (a session's own
// set-up took 66–73 ms of the node's CPU on the lab, 13 % of a 33 MB pull's measure).
import { readdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { LabInfo, LabNodeInfo } from '../lab/info.js';
import type { LabRuntime } from '../lab/runtimes.js';
import { describeFailure, runCommand } from './command-run.js';
import { sshArgv } from './lab-nodes.js';
import { emptyNodeOf, pullOnNodeOf } from './runtime-node-images.js';

export interface PullCpu {
  /** The node measured. */
  node: string;
  /** Its runtime (older results: Docker's). */
  runtime?: LabRuntime;
  /** The machine's cores, which every node's dockerd shares. */
  cores: number;
  /** CPU seconds of the node's runtime's process tree while pulling. */
  cpuSeconds: number;
  /** Compressed bytes the pulls fetched (the distinct layers' blobs). */
  bytes: number;
  secondsPerByte: number;
}

/** /proc/PID/stat fields 14–17 (utime, stime, cutime, cstime) in clock ticks, and the parent pid. */
function parseStat(text: string): { ppid: number; ticks: number } {
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [ppid, utime, stime, cutime, cstime] = [fields[1], fields[11], fields[12], fields[13], fields[14]].map(Number);
  return { ppid, ticks: utime + stime + cutime + cstime };
}

/** CPU ticks used so far by `root` and all its descendants (children reaped by them count through cutime/cstime). */
async function treeTicks(root: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (text !== undefined) stats.set(Number(entry), parseStat(text));
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = stats.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks;
}

function clockTicksPerSecond(): number {
  const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return value > 0 ? value : 100;
}

/** The process whose tree does a node's pulls (see the top of this file). */
function pullRoot(node: LabNodeInfo): number {
  const pid = node.runtime === 'docker' ? node.pids.dockerd : node.runtime === 'containerd' ? node.pids.containerd : node.pids.sshd;
  if (pid === undefined) throw new Error(`${node.name} (${node.runtime}) lists no pid for its runtime: is its lab up?`);
  return pid;
}

/** Pulls `refs` on `node` (emptied first and afterwards) and returns its runtime's CPU per byte. */
export async function measurePullCpu(lab: LabInfo, node: LabNodeInfo, refs: readonly string[], bytes: number): Promise<PullCpu> {
  const root = pullRoot(node);
  await emptyNodeOf(lab, node);
  const hz = clockTicksPerSecond();
  const before = await treeTicks(root);
  for (const ref of refs) await pullOnNodeOf(lab, node, ref);
  let ticks = (await treeTicks(root)) - before;
  if (node.runtime === 'podman') {
    const sessionsFrom = await treeTicks(root);
    for (let i = 0; i < refs.length; i++) {
      const result = await runCommand(sshArgv(lab, node, ['true']));
      if (result.code !== 0) throw new Error(`${node.name}: ${describeFailure('true', result)}`);
    }
    ticks -= (await treeTicks(root)) - sessionsFrom;
  }
  const cpuSeconds = Math.max(0, ticks) / hz;
  await emptyNodeOf(lab, node);
  return { node: node.name, runtime: node.runtime, cores: os.cpus().length, cpuSeconds, bytes, secondsPerByte: bytes > 0 ? cpuSeconds / bytes : 0 };
}
