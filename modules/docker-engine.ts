// What the community.docker modules share: the node's Docker Engine API (runtime/types.ts
// EngineApi), and the image lookups of community.docker's module_utils, ported so that
// their results (`image`, `images`) are the inspect documents Ansible returns, found the
// same way (`name` and `tag`, a digest as the tag, docker.io's other spellings).
import type { EngineApi } from '../runtime/types.js';
import { ModuleFailure, type ModuleContext } from './implementation.js';

export type InspectDocument = Record<string, unknown> & { Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null };

/** The node's Engine API, or a failure saying this runtime has none. */
export async function engineApiOf(ctx: ModuleContext, module: string): Promise<EngineApi> {
  const runtime = await ctx.docker();
  if (runtime.engineApi) return runtime.engineApi;
  throw new ModuleFailure(
    `${module} talks to Docker Engine's API, which the container runtime of ${ctx.host} does not have (hound_container_runtime); use hound's image/images modules there`,
  );
}

/** docker-py's parse_repository_tag: `repo@sha256:…` → [repo, sha256:…], `repo:tag` → [repo, tag], else [repo, undefined]. */
export function parseRepositoryTag(name: string): [string, string | undefined] {
  const at = name.lastIndexOf('@');
  if (at >= 0) return [name.slice(0, at), name.slice(at + 1)];
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && !name.slice(colon + 1).includes('/')) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, undefined];
}

/** community.docker's is_image_name_id: an image id written as `sha256:` and 64 hex digits. */
export function isImageId(name: string): boolean {
  return /^sha256:[0-9a-fA-F]{64}$/.test(name);
}

/** community.docker's is_valid_tag. */
export function isValidTag(tag: string | undefined): boolean {
  return tag === undefined || tag === '' || /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$/.test(tag);
}

/** `name` and `tag` as the modules split them: a tag (or digest) written in the name wins over `tag`. */
export function nameAndTag(name: string, tag: string | undefined): { name: string; tag: string } {
  if (isImageId(name)) return { name, tag: tag ?? 'latest' };
  const [repo, written] = parseRepositoryTag(name);
  return written !== undefined ? { name: repo, tag: written } : { name, tag: tag ?? 'latest' };
}

/** The reference a pull of name and tag asks Docker for: `name:tag`, or `name@digest` when the tag is a digest. */
export function pullReference(name: string, tag: string): string {
  return tag.includes(':') ? `${name}@${tag}` : `${name}:${tag}`;
}

/** A GET whose 200 is the document, 404 none; anything else fails with Docker's message. */
export async function getDocument(api: EngineApi, path: string, query?: Record<string, string>): Promise<unknown> {
  const r = await api.request('GET', path, { query });
  if (r.status === 404) return undefined;
  if (r.status >= 300) throw new ModuleFailure(`Docker answered ${r.status} to GET ${path}: ${engineMessage(r.body)}`);
  return r.body;
}

/** Docker's error text: its JSON `message`, or the body. */
export function engineMessage(body: unknown): string {
  if (body !== null && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** GET /images/{ref}/json: the inspect document, or undefined. */
export async function inspectImage(api: EngineApi, ref: string): Promise<InspectDocument | undefined> {
  return (await getDocument(api, `/images/${encodeURIComponent(ref)}/json`)) as InspectDocument | undefined;
}

/** community.docker's _image_lookup: the image list filtered by reference, then by the exact tag or digest. */
async function imageLookup(
  api: EngineApi,
  name: string,
  tag: string | undefined,
): Promise<{ Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null }[]> {
  const images = ((await getDocument(api, '/images/json', { only_ids: '0', all: '0', filters: JSON.stringify({ reference: [name] }) })) ?? []) as {
    Id: string;
    RepoTags?: string[] | null;
    RepoDigests?: string[] | null;
  }[];
  if (!tag) return images;
  const byTag = `${name}:${tag}`;
  const byDigest = `${name}@${tag}`;
  const found = images.find((i) => (i.RepoTags ?? []).includes(byTag) || (i.RepoDigests ?? []).includes(byDigest));
  return found ? [found] : [];
}

/** community.docker's find_image: by name and tag, trying docker.io's other spellings; the inspect document or undefined. */
export async function findImage(api: EngineApi, name: string, tag: string | undefined): Promise<InspectDocument | undefined> {
  if (!name) return undefined;
  let images = await imageLookup(api, name, tag);
  if (images.length === 0) {
    const { registry, repo } = resolveRepositoryName(name);
    if (registry === 'docker.io') {
      const tries = [
        repo,
        ...(repo.startsWith('library/') ? [repo.slice('library/'.length)] : []),
        `${registry}/${repo}`,
        ...(!repo.includes('/') ? [`${registry}/library/${repo}`] : []),
      ];
      for (const lookup of tries) {
        images = await imageLookup(api, lookup, tag);
        if (images.length > 0) break;
      }
    }
  }
  if (images.length > 1) throw new ModuleFailure(`Registry returned more than one result for ${name}:${tag}`);
  return images.length === 1 ? inspectImage(api, images[0].Id) : undefined;
}

/** community.docker's find_image_by_id. */
export async function findImageById(api: EngineApi, id: string): Promise<InspectDocument | undefined> {
  return inspectImage(api, id);
}

/** docker-py's resolve_repository_name: the registry a repository name points at (docker.io when none). */
export function resolveRepositoryName(name: string): { registry: string; repo: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { registry: 'docker.io', repo: name };
  const registry = first === 'index.docker.io' ? 'docker.io' : first;
  return { registry, repo: name.slice(slash + 1) };
}

/** Docker's filters query value, as community.docker's convert_filters writes it: every value a list of strings, booleans as "true"/"false". */
export function convertFilters(filters: Record<string, unknown>): string {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(filters)) {
    const list = Array.isArray(value) ? value : [value];
    out[key] = list.map((v) => (v === true ? 'true' : v === false ? 'false' : String(v)));
  }
  return JSON.stringify(out);
}
