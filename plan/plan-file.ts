// A saved plan (`hound plan --out plan.json`) and what `hound apply` checks before acting on
// it: the plan in its JSON form, plus what it assumed (each node's images, each tag's digest).
// Apply refuses when those assumptions no longer hold, rather than doing something unplanned.
import { readInputText } from '../base/input-file.js';
import { writeOutputFile } from '../base/output-file.js';
import { Ajv } from 'ajv';
import { HoundError, EXIT, ParseError } from '../base/errors.js';
import { canonicalImageRef, parseImageRef, repositoryName } from '../base/image-ref.js';
import { registryFactKey, type Plan, type PlanFacts } from './planner.js';
import { planToJson } from './plan-json.js';
import type { DockerImage } from '../runtime/types.js';

export const PLAN_FILE_FORMAT = 'hound-plan';
export const PLAN_FILE_VERSION = 1;
/** A plan for thousands of hosts is a few MiB; anything past this is not a plan hound wrote. */
export const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024;

/** Where the plan came from: apply reloads the inventory from here to reach the hosts. */
export interface PlanSource {
  playbook: string;
  inventory: string[];
  limit?: string;
}

export interface SavedPlan {
  format: typeof PLAN_FILE_FORMAT;
  version: typeof PLAN_FILE_VERSION;
  created_at: string;
  source: PlanSource;
  plan: ReturnType<typeof planToJson>;
  /** Per host that changes, the node's images when planned (see imageFingerprint). */
  nodes: Record<string, string[]>;
  /** Per `reference|platform` a pull relies on, the registry's digest for the tag. */
  registry: Record<string, string>;
}

/** One change apply carries out, in order, on one host. */
export interface PlannedChange {
  action: 'pull' | 'remove';
  image: string;
  reference: string;
  platform: string;
  digest?: string;
  imageId?: string;
  force: boolean;
  bytes: number;
}

export class PlanDriftedError extends HoundError {
  constructor(readonly drift: string[]) {
    super('PLAN_DRIFTED', `the plan no longer matches the cluster:\n${drift.map((d) => `  - ${d}`).join('\n')}`, EXIT.ERROR, {
      hint: 'run `hound plan` again and apply the new plan',
    });
  }
}

/** A node's images as one sorted line each: id, tags, repo digests. */
export function imageFingerprint(images: readonly DockerImage[]): string[] {
  return images.map((i) => `${i.id} tags=${[...i.repoTags].sort().join(',')} digests=${[...i.repoDigests].sort().join(',')}`).sort();
}

function changingHosts(plan: Plan): string[] {
  return Object.values(plan.hosts)
    .filter((h) => !h.failed && h.actions.some((a) => a.action !== 'none'))
    .map((h) => h.host);
}

export function toSavedPlan(plan: Plan, facts: PlanFacts, source: PlanSource, now = new Date()): SavedPlan {
  const nodes: Record<string, string[]> = {};
  const registry: Record<string, string> = {};
  for (const host of changingHosts(plan)) {
    nodes[host] = imageFingerprint(facts.nodes[host]?.images ?? []);
    for (const a of plan.hosts[host].actions) {
      if (a.action === 'pull' && a.digest && !parseImageRef(a.reference).digest) registry[registryFactKey(a.reference, a.platform)] = a.digest;
    }
  }
  return { format: PLAN_FILE_FORMAT, version: PLAN_FILE_VERSION, created_at: now.toISOString(), source, plan: planToJson(plan), nodes, registry };
}

/** Writes the plan whole or not at all; check the path with checkOutputFile before planning. */
export function writePlanFile(path: string, saved: SavedPlan): Promise<void> {
  writeOutputFile(path, JSON.stringify(saved, null, 2) + '\n', 'the plan file');
  return Promise.resolve();
}

const DIGEST = { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' };
const savedPlanSchema = {
  type: 'object',
  required: ['format', 'version', 'source', 'plan', 'nodes', 'registry'],
  properties: {
    format: { const: PLAN_FILE_FORMAT },
    version: { const: PLAN_FILE_VERSION },
    source: {
      type: 'object',
      required: ['playbook', 'inventory'],
      properties: { playbook: { type: 'string' }, inventory: { type: 'array', items: { type: 'string' } }, limit: { type: 'string' } },
    },
    plan: {
      type: 'object',
      required: ['hosts'],
      properties: {
        hosts: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['actions'],
            properties: {
              actions: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['action', 'image', 'reference', 'platform', 'bytes'],
                  properties: {
                    action: { enum: ['pull', 'remove', 'none'] },
                    image: { type: 'string' },
                    reference: { type: 'string' },
                    platform: { type: 'string' },
                    digest: DIGEST,
                    image_id: DIGEST,
                    force: { type: 'boolean' },
                    bytes: { type: 'integer', minimum: 0 },
                  },
                  if: { properties: { action: { const: 'pull' } } },
                  then: { required: ['digest'] },
                  else: { if: { properties: { action: { const: 'remove' } } }, then: { required: ['image_id'] } },
                },
              },
              failed: { type: 'object' },
            },
          },
        },
      },
    },
    nodes: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    registry: { type: 'object', additionalProperties: DIGEST },
  },
};

const validateSavedPlan = new Ajv({ allErrors: false }).compile(savedPlanSchema);

export async function readPlanFile(path: string): Promise<SavedPlan> {
  const text = await readInputText(path, {
    what: 'the plan file',
    maxBytes: MAX_PLAN_FILE_BYTES,
    codes: { missing: 'PLAN_FILE_UNREADABLE', unreadable: 'PLAN_FILE_UNREADABLE', 'not-regular': 'PLAN_FILE_UNREADABLE', 'too-large': 'PLAN_FILE_INVALID' },
    hint: 'write one with `hound plan PLAYBOOK -i INVENTORY --out plan.json`',
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ParseError('PLAN_FILE_INVALID', `${path} is not JSON: ${(err as Error).message}`, { hint: 'pass a file written by `hound plan --out`' });
  }
  if (!validateSavedPlan(data)) {
    const first = validateSavedPlan.errors?.[0];
    const where = first?.instancePath ? ` at ${first.instancePath}` : '';
    throw new ParseError('PLAN_FILE_INVALID', `${path} is not a hound plan${where}: ${first?.message ?? 'invalid'}`, {
      hint: 'pass a file written by `hound plan --out` of this hound version, unmodified',
    });
  }
  checkSavedReferences(path, data as unknown as SavedPlan);
  return data as unknown as SavedPlan;
}

/** The schema says each reference is a string; each must also be an image reference, or apply would fail mid-way. */
function checkSavedReferences(path: string, saved: SavedPlan): void {
  for (const [host, hostPlan] of Object.entries(saved.plan.hosts as Record<string, { actions: SavedAction[] }>)) {
    for (const [index, action] of hostPlan.actions.entries()) {
      try {
        parseImageRef(action.reference);
      } catch (err) {
        if (!(err instanceof HoundError)) throw err;
        throw new ParseError('PLAN_FILE_INVALID', `${path} is not a hound plan at /plan/hosts/${host}/actions/${index}/reference: ${err.message}`, {
          hint: 'pass a file written by `hound plan --out` of this hound version, unmodified',
        });
      }
    }
  }
}

interface SavedAction {
  action: 'pull' | 'remove' | 'none';
  image: string;
  reference: string;
  platform: string;
  digest?: string;
  image_id?: string;
  force?: boolean;
  bytes: number;
}

/** The changes to carry out, per host, in plan order; hosts that failed at plan time have none. */
export function plannedChanges(saved: SavedPlan): Map<string, PlannedChange[]> {
  const out = new Map<string, PlannedChange[]>();
  for (const [host, hostPlan] of Object.entries(saved.plan.hosts as Record<string, { actions: SavedAction[]; failed?: unknown }>)) {
    if (hostPlan.failed) continue;
    const changes = hostPlan.actions
      .filter((a): a is SavedAction & { action: 'pull' | 'remove' } => a.action !== 'none')
      .map((a) => ({
        action: a.action,
        image: a.image,
        reference: a.reference,
        platform: a.platform,
        digest: a.digest,
        imageId: a.image_id,
        force: a.force === true,
        bytes: a.bytes,
      }));
    if (changes.length > 0) out.set(host, changes);
  }
  return out;
}

/** Hosts the saved plan marked failed, with why. */
export function failedInPlan(saved: SavedPlan): Map<string, { code: string; message: string }> {
  const out = new Map<string, { code: string; message: string }>();
  for (const [host, hostPlan] of Object.entries(saved.plan.hosts as Record<string, { failed?: { code: string; message: string } }>)) {
    if (hostPlan.failed) out.set(host, hostPlan.failed);
  }
  return out;
}

/** What differs between the plan's assumptions and fresh facts; empty when apply may go ahead. */
export function findDrift(saved: SavedPlan, current: PlanFacts): string[] {
  const drift: string[] = [];
  for (const [host, planned] of Object.entries(saved.nodes)) {
    const node = current.nodes[host];
    // An unreachable host is not drift: the caller reports it as unreachable.
    if (!node) continue;
    const now = imageFingerprint(node.images);
    const gone = planned.filter((line) => !now.includes(line));
    const added = now.filter((line) => !planned.includes(line));
    if (gone.length + added.length > 0) {
      const describe = (line: string) => line.replace(/ digests=.*$/, '').replace(/^sha256:([a-f0-9]{12})[a-f0-9]*/, '$1');
      drift.push(
        `${host}: the node's images changed since the plan (${[...gone.map((l) => `was ${describe(l)}`), ...added.map((l) => `now ${describe(l)}`)].join('; ')})`,
      );
    }
  }
  for (const [key, digest] of Object.entries(saved.registry)) {
    const remote = current.images[key];
    const [reference] = key.split('|');
    const problem = current.imageErrors[key];
    // Neither answered nor failed: only unreachable hosts wanted it.
    if (problem) drift.push(`${reference}: the registry could not be asked (${problem.code}: ${problem.message})`);
    else if (!remote) continue;
    else if (remote.digest !== digest) {
      drift.push(`${reference}: the registry's digest for the tag changed from ${digest} to ${remote.digest}`);
    }
  }
  return drift;
}

/** What apply pulls for a planned pull: the repository pinned to the planned digest, and the tag to put back. */
export function pinnedPull(change: PlannedChange): { pull: string; tag?: { repository: string; tag: string } } {
  const ref = parseImageRef(change.reference);
  const digest = change.digest ?? ref.digest;
  if (!digest) throw new HoundError('PLAN_FILE_INVALID', `the planned pull of ${change.image} has no digest`, EXIT.PARSE);
  const pull = `${repositoryName(ref)}@${digest}`;
  if (ref.digest || !ref.tag) return { pull };
  const tagged = canonicalImageRef({ ...ref, digest: undefined });
  return { pull, tag: { repository: tagged.slice(0, tagged.length - ref.tag.length - 1), tag: ref.tag } };
}
