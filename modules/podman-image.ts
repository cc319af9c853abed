// containers.podman.podman_image on hound's engine, for podman nodes
// (hound_container_runtime=podman): the image is looked up, pulled the run's way (relay,
// limits, credentials) and removed through the node's runtime, and the registered `image` is
// podman's own inspect data (libpod's, as `podman inspect` prints it: a list), `changed`
// when the image's digest changed, as the module decides it (containers.podman 1.10.2).
// `validate_certs` is podman pull's --tls-verify for that pull (libpod's tlsVerify), straight
// from the registry rather than through the relay.
// `path` builds with the node's `podman build` and `push` pushes with its `podman push`
// (podman-image-build.ts); images are looked up with the node's `podman image inspect`, as the
// module does (podman nodes of the lab run no podman API service until hound starts one to pull).
import { formatBytes } from '../base/bytes.js';
import { normaliseRegistryHost } from '../transport/docker-config.js';
import { podmanImageModule } from './collection-schemas.js';
import { applyPull } from './image-actions.js';
import { ModuleFailure, controllerModule, type ModuleContext } from './implementation.js';
import { parseImageRef } from '../base/image-ref.js';
import {
  authFileContent,
  podmanBuildArgv,
  podmanPushArgv,
  podmanPushDestination,
  pushRegistry,
  runPodman,
  type AuthFile,
  type PodmanBuildOptions,
  type PodmanPushArgs,
} from './podman-image-build.js';

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
  path?: string;
  build?: PodmanBuildOptions;
  push?: boolean;
  push_args?: PodmanPushArgs;
  auth_file?: string;
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

/** The module's inspect_image: `podman inspect REF --format json` on the node (a list), or undefined. */
async function inspect(ctx: ModuleContext, ref: string): Promise<Record<string, unknown>[] | undefined> {
  const r = await runPodman(ctx, ['inspect', ref, '--format', 'json']);
  if (r.code !== 0) {
    if (/image not known|no such (image|object)|failed to find image/i.test(r.stderr)) return undefined;
    throw new ModuleFailure(`podman inspect ${ref} failed on ${ctx.host}: ${r.stderr.trim()}`);
  }
  const list = JSON.parse(r.stdout || '[]') as Record<string, unknown>[];
  return list.length > 0 ? list : undefined;
}

/**
 * The module's find_image: `podman image ls REF --format json` (which matches REF as podman's
 * reference filter does, a short name by its last components too), then its inspect for the
 * architecture; the listed images, or undefined.
 */
async function findImage(
  ctx: ModuleContext,
  ref: string,
  arch: string | undefined,
): Promise<{ listed?: Record<string, unknown>[]; matching?: Record<string, unknown>[] }> {
  const r = await runPodman(ctx, ['image', 'ls', ref, '--format', 'json']);
  if (r.code !== 0) throw new ModuleFailure(`podman image ls ${ref} failed on ${ctx.host}: ${r.stderr.trim()}`);
  const listed = JSON.parse(r.stdout || '[]') as Record<string, unknown>[];
  if (listed.length === 0) return {};
  const inspected = await inspect(ctx, ref);
  return { listed, matching: !arch || inspected?.[0]?.Architecture === arch ? listed : undefined };
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
  const { listed: found, matching: image } = await findImage(ctx, imageName, args.arch);
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
  if (args.auth_file !== undefined && args.username !== undefined)
    throw new ModuleFailure('parameters are mutually exclusive: auth_file|username, auth_file|password');
  if (args.path !== undefined && args.username !== undefined) {
    throw new ModuleFailure(
      'username/password with a build (path) is not supported by hound: the module passes them to `podman build --creds`, for whatever registry the build pulls from, and hound never puts a secret on a command line; log in first (podman_login) or use auth_file',
    );
  }
  const result: { actions: string[]; image: unknown; stdout: string; warnings?: string[] } = { actions: [], image: {}, stdout: '' };
  let changed = false;
  let bytes = 0;
  const msgs: string[] = [];
  if (!image || args.force) {
    if (args.path !== undefined) {
      result.actions.push(`Built image ${imageName} from ${args.path}`);
      if (!ctx.check) {
        const auth: AuthFile = args.auth_file !== undefined ? { path: args.auth_file } : undefined;
        const r = await runPodman(ctx, podmanBuildArgv(imageName, args.path, args.build ?? {}, args.validate_certs, auth));
        ctx.invalidateFacts();
        if (r.code !== 0) throw new ModuleFailure(`Failed to build image ${imageName}: ${r.stdout} ${r.stderr}`);
        result.stdout = r.stdout + r.stderr;
      }
      msgs.push(ctx.check ? `would build ${imageName}` : `built ${imageName}`);
    } else {
      result.actions.push(`Pulled image ${imageName}`);
      if (!ctx.check) {
        if (args.auth_file !== undefined) {
          throw new ModuleFailure(
            "auth_file for a pull is not supported by hound: hound's pulls use the credentials of the run (podman_login, registry_login, or username/password here), not a file on the node; auth_file is used for builds (path) and pushes",
          );
        }
        if (args.pull === false && !image) throw new ModuleFailure(`Failed to find image ${imageName} locally, image pull set to False`);
        if (args.username !== undefined && args.password !== undefined) {
          ctx.addSecret(args.password);
          ctx.credentials.set({ username: args.username, password: args.password, serverAddress: normaliseRegistryHost(parseImageRef(imageName).domain) });
        }
        ({ bytes } = await applyPull(
          { kind: 'pull', image: imageName, platform: args.arch ? `linux/${args.arch}` : undefined, reason: 'podman_image' },
          ctx,
          args.validate_certs,
        ));
      }
      msgs.push(ctx.check ? `would pull ${imageName}` : `pulled ${imageName} (${formatBytes(bytes)})`);
    }
    if (ctx.check) changed = true;
    else {
      const after = await inspect(ctx, imageName);
      result.image = after ?? {};
      changed = digestOf(image) !== digestOf(after);
      if (!changed) msgs.splice(0, msgs.length, `${imageName} already up to date`);
    }
  } else msgs.push(`${imageName} present`);
  if (args.push) {
    const pushArgs = args.push_args ?? {};
    const dest = pushArgs.dest ?? pushArgs.destination;
    result.actions.push(imageName.includes('/') ? `Pushed image ${imageName}` : `Pushed image ${imageName} to ${dest ?? 'None'}`);
    changed = true;
    msgs.push(ctx.check ? `would push ${imageName}` : `pushed ${imageName}`);
    if (!ctx.check) {
      const { dest: destination, warning } = podmanPushDestination(name, tag, imageName, pushArgs);
      if (warning) result.warnings = [warning];
      let auth: AuthFile = args.auth_file !== undefined ? { path: args.auth_file } : undefined;
      let authJson: string | undefined;
      if (args.username !== undefined && args.password !== undefined) {
        const registry = pushRegistry(name, pushArgs);
        if (registry === undefined)
          throw new ModuleFailure(`username/password for a push to ${pushArgs.transport} is not supported by hound: that transport is no registry`);
        ctx.addSecret(args.password);
        authJson = authFileContent(registry, args.username, args.password);
        ctx.addSecret(authJson.trim());
        ctx.addSecret(Buffer.from(`${args.username}:${args.password}`).toString('base64'));
        auth = { temporary: true };
      }
      const r = await runPodman(ctx, podmanPushArgv(imageName, destination, pushArgs, args.validate_certs, auth), authJson);
      if (r.code !== 0) throw new ModuleFailure(`Failed to push image ${imageName}: ${r.stderr}`);
      result.image = (await inspect(ctx, imageName)) ?? {};
      result.stdout += `\n${r.stdout}${r.stderr}`;
    }
  }
  return { status: changed ? 'changed' : 'ok', msg: msgs.join('; '), bytes, data: result };
});
