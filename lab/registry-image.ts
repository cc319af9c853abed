// A Distribution registry image for the lab, built offline from Debian's docker-registry
// package: the seeds of a fan-out run (relay/fanout) start it as a container, the way a
// user would start `registry:2`. Its binary links only libc (checked with ldd: libc.so.6
// and the loader), so the image is three files, one layer each, and the same entrypoint
// and config path as the official image: hound mounts its config over that path.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildImage, sha256Digest, singleFileTar, type BuiltImage, type BuiltLayer, type PushedImage } from './image-builder.js';
import { pushBuiltImages } from './registry-push.js';

export const LAB_REGISTRY_IMAGE_REPOSITORY = 'lab/registry';
export const LAB_REGISTRY_IMAGE_TAG = '2.8';
/** Where the official image and this one read their config. */
export const REGISTRY_CONFIG_PATH = '/etc/docker/registry/config.yml';

/** Where Debian's docker-registry package and libc put the image's three files. */
export const DEBIAN_REGISTRY_FILES = {
  registry: '/usr/bin/docker-registry',
  libc: '/lib/x86_64-linux-gnu/libc.so.6',
  loader: '/lib64/ld-linux-x86-64.so.2',
};
export type RegistryImageFiles = typeof DEBIAN_REGISTRY_FILES;

// Unlike the sample layers (random bytes, stored), a binary compresses to about half:
// the seeds pull this image at the start of a run, so its bytes count.
function compressedFileLayer(name: string, pathInImage: string, content: Buffer, mode: number): BuiltLayer {
  const tar = singleFileTar(pathInImage, content, mode);
  const gz = gzipSync(tar, { level: 6 });
  return { name, diffId: sha256Digest(tar), digest: sha256Digest(gz), size: gz.length, data: gz };
}

export function buildRegistryImage(files: RegistryImageFiles = DEBIAN_REGISTRY_FILES): BuiltImage {
  const layers = [
    compressedFileLayer('loader', 'lib64/ld-linux-x86-64.so.2', readFileSync(files.loader), 0o755),
    compressedFileLayer('libc', 'lib/x86_64-linux-gnu/libc.so.6', readFileSync(files.libc), 0o755),
    compressedFileLayer('registry', 'bin/registry', readFileSync(files.registry), 0o755),
  ];
  return buildImage(
    {
      repository: LAB_REGISTRY_IMAGE_REPOSITORY,
      tag: LAB_REGISTRY_IMAGE_TAG,
      layers: layers.map((l) => l.name),
      entrypoint: ['/bin/registry', 'serve', REGISTRY_CONFIG_PATH],
    },
    layers,
  );
}

/** Pushes the lab's registry image; its reference is `<registry>/lab/registry:2.8`. */
export async function pushRegistryImage(registryUrl: string): Promise<PushedImage> {
  const [pushed] = await pushBuiltImages(registryUrl, [buildRegistryImage()]);
  return pushed;
}
