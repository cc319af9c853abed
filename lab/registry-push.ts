// Pushing built images with the Distribution HTTP API: HEAD to skip blobs the repository
// already has, a cross-repository mount for blobs pushed elsewhere in the same registry,
// otherwise a monolithic upload (POST, then PUT with the digest); the manifest last.
import { EnvironmentError } from '../base/errors.js';
import type { Blob, BuiltImage, ImageSetSpec, PushedImage } from './image-builder.js';
import { buildImageSet, MEDIA_TYPES } from './image-builder.js';

export interface PushStats {
  uploadedBlobs: number;
  uploadedBytes: number;
  mountedBlobs: number;
  skippedBlobs: number;
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new EnvironmentError('LAB_REGISTRY_UNREACHABLE', `registry request ${init.method ?? 'GET'} ${new URL(url).pathname} failed: ${why}`, {
      hint: 'is the lab up? check with `hound lab status`',
    });
  }
}

async function expect(res: Response, ok: number[], what: string): Promise<Response> {
  if (ok.includes(res.status)) return res;
  const body = (await res.text()).slice(0, 300);
  throw new EnvironmentError('LAB_PUSH_FAILED', `${what}: registry answered ${res.status} ${body}`);
}

class RegistryPusher {
  readonly stats: PushStats = { uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0, skippedBlobs: 0 };
  /** Blob digest -> a repository that has it, for cross-repository mounts. */
  private readonly holders = new Map<string, string>();

  constructor(private readonly base: string) {}

  private async uploadTo(location: string, repo: string, blob: Blob): Promise<void> {
    const url = new URL(location, this.base);
    url.searchParams.set('digest', blob.digest);
    await expect(
      await call(url.toString(), {
        method: 'PUT',
        body: new Uint8Array(blob.data),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      }),
      [201],
      `upload of ${blob.digest} to ${repo}`,
    );
    this.stats.uploadedBlobs++;
    this.stats.uploadedBytes += blob.size;
  }

  async ensureBlob(repo: string, blob: Blob): Promise<void> {
    const head = await call(`${this.base}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
    if (head.status === 200) {
      this.stats.skippedBlobs++;
      this.holders.set(blob.digest, repo);
      return;
    }
    const from = this.holders.get(blob.digest);
    const start = new URL(`${this.base}/v2/${repo}/blobs/uploads/`);
    if (from) {
      start.searchParams.set('mount', blob.digest);
      start.searchParams.set('from', from);
    }
    const res = await expect(await call(start.toString(), { method: 'POST' }), [201, 202], `starting upload of ${blob.digest} to ${repo}`);
    await res.arrayBuffer();
    if (res.status === 201) {
      this.stats.mountedBlobs++;
    } else {
      const location = res.headers.get('location');
      if (!location) throw new EnvironmentError('LAB_PUSH_FAILED', `registry gave no upload location for ${repo}`);
      await this.uploadTo(location, repo, blob);
    }
    this.holders.set(blob.digest, repo);
  }

  async pushImage(img: BuiltImage): Promise<PushedImage> {
    // Bottom layer first so that later images of the set can mount rather than upload.
    for (const blob of [...img.layers, img.config]) await this.ensureBlob(img.repository, blob);
    const res = await expect(
      await call(`${this.base}/v2/${img.repository}/manifests/${img.tag}`, {
        method: 'PUT',
        body: new Uint8Array(img.manifest.data),
        headers: { 'content-type': MEDIA_TYPES.manifest },
      }),
      [201],
      `manifest of ${img.repository}:${img.tag}`,
    );
    await res.arrayBuffer();
    const echoed = res.headers.get('docker-content-digest');
    if (echoed && echoed !== img.manifest.digest) {
      throw new EnvironmentError('LAB_PUSH_FAILED', `registry stored ${img.repository}:${img.tag} as ${echoed}, expected ${img.manifest.digest}`);
    }
    return {
      repository: img.repository,
      tag: img.tag,
      digest: img.manifest.digest,
      configDigest: img.config.digest,
      layers: img.layers.map((l) => ({ name: l.name, digest: l.digest, diffId: l.diffId, size: l.size })),
    };
  }
}

/** Builds and pushes a set of images; resolves, in the spec's order, to what was pushed. */
export async function pushImageSet(registryUrl: string, spec: ImageSetSpec, onStats?: (s: PushStats) => void): Promise<PushedImage[]> {
  return pushBuiltImages(registryUrl, buildImageSet(spec), onStats);
}

/** Pushes images already built (e.g. lab/registry-image.ts's); resolves, in order, to what was pushed. */
export async function pushBuiltImages(registryUrl: string, images: readonly BuiltImage[], onStats?: (s: PushStats) => void): Promise<PushedImage[]> {
  const pusher = new RegistryPusher(registryUrl.replace(/\/+$/, ''));
  const pushed: PushedImage[] = [];
  for (const img of images) pushed.push(await pusher.pushImage(img));
  onStats?.(pusher.stats);
  return pushed;
}
