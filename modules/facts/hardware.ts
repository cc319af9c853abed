// The hardware facts of ansible-core 2.14's LinuxHardware collector that come from /proc and
// statvfs: memory (memtotal_mb, memfree_mb, swap, memory_mb), processors (processor,
// processor_count, processor_cores, processor_threads_per_core, processor_vcpus,
// processor_nproc), uptime_seconds and mounts. Devices, DMI and LVM are not gathered.
import type { Facts } from './distribution.js';

const ORIGINAL_MEMORY_FACTS = new Set(['MemTotal', 'SwapTotal', 'MemFree', 'SwapFree']);
const MEMORY_FACTS = new Set(['MemTotal', 'SwapTotal', 'MemFree', 'SwapFree', 'Buffers', 'Cached', 'SwapCached']);

export function memoryFacts(meminfo: string): Facts {
  const facts: Facts = {};
  const stats: Record<string, number> = {};
  for (const line of meminfo.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = Math.floor(
      parseInt(
        line
          .slice(colon + 1)
          .trim()
          .split(' ')[0],
        10,
      ) / 1024,
    );
    if (ORIGINAL_MEMORY_FACTS.has(key)) facts[`${key.toLowerCase()}_mb`] = value;
    if (MEMORY_FACTS.has(key)) stats[key.toLowerCase()] = value;
  }
  const has = (...keys: string[]) => keys.every((k) => stats[k] !== undefined);
  const nocacheFree = has('cached', 'memfree', 'buffers') ? stats.cached + stats.memfree + stats.buffers : undefined;
  facts.memory_mb = {
    real: { total: stats.memtotal ?? null, used: has('memtotal', 'memfree') ? stats.memtotal - stats.memfree : null, free: stats.memfree ?? null },
    nocache: { free: nocacheFree ?? null, used: stats.memtotal !== undefined && nocacheFree !== undefined ? stats.memtotal - nocacheFree : null },
    swap: {
      total: stats.swaptotal ?? null,
      free: stats.swapfree ?? null,
      used: has('swaptotal', 'swapfree') ? stats.swaptotal - stats.swapfree : null,
      cached: stats.swapcached ?? null,
    },
  };
  return facts;
}

/** get_cpu_facts, including its quirks (a `core id` line records a core only before any `physical id`). */
export function cpuFacts(cpuinfo: string, options: { architecture: string; xen: boolean; affinity?: number }): Facts {
  const processor: string[] = [];
  let i = 0;
  let vendorIds = 0;
  let modelNames = 0;
  let processors = 0;
  let physid = '0';
  let coreid = '0';
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  let xenParavirt = false;
  let coresFromSparc: number | undefined;
  for (const line of cpuinfo.split('\n')) {
    const colon = line.indexOf(':');
    const key = (colon < 0 ? line : line.slice(0, colon)).trim();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (options.xen && key === 'flags' && !value.split(/\s+/).includes('vme')) xenParavirt = true;
    if (['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor'].includes(key)) {
      processor.push(value);
      if (key === 'vendor_id') vendorIds++;
      if (key === 'model name') modelNames++;
      if (key === 'processor') processors++;
      i++;
    } else if (key === 'physical id') {
      physid = value;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === 'core id') {
      coreid = value;
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === 'cpu cores') sockets.set(physid, parseInt(value, 10));
    else if (key === 'siblings') cores.set(coreid, parseInt(value, 10));
    else if (key === '# processors') coresFromSparc = parseInt(value, 10);
    else if (key === 'ncpus active') i = parseInt(value, 10);
  }
  if (vendorIds > 0 && vendorIds === modelNames) i = vendorIds;
  if (/^(armv|aarch|ppc)/.test(options.architecture)) i = processors;
  const facts: Facts = { processor };
  if (coresFromSparc !== undefined) facts.processor_cores = coresFromSparc;
  if (options.architecture === 's390x') return facts;
  if (xenParavirt) {
    Object.assign(facts, { processor_count: i, processor_cores: i, processor_threads_per_core: 1, processor_vcpus: i });
    return facts;
  }
  facts.processor_count = sockets.size > 0 ? sockets.size : i;
  const firstSocket = [...sockets.values()][0];
  facts.processor_cores = firstSocket ? firstSocket : 1;
  const firstCore = [...cores.values()][0];
  facts.processor_threads_per_core =
    firstCore !== undefined ? Math.floor(firstCore / Number(facts.processor_cores)) : Math.floor(1 / Number(facts.processor_cores));
  facts.processor_vcpus = Number(facts.processor_threads_per_core) * Number(facts.processor_count) * Number(facts.processor_cores);
  facts.processor_nproc = options.affinity ?? processors;
  return facts;
}

/** How many CPUs a Cpus_allowed_list ("0-3,8") names: what os.sched_getaffinity(0) counts. */
export function affinityCount(status: string): number | undefined {
  const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1];
  if (!list) return undefined;
  let n = 0;
  for (const range of list.trim().split(',')) {
    const [a, b] = range.split('-').map(Number);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}

export function uptimeFacts(uptime: string | undefined): Facts {
  const seconds = parseFloat(uptime ?? '');
  return Number.isFinite(seconds) ? { uptime_seconds: Math.floor(seconds) } : {};
}

/** `\040` and other octal escapes of /proc/mounts, decoded. */
function unescapeOctal(field: string): string {
  return field.replace(/\\[0-7]{3}/g, (m) => String.fromCharCode(parseInt(m.slice(1), 8)));
}

export interface MountInputs {
  mtab: string;
  /** findmnt --list --noheadings --notruncate */
  findmnt: string;
  /** lsblk --list --noheadings --paths --output NAME,UUID */
  lsblk: string;
  /** stat -f -c '%S %s %b %a %f %c %d %n' of the mounts. */
  statvfs: string;
}

/** get_mount_facts: one entry per mount point (a later line for the same point wins), in mtab order (Ansible's is the order its threads finish in). */
export function mountFacts(inputs: MountInputs): Facts {
  const bindMounts = new Set<string>();
  for (const line of inputs.findmnt.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 2 && fields[1].includes(']')) bindMounts.add(fields[0]);
  }
  const uuids = new Map<string, string>();
  for (const line of inputs.lsblk.split('\n')) {
    // Python's rsplit(None, 1): the last word is the UUID; the first line for a device wins.
    const m = /^(.*\S)\s+(\S+)$/.exec(line.trim());
    if (m && !uuids.has(m[1])) uuids.set(m[1], m[2]);
  }
  const sizes = new Map<string, Facts>();
  for (const line of inputs.statvfs.split('\n')) {
    const m = /^(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [frsize, bsize, blocks, bavail, , files, ffree] = m.slice(1, 8).map(Number);
    sizes.set(m[8], {
      size_total: frsize * blocks,
      size_available: frsize * bavail,
      block_size: bsize,
      block_total: blocks,
      block_available: bavail,
      block_used: blocks - bavail,
      inode_total: files,
      // Linux's statvfs gives f_favail = f_ffree.
      inode_available: ffree,
      inode_used: files - ffree,
    });
  }
  const byMount = new Map<string, Facts>();
  for (const line of inputs.mtab.split('\n')) {
    const raw = line.split(/\s+/).filter((f) => f !== '');
    if (raw.length < 4) continue;
    const [device, mount, fstype, options] = raw.map(unescapeOctal);
    if ((!device.startsWith('/') && !device.startsWith('\\') && !device.includes(':/')) || fstype === 'none') continue;
    const info: Facts = { mount, device, fstype, options };
    if (bindMounts.has(mount) && !/.*bind.*"/.test(options)) info.options = `${options},bind`;
    Object.assign(info, sizes.get(mount) ?? {});
    info.uuid = uuids.get(device) ?? 'N/A';
    // As a Python dict: a mount point seen again keeps its place and takes the later line.
    byMount.set(mount, info);
  }
  return { mounts: [...byMount.values()] };
}
