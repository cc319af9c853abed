// Pushing built images to a registry (the lab's, or one a test runs) with transport/'s
// registry client: blobs the repository already has are skipped, blobs pushed earlier to
// another repository of the set are mounted across, the rest uploaded; the manifest last.
import { EnvironmentError } from '../base/errors.js';
import { RegistryClient, RegistryError, type RegistryRoute } from '../transport/registry.js';
import type { ControllerTrustOptions } from '../transport/registry-trust.js';
import type { RegistryAuth } from '../transport/types.js';
import type { BuiltImage, ImageSetSpec, PushedImage } from './image-builder.js';
import { buildImageSet, MEDIA_TYPES } from './image-builder.js';

export interface PushStats {
  uploadedBlobs: number;
  uploadedBytes: number;
  mountedBlobs: number;
  skippedBlobs: number;
}

/** How to reach a registry other than the lab's plain one: credentials, and the TLS trust for an https URL. */
export interface PushAccess {
  auth?: RegistryAuth;
  trust?: ControllerTrustOptions;
}

class RegistryPusher {
  readonly stats: PushStats = { uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0, skippedBlobs: 0 };
  /** Blob digest -> a repository that has it, for cross-repository mounts. */
  private readonly holders = new Map<string, string>();
  private readonly registry: string;
  private readonly route: RegistryRoute;

  constructor(
    private readonly client: RegistryClient,
    registryUrl: string,
    auth: RegistryAuth | undefined,
  ) {
    const url = new URL(registryUrl);
    this.registry = url.host;
    this.route = { insecure: url.protocol === 'http:', ...(auth ? { auth } : {}) };
  }

  async ensureBlob(repo: string, blob: BuiltImage['config']): Promise<void> {
    if (await this.client.hasBlob(this.registry, repo, blob.digest, this.route)) {
      this.stats.skippedBlobs++;
    } else if ((await this.client.pushBlob(this.registry, repo, blob, blob.data, this.route, this.holders.get(blob.digest))) === 'mounted') {
      this.stats.mountedBlobs++;
    } else {
      this.stats.uploadedBlobs++;
      this.stats.uploadedBytes += blob.size;
    }
    this.holders.set(blob.digest, repo);
  }

  async pushImage(img: BuiltImage): Promise<PushedImage> {
    // Bottom layer first so that later images of the set can mount rather than upload.
    for (const blob of [...img.layers, img.config]) await this.ensureBlob(img.repository, blob);
    await this.client.pushManifest(
      this.registry,
      img.repository,
      img.tag,
      { body: img.manifest.data, contentType: MEDIA_TYPES.manifest, digest: img.manifest.digest },
      this.route,
    );
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
export async function pushImageSet(registryUrl: string, spec: ImageSetSpec, onStats?: (s: PushStats) => void, access?: PushAccess): Promise<PushedImage[]> {
  return pushBuiltImages(registryUrl, buildImageSet(spec), onStats, access);
}

/** Pushes images already built (e.g. lab/registry-image.ts's); resolves, in order, to what was pushed. */
export async function pushBuiltImages(
  registryUrl: string,
  images: readonly BuiltImage[],
  onStats?: (s: PushStats) => void,
  access: PushAccess = {},
): Promise<PushedImage[]> {
  // The registry is the lab's (or a test's) on this host: no proxy, no credentials but these.
  const client = new RegistryClient({ dockerConfigPath: false, proxy: {}, ...(access.trust ? { trust: access.trust } : {}) });
  try {
    const pusher = new RegistryPusher(client, registryUrl, access.auth);
    const pushed: PushedImage[] = [];
    for (const img of images) pushed.push(await pusher.pushImage(img));
    onStats?.(pusher.stats);
    return pushed;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    const unreachable = error.code === 'REGISTRY_UNREACHABLE';
    throw new EnvironmentError(unreachable ? 'LAB_REGISTRY_UNREACHABLE' : 'LAB_PUSH_FAILED', error.message, {
      hint: unreachable ? 'is the lab up? check with `hound lab status`' : error.hint,
      cause: error,
    });
  } finally {
    client.close();
  }
}
