// A brief measure of the links `distribution: auto` weighs, when the inventory does not state
// them (hound_registry_rate, …): bounded in time and bytes, and never more than the run
// would do anyway, through connections the run holds anyway.
//
// - The origin: the controller reads the first bytes of the run's largest layer, as the
//   relay would fetch it (its route, its mirror), for a short window. That is the origin's
//   rate as the controller sees it: the registry's uplink, unless the controller's own link
//   is slower.
// - The node links: hound sends bytes through one node's SSH connection, the way relayed
//   layers go (SSH channel data, encrypted in hound's one thread), and the node counts what
//   arrives in a window on its own clock (`timeout … cat | wc -c`).
// - The controller's link: the same, to a few nodes at once; what they receive together.
//   When they receive each at the lone node's rate, the controller's link was not filled
//   and its rate is a lower bound (said so in the reason).
// - hound's CPU: its CPU time per byte over those sends. The relay's own work per byte
//   (fetch, hash, serve, encrypt for SSH) measured about the same on the lab as the probe's
//   figure, which also carries the probe's fixed costs (docs/distribution.md, "auto"), so it
//   is taken as the relay's: what hound's CPU can relay is its inverse. That is CPU time;
//   how long hound waited for a CPU during the origin read (Linux's schedstat) is reported
//   at -v, not weighed: on a loaded machine a link-bound read waits as much (see
//   docs/distribution.md).
// - Whether the nodes run on the controller's own kernel (the same boot id): then they and
//   hound share one machine's CPUs, as on `hound lab`, and fan-out's seeds (a registry on a
//   node, fed a second copy of every layer) take CPU the pulls need; auto does not fan out there.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { HostConnection } from '../transport/types.js';
import type { LinkRates } from './distribution-model.js';
import { LinkProbeError } from './errors.js';

export interface LinkProbeLimits {
  /** Bytes the origin probe reads at most. */
  originBytes: number;
  /** Bytes sent to the lone node, and to each node of the group, at most. */
  nodeBytes: number;
  /** Nodes probed at once for the controller's link. */
  groupNodes: number;
  /** The window each measure runs for, after its first bytes. */
  windowMs: number;
  /** Each step fails past this (connect, auth, a node that does not answer). */
  stepTimeoutMs: number;
}

export const DEFAULT_PROBE_LIMITS: LinkProbeLimits = {
  originBytes: 4_000_000,
  nodeBytes: 1_500_000,
  groupNodes: 8,
  windowMs: 500,
  stepTimeoutMs: 5_000,
};

export interface LinkProbeTargets {
  /** Opens the origin's largest needed blob as the relay would fetch it, bound to the signal. */
  openOriginBlob(signal: AbortSignal): Promise<Readable>;
  /** The nodes that pull, each opening (or handing over) its connection; the first is probed alone. At least two. */
  nodes: Array<() => Promise<HostConnection>>;
}

export interface LinkProbe {
  rates: LinkRates;
  /** The controller's rate is a lower bound: the nodes probed at once did not fill its link. */
  controllerAtLeast: boolean;
  /** Bytes the probe moved (origin and nodes). */
  bytes: number;
  /** hound's CPU time per byte it sent the nodes at once (what relayCpu is derived from). */
  cpuSecondsPerByte: number;
  /** Every probed node runs on the controller's own kernel (its boot id): they share the controller's CPUs. */
  nodesOnController: boolean;
  /** Share of the origin read hound spent waiting for a CPU (undefined where the OS does not say); reported, not weighed. */
  originCpuWait?: number;
  seconds: number;
}

export async function probeLinks(targets: LinkProbeTargets, limits: LinkProbeLimits = DEFAULT_PROBE_LIMITS): Promise<LinkProbe> {
  const started = performance.now();
  if (targets.nodes.length < 2) throw new LinkProbeError('needs two nodes');
  const origin = await withDeadline(limits.stepTimeoutMs, 'the origin', (signal) => probeOrigin(targets, limits, signal));
  const group = await withDeadline(limits.stepTimeoutMs, "the nodes' connections", () =>
    Promise.all(targets.nodes.slice(0, limits.groupNodes).map((connect) => connect())),
  );
  const nodesOnController = await withDeadline(limits.stepTimeoutMs, "the nodes' boot ids", () => onControllerKernel(group));
  const payload = randomBytes(limits.nodeBytes);
  const alone = await probeNode(group[0], payload, limits);
  const cpuBefore = process.cpuUsage();
  const together = await Promise.all(group.map((node) => probeNode(node, payload, limits)));
  const cpu = process.cpuUsage(cpuBefore);
  const groupBytes = together.reduce((sum, t) => sum + t.bytes, 0);
  const controllerLink = together.reduce((sum, t) => sum + t.rate, 0);
  // A node of the group faster than the lone one: the lone measure was held back (a busy
  // moment), not the link.
  const nodeLink = Math.max(alone.rate, ...together.map((t) => t.rate));
  // Not filled: the nodes together got about what each gets alone.
  const controllerAtLeast = controllerLink >= 0.8 * group.length * nodeLink;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rates: LinkRates = { registryUplink: origin.rate, controllerLink, nodeLink };
  const cpuSecondsPerByte = cpuSeconds / Math.max(1, groupBytes);
  if (cpuSeconds > 0) rates.relayCpu = 1 / cpuSecondsPerByte;
  return {
    rates,
    controllerAtLeast,
    nodesOnController,
    cpuSecondsPerByte,
    originCpuWait: origin.cpuWait,
    bytes: origin.bytes + alone.bytes + groupBytes,
    seconds: (performance.now() - started) / 1000,
  };
}

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

/** True when every node reports the controller's boot id (Linux; elsewhere, or unreadable, false). */
async function onControllerKernel(nodes: readonly HostConnection[]): Promise<boolean> {
  let own: string;
  try {
    own = readFileSync(BOOT_ID, 'utf8').trim();
  } catch {
    return false;
  }
  const ids = await Promise.all(nodes.map(async (node) => (await node.exec(`cat ${BOOT_ID}`, { shownAs: 'link probe: boot id' })).stdout.trim()));
  return own !== '' && ids.every((id) => id === own);
}

interface Measure {
  /** Bytes per second. */
  rate: number;
  /** Bytes moved, warm-up included. */
  bytes: number;
}

/** Nanoseconds this thread has waited for a CPU so far (Linux's schedstat), or undefined where the OS does not say. */
function cpuWaitNs(): number | undefined {
  try {
    const wait = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the blob for a window from its first bytes (so the request's set-up is not counted). */
async function probeOrigin(targets: LinkProbeTargets, limits: LinkProbeLimits, signal: AbortSignal): Promise<Measure & { cpuWait?: number }> {
  const body = await targets.openOriginBlob(signal);
  let bytes = 0;
  let first: { at: number; bytes: number } | undefined;
  let last = 0;
  let waitAtFirst: number | undefined;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const now = performance.now();
      bytes += chunk.length;
      last = now;
      if (!first) {
        first = { at: now, bytes: chunk.length };
        waitAtFirst = cpuWaitNs();
        continue;
      }
      if (bytes >= limits.originBytes || now - first.at >= limits.windowMs) break;
    }
  } finally {
    body.destroy();
  }
  if (!first) throw new LinkProbeError('the origin sent nothing');
  const seconds = Math.max(0.001, (last - first.at) / 1000);
  const waitAtLast = cpuWaitNs();
  const cpuWait = waitAtFirst !== undefined && waitAtLast !== undefined && last > first.at ? (waitAtLast - waitAtFirst) / 1e9 / seconds : undefined;
  if (bytes === first.bytes) return { rate: bytes / seconds, bytes, cpuWait };
  return { rate: (bytes - first.bytes) / seconds, bytes, cpuWait };
}

/** Bytes the node reads before it starts counting: the stream reaches its pace. */
const WARM_UP_BYTES = 131_072;

/**
 * Sends `payload` through the node's SSH connection once the node is reading (so nothing
 * piles up in sshd's buffers first and arrives all at once). The node discards a warm-up,
 * then counts what arrives in the window on its own clock; when the payload runs out first,
 * the controller times it from sending to the count.
 */
async function probeNode(connection: HostConnection, payload: Buffer, limits: LinkProbeLimits): Promise<Measure> {
  const seconds = (limits.windowMs / 1000).toFixed(3);
  const command = `echo ready && head -c ${WARM_UP_BYTES} >/dev/null && echo go && timeout ${seconds} cat | wc -c`;
  return withDeadline(limits.stepTimeoutMs, `node ${connection.host}`, async (signal) => {
    const running = await connection.spawn(command, { shownAs: 'link probe' });
    signal.addEventListener('abort', () => running.kill(), { once: true });
    // The node stops reading after its window: what is still unsent is dropped.
    running.stdin.on('error', () => undefined);
    let out = '';
    let sentAt: number | undefined;
    running.stdout.on('data', (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (!before.includes('ready\n') && out.includes('ready\n')) {
        sentAt = performance.now();
        running.stdin.end(payload);
      }
    });
    let stderr = '';
    running.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = await running.done;
    const endAt = performance.now();
    if (signal.aborted) throw new LinkProbeError(`node ${connection.host} did not answer in time`);
    const count = /ready\ngo\n\s*(\d+)\s*$/.exec(out);
    if (done.code !== 0 || !count || sentAt === undefined) {
      throw new LinkProbeError(`node ${connection.host}: the probe command failed (${(stderr.trim().split('\n')[0] ?? '') || `exit ${done.code}`})`);
    }
    const counted = Number(count[1]);
    if (counted < payload.length - WARM_UP_BYTES) return { rate: counted / (limits.windowMs / 1000), bytes: WARM_UP_BYTES + counted };
    // The payload ran out within the window: all of it in the time from sending to the
    // count, which also holds a round trip and the node's commands starting, so a lower
    // bound (the node's words may come back in one piece, so nothing finer is timed).
    return { rate: payload.length / Math.max(0.001, (endAt - sentAt) / 1000), bytes: payload.length };
  });
}

async function withDeadline<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new LinkProbeError(`${what} did not answer within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
