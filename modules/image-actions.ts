// Planning and applying pulls and removals of one image, shared by `image` and `images`.
import { containersUsing, findImage, localRepoDigest, type NodeFacts } from '../runtime/node-facts.js';
import { parseImageRef } from '../base/image-ref.js';
import type { Action, ActionOutcome, ModuleContext } from './implementation.js';
import { PullLayers } from './pull-layers.js';
import { formatBytes } from '../base/bytes.js';
import { isAnyRunsRelayName } from '../relay/relay-names.js';

export type PullState = 'present' | 'latest';

/** What bringing one reference to `present` or `latest` takes, given the node and (for latest) the registry's digest. */
export function planPull(facts: NodeFacts, name: string, state: PullState, platform: string | undefined, remoteDigest?: string): Action {
  const image = findImage(facts, name);
  if (!image) return { kind: 'pull', image: name, platform, reason: 'not present' };
  // A relayed run killed between naming the image and its clean-up left its relay's names on
  // it (and, on containerd, no repo digest yet): pulled again, which settles its names.
  if ([...image.repoTags, ...image.repoDigests].some((n) => isAnyRunsRelayName(n)))
    return { kind: 'pull', image: name, platform, reason: "present, with an interrupted run's relay names" };
  if (state === 'latest') {
    const ref = parseImageRef(name);
    if (ref.digest === undefined) {
      const local = localRepoDigest(image, ref);
      if (remoteDigest !== undefined && local !== remoteDigest) {
        return { kind: 'pull', image: name, platform, reason: `registry has ${short(remoteDigest)}, node has ${local ? short(local) : 'no repo digest'}` };
      }
    }
    return { kind: 'none', image: name, reason: 'up to date' };
  }
  return { kind: 'none', image: name, reason: 'present' };
}

/** Removing one reference: nothing when absent, refused when a container uses it unless forced. */
export function planRemove(facts: NodeFacts, name: string, force: boolean): Action {
  const image = findImage(facts, name);
  if (!image) return { kind: 'none', image: name, reason: 'absent' };
  const users = containersUsing(facts, image);
  if (users.length > 0 && !force) {
    return {
      kind: 'refuse',
      image: name,
      reason: `${name} is used by container ${users.map((c) => c.id.slice(0, 12)).join(', ')}; not removed (set force: true to remove it anyway)`,
    };
  }
  return { kind: 'remove', image: name, imageId: image.id, force, reason: users.length > 0 ? 'forced, in use' : 'present' };
}

export function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

// One way to print sizes everywhere (binary units, as `hound plan` prints them).

/** `tlsVerify`: whether the node must verify the registry's TLS for this pull (podman_image validate_certs); undefined: as the node says. */
export async function applyPull(action: Extract<Action, { kind: 'pull' }>, ctx: ModuleContext, tlsVerify?: boolean): Promise<ActionOutcome> {
  const ref = parseImageRef(action.image);
  const layers = new PullLayers();
  const result = await ctx.limits.pull(
    ctx.host,
    ref.domain,
    () =>
      ctx.pull(action.image, {
        platform: action.platform,
        ...(tlsVerify !== undefined ? { tlsVerify } : {}),
        onProgress: (p) => {
          layers.add(p);
          ctx.progress(action.image, p);
        },
      }),
    // A pull that says how to verify the registry's TLS goes to the registry itself (core/run.ts).
    { direct: tlsVerify !== undefined },
  );
  ctx.invalidateFacts();
  // A runtime that knows exactly what the pull fetched says so; otherwise its progress lines do.
  const bytes = ctx.claimLayers(result.fetchedLayers ?? layers.downloaded());
  return {
    changed: true,
    bytes,
    msg: `pulled ${action.image} (${formatBytes(bytes)})`,
    data: { image: action.image, digest: result.digest, layers_downloaded: result.layersDownloaded, layers_present: result.layersPresent },
  };
}

export async function applyRemove(action: Extract<Action, { kind: 'remove' }>, ctx: ModuleContext, by: 'name' | 'id'): Promise<ActionOutcome> {
  const docker = await ctx.docker();
  await docker.removeImage(by === 'id' ? action.imageId : action.image, { force: action.force || by === 'id' });
  ctx.invalidateFacts();
  return { changed: true, bytes: 0, msg: `removed ${action.image}`, data: { image: action.image, id: action.imageId } };
}
