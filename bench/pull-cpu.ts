// The machine's CPU bound for the benchmark (issue #20's target is "within 1.5× of the larger
// of the network bound and this machine's CPU bound"): Docker's own pull processing
// (decompressing, hashing, writing layers) costs CPU per byte, and on the lab every node's
// dockerd runs on this machine's cores. Measured once per benchmark, before the matrix: one
// node pulls every image of the run through its own socket (no contender involved), and the
// CPU its dockerd and everything dockerd started (containerd, unpigz) used is read from /proc.
import { readdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { LabNodeInfo } from '../lab/info.js';
import { emptyNode, pullOnNode } from './node-images.js';

export interface PullCpu {
  /** The node measured. */
  node: string;
  /** The machine's cores, which every node's dockerd shares. */
  cores: number;
  /** CPU seconds of the node's dockerd tree while pulling. */
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

/** Pulls `refs` on `node` (emptied first and afterwards) and returns its dockerd tree's CPU per byte. */
export async function measurePullCpu(node: LabNodeInfo, refs: readonly string[], bytes: number): Promise<PullCpu> {
  const dockerd = node.pids.dockerd;
  if (dockerd === undefined) throw new Error(`${node.name} runs no dockerd: the CPU bound is measured on a Docker node`);
  await emptyNode(node);
  const hz = clockTicksPerSecond();
  const before = await treeTicks(dockerd);
  for (const ref of refs) await pullOnNode(node, ref);
  const cpuSeconds = ((await treeTicks(dockerd)) - before) / hz;
  await emptyNode(node);
  return { node: node.name, cores: os.cpus().length, cpuSeconds, bytes, secondsPerByte: bytes > 0 ? cpuSeconds / bytes : 0 };
}
