// images_from_compose on real compose projects (test/fixtures/corpus/compose, origin.json in
// each) against docker-compose 1.29's `config`. Where 1.29 cannot read an entry (features newer
// than 1.29) or reads it differently from the Compose Specification, origin.json says why and
// gives the expected list; the test also checks that the oracle still fails there, so that
// the note cannot go stale.
import { describe, expect, it } from 'vitest';
import { imagesFromCompose } from '../../../playbook/lookups/image-lookups.js';
import { composeOracle, corpusEntries, normalise, type ComposeOrigin } from './corpus-oracles.js';

const entries = corpusEntries<ComposeOrigin & { oracle_difference?: { reason: string; expected: string[] } }>('compose');

function houndImages(dir: string, origin: ComposeOrigin): string[] {
  const { paths, profiles, env_files: envFiles } = origin.lookup;
  const options = { ...(profiles ? { profiles } : {}), ...(envFiles ? { envFiles } : {}) };
  return normalise(imagesFromCompose(paths, { baseDir: dir, env: origin.env ?? {}, warn: () => {} }, options));
}

describe('compose corpus', () => {
  it('holds at least 40 projects from public repositories, each with its origin', () => {
    expect(entries.length).toBeGreaterThanOrEqual(40);
    for (const { origin } of entries) {
      expect(origin.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(origin.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(origin.files.length).toBeGreaterThan(0);
      expect(origin.exercises.length).toBeGreaterThan(10);
    }
  });

  it.concurrent.each(entries)(
    '$slug gives the images docker-compose config gives, or the documented ones where 1.29 differs',
    async ({ dir, origin }) => {
      const [oracle, hound] = await Promise.all([composeOracle(dir, origin), Promise.resolve().then(() => houndImages(dir, origin))]);
      const difference = origin.oracle_difference;
      if (difference) {
        expect(difference.reason.length).toBeGreaterThan(20);
        expect(oracle).not.toEqual({ images: normalise(difference.expected) });
        expect(hound).toEqual(normalise(difference.expected));
      } else {
        expect(oracle).toEqual({ images: hound });
      }
    },
    180_000,
  );
});
