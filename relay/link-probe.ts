// A brief measure of the links `distribution: auto` weighs, when the inventory does not state
// them (hound_registry_rate, …): bounded in time and bytes, and never more than the run
// would do anyway, through connections the run holds anyway.
//
// - The origin: the controller reads the first bytes of the run's largest layer, as the
//   relay would fetch it (its route, its mirror), for a short window. That is the origin's
//   rate as the controller sees it: the registry's uplink, unless the controller's own link
//   is slower. It is read twice, at the start and at the end, and the faster read counts:
//   anything else on the machine can only slow a read (at a 50-node run's start, the nodes'
//   start-up work held the first read to 0.8-1.2 MB/s of a 5 MB/s uplink, hound waiting
//   for a CPU longer than the read itself).
// - The node links: hound sends bytes through one node's SSH connection, the way relayed
//   layers go (SSH channel data, encrypted in hound's one thread), and the node counts what
//   arrives in a window on its own clock (`timeout … cat | wc -c`).
// - The controller's link: the same, to a few other nodes at once; what they receive together.
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
//   hound share one machine's CPUs, as on `hound lab`, and auto counts every node's pull
//   processing on those cores (relay/choose-distribution.ts).
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
  nodeBytes: 1_000_000,
  groupNodes: 8,
  windowMs: 300,
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
  /**
   * Each read of the origin, in order (the faster rate is registryUplink), with the share of
   * its time hound spent waiting for a CPU (undefined where the OS does not say).
   */
  originReads: Array<{ rate: number; cpuWait?: number }>;
  seconds: number;
}

export async function probeLinks(targets: LinkProbeTargets, limits: LinkProbeLimits = DEFAULT_PROBE_LIMITS): Promise<LinkProbe> {
  const started = performance.now();
  if (targets.nodes.length < 2) throw new LinkProbeError('needs two nodes');
  // The origin is read while the first node is measured alone: the origin's bytes come in
  // on the controller's link and the node's go out (each direction its own), on another
  // link than the node's. It ends before the nodes are measured together, so hound's CPU
  // over that step is the sends' alone.
  const originMeasure = withDeadline(limits.stepTimeoutMs, 'the origin', (signal) => probeOrigin(targets, limits, signal));
  // Awaited below; a failure here is not left unhandled while the nodes are measured.
  originMeasure.catch(() => undefined);
  // The lone node is left out of the group where there are nodes enough: what it was sent
  // and did not read in its window still crosses its link afterwards, ahead of anything
  // else on its SSH connection (0.6 s at 10 mbit), and the group need not wait for it.
  const probed = targets.nodes.slice(0, targets.nodes.length > 2 ? limits.groupNodes + 1 : 2);
  const connections = await withDeadline(limits.stepTimeoutMs, "the nodes' connections", () => Promise.all(probed.map((connect) => connect())));
  const group = connections.length > 2 ? connections.slice(1) : connections;
  const payload = randomBytes(limits.nodeBytes);
  const loneProbe = startNodeProbe(connections[0], limits);
  // The group's sessions start once the lone node's has (sessions starting at once take the
  // CPU: nine of them held its start 0.3 s on the lab), and wait for their input while the
  // lone node is measured. With two nodes, the group is both, and starts after.
  let groupProbes: NodeProbe[] | undefined;
  let alone: NodeMeasure;
  let origin: Awaited<typeof originMeasure>;
  try {
    await loneProbe.ready;
    if (group !== connections) groupProbes = group.map((node) => startNodeProbe(node, limits));
    alone = await loneProbe.measure(payload);
    origin = await originMeasure;
  } catch (err) {
    for (const probe of groupProbes ?? []) probe.cancel();
    throw err;
  }
  // Each node of the group is sent what a node half again as fast as the lone one reads in
  // the window, not the whole payload: the excess would cross the node's link after the
  // probe, ahead of the run's first pulls on the same connection.
  const groupPayload = payload.subarray(0, Math.min(payload.length, Math.ceil(WARM_UP_BYTES + 1.5 * alone.rate * (limits.windowMs / 1000))));
  const cpuBefore = process.cpuUsage();
  groupProbes ??= group.map((node) => startNodeProbe(node, limits));
  const together = await Promise.all(groupProbes.map((probe) => probe.measure(groupPayload)));
  const cpu = process.cpuUsage(cpuBefore);
  const groupBytes = together.reduce((sum, t) => sum + t.bytes, 0);
  // The second read of the origin, now that the nodes' sessions have started and sent; a
  // failure here keeps the first read.
  const again = await withDeadline(limits.stepTimeoutMs, 'the origin', (signal) => probeOrigin(targets, limits, signal)).catch(() => undefined);
  const originReads = again ? [origin, again] : [origin];
  const fastest = originReads.reduce((best, read) => (read.rate > best.rate ? read : best));
  // A node of the group faster than the lone one: the lone measure was held back (a busy
  // moment), not the link.
  const nodeLink = Math.max(alone.rate, ...together.map((t) => t.rate));
  // The controller was seen sending one node nodeLink, so its link is at least that. The
  // group's sum can fall below it: a node whose payload ran out in its window is timed to
  // its count (a lower bound that holds its command's end), and on a loaded machine those
  // ends came late enough that two such bounds summed to 0.87 of the lone node's rate.
  const groupRate = together.reduce((sum, t) => sum + t.rate, 0);
  const controllerLink = Math.max(nodeLink, groupRate);
  // Not filled: the nodes together got about what each gets alone.
  const controllerAtLeast = controllerLink >= 0.8 * group.length * nodeLink;
  const nodesOnController = onControllerKernel([alone.bootId, ...together.map((t) => t.bootId)]);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rates: LinkRates = { registryUplink: fastest.rate, controllerLink, nodeLink };
  const cpuSecondsPerByte = cpuSeconds / Math.max(1, groupBytes);
  if (cpuSeconds > 0) rates.relayCpu = 1 / cpuSecondsPerByte;
  return {
    rates,
    controllerAtLeast,
    nodesOnController,
    cpuSecondsPerByte,
    originReads: originReads.map((read) => ({ rate: read.rate, cpuWait: read.cpuWait })),
    bytes: originReads.reduce((sum, read) => sum + read.bytes, 0) + alone.bytes + groupBytes,
    seconds: (performance.now() - started) / 1000,
  };
}

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

/** True when every node reported the controller's boot id (Linux; elsewhere, or unreadable, false). */
function onControllerKernel(ids: ReadonlyArray<string | undefined>): boolean {
  let own: string;
  try {
    own = readFileSync(BOOT_ID, 'utf8').trim();
  } catch {
    return false;
  }
  return own !== '' && ids.every((id) => id === own);
}

interface Measure {
  /** Bytes per second. */
  rate: number;
  /** Bytes moved, warm-up included. */
  bytes: number;
}

interface NodeMeasure extends Measure {
  /** The node's kernel boot id, where it has one. */
  bootId?: string;
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

interface NodeProbe {
  /** The node's command has started and waits for its input. */
  ready: Promise<void>;
  /** Sends the payload once the node is reading; resolves to what the node counted. */
  measure(payload: Buffer): Promise<NodeMeasure>;
  /** Ends the command unsent (a probe given up before its measure). */
  cancel(): void;
}

/**
 * Starts the node's side of the measure: the command runs and waits for its input, so a
 * measure started later does not wait for the session to start (on a loaded machine about
 * 0.1-0.2 s, eight at once). Once sent, the node discards a warm-up, then counts what arrives
 * in the window on its own clock; when the payload runs out first, the controller times it
 * from sending to the count. Nothing is sent before the node reads (so nothing piles up in
 * sshd's buffers first and arrives all at once).
 */
function startNodeProbe(connection: HostConnection, limits: LinkProbeLimits): NodeProbe {
  const seconds = (limits.windowMs / 1000).toFixed(3);
  // The node's boot id comes first (nothing where it has none): whether it runs on the
  // controller's own kernel.
  const command = `cat ${BOOT_ID} 2>/dev/null; echo ready && head -c ${WARM_UP_BYTES} >/dev/null && echo go && timeout ${seconds} cat | wc -c`;
  // Two deadlines of a step each: the session's start, and the measure from its sending.
  let timer: NodeJS.Timeout | undefined;
  let failDeadline!: (err: Error) => void;
  const deadline = new Promise<never>((_, reject) => (failDeadline = reject));
  let stopCommand: (() => void) | undefined;
  let ended = false;
  const arm = (what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stopCommand?.();
      failDeadline(new LinkProbeError(`node ${connection.host} did not answer within ${limits.stepTimeoutMs / 1000} s (${what})`));
    }, limits.stepTimeoutMs);
  };
  let payloadGiven!: (payload: Buffer) => void;
  const payloadReady = new Promise<Buffer>((resolve) => (payloadGiven = resolve));
  let readySeen!: () => void;
  const ready = new Promise<void>((resolve) => (readySeen = resolve));
  arm('starting its probe');
  const work = (async (): Promise<NodeMeasure> => {
    const running = await connection.spawn(command, { shownAs: 'link probe' });
    stopCommand = () => running.kill();
    if (ended) running.kill();
    // The node stops reading after its window: what is still unsent is dropped.
    running.stdin.on('error', () => undefined);
    let out = '';
    let sentAt: number | undefined;
    let payload: Buffer | undefined;
    running.stdout.on('data', (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (before.includes('ready\n') || !out.includes('ready\n')) return;
      // Ready: the session's deadline ends; the measure's starts when it is sent.
      clearTimeout(timer);
      readySeen();
      void payloadReady.then((given) => {
        if (ended) return;
        payload = given;
        arm('its link probe');
        sentAt = performance.now();
        running.stdin.end(given);
      });
    });
    let stderr = '';
    running.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = await running.done;
    const endAt = performance.now();
    const count = /^(?:(\S+)\n)?ready\ngo\n\s*(\d+)\s*$/.exec(out);
    if (done.code !== 0 || !count || sentAt === undefined || payload === undefined) {
      throw new LinkProbeError(`node ${connection.host}: the probe command failed (${(stderr.trim().split('\n')[0] ?? '') || `exit ${done.code}`})`);
    }
    const bootId = count[1];
    const counted = Number(count[2]);
    if (counted < payload.length - WARM_UP_BYTES) return { rate: counted / (limits.windowMs / 1000), bytes: WARM_UP_BYTES + counted, bootId };
    // The payload ran out within the window: all of it in the time from sending to the
    // count, which also holds a round trip and the node's commands starting, so a lower
    // bound (the node's words may come back in one piece, so nothing finer is timed).
    return { rate: payload.length / Math.max(0.001, (endAt - sentAt) / 1000), bytes: payload.length, bootId };
  })();
  const measured = Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  measured.catch(() => undefined);
  work.catch(() => undefined);
  // A probe that fails before its node is ready fails its wait for it too.
  const readyOrFailed = Promise.race([ready, measured.then(() => undefined)]);
  readyOrFailed.catch(() => undefined);
  return {
    ready: readyOrFailed,
    measure(payload) {
      payloadGiven(payload);
      return measured;
    },
    cancel() {
      ended = true;
      stopCommand?.();
      failDeadline(new LinkProbeError(`node ${connection.host}: its probe was given up`));
    },
  };
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
