// Images that run. The lab's images are random bytes, which no container can start from;
// a pod on a containerd node needs a sandbox ("pause") image, and a test that starts a
// container needs an image with a program in it. Both use catatonit (Debian's package, a
// static init that podman itself uses; `-P` makes it a pause process that waits for a
// signal), so the lab still builds every image offline, from files on this machine.
import { readFileSync } from 'node:fs';
import type { FileLayerSpec, ImageSetSpec, PushedImage } from './image-builder.js';
import { pushImageSet } from './registry-push.js';

export const PAUSE_REPOSITORY = 'lab/pause';
export const PAUSE_TAG = 'catatonit';
/** Runs catatonit as a pause process: it sleeps until SIGTERM or SIGINT, reaping children. */
export const PAUSE_ENTRYPOINT = ['/catatonit', '-P'];

/** A layer holding only the static catatonit binary at /catatonit. */
export function catatonitLayer(catatonitPath: string): FileLayerSpec {
  return { name: 'catatonit', file: { path: 'catatonit', content: readFileSync(catatonitPath), mode: 0o755 } };
}

export function pauseImageSet(catatonitPath: string): ImageSetSpec {
  return {
    layers: [catatonitLayer(catatonitPath)],
    images: [{ repository: PAUSE_REPOSITORY, tag: PAUSE_TAG, layers: ['catatonit'], entrypoint: PAUSE_ENTRYPOINT }],
  };
}

export async function pushPauseImage(registryUrl: string, catatonitPath: string): Promise<PushedImage> {
  const [pushed] = await pushImageSet(registryUrl, pauseImageSet(catatonitPath));
  return pushed;
}
