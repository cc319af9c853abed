// images_from_k8s on real manifests (test/fixtures/corpus/k8s, origin.json in each) against an
// independent walk in Python with PyYAML (corpus-oracles.ts). Where hound reads more (operator
// fields outside a pod spec) or refuses what the walk lists (placeholders, unrendered charts),
// origin.json says why and what hound gives; the test checks the oracle still differs there.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { imagesFromK8s } from '../../../playbook/lookups/image-lookups.js';
import { corpusEntries, k8sOracle, type K8sOrigin } from './corpus-oracles.js';

type Difference = { reason: string; expected?: string[]; expected_error?: string };
const entries = corpusEntries<K8sOrigin & { oracle_difference?: Difference }>('k8s');

const manifests = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return manifests(path);
      return /\.(ya?ml|json)$/i.test(name) && name !== 'origin.json' ? [path] : [];
    });

function houndImages(dir: string): string[] | { error: string } {
  try {
    return [...imagesFromK8s(dir, { baseDir: dir, warn: () => {} })].sort();
  } catch (err) {
    if (err instanceof HoundError) return { error: err.code };
    throw err;
  }
}

describe('k8s corpus', () => {
  it('holds at least 40 manifest sets from public repositories, each with its origin', () => {
    expect(entries.length).toBeGreaterThanOrEqual(40);
    for (const { origin } of entries) {
      expect(origin.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(origin.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(origin.exercises.length).toBeGreaterThan(10);
    }
  });

  it.concurrent.each(entries)(
    '$slug gives the images of every pod template the walk finds, or the documented difference',
    async ({ dir, origin }) => {
      const oracle = await k8sOracle(manifests(dir));
      const hound = houndImages(dir);
      const difference = origin.oracle_difference;
      if (difference) {
        expect(difference.reason.length).toBeGreaterThan(20);
        const documented = difference.expected_error ? { error: difference.expected_error } : difference.expected;
        expect(hound).toEqual(documented);
        expect(oracle.images).not.toEqual(documented);
      } else {
        expect(hound).toEqual(oracle.images);
      }
    },
    180_000,
  );
});
