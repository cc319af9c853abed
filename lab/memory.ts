// How much memory a lab node holds: every process in its network namespace (sshd, the
// runtime's daemon, shims, containers, sessions), by RSS and by PSS. RSS counts the pages
// that nodes share (the same dockerd or containerd binary, mapped by every node) once per
// process; PSS divides each shared page among the processes mapping it, so the PSS of all
// nodes adds up to what they take from the machine. Scale (100 nodes on one box) is a PSS
// question.
import { readFile } from 'node:fs/promises';

export interface ProcessMemory {
  pid: number;
  name: string;
  rssBytes: number;
  pssBytes: number;
}

export interface NodeMemory {
  rssBytes: number;
  pssBytes: number;
  processes: ProcessMemory[];
}

/** The `Rss:` and `Pss:` lines of /proc/PID/smaps_rollup, in bytes. */
export function parseSmapsRollup(text: string): { rssBytes: number; pssBytes: number } {
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rssBytes: kib('Rss'), pssBytes: kib('Pss') };
}

async function processMemory(pid: number): Promise<ProcessMemory | undefined> {
  try {
    const [rollup, comm] = await Promise.all([readFile(`/proc/${pid}/smaps_rollup`, 'utf8'), readFile(`/proc/${pid}/comm`, 'utf8')]);
    return { pid, name: comm.trim(), ...parseSmapsRollup(rollup) };
  } catch {
    return undefined; // exited while we looked
  }
}

/** What `pids` (a node's processes, see processesByNetns) hold. */
export async function memoryOf(pids: number[]): Promise<NodeMemory> {
  const processes = (await Promise.all(pids.map(processMemory))).filter((p): p is ProcessMemory => p !== undefined);
  return {
    rssBytes: processes.reduce((s, p) => s + p.rssBytes, 0),
    pssBytes: processes.reduce((s, p) => s + p.pssBytes, 0),
    processes,
  };
}
