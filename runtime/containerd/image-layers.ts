// The compressed layers of an image as containerd keeps it: the repo digest names a
// manifest, or an index whose entry for the node's platform names one; both are blobs in
// the content store. A pull's bytes are the sizes of the layers that were not in the store
// before it, as Docker counts them (manifests and configs left out).
import { choosePlatform, parsePlatform } from '../../transport/registry.js';

export interface LayerBlob {
  digest: string;
  size: number;
}

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

export interface LayerTally {
  bytesDownloaded: number;
  layersDownloaded: number;
  layersPresent: number;
}

/** Which of `layers` the pull fetched (absent from the store before it) and which it found. */
export function tallyLayers(layers: LayerBlob[], before: ReadonlySet<string>): LayerTally {
  const unique = [...new Map(layers.map((l) => [l.digest, l])).values()];
  const fetched = unique.filter((l) => !before.has(l.digest));
  return {
    bytesDownloaded: fetched.reduce((sum, l) => sum + l.size, 0),
    layersDownloaded: fetched.length,
    layersPresent: unique.length - fetched.length,
  };
}
