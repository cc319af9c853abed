import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PodmanPullTally } from '../../../runtime/podman/runtime.js';
import { JsonLineSplitter, PullProgressTracker } from '../../../runtime/docker-pull-progress.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const images = JSON.parse(readFileSync(join(fixtures, 'podman-pull-images.json'), 'utf8')) as Record<
  string,
  { digest: string; configDigest: string; layers: { digest: string; size: number }[] }
>;

/** Replays a recorded podman stream through the same line parsing and events the Docker client uses. */
function tally(file: string): PodmanPullTally {
  const splitter = new JsonLineSplitter();
  const tracker = new PullProgressTracker();
  const t = new PodmanPullTally();
  for (const line of [...splitter.push(readFileSync(join(fixtures, file))), ...splitter.end()]) {
    const event = tracker.add(line);
    if (event) t.add(event);
  }
  return t;
}

describe("podman's pull accounting, on streams recorded from podman 4.3.1", () => {
  it('a fresh pull: both layers fetched, the config blob not counted, sizes only where podman gave them', () => {
    const fresh = images['fixture/fresh'];
    const result = tally('podman-pull-fresh.jsonl').result(fresh.configDigest, fresh.digest);
    const [small, big] = fresh.layers;
    expect(result).toEqual({
      digest: fresh.digest,
      layersDownloaded: 2,
      layersPresent: 0,
      // The 24 MiB layer reported its total (the registry's size); the 1 MiB one finished unreported.
      bytesDownloaded: big.size,
      unsizedLayers: 1,
      accounting: 'reported',
    });
    expect(result.bytesDownloaded).not.toBe(small.size + big.size);
  });

  it('a pull sharing a layer: it is present, the other is fetched with its registry size', () => {
    const shared = images['fixture/shared'];
    const result = tally('podman-pull-shared.jsonl').result(shared.configDigest, shared.digest);
    expect(result).toMatchObject({ layersDownloaded: 1, layersPresent: 1, bytesDownloaded: shared.layers[1].size, unsizedLayers: 0 });
  });

  it('without the image id, the config blob would pass for a layer: the id is what tells them apart', () => {
    expect(tally('podman-pull-fresh.jsonl').result(undefined, undefined).layersDownloaded).toBe(3);
  });
});
