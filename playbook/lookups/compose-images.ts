// images_from_compose(): the images a Compose project pulls, so that a warm-up can follow
// what is already written down. The project is read by compose-project.ts; here the
// services are chosen (profiles) and each image is checked as a reference, with the file,
// the service and the unset variables named when it is not one.
// Services with `build:` and no `image:` are built on the node from source: Compose names
// their image <project>-<service> and never pulls it, so there is nothing to warm up; they
// are left out, and said so.
import { ParseError } from '../../base/errors.js';
import { canonicalImageRef, InvalidImageRefError, parseImageRef } from '../../base/image-ref.js';
import { loadComposeProject, type ComposeProjectOptions, type ComposeService } from './compose-project.js';

export interface ComposeImage {
  service: string;
  /** Normalised: `nginx` is `docker.io/library/nginx:latest`. */
  image: string;
  file: string;
}

export interface ComposeImagesOptions extends ComposeProjectOptions {
  /** Profiles to enable; undefined (or `*` among them) enables every service. */
  profiles?: string[];
}

export function composeImages(options: ComposeImagesOptions): ComposeImage[] {
  const services = loadComposeProject(options).filter((s) => enabled(s, options.profiles));
  const out: ComposeImage[] = [];
  const builtOnly: string[] = [];
  for (const service of services) {
    if (service.image === undefined) {
      if (service.build) {
        builtOnly.push(service.name);
        continue;
      }
      throw new ParseError('COMPOSE_SERVICE_NO_IMAGE', `service "${service.name}" has neither an image nor a build section`, {
        position: service.position,
        hint: 'give it an image (or extend a service that has one)',
      });
    }
    out.push({ service: service.name, image: checkedImage(service), file: service.position.file });
    if (service.unsetVariables.length > 0) {
      const p = service.position;
      // Compose warns the same and goes on with the empty string.
      options.warn(
        `${p.file}:${p.line}:${p.column}: service "${service.name}": ${service.unsetVariables.join(', ')} not set, read as "" (image ${service.image})`,
      );
    }
  }
  const project = options.files.join(', ');
  if (builtOnly.length > 0) {
    options.warn(
      `images_from_compose(${project}): ${builtOnly.map((s) => `"${s}"`).join(', ')} ${builtOnly.length === 1 ? 'is' : 'are'} built from source (build: without image); there is nothing to pull for ${builtOnly.length === 1 ? 'it' : 'them'}`,
    );
  }
  if (out.length === 0 && builtOnly.length === 0) {
    options.warn(
      `images_from_compose(${project}): no service${options.profiles ? ` of the profiles ${options.profiles.join(', ')}` : ''}, so no image to pull`,
    );
  }
  return out;
}

/** Compose Specification: a service without profiles is always enabled; one with profiles when one is active. */
function enabled(service: ComposeService, profiles: string[] | undefined): boolean {
  if (profiles === undefined || profiles.includes('*') || service.profiles.length === 0) return true;
  return service.profiles.some((p) => profiles.includes(p));
}

function checkedImage(service: ComposeService): string {
  const image = service.image as string;
  try {
    return canonicalImageRef(parseImageRef(image));
  } catch (err) {
    if (!(err instanceof InvalidImageRefError)) throw err;
    const unset = service.unsetVariables;
    const because = unset.length > 0 ? `; ${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set and read as ""` : '';
    throw new ParseError('COMPOSE_IMAGE', `service "${service.name}": ${err.message}${because}`, {
      position: service.position,
      hint:
        unset.length > 0
          ? `set ${unset.join(', ')} in hound's environment or in the project's .env (or the env file given to images_from_compose)`
          : (err.hint ?? 'write the image as [registry[:port]/]name[:tag][@digest]'),
    });
  }
}
