import { describe, expect, it } from 'vitest';
import { OverlappingPulls, type LayerBlob } from '../../../runtime/overlapping-pulls.js';

const base: LayerBlob = { digest: 'sha256:base', size: 5_000_000 };
const a: LayerBlob = { digest: 'sha256:a', size: 2_000_000 };
const b: LayerBlob = { digest: 'sha256:b', size: 3_000_000 };

describe('layers counted by pulls that run at once on one node', () => {
  it('a layer two overlapping pulls both found absent is counted by the first to finish only', () => {
    const pulls = new OverlappingPulls();
    const first = pulls.begin();
    const second = pulls.begin();
    // Both listed the store before `base` arrived.
    const bTally = pulls.tally(second, [base, b], new Set());
    const aTally = pulls.tally(first, [base, a], new Set());
    pulls.end(second);
    pulls.end(first);
    expect(bTally).toMatchObject({ fetched: [base, b], bytesDownloaded: 8_000_000, layersDownloaded: 2, layersPresent: 0 });
    expect(aTally).toMatchObject({ fetched: [a], bytesDownloaded: 2_000_000, layersDownloaded: 1, layersPresent: 1 });
    // What the node received, each byte once.
    expect(aTally.bytesDownloaded + bTally.bytesDownloaded).toBe(base.size + a.size + b.size);
  });

  it('a pull that listed the store after another counted a layer is not affected by that count', () => {
    const pulls = new OverlappingPulls();
    const first = pulls.begin();
    pulls.tally(first, [base, a], new Set());
    // Started after the first counted `base`, while the first still runs (unpacking, say); the layer was then removed.
    const later = pulls.begin();
    expect(pulls.tally(later, [base, b], new Set())).toMatchObject({ fetched: [base, b], layersPresent: 0 });
    pulls.end(first);
    pulls.end(later);
  });

  it('once no pull runs, a new pull counts from its own listing alone (an image removed and pulled again is fetched again)', () => {
    const pulls = new OverlappingPulls();
    const one = pulls.begin();
    pulls.tally(one, [base, a], new Set());
    pulls.end(one);
    const again = pulls.begin();
    expect(pulls.tally(again, [base, a], new Set()).bytesDownloaded).toBe(base.size + a.size);
    expect(pulls.tally(again, [base, a], new Set([base.digest, a.digest])).bytesDownloaded).toBe(0);
    pulls.end(again);
  });
});
