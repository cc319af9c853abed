// community.docker.docker_image on hound's engine: `source: pull` pulls the run's way
// (direct, relay or auto, with the run's credentials and pull limits, bytes counted in the
// recap), `source: load` streams a tarball from the controller as hound's `load` does,
// `source: build` runs the node's `docker build` on a directory of the node
// (docker-image-build.ts), `source: local` only checks, `state: absent` removes; then
// `archive_path` writes the image as a tarball on the node (docker-image-archive.ts),
// `repository` tags it and `push` pushes it through the node's Docker (docker-image-push.ts).
// What it decides and returns follows community.docker's docker_image (3.4.7): `changed`,
// `actions`, `image`, the inspect document, and `stdout`, the build's output.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { formatBytes } from '../base/bytes.js';
import { dockerImageModule } from './collection-schemas.js';
import {
  engineApiOf,
  engineMessage,
  findImage,
  findImageById,
  isImageId,
  isValidTag,
  nameAndTag,
  pullReference,
  type InspectDocument,
} from './docker-engine.js';
import { applyPull } from './image-actions.js';
import { archiveImage } from './docker-image-archive.js';
import { buildImage, buildPathOnNode, type DockerBuildOptions } from './docker-image-build.js';
import { pushImage, tagImage, type ImageResults } from './docker-image-push.js';
import type { EngineApi } from '../runtime/types.js';
import { ModuleFailure, type ControllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface DockerImageArgs {
  name: string;
  tag?: string;
  source?: 'build' | 'pull' | 'load' | 'local';
  state?: 'present' | 'absent';
  force_source?: boolean;
  force_absent?: boolean;
  load_path?: string;
  pull?: { platform?: string };
  build?: DockerBuildOptions;
  archive_path?: string;
  repository?: string;
  force_tag?: boolean;
  push?: boolean;
}

/** Pulls name:tag the run's way, then reads its inspect document; bytes as the recap counts them. */
export async function pullImage(ctx: ModuleContext, name: string, tag: string, platform: string | undefined): Promise<{ bytes: number }> {
  const outcome = await applyPull({ kind: 'pull', image: pullReference(name, tag), platform, reason: 'docker_image' }, ctx);
  return { bytes: outcome.bytes };
}

/** What the module registers (`changed`, `actions`, `image`), with hound's line for the reporters and the bytes moved. */
interface PresentResults extends ImageResults {
  msg: string;
  bytes: number;
  /** The build's output, when it built. */
  stdout?: string;
}

function result(r: PresentResults): ModuleResult {
  // As Ansible adds stdout_lines to any result with a stdout.
  const data = {
    actions: r.actions,
    image: r.image,
    ...(r.stdout === undefined ? {} : { stdout: r.stdout, stdout_lines: r.stdout === '' ? [] : r.stdout.split('\n') }),
  };
  return { status: r.changed ? 'changed' : 'ok', msg: r.msg, bytes: r.bytes, data };
}

/** Brings the image there (pull, load, or only checks it with `local`), as the module's present() before archiving, tagging and pushing. */
async function bringImage(args: DockerImageArgs, ctx: ModuleContext, api: EngineApi, name: string, tag: string, r: PresentResults): Promise<void> {
  const byId = isImageId(name);
  const image = byId ? await findImageById(api, name) : await findImage(api, name, tag);
  const shown = byId ? name : `${name}:${tag}`;
  if (image && !args.force_source) {
    r.image = image;
    r.msg = `${shown} present`;
    return;
  }
  if (args.source === 'build') {
    if (byId) throw new ModuleFailure(`Image name must not be an image ID for source=build; got: ${name}`);
    const build = args.build!;
    const path = await buildPathOnNode(ctx, build.path);
    const imageName = tag ? `${name}:${tag}` : name;
    r.actions.push(`Built image ${imageName} from ${path}`);
    r.changed = true;
    r.msg = `would build ${imageName} from ${path}`;
    if (ctx.check) return;
    const built = await buildImage(ctx, api, name, tag, { ...build, path });
    r.stdout = built.stdout;
    r.image = built.image;
  } else if (args.source === 'pull') {
    if (byId) throw new ModuleFailure(`Image name must not be an image ID for source=pull; got: ${name}`);
    r.actions.push(`Pulled image ${name}:${tag}`);
    r.changed = true;
    r.msg = `would pull ${shown}`;
    if (ctx.check) return;
    const { bytes } = await pullImage(ctx, name, tag, args.pull?.platform);
    r.image = (await findImage(api, name, tag)) ?? {};
    r.bytes = bytes;
  } else if (args.source === 'load') {
    r.actions.push(`Loaded image ${shown} from ${args.load_path}`);
    r.changed = true;
    r.msg = `would load ${args.load_path}`;
    if (ctx.check) return;
    const size = await loadFromController(ctx, args.load_path!, shown, byId, name);
    r.image = (byId ? await findImageById(api, name) : await findImage(api, name, tag)) ?? {};
    r.bytes = size;
  } else if (!image) {
    // source: local only makes sure the image is there.
    throw new ModuleFailure(`Cannot find the image ${shown} locally.`);
  }
  if (!ctx.check && image && image.Id === (r.image as InspectDocument).Id) r.changed = false;
  if (args.source === 'build') r.msg = r.changed ? `built ${shown} on ${ctx.host}` : `${shown} built again, unchanged`;
  else if (args.source === 'pull') r.msg = r.changed ? `pulled ${shown} (${formatBytes(r.bytes)})` : `${shown} already up to date`;
  else if (args.source === 'load') r.msg = `loaded ${args.load_path} (${formatBytes(r.bytes)})`;
  else r.msg = `${shown} present`;
}

async function present(args: DockerImageArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const api = await engineApiOf(ctx, 'docker_image');
  const { name, tag } = nameAndTag(args.name, args.tag);
  // The module's sanity checks, before it does anything.
  if (args.repository !== undefined && isImageId(args.repository)) throw new ModuleFailure(`\`repository\` must not be an image ID; got: ${args.repository}`);
  if (args.repository === undefined && args.push && isImageId(name)) {
    throw new ModuleFailure(`Cannot push an image by ID; specify \`repository\` to tag and push the image with ID ${name} instead`);
  }
  const r: PresentResults = { changed: false, actions: [], image: {}, msg: '', bytes: 0 };
  await bringImage(args, ctx, api, name, tag, r);
  if (args.archive_path !== undefined) {
    const archived = await archiveImage(ctx, api, name, tag, args.archive_path);
    if (archived) {
      // As the module: whether it archived decides `changed`, whatever came before.
      if (archived.action !== undefined) r.actions.push(archived.action);
      r.changed = archived.action !== undefined;
      r.image = archived.image;
      if (archived.action !== undefined) r.msg = `${ctx.check ? 'would archive' : 'archived'} ${name}:${tag} to ${args.archive_path} on ${ctx.host}`;
    }
  }
  if (args.push && args.repository === undefined) await pushImage(ctx, api, name, name, tag, r);
  else if (args.repository !== undefined) {
    await tagImage(ctx, api, { originalName: name, name, tag, repository: args.repository, forceTag: args.force_tag === true, push: args.push === true }, r);
  }
  if (args.repository !== undefined || args.push) r.msg = r.actions.length > 0 ? r.actions.join('; ') : `${name}:${tag} present`;
  return result(r);
}

/** Streams the controller's tarball into the node's Docker; fails as docker_image does when it lacks the image asked for. */
async function loadFromController(ctx: ModuleContext, loadPath: string, expected: string, byId: boolean, name: string): Promise<number> {
  let size: number;
  try {
    const s = await stat(loadPath);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch (err) {
    throw new ModuleFailure(
      `Error loading image ${name}. Specified path ${loadPath} does not exist. (hound reads load_path on the controller and streams it to the node: ${(err as Error).message})`,
    );
  }
  const runtime = await ctx.docker();
  const loaded = await runtime.loadImage(createReadStream(loadPath), { signal: ctx.signal });
  ctx.invalidateFacts();
  if (loaded.length === 0) throw new ModuleFailure('Detected no loaded images. Archive potentially corrupt?');
  const ids = loaded.filter((l) => l.startsWith('sha256:')).map((l) => l.toLowerCase());
  const names = loaded.filter((l) => !l.startsWith('sha256:'));
  const found = byId ? ids.includes(expected.toLowerCase()) : names.includes(expected);
  if (!found) {
    throw new ModuleFailure(`The archive did not contain image '${expected}'. Instead, found ${[...names.map((n) => `'${n}'`), ...ids].sort().join(', ')}.`);
  }
  return size;
}

async function absent(args: DockerImageArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const api = await engineApiOf(ctx, 'docker_image');
  const split = nameAndTag(args.name, args.tag);
  const byId = isImageId(split.name);
  const image = byId ? await findImageById(api, split.name) : await findImage(api, split.name, split.tag);
  const name = byId ? split.name : `${split.name}:${split.tag}`;
  if (!image) return result({ changed: false, actions: [], image: {}, msg: `${name} absent`, bytes: 0 });
  if (!ctx.check) {
    const r = await api.request('DELETE', `/images/${encodeURIComponent(name)}`, { query: { force: args.force_absent ? 'true' : 'false' } });
    // An image that vanished meanwhile is what was asked for.
    if (r.status >= 300 && r.status !== 404) throw new ModuleFailure(`Error removing image ${name} - ${r.status}: ${engineMessage(r.body)}`);
    ctx.invalidateFacts();
  }
  return result({ changed: true, actions: [`Removed image ${name}`], image: { state: 'Deleted' }, msg: `removed ${name}`, bytes: 0 });
}

export const dockerImage: ControllerModule<DockerImageArgs> = {
  kind: 'controller',
  definition: dockerImageModule,
  async run(args, ctx) {
    if (!isValidTag(args.tag)) throw new ModuleFailure(`"${args.tag}" is not a valid docker tag!`);
    return (args.state ?? 'present') === 'absent' ? absent(args, ctx) : present(args, ctx);
  },
};
