import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageLayers } from '../../../runtime/containerd/image-layers.js';
import { tallyLayers } from '../../../runtime/overlapping-pulls.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const index = readFileSync(join(fixtures, 'oci-image-index.json'));
const manifest = readFileSync(join(fixtures, 'oci-image-manifest.json'));
const INDEX = 'sha256:index';
const AMD64 = 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';

/** A content store of two blobs: the spec's example index, whose amd64 entry names the spec's example manifest. */
function store(): { read: (d: string) => Promise<Buffer>; reads: string[] } {
  const reads: string[] = [];
  const blobs = new Map([
    [INDEX, index],
    [AMD64, manifest],
  ]);
  return {
    reads,
    read: async (d) => {
      reads.push(d);
      const blob = blobs.get(d);
      if (!blob) throw new Error(`no blob ${d}`);
      return blob;
    },
  };
}

describe('the layers of an image in the content store', () => {
  it("follows an index to the node's platform, then reads that manifest's layers", async () => {
    const s = store();
    const layers = await imageLayers(s.read, INDEX, 'linux/amd64');
    expect(s.reads).toEqual([INDEX, AMD64]);
    expect(layers.map((l) => l.size)).toEqual([32654, 16724, 73109]);
  });

  it('reads a manifest directly, and finds nothing for a platform the index lacks', async () => {
    expect(await imageLayers(store().read, AMD64, 'linux/amd64')).toHaveLength(3);
    expect(await imageLayers(store().read, INDEX, 'linux/arm64')).toEqual([]);
  });

  it('counts as downloaded only the layers absent before the pull, each once', async () => {
    const layers = await imageLayers(store().read, AMD64, 'linux/amd64');
    expect(tallyLayers(layers, new Set())).toEqual({ fetched: layers, bytesDownloaded: 32654 + 16724 + 73109, layersDownloaded: 3, layersPresent: 0 });
    expect(tallyLayers(layers, new Set([layers[0].digest]))).toEqual({
      fetched: layers.slice(1),
      bytesDownloaded: 16724 + 73109,
      layersDownloaded: 2,
      layersPresent: 1,
    });
    expect(tallyLayers([...layers, layers[1]], new Set(layers.map((l) => l.digest)))).toEqual({
      fetched: [],
      bytesDownloaded: 0,
      layersDownloaded: 0,
      layersPresent: 3,
    });
  });
});
