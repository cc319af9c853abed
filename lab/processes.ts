// Finding and stopping what a lab left running. A daemon's pid in lab.json is not enough
// after a crash (lab.json may be missing, dockerd has children), so the lab's processes are
// also found by namespace and by any mention of the lab dir in their command line.
import { readFileSync } from 'node:fs';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

// A killed daemon whose parent has not reaped it yet still answers kill(pid, 0).
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z';
  } catch {
    return true;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** This process and its ancestors: a shell that ran `hound lab down DIR` must survive it. */
function selfAndAncestors(): Set<number> {
  const chain = new Set<number>();
  for (let pid = process.pid; pid > 1 && !chain.has(pid); pid = parentOf(pid)) chain.add(pid);
  return chain;
}

async function allPids(): Promise<number[]> {
  const exclude = selfAndAncestors();
  const entries = await readdir('/proc');
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => !exclude.has(p));
}

/** Inode of the network namespace a named netns file refers to, if the file exists. */
async function netnsInode(netns: string): Promise<number | undefined> {
  try {
    return (await stat(`/var/run/netns/${netns}`)).ino;
  } catch {
    return undefined;
  }
}

/** Processes inside any of the namespaces, or whose command line mentions `dir`. */
export async function findLabProcesses(dir: string, namespaces: string[]): Promise<number[]> {
  const inodes = new Set<number>();
  for (const ns of namespaces) {
    const ino = await netnsInode(ns);
    if (ino !== undefined) inodes.add(ino);
  }
  const found: number[] = [];
  for (const pid of await allPids()) {
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (cmdline.includes(dir + '/') || cmdline.trimEnd().endsWith(dir)) {
        found.push(pid);
        continue;
      }
      if (inodes.size > 0) {
        const link = await readlink(`/proc/${pid}/ns/net`);
        const m = /\[(\d+)\]/.exec(link);
        if (m && inodes.has(Number(m[1]))) found.push(pid);
      }
    } catch {
      // the process exited while we looked
    }
  }
  return found.filter(isAlive);
}

/**
 * The live processes in each of the network namespaces (a node's: its daemons and what they
 * started), in one pass over /proc however many namespaces are asked for.
 */
export async function processesByNetns(netnses: string[]): Promise<Map<string, number[]>> {
  const byInode = new Map<string, string>();
  for (const netns of netnses) {
    const ino = await netnsInode(netns);
    if (ino !== undefined) byInode.set(`net:[${ino}]`, netns);
  }
  const found = new Map<string, number[]>(netnses.map((n) => [n, []]));
  if (byInode.size === 0) return found;
  for (const pid of await allPids()) {
    try {
      const netns = byInode.get(await readlink(`/proc/${pid}/ns/net`));
      if (netns !== undefined && isAlive(pid)) found.get(netns)!.push(pid);
    } catch {
      // the process exited while we looked
    }
  }
  return found;
}

export async function processesInNetns(netns: string): Promise<number[]> {
  return (await processesByNetns([netns])).get(netns) ?? [];
}

/** SIGTERM, then SIGKILL whatever is still alive after `graceMs`; resolves once all are gone. */
export async function stopProcesses(pids: number[], graceMs = 3000): Promise<number[]> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(50);
  if (pids.some(isAlive)) {
    signal('SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (Date.now() < killDeadline && pids.some(isAlive)) await sleep(50);
  }
  return pids.filter(isAlive);
}
