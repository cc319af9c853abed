// community.docker.docker_image on hound's engine: `source: pull` pulls the run's way
// (direct, relay or auto, with the run's credentials and pull limits, bytes counted in the
// recap), `source: load` streams a tarball from the controller as hound's `load` does,
// `source: local` only checks, `state: absent` removes. What it decides and returns follows
// community.docker's docker_image (3.4.7): `changed`, `actions`, and `image`, the inspect
// document. Building, archiving, tagging and pushing are refused when the task is read
// (modules/collection-schemas.ts).
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
import { ModuleFailure, type ControllerModule, type ModuleContext, type ModuleResult } from './implementation.js';

export interface DockerImageArgs {
  name: string;
  tag?: string;
  source?: 'pull' | 'load' | 'local';
  state?: 'present' | 'absent';
  force_source?: boolean;
  force_absent?: boolean;
  load_path?: string;
  pull?: { platform?: string };
}

function result(changed: boolean, actions: string[], image: Record<string, unknown>, msg: string, bytes = 0): ModuleResult {
  return { status: changed ? 'changed' : 'ok', msg, bytes, data: { actions, image } };
}

/** Pulls name:tag the run's way, then reads its inspect document; bytes as the recap counts them. */
export async function pullImage(ctx: ModuleContext, name: string, tag: string, platform: string | undefined): Promise<{ bytes: number }> {
  const outcome = await applyPull({ kind: 'pull', image: pullReference(name, tag), platform, reason: 'docker_image' }, ctx);
  return { bytes: outcome.bytes };
}

async function present(args: DockerImageArgs, ctx: ModuleContext): Promise<ModuleResult> {
  const api = await engineApiOf(ctx, 'docker_image');
  const { name, tag } = nameAndTag(args.name, args.tag);
  const byId = isImageId(name);
  const image = byId ? await findImageById(api, name) : await findImage(api, name, tag);
  const shown = byId ? name : `${name}:${tag}`;
  if (image && !args.force_source) return result(false, [], image, `${shown} present`);
  const actions: string[] = [];
  if (args.source === 'pull') {
    if (byId) throw new ModuleFailure(`Image name must not be an image ID for source=pull; got: ${name}`);
    actions.push(`Pulled image ${name}:${tag}`);
    if (ctx.check) return result(true, actions, {}, `would pull ${shown}`);
    const { bytes } = await pullImage(ctx, name, tag, args.pull?.platform);
    const pulled = (await findImage(api, name, tag)) ?? {};
    const changed = !(image && image.Id === (pulled as InspectDocument).Id);
    return result(changed, actions, pulled, changed ? `pulled ${shown} (${formatBytes(bytes)})` : `${shown} already up to date`, bytes);
  }
  if (args.source === 'load') {
    actions.push(`Loaded image ${shown} from ${args.load_path}`);
    if (ctx.check) return result(true, actions, {}, `would load ${args.load_path}`);
    const size = await loadFromController(ctx, args.load_path!, shown, byId, name);
    const loaded = (byId ? await findImageById(api, name) : await findImage(api, name, tag)) ?? {};
    const changed = !(image && image.Id === (loaded as InspectDocument).Id);
    return result(changed, actions, loaded, `loaded ${args.load_path} (${formatBytes(size)})`, size);
  }
  // source: local only makes sure the image is there.
  if (!image) throw new ModuleFailure(`Cannot find the image ${shown} locally.`);
  return result(false, actions, image, `${shown} present`);
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
  if (!image) return result(false, [], {}, `${name} absent`);
  if (!ctx.check) {
    const r = await api.request('DELETE', `/images/${encodeURIComponent(name)}`, { query: { force: args.force_absent ? 'true' : 'false' } });
    // An image that vanished meanwhile is what was asked for.
    if (r.status >= 300 && r.status !== 404) throw new ModuleFailure(`Error removing image ${name} - ${r.status}: ${engineMessage(r.body)}`);
    ctx.invalidateFacts();
  }
  return result(true, [`Removed image ${name}`], { state: 'Deleted' }, `removed ${name}`);
}

export const dockerImage: ControllerModule<DockerImageArgs> = {
  kind: 'controller',
  definition: dockerImageModule,
  async run(args, ctx) {
    if (!isValidTag(args.tag)) throw new ModuleFailure(`"${args.tag}" is not a valid docker tag!`);
    return (args.state ?? 'present') === 'absent' ? absent(args, ctx) : present(args, ctx);
  },
};
