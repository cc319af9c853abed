// community.docker.docker_image_remove on hound's engine: DELETE /images/NAME as the module
// does (force, prune), returning `changed`, `actions`, `image` (inspect data before removal),
// and what Docker `untagged` and `deleted`. In check mode these are predicted as the module
// predicts them.
import { dockerImageRemoveModule } from './collection-schemas.js';
import { engineApiOf, engineMessage, findImage, findImageById, isImageId, isValidTag, nameAndTag } from './docker-engine.js';
import { ModuleFailure, controllerModule } from './implementation.js';

export interface DockerImageRemoveArgs {
  name: string;
  tag?: string;
  force?: boolean;
  prune?: boolean;
}

export const dockerImageRemove = controllerModule<DockerImageRemoveArgs>(dockerImageRemoveModule, async (args, ctx) => {
  if (!isValidTag(args.tag)) throw new ModuleFailure(`"${args.tag}" is not a valid docker tag`);
  const api = await engineApiOf(ctx, 'docker_image_remove');
  const split = nameAndTag(args.name, args.tag);
  const byId = isImageId(split.name);
  const image = byId ? await findImageById(api, split.name) : await findImage(api, split.name, split.tag);
  const name = byId ? split.name : `${split.name}:${split.tag}`.replace(/:(sha256:)/, '@$1');
  if (!image) return { status: 'ok', msg: `${name} absent`, bytes: 0, data: { actions: [], image: {}, deleted: [], untagged: [] } };
  const untagged: string[] = [];
  const deleted: string[] = [];
  const tags = image.RepoTags ?? [];
  const digests = image.RepoDigests ?? [];
  if (!ctx.check) {
    const r = await api.request('DELETE', `/images/${encodeURIComponent(name)}`, {
      query: { force: args.force ? 'true' : 'false', noprune: args.prune === false ? 'true' : 'false' },
    });
    if (r.status >= 300 && r.status !== 404) throw new ModuleFailure(`Error removing image ${name} - ${r.status}: ${engineMessage(r.body)}`);
    ctx.invalidateFacts();
    for (const entry of (Array.isArray(r.body) ? r.body : []) as { Untagged?: string; Deleted?: string }[]) {
      if (entry.Untagged) untagged.push(entry.Untagged);
      if (entry.Deleted) deleted.push(entry.Deleted);
    }
  } else if (byId) {
    deleted.push(image.Id);
    untagged.push(...tags, ...digests);
    if (!args.force && untagged.length > 0) throw new ModuleFailure('Cannot delete image by ID that is still in use - use force=true');
  } else if (split.tag.includes(':')) {
    untagged.push(name);
    if (tags.length < 1 && digests.length < 2) deleted.push(image.Id);
  } else {
    untagged.push(name);
    if (tags.length < 2 && digests.length < 1) deleted.push(image.Id);
  }
  return {
    status: 'changed',
    msg: `removed ${name}`,
    bytes: 0,
    data: { actions: [`Removed image ${name}`], image, deleted: deleted.sort(), untagged: untagged.sort() },
  };
});
