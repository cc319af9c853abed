// community.docker.docker_image_info on hound's engine: `images`, the list of Docker's
// inspect documents (GET /images/NAME/json) for the names given that exist on the node, or
// for every image when none is given, exactly as the module returns them.
import { dockerImageInfoModule } from './collection-schemas.js';
import { engineApiOf, findImage, findImageById, getDocument, inspectImage, isImageId, parseRepositoryTag, type InspectDocument } from './docker-engine.js';
import type { ControllerModule } from './implementation.js';

export const dockerImageInfo: ControllerModule<{ name?: string[] }> = {
  kind: 'controller',
  definition: dockerImageInfoModule,
  async run(args, ctx) {
    const api = await engineApiOf(ctx, 'docker_image_info');
    const images: (InspectDocument | null)[] = [];
    if (args.name && args.name.length > 0) {
      for (const name of args.name) {
        let image: InspectDocument | undefined;
        if (isImageId(name)) image = await findImageById(api, name);
        else {
          const [repository, tag] = parseRepositoryTag(name);
          image = await findImage(api, repository, tag || 'latest');
        }
        if (image) images.push(image);
      }
    } else {
      const all = ((await getDocument(api, '/images/json', { only_ids: '0', all: '0' })) ?? []) as { Id: string }[];
      // As the module: an image removed between the list and its inspection is a null.
      for (const summary of all) images.push((await inspectImage(api, summary.Id)) ?? null);
    }
    return { status: 'ok', msg: `${images.length} image(s)`, bytes: 0, data: { images } };
  },
};
