// keep_recent of `images` with exclusive: the module (what `hound play` does) and the planner
// (what `hound plan` shows) must keep and remove the same images.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { NodeFacts } from '../../../runtime/node-facts.js';
import { computePlan } from '../../../plan/planner.js';
import { images, planExclusiveRemovals } from '../../../modules/images.js';
import type { DockerImage } from '../../../runtime/types.js';
import { REG, facts as planFacts, node as planNode, run } from '../plan/fixtures.js';

const REPO = `${REG}/hound/svc`;
const ctx = { host: 'n1', check: false };

function img(n: number, tags: string[], created: string): DockerImage {
  return {
    id: `sha256:${n.toString(16).padStart(64, '0')}`,
    repoTags: tags,
    repoDigests: [],
    layers: [],
    architecture: 'amd64',
    os: 'linux',
    size: 1,
    created,
  };
}

const day = (d: number) => new Date(Date.UTC(2026, 0, d)).toISOString();

// v5 is listed; v1..v4 are older tags created on days 1..4 (v3 newest but one, out of order on purpose).
const v5 = img(5, [`${REPO}:v5`], day(10));
const v1 = img(1, [`${REPO}:v1`], day(1));
const v2 = img(2, [`${REPO}:v2`], day(2));
const v4 = img(4, [`${REPO}:v4`], day(4));
const v3 = img(3, [`${REPO}:v3`], day(3));
const other = img(6, [`${REG}/hound/other:1`], day(20));

function removedIds(nodeFacts: NodeFacts, keepRecent: number, names = [`${REPO}:v5`]): string[] {
  return planExclusiveRemovals(nodeFacts, names, keepRecent)
    .filter((a) => a.kind === 'remove')
    .map((a) => (a as { imageId: string }).imageId)
    .sort();
}

function plannedRemovals(nodeFacts: NodeFacts, keepRecent: number, names = [`${REPO}:v5`]): string[] {
  const r = run(['n1'], [{ module: 'images', args: { names, exclusive: true, keep_recent: keepRecent } }]);
  const inUse = nodeFacts.containers.map((c) => c.imageId);
  const plan = computePlan(r, planFacts([planNode('n1', nodeFacts.images, { containerImageIds: inUse })], []));
  expect(plan.hosts.n1.failed).toBeUndefined();
  return plan.hosts.n1.actions
    .filter((a) => a.action === 'remove')
    .map((a) => a.imageId!)
    .sort();
}

describe('images exclusive keep_recent', () => {
  const node: NodeFacts = { images: [v1, v2, v3, v4, v5, other], containers: [] };

  it('keeps the N most recent other tags of the listed repository, by created time', () => {
    expect(removedIds(node, 2)).toEqual([v1.id, v2.id, other.id].sort());
    expect(removedIds(node, 1)).toEqual([v1.id, v2.id, v3.id, other.id].sort());
    expect(removedIds(node, 0)).toEqual([v1.id, v2.id, v3.id, v4.id, other.id].sort());
    expect(removedIds(node, 9)).toEqual([other.id]);
  });

  it('says why a recent tag is kept', () => {
    const kept = planExclusiveRemovals(node, [`${REPO}:v5`], 1).find((a) => 'image' in a && a.image?.endsWith(':v4'));
    expect(kept).toMatchObject({ kind: 'none', reason: expect.stringContaining('keep_recent') });
  });

  it('an image a container uses is kept and takes no place among the recent ones', () => {
    const used: NodeFacts = { images: node.images, containers: [{ id: 'c'.repeat(64), image: v4.id, imageId: v4.id, state: 'created' }] };
    expect(removedIds(used, 1)).toEqual([v1.id, v2.id, other.id].sort());
  });

  it('counts per listed repository', () => {
    const o1 = img(7, [`${REG}/hound/other:0`], day(2));
    const both: NodeFacts = { images: [...node.images, o1], containers: [] };
    expect(removedIds(both, 1, [`${REPO}:v5`, `${REG}/hound/other:2`])).toEqual([v1.id, v2.id, v3.id, o1.id].sort());
  });

  it('reaches the module plan through its arguments', () => {
    const actions = images.plan({ node, remoteDigests: new Map() }, { names: [`${REPO}:v5`], exclusive: true, keep_recent: 1 }, ctx);
    expect(actions.filter((a) => a.kind === 'remove').length).toBe(4);
  });

  it('the planner removes exactly what the module removes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ tag: fc.constantFrom('a', 'b', 'c', 'd', 'e'), repo: fc.constantFrom('svc', 'other'), day: fc.integer({ min: 1, max: 28 }) }), {
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        (specs, keep, useFirst) => {
          const seen = new Set<string>();
          const imgs = specs.flatMap((s, i) => {
            const tag = `${REG}/hound/${s.repo}:${s.tag}`;
            if (seen.has(tag)) return [];
            seen.add(tag);
            return [img(100 + i, [tag], day(s.day))];
          });
          const first = imgs[0];
          const n: NodeFacts = {
            images: [v5, ...imgs],
            containers: useFirst && first ? [{ id: 'f'.repeat(64), image: first.id, imageId: first.id, state: 'exited' }] : [],
          };
          expect(plannedRemovals(n, keep)).toEqual(removedIds(n, keep));
        },
      ),
    );
  });
});
