// The most file descriptors a contender's processes held open, sampled from /proc while it
// runs (issue #20 asks for hound's open descriptors at 100 nodes: each SSH connection is one,
// and a process's soft limit is often 1024). Like GNU time's peak RSS, the figure is that of
// the largest process of the tree: hound's own, not GNU time's around it.
import { readdir, readFile } from 'node:fs/promises';

/** How often the tree is read: a run's descriptors rise as its connections open and stay open. */
const SAMPLE_EVERY_MS = 200;

/** The pids below `pid` (its children, theirs, ...), from /proc/PID/task/TID/children. */
async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const tasks = await readdir(`/proc/${next}/task`).catch(() => [] as string[]);
    for (const tid of tasks) {
      const text = await readFile(`/proc/${next}/task/${tid}/children`, 'utf8').catch(() => '');
      for (const child of text.split(/\s+/).filter((s) => s !== '')) {
        found.push(Number(child));
        queue.push(Number(child));
      }
    }
  }
  return found;
}

async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])).length;
}

export interface FdWatch {
  /** Stops sampling; the peak, or undefined when no sample saw a process. */
  stop(): Promise<number | undefined>;
}

/** Samples the processes under `rootPid` (not itself: GNU time) until stopped. */
export function watchPeakFds(rootPid: number, everyMs = SAMPLE_EVERY_MS): FdWatch {
  let peak: number | undefined;
  let stopped = false;
  const sample = async () => {
    for (const pid of await descendants(rootPid)) {
      const fds = await openFds(pid);
      if (fds > 0) peak = Math.max(peak ?? 0, fds);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return peak;
    },
  };
}
