// Container images made from nothing but bytes, for a lab with no internet and no
// `docker build`: each layer is a gzipped tar of one file of seeded pseudo-random bytes,
// so digests are the same on every run and, the bytes being incompressible, what goes
// over the wire is the layer's size. Images are Docker v2 schema2 (config + manifest) and
// are pushed with the registry's HTTP API.
import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { OptionsError } from '../base/errors.js';

export const MEDIA_TYPES = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** A layer of seeded random bytes, or (with `file`) of one given file, such as a static binary to run. */
export type LayerSpec = RandomLayerSpec | FileLayerSpec;

export interface RandomLayerSpec {
  name: string;
  /** Size of the one file in the layer; the gzipped blob is this plus a few hundred bytes. */
  sizeBytes: number;
  seed: string;
}

export interface FileLayerSpec {
  name: string;
  file: { path: string; content: Buffer; mode: number };
}

export interface ImageSpec {
  repository: string;
  tag: string;
  /** Layer names, bottom first. */
  layers: string[];
  /** RFC 3339 creation time put in the config (what `docker images` shows); omitted when unset, which keeps sample digests stable. */
  created?: string;
  /** The config's Entrypoint, for an image meant to run. */
  entrypoint?: string[];
}

export interface ImageSetSpec {
  layers: LayerSpec[];
  images: ImageSpec[];
}

export interface Blob {
  digest: string;
  size: number;
  data: Buffer;
}

export interface BuiltLayer extends Blob {
  name: string;
  /** sha256 of the uncompressed tar, as listed in the config's rootfs.diff_ids. */
  diffId: string;
}

export interface BuiltImage {
  repository: string;
  tag: string;
  layers: BuiltLayer[];
  config: Blob;
  manifest: Blob;
}

export interface PushedImage {
  repository: string;
  tag: string;
  /** Manifest digest: what `docker pull repo@digest` and RepoDigests show. */
  digest: string;
  configDigest: string;
  layers: { name: string; digest: string; diffId: string; size: number }[];
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function blobOf(data: Buffer): Blob {
  return { digest: sha256Digest(data), size: data.length, data };
}

/** `size` bytes of an AES-256-CTR keystream keyed by the seed: fast, stable, incompressible. */
export function seededBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(`hound-layer:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/**
 * A POSIX ustar archive holding one regular file (root-owned, 0644, mtime 0). Written by
 * hand because it is one fixed 512-byte header; the unit tests read it back with tar(1).
 */
export function singleFileTar(fileName: string, content: Buffer, mode = 0o644): Buffer {
  if (Buffer.byteLength(fileName) > 100) throw new OptionsError('IMAGE_BAD_LAYER', `layer file name too long: ${fileName}`);
  const header = Buffer.alloc(512);
  header.write(fileName, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(content.length, 12), 124, 'ascii');
  header.write(octal(0, 12), 136, 'ascii');
  header.write(' '.repeat(8), 148, 'ascii'); // checksum is computed with its own field as spaces
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write('root', 265, 'ascii');
  header.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

export function buildLayer(spec: LayerSpec): BuiltLayer {
  if ('file' in spec) return layerOfTar(spec.name, singleFileTar(spec.file.path, spec.file.content, spec.file.mode));
  if (!Number.isInteger(spec.sizeBytes) || spec.sizeBytes < 0) {
    throw new OptionsError('IMAGE_BAD_LAYER', `layer '${spec.name}' has an invalid size ${spec.sizeBytes}`);
  }
  return layerOfTar(spec.name, singleFileTar(`hound-layer-${spec.name}.bin`, seededBytes(spec.seed, spec.sizeBytes)));
}

function layerOfTar(name: string, tar: Buffer): BuiltLayer {
  // Level 0 (stored blocks): the content is incompressible anyway, and stored output is the
  // same under every zlib version, which keeps digests stable.
  const gz = gzipSync(tar, { level: 0 });
  return { name, diffId: sha256Digest(tar), ...blobOf(gz) };
}

export function buildImage(spec: ImageSpec, layers: BuiltLayer[]): BuiltImage {
  const config = blobOf(
    Buffer.from(
      JSON.stringify({
        ...(spec.created !== undefined ? { created: spec.created } : {}),
        architecture: 'amd64',
        os: 'linux',
        config: {
          ...(spec.entrypoint !== undefined ? { Entrypoint: spec.entrypoint } : {}),
          Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          Labels: { 'org.hound.sample': `${spec.repository}:${spec.tag}` },
        },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map((l) => ({ created_by: `hound lab layer ${l.name}` })),
      }),
    ),
  );
  const manifest = blobOf(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.manifest,
        config: { mediaType: MEDIA_TYPES.config, size: config.size, digest: config.digest },
        layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.layer, size: l.size, digest: l.digest })),
      }),
    ),
  );
  return { repository: spec.repository, tag: spec.tag, layers, config, manifest };
}

/** Builds every image of a set, each named layer once. */
export function buildImageSet(spec: ImageSetSpec): BuiltImage[] {
  const byName = new Map<string, LayerSpec>();
  for (const l of spec.layers) {
    if (byName.has(l.name)) throw new OptionsError('IMAGE_BAD_SET', `layer '${l.name}' is defined twice`);
    byName.set(l.name, l);
  }
  const built = new Map<string, BuiltLayer>();
  return spec.images.map((img) => {
    const layers = img.layers.map((name) => {
      const ls = byName.get(name);
      if (!ls) throw new OptionsError('IMAGE_BAD_SET', `image ${img.repository}:${img.tag} uses undefined layer '${name}'`);
      let b = built.get(name);
      if (!b) built.set(name, (b = buildLayer(ls)));
      return b;
    });
    return buildImage(img, layers);
  });
}
