// `hound apply plan.json`: carries out a saved plan exactly, pinned to its digests, after
// checking that nothing it assumed has moved (see plan-file.ts for the checks).
import { EXIT, HoundError } from '../base/errors.js';
import { parseImageRef } from '../base/image-ref.js';
import type { RegistryAuth } from '../transport/types.js';
import type { FactProblem } from './planner.js';
import { gatherFacts, type PlanFactAccess } from './facts.js';
import { failedInPlan, findDrift, pinnedPull, plannedChanges, PlanDriftedError, type PlannedChange, type SavedPlan } from './plan-file.js';

export interface AppliedChange extends PlannedChange {
  done: boolean;
  /** Compressed bytes Docker reported downloading. */
  bytesPulled: number;
  layersDownloaded?: number;
  layersPresent?: number;
  error?: FactProblem;
}

export interface HostApplyResult {
  host: string;
  changes: AppliedChange[];
  bytesPlanned: number;
  bytesPulled: number;
  failed?: FactProblem;
}

export interface ApplyResult {
  hosts: Record<string, HostApplyResult>;
  bytesPlanned: number;
  bytesPulled: number;
}

export interface ApplyOptions {
  credentials?: ReadonlyMap<string, RegistryAuth>;
  /** Hosts worked on at once. */
  concurrency?: number;
}

function problemOf(err: unknown): FactProblem {
  if (err instanceof HoundError) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'APPLY_FAILED', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Refuses a plan naming hosts the inventory lacks, before anything is reached: the plan was
 * made from another inventory, and apply would otherwise try the bare name as an address.
 */
export function checkPlanHostsKnown(saved: SavedPlan, inventoryHosts: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
  const unknown = [...plannedChanges(saved).keys()].filter((h) => !inventoryHosts.has(h));
  if (unknown.length === 0) return;
  throw new HoundError(
    'PLAN_HOST_UNKNOWN',
    `the plan names ${unknown.length === 1 ? 'host' : 'hosts'} ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}, which the inventory does not have`,
    EXIT.ERROR,
    { hint: 'give apply the inventory the plan was made with (-i), or make the plan again with `hound plan --out`' },
  );
}

/**
 * Carries out a saved plan: first re-reads the nodes and the tags it relies on and throws
 * PlanDriftedError if any moved, then on each host, in plan order, pulls `repo@digest` and
 * tags it back (what a pull by tag leaves), or removes. A host stops at its first failure.
 */
export async function applyPlannedChanges(saved: SavedPlan, access: PlanFactAccess, options: ApplyOptions = {}): Promise<ApplyResult> {
  const changes = plannedChanges(saved);
  const hosts = [...changes.keys()];
  const refsByHost = new Map(
    hosts.map((h) => [
      h,
      changes
        .get(h)!
        .filter((c) => c.action === 'pull' && !parseImageRef(c.reference).digest)
        .map((c) => ({ reference: c.reference, platform: c.platform })),
    ]),
  );
  const current = await gatherFacts(hosts, refsByHost, access, { credentials: options.credentials, concurrency: options.concurrency });
  const drift = findDrift(saved, current);
  if (drift.length > 0) throw new PlanDriftedError(drift);

  const result: ApplyResult = { hosts: {}, bytesPlanned: 0, bytesPulled: 0 };
  for (const [host, problem] of failedInPlan(saved)) {
    result.hosts[host] = {
      host,
      changes: [],
      bytesPlanned: 0,
      bytesPulled: 0,
      failed: { code: problem.code, message: `not applied, the plan marked it failed: ${problem.message}` },
    };
  }
  for (const host of hosts) {
    const planned = changes.get(host)!;
    const entry: HostApplyResult = {
      host,
      changes: planned.map((c) => ({ ...c, done: false, bytesPulled: 0 })),
      bytesPlanned: planned.reduce((n, c) => n + c.bytes, 0),
      bytesPulled: 0,
    };
    const unreachable = current.unreachable[host];
    if (unreachable) entry.failed = { ...unreachable, code: 'UNREACHABLE', message: `${unreachable.code}: ${unreachable.message}` };
    result.hosts[host] = entry;
  }

  const queue = hosts.filter((h) => !result.hosts[h].failed);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 50, queue.length)) }, async () => {
    while (next < queue.length) await applyHost(result.hosts[queue[next++]], access, options);
  });
  await Promise.all(lanes);
  for (const h of Object.values(result.hosts)) {
    result.bytesPlanned += h.bytesPlanned;
    result.bytesPulled += h.bytesPulled;
  }
  return result;
}

async function applyHost(entry: HostApplyResult, access: PlanFactAccess, options: ApplyOptions): Promise<void> {
  try {
    const docker = await access.docker(entry.host);
    for (const change of entry.changes) {
      try {
        if (change.action === 'pull') {
          const { pull, tag } = pinnedPull(change);
          const auth = options.credentials?.get(parseImageRef(change.reference).domain);
          const pulled = await docker.pull(pull, { platform: change.platform, auth });
          if (tag) await docker.tagImage(pull, tag.repository, tag.tag);
          change.bytesPulled = pulled.bytesDownloaded;
          change.layersDownloaded = pulled.layersDownloaded;
          change.layersPresent = pulled.layersPresent;
          entry.bytesPulled += pulled.bytesDownloaded;
        } else {
          await docker.removeImage(change.reference, { force: change.force });
        }
        change.done = true;
      } catch (err) {
        change.error = problemOf(err);
        entry.failed = change.error;
        return;
      }
    }
  } catch (err) {
    entry.failed = { ...problemOf(err), code: 'UNREACHABLE' };
  }
}

export function applyResultToJson(result: ApplyResult): Record<string, unknown> {
  const hosts: Record<string, unknown> = {};
  for (const h of Object.values(result.hosts)) {
    hosts[h.host] = {
      changes: h.changes.map((ch) => ({
        action: ch.action,
        image: ch.image,
        reference: ch.reference,
        ...(ch.digest ? { digest: ch.digest } : {}),
        done: ch.done,
        bytes_planned: ch.bytes,
        bytes_pulled: ch.bytesPulled,
        ...(ch.layersDownloaded !== undefined ? { layers_downloaded: ch.layersDownloaded, layers_present: ch.layersPresent } : {}),
        ...(ch.error ? { error: ch.error } : {}),
      })),
      bytes_planned: h.bytesPlanned,
      bytes_pulled: h.bytesPulled,
      ...(h.failed ? { failed: h.failed } : {}),
    };
  }
  return { hosts, bytes_planned: result.bytesPlanned, bytes_pulled: result.bytesPulled };
}
