// containers.podman.podman_image on hound's engine, for podman nodes
// (hound_container_runtime=podman): the image is looked up, pulled the run's way (relay,
// limits, credentials) and removed through the node's runtime, and the registered `image` is
// podman's own inspect data (libpod's, as `podman inspect` prints it: a list), `changed`
// when the image's digest changed, as the module decides it (containers.podman 1.10.2).
// `validate_certs` is podman pull's --tls-verify for that pull (libpod's tlsVerify), straight
// from the registry rather than through the relay.
import { formatBytes } from '../base/bytes.js';
import { normaliseRegistryHost } from '../transport/docker-config.js';
import { podmanImageModule } from './collection-schemas.js';
import { getDocument } from './docker-engine.js';
import { applyPull } from './image-actions.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import { parseImageRef } from '../base/image-ref.js';

export interface PodmanImageArgs {
  name: string;
  tag?: string;
  arch?: string;
  pull?: boolean;
  force?: boolean;
  state?: 'present' | 'absent';
  username?: string;
  password?: string;
  validate_certs?: boolean;
}

/** The node's runtime as its inventory says (hound_container_runtime, docker when unset). */
export function nodeRuntime(ctx: ModuleContext): string {
  const value = ctx.vars.hound_container_runtime;
  return typeof value === 'string' && value !== '' ? value : 'docker';
}

/** podman modules run on podman nodes only: anywhere else they fail saying so. */
export function requirePodman(ctx: ModuleContext, module: string): void {
  const runtime = nodeRuntime(ctx);
  if (runtime !== 'podman') {
    throw new ModuleFailure(`${module} works on podman nodes; ${ctx.host}'s container runtime is ${runtime} (hound_container_runtime)`);
  }
}

/** containers.podman's parse_repository_tag (it splits on the last ':' even after a registry port, as the module does). */
function repositoryTag(name: string): [string, string | undefined] {
  const at = name.lastIndexOf('@');
  if (at >= 0) return [name.slice(0, at), name.slice(at + 1)];
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && !name.slice(colon + 1).includes('/')) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, undefined];
}

/** podman's inspect data of `ref` (libpod's GET /images/REF/json), as a one-element list like `podman inspect`, or undefined. */
async function inspect(ctx: ModuleContext, ref: string): Promise<Record<string, unknown>[] | undefined> {
  const runtime = await ctx.docker();
  if (!runtime.engineApi) throw new ModuleFailure(`podman_image needs podman's API service on ${ctx.host}`);
  const doc = (await getDocument(runtime.engineApi, `/libpod/images/${encodeURIComponent(ref)}/json`)) as Record<string, unknown> | undefined;
  return doc ? [doc] : undefined;
}

function digestOf(image: Record<string, unknown>[] | undefined): unknown {
  return image?.[0]?.Digest ?? image?.[0]?.digest;
}

export const podmanImage = controllerModule<PodmanImageArgs>(podmanImageModule, async (args, ctx) => {
  requirePodman(ctx, 'podman_image');
  const [repo, written] = repositoryTag(args.name);
  const name = written !== undefined ? repo : args.name;
  const tag = written ?? args.tag ?? 'latest';
  const imageName = `${name}${tag.includes('sha256') ? '@' : ':'}${tag}`;
  const found = await inspect(ctx, imageName);
  const image = found && (!args.arch || found[0].Architecture === args.arch) ? found : undefined;
  if ((args.state ?? 'present') === 'absent') {
    if (!found) return { status: 'ok', msg: `${imageName} absent`, bytes: 0, data: { actions: [], image: {}, stdout: '' } };
    if (!ctx.check) {
      const runtime = await ctx.docker();
      await runtime.removeImage(imageName, { force: args.force ?? false });
      ctx.invalidateFacts();
    }
    return {
      status: 'changed',
      msg: `removed ${imageName}`,
      bytes: 0,
      data: { actions: [`Removed image ${name}`], image: { state: 'Deleted' }, stdout: '' },
    };
  }
  if (image && !args.force) return { status: 'ok', msg: `${imageName} present`, bytes: 0, data: { actions: [], image: {}, stdout: '' } };
  const actions = [`Pulled image ${imageName}`];
  if (ctx.check) return { status: 'changed', msg: `would pull ${imageName}`, bytes: 0, data: { actions, image: {}, stdout: '' } };
  if (args.pull === false && !image) throw new ModuleFailure(`Failed to find image ${imageName} locally, image pull set to False`);
  if (args.username !== undefined && args.password !== undefined) {
    ctx.addSecret(args.password);
    ctx.credentials.set({ username: args.username, password: args.password, serverAddress: normaliseRegistryHost(parseImageRef(imageName).domain) });
  }
  const { bytes } = await applyPull(
    { kind: 'pull', image: imageName, platform: args.arch ? `linux/${args.arch}` : undefined, reason: 'podman_image' },
    ctx,
    args.validate_certs,
  );
  const pulled = await inspect(ctx, imageName);
  const changed = digestOf(image) !== digestOf(pulled);
  return {
    status: changed ? 'changed' : 'ok',
    msg: changed ? `pulled ${imageName} (${formatBytes(bytes)})` : `${imageName} already up to date`,
    bytes,
    data: { actions, image: pulled ?? {}, stdout: '' },
  };
});
