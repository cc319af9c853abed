// Node facts: what Docker on one node holds. Gathered once per host and kept for the run;
// a module that changes the node invalidates them so the next task reads the truth.
import type { DockerContainer, DockerImage, NodeDocker } from './types.js';
import { canonicalImageRef, parseImageRef, repositoryName, type ImageRef } from '../base/image-ref.js';

export interface NodeFacts {
  images: DockerImage[];
  containers: DockerContainer[];
}

export async function gatherNodeFacts(docker: NodeDocker): Promise<NodeFacts> {
  const [images, containers] = await Promise.all([docker.listImages(), docker.listContainers()]);
  return { images, containers };
}

/** A canonical form of whatever Docker lists (`nginx:latest`, `host:5000/a@sha256:…`), or undefined for `<none>`. */
function canonicalOrUndefined(listed: string): string | undefined {
  if (listed.startsWith('<none>')) return undefined;
  try {
    return canonicalImageRef(parseImageRef(listed));
  } catch {
    return undefined;
  }
}

/** The image a reference names on the node: by tag, by repo digest, or by image id. */
export function findImage(facts: NodeFacts, reference: string): DockerImage | undefined {
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(reference)) {
    const id = reference.startsWith('sha256:') ? reference : `sha256:${reference}`;
    const byId = facts.images.find((i) => i.id.startsWith(id));
    if (byId) return byId;
  }
  const ref = parseImageRef(reference);
  if (ref.digest !== undefined) {
    const wanted = `${repositoryName(ref)}@${ref.digest}`;
    return facts.images.find((i) => i.repoDigests.some((d) => canonicalOrUndefined(d) === wanted));
  }
  const wanted = canonicalImageRef(ref);
  return facts.images.find((i) => i.repoTags.some((t) => canonicalOrUndefined(t) === wanted));
}

/** The repo digest the node holds for the reference's repository (what `docker pull` last got), if any. */
export function localRepoDigest(image: DockerImage, ref: ImageRef): string | undefined {
  const repo = repositoryName(ref);
  for (const d of image.repoDigests) {
    const parsed = canonicalOrUndefined(d);
    if (parsed?.startsWith(`${repo}@`)) return parsed.slice(repo.length + 1);
  }
  return undefined;
}

/** Containers (any state) that use the image, matched by image id as Docker records it. */
export function containersUsing(facts: NodeFacts, image: DockerImage): DockerContainer[] {
  return facts.containers.filter((c) => c.imageId === image.id || c.image === image.id);
}

/** Every tag and digest reference an image is known by, canonical. */
export function referencesOf(image: DockerImage): string[] {
  return [...image.repoTags, ...image.repoDigests].map(canonicalOrUndefined).filter((r): r is string => r !== undefined);
}
