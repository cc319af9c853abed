// The whole machine's CPU over one run, from /proc/stat: on the lab every node's daemons, their
// sshd and hound share the same cores, so a run that kept them busy all along could not have
// been faster on this machine, whatever the network allowed. Busy is everything but idle and
// iowait; the figure counts all work on the machine (the load average says when others ran).
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** CPU time so far, summed over all cores, in clock ticks. */
export interface CpuTicks {
  busy: number;
  total: number;
}

/** Linux's USER_HZ: /proc/stat counts in it, and it is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** The aggregate `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal …). */
export function parseProcStat(text: string): CpuTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  // guest and guest_nice (fields 9 and 10) are already inside user and nice.
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export async function readCpuTicks(): Promise<CpuTicks> {
  return parseProcStat(await readFile('/proc/stat', 'utf8'));
}

/** What a run kept busy: its CPU seconds, and their share of every core over its wall time. */
export interface MachineCpu {
  busySeconds: number;
  /** busy / (cores × wall time): 1 means no core was ever idle during the run. */
  busyShare: number;
  cores: number;
}

export function machineCpuOver(before: CpuTicks, after: CpuTicks, cores = os.cpus().length): MachineCpu {
  const busy = after.busy - before.busy;
  const total = after.total - before.total;
  return { busySeconds: busy / TICKS_PER_SECOND, busyShare: total > 0 ? busy / total : 0, cores };
}
