import { describe, expect, it } from 'vitest';
import { planPull } from '../../../modules/image-actions.js';
import type { DockerImage } from '../../../runtime/types.js';

const ORIGIN = '10.1.2.2:5000/team/app';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function image(names: string[]): DockerImage {
  return {
    id: `sha256:${'b'.repeat(64)}`,
    repoTags: names.filter((n) => !n.includes('@')),
    repoDigests: names.filter((n) => n.includes('@')),
    layers: [],
    architecture: 'amd64',
    os: 'linux',
    size: 1,
    created: '',
  };
}

const facts = (names: string[]) => ({ images: [image(names)], containers: [] });

describe('planPull', () => {
  it('leaves a present image alone, and pulls an absent one', () => {
    expect(planPull(facts([`${ORIGIN}:v1`, `${ORIGIN}@${DIGEST}`]), `${ORIGIN}:v1`, 'present', undefined)).toMatchObject({ kind: 'none', reason: 'present' });
    expect(planPull(facts([`${ORIGIN}:v2`]), `${ORIGIN}:v1`, 'present', undefined)).toMatchObject({ kind: 'pull', reason: 'not present' });
  });

  it("pulls again an image a killed relayed run left with its relay's or seed's names, at present and at latest", () => {
    // What a fan-out run killed between tagging the origin's name and its clean-up leaves on a containerd node: the seed's names, no repo digest.
    const seed = `10.1.2.11:25913/h${'c'.repeat(24)}/10.1.2.2_5000/team/app`;
    const left = facts([`${ORIGIN}:v1`, `${seed}:v1`, `${seed}@${DIGEST}`]);
    for (const state of ['present', 'latest'] as const) {
      expect(planPull(left, `${ORIGIN}:v1`, state, undefined, DIGEST)).toMatchObject({
        kind: 'pull',
        reason: "present, with an interrupted run's relay names",
      });
    }
    // The relay's own forward (127.0.0.1) is recognised the same way; a registry path that only looks alike is not.
    expect(planPull(facts([`${ORIGIN}:v1`, `127.0.0.1:41234/h${'d'.repeat(24)}/10.1.2.2_5000/team/app:v1`]), `${ORIGIN}:v1`, 'present', undefined).kind).toBe(
      'pull',
    );
    expect(planPull(facts([`${ORIGIN}:v1`, `10.1.2.2:5000/hello/app:v1`]), `${ORIGIN}:v1`, 'present', undefined).kind).toBe('none');
  });
});
