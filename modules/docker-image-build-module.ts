// community.docker.docker_image_build (the current collection's; community.docker 3.4.7, against
// which hound's parity is checked, does not have it, so no ansible-playbook compares it): the
// image is built on the node from `path`, a directory there, by the node's own `docker build`
// (the classic builder; docker-image-build.ts, shared with docker_image's `source: build`).
// `rebuild: never` keeps an existing image (ok); `always` builds again, changed when the built
// image's id differs from the one before. BuildKit-only options (`secrets`, `outputs`) are
// refused by name. Registers `image` (inspect data), `command` (the words run) and `stdout`.
import { dockerImageBuildModule } from './collection-schemas.js';
import { buildImage, buildPathOnNode, type DockerBuildOptions } from './docker-image-build.js';
import { engineApiOf, findImage, isImageId, isValidTag, nameAndTag } from './docker-engine.js';
import { ModuleFailure, controllerModule } from './implementation.js';

export interface DockerImageBuildArgs extends Omit<DockerBuildOptions, 'rm' | 'container_limits'> {
  name: string;
  tag?: string;
  rebuild?: 'never' | 'always';
}

/** Whether the task builds: no image of the name yet, or `rebuild: always`. */
export function buildNeeded(existing: boolean, rebuild: DockerImageBuildArgs['rebuild']): boolean {
  return !existing || rebuild === 'always';
}

export const dockerImageBuild = controllerModule<DockerImageBuildArgs>(dockerImageBuildModule, async (args, ctx) => {
  if (isImageId(args.name)) throw new ModuleFailure(`Image name must not be an image ID; got: ${args.name}`);
  if (!isValidTag(args.tag)) throw new ModuleFailure(`"${args.tag}" is not a valid docker tag!`);
  const api = await engineApiOf(ctx, 'docker_image_build');
  const { name, tag } = nameAndTag(args.name, args.tag);
  const shown = `${name}:${tag}`;
  const before = await findImage(api, name, tag);
  if (!buildNeeded(before !== undefined, args.rebuild)) {
    return { status: 'ok', msg: `${shown} present`, bytes: 0, data: { actions: [], image: before ?? {} } };
  }
  const path = await buildPathOnNode(ctx, args.path);
  const actions = [`Built image ${shown} from ${path}`];
  if (ctx.check) return { status: 'changed', msg: `would build ${shown} from ${path}`, bytes: 0, data: { actions, image: before ?? {} } };
  const { name: _n, tag: _t, rebuild: _r, ...build } = args;
  const built = await buildImage(ctx, api, name, tag, { ...build, path, rm: true });
  const changed = before === undefined || before.Id !== built.image.Id;
  return {
    status: changed ? 'changed' : 'ok',
    msg: changed ? `built ${shown} on ${ctx.host}` : `${shown} built again, unchanged`,
    bytes: 0,
    data: {
      actions: changed ? actions : [],
      image: built.image,
      command: built.command,
      stdout: built.stdout,
      stdout_lines: built.stdout === '' ? [] : built.stdout.split('\n'),
    },
  };
});
