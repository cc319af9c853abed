// The compressed layers of an image as containerd keeps it: the repo digest names a
// manifest, or an index whose entry for the node's platform names one; both are blobs in
// the content store. A pull's bytes are the sizes of the layers that were not in the store
// before it, as Docker counts them (manifests and configs left out): overlapping-pulls.ts.
import { choosePlatform, parsePlatform } from '../../transport/registry.js';
import type { LayerBlob } from '../overlapping-pulls.js';

interface ManifestJson {
  manifests?: unknown[];
  layers?: LayerBlob[];
}

/** The layers of the image whose top manifest (or index) is `digest`, for `platform` (os/arch[/variant]). */
export async function imageLayers(read: (digest: string) => Promise<Buffer>, digest: string, platform: string): Promise<LayerBlob[]> {
  let json = JSON.parse((await read(digest)).toString('utf8')) as ManifestJson;
  if (Array.isArray(json.manifests)) {
    const chosen = choosePlatform(json, parsePlatform(platform));
    if (!chosen) return [];
    json = JSON.parse((await read(chosen.digest)).toString('utf8')) as ManifestJson;
  }
  return (json.layers ?? []).map((l) => ({ digest: l.digest, size: l.size }));
}
