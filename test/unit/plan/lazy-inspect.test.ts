// planRun lists images without inspecting them first (NodeDocker.listImageSummaries) and
// inspects only the hosts hostsToInspect names. These tests hold it to its promise: every
// other host's plan is exactly what inspected images would have given.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computePlan, hostsToInspect, type PlanFacts } from '../../../plan/planner.js';
import type { DockerImage } from '../../../runtime/types.js';
import { REG, facts, localImage, node, remote, run, sha } from './fixtures.js';

const refs = [0, 1, 2, 3].map((i) => `${REG}/hound/app${i}:latest`);
const remotes = refs.map((ref, i) =>
  remote(
    ref,
    [
      ['base', 100],
      [`app${i}`, 10 + i],
    ],
    sha(`9${i}`),
  ),
);

/** What Docker's image list alone gives: no layers, no platform, creation to the second. */
function summaryOf(image: DockerImage): DockerImage {
  const created = image.created === '' ? '' : new Date(Math.floor(Date.parse(image.created) / 1000) * 1000).toISOString();
  return { ...image, layers: [], architecture: '', os: '', created };
}

function summarised(full: PlanFacts): PlanFacts {
  return {
    ...full,
    nodes: Object.fromEntries(Object.entries(full.nodes).map(([h, n]) => [h, { ...n, images: n.images.map(summaryOf), imagesInspected: false }])),
  };
}

describe('planning on image lists alone', () => {
  it('leaves an up-to-date host uninspected and inspects one that pulls', () => {
    const warm = node('warm', [localImage(sha('a0'), [refs[0]], ['base', 'app0'], [`${REG}/hound/app0@${sha('90')}`])]);
    const cold = node('cold', [localImage(sha('a0'), [refs[0]], ['base', 'app0'])]);
    const r = run(
      ['warm', 'cold'],
      [
        { module: 'images', args: { names: [refs[0]] } },
        { module: 'image', args: { name: refs[1], state: 'present' } },
      ],
    );
    const full = facts([warm, { ...cold, host: 'cold' }], remotes);
    // warm lacks app1 too: give it app1 so that it is up to date.
    full.nodes.warm.images.push(localImage(sha('a1'), [refs[1]], ['base', 'app1']));
    const lazy = summarised(full);
    const plan = computePlan(r, lazy);
    expect(hostsToInspect(plan, lazy)).toEqual(['cold']);
    expect(plan.hosts.warm).toEqual(computePlan(r, full).hosts.warm);
    // Without layers every layer of app1 looks missing on cold: that is why it is inspected.
    expect(plan.hosts.cold.bytes).toBe(111);
    expect(computePlan(r, full).hosts.cold.bytes).toBe(11);
  });

  it('never inspects inspected facts', () => {
    const r = run(['n1'], [{ module: 'image', args: { name: refs[0] } }]);
    const f = facts([node('n1')], remotes);
    expect(hostsToInspect(computePlan(r, f), f)).toEqual([]);
  });

  it('gives every uninspected host the plan inspected images give (any images, any tasks)', () => {
    const image = fc.record({
      tags: fc.subarray(refs),
      layers: fc.subarray(['base', 'app0', 'app1', 'app2', 'app3', 'other']),
      current: fc.boolean(),
      createdMs: fc.integer({ min: 0, max: 3000 }),
    });
    const step = fc.oneof(
      fc.record({ module: fc.constant('image'), args: fc.record({ name: fc.constantFrom(...refs), state: fc.constantFrom('present', 'latest', 'absent') }) }),
      fc.record({
        module: fc.constant('images'),
        args: fc.record({
          names: fc.subarray(refs, { minLength: 1 }),
          state: fc.constantFrom('present', 'latest'),
          exclusive: fc.boolean(),
          keep_recent: fc.integer({ min: 0, max: 2 }),
        }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(image, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        fc.array(step, { minLength: 1, maxLength: 3 }),
        fc.array(fc.boolean(), { maxLength: 3 }),
        (hostsImages, steps, inUse) => {
          const hosts = hostsImages.map((_, h) => `n${h}`);
          const nodes = hostsImages.map((images, h) => {
            const local = images.map((img, k) => {
              const id = sha(`${h}${k}`);
              // A tag can be on one image only, as in Docker.
              const tags = img.tags.filter((t) => !images.slice(0, k).some((other) => other.tags.includes(t)));
              const digests = img.current ? tags.map((t) => `${t.replace(/:latest$/, '')}@${remotes[refs.indexOf(t)].digest}`) : [];
              return { ...localImage(id, tags, img.layers, digests), created: new Date(Date.UTC(2026, 0, 1) + img.createdMs).toISOString() };
            });
            return node(hosts[h], local, { containerImageIds: inUse[h] && local[0] ? [local[0].id] : [] });
          });
          const r = run(hosts, steps);
          const full = facts(nodes, remotes);
          const lazy = summarised(full);
          const lazyPlan = computePlan(r, lazy);
          const fullPlan = computePlan(r, full);
          const inspect = new Set(hostsToInspect(lazyPlan, lazy));
          for (const host of hosts) if (!inspect.has(host)) expect(lazyPlan.hosts[host]).toEqual(fullPlan.hosts[host]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
