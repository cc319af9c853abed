// community.docker.docker_image_pull on hound's engine: pulls the run's way (relay, limits,
// credentials), `pull: always` every time (changed only when the image changed),
// `not_present` only when no image of the name is there or its platform differs. Returns
// what the module documents: `changed`, `actions`, `image` (inspect data) and `diff`.
import { formatBytes } from '../base/bytes.js';
import { dockerImagePullModule } from './collection-schemas.js';
import { engineApiOf, findImage, getDocument, isImageId, isValidTag, nameAndTag, type InspectDocument } from './docker-engine.js';
import { pullImage } from './docker-image.js';
import { samePlatform } from './docker-platform.js';
import { ModuleFailure, type ControllerModule } from './implementation.js';

export interface DockerImagePullArgs {
  name: string;
  tag?: string;
  platform?: string;
  pull?: 'always' | 'not_present';
}

function imageInfo(image: InspectDocument | Record<string, unknown> | undefined): Record<string, unknown> {
  return image && typeof image.Id === 'string' ? { id: image.Id } : { exists: false };
}

export const dockerImagePull: ControllerModule<DockerImagePullArgs> = {
  kind: 'controller',
  definition: dockerImagePullModule,
  async run(args, ctx) {
    if (isImageId(args.name)) throw new ModuleFailure('Cannot pull an image by ID');
    if (!isValidTag(args.tag)) throw new ModuleFailure(`"${args.tag}" is not a valid docker tag!`);
    const api = await engineApiOf(ctx, 'docker_image_pull');
    const { name, tag } = nameAndTag(args.name, args.tag);
    const image = await findImage(api, name, tag);
    const diff = { before: imageInfo(image), after: imageInfo(image) };
    const unchanged = { status: 'ok' as const, bytes: 0, data: { actions: [], image: image ?? {}, diff } };
    if (image && (args.pull ?? 'always') === 'not_present') {
      if (args.platform === undefined) return { ...unchanged, msg: `${name}:${tag} present` };
      const info = (await getDocument(api, '/info')) as { OSType?: string; Architecture?: string };
      const own = [image.Os, image.Architecture, image.Variant].filter((p) => typeof p === 'string' && p !== '').join('/');
      if (samePlatform(args.platform, own, info.OSType, info.Architecture)) return { ...unchanged, msg: `${name}:${tag} present for ${args.platform}` };
    }
    const actions = [`Pulled image ${name}:${tag}`];
    if (ctx.check)
      return {
        status: 'changed',
        msg: `would pull ${name}:${tag}`,
        bytes: 0,
        data: { actions, image: image ?? {}, diff: { ...diff, after: { id: 'unknown' } } },
      };
    const { bytes } = await pullImage(ctx, name, tag, args.platform);
    const pulled = (await findImage(api, name, tag)) ?? {};
    const changed = JSON.stringify(pulled) !== JSON.stringify(image ?? null);
    return {
      status: changed ? 'changed' : 'ok',
      msg: changed ? `pulled ${name}:${tag} (${formatBytes(bytes)})` : `${name}:${tag} already up to date`,
      bytes,
      data: { actions, image: pulled, diff: { ...diff, after: imageInfo(pulled) } },
    };
  },
};
