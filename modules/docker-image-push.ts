// docker_image's `repository` (tag the image under another name on the node) and `push: true`
// (push it through the node's Docker), as community.docker 3.4.7's tag_image and push_image
// decide and report them. The push goes with the credentials the run holds for that registry
// (docker_login, registry_login, as pulls do), in Docker's X-Registry-Auth header, never logged.
import { parseImageRef } from '../base/image-ref.js';
import type { EngineApi } from '../runtime/types.js';
import type { RegistryAuth } from '../transport/types.js';
import { JsonLineSplitter, type DockerProgressLine } from '../runtime/docker-pull-progress.js';
import { engineMessage, findImage, isImageId, parseRepositoryTag, resolveRepositoryName, type InspectDocument } from './docker-engine.js';
import { ModuleFailure, type ModuleContext } from './implementation.js';

/** What docker_image registers and reports, as tag and push change it. */
export interface ImageResults {
  changed: boolean;
  actions: string[];
  image: Record<string, unknown>;
}

/** Docker's X-Registry-Auth value: base64 of the credentials' JSON (`{}` without any: Docker asks for the header). */
function registryAuthHeader(auth: RegistryAuth | undefined): string {
  const config: Record<string, string> = {};
  if (auth) {
    config.serveraddress = auth.serverAddress;
    if (auth.username !== undefined) config.username = auth.username;
    if (auth.password !== undefined) config.password = auth.password;
    if (auth.identityToken !== undefined) config.identitytoken = auth.identityToken;
  }
  return Buffer.from(JSON.stringify(config)).toString('base64');
}

/** What a push's progress stream said: whether a layer was sent (`Pushing`), the last line's status, or Docker's error. */
export function pushOutcome(lines: readonly (DockerProgressLine & Record<string, unknown>)[]): { pushed: boolean; status: string | null; error?: string } {
  let pushed = false;
  let status: string | null = null;
  for (const line of lines) {
    if (line.errorDetail) return { pushed, status, error: line.errorDetail.message ?? line.error ?? 'push failed' };
    if (line.error !== undefined) return { pushed, status, error: line.error };
    // As the module does: the status of the last line, which is null when that line is the digest's `aux`.
    status = typeof line.status === 'string' ? line.status : null;
    if (status === 'Pushing') pushed = true;
  }
  return { pushed, status };
}

/** The module's message for a failed push: a hint to log in when the registry asks for credentials. */
export function pushFailure(registry: string, repoName: string, tag: string, repository: string, error: string): string {
  if (error.includes('unauthorized')) {
    if (error.includes('authentication required')) return `Error pushing image ${registry}/${repoName}:${tag} - ${error}. Try logging into ${registry} first.`;
    return `Error pushing image ${registry}/${repoName}:${tag} - ${error}. Does the repository exist?`;
  }
  return `Error pushing image ${repository}: ${error}`;
}

async function streamPush(ctx: ModuleContext, api: EngineApi, repository: string, tag: string): Promise<ReturnType<typeof pushOutcome>> {
  const auth = ctx.credentials.get(parseImageRef(`${repository}:${tag}`).domain);
  const response = await api.stream('POST', `/images/${encodeURIComponent(repository)}/push`, {
    query: { tag },
    secretHeaders: { 'X-Registry-Auth': registryAuthHeader(auth) },
    signal: ctx.signal,
  });
  const splitter = new JsonLineSplitter();
  const lines: (DockerProgressLine & Record<string, unknown>)[] = [];
  let text = '';
  for await (const chunk of response.body) {
    if (response.status >= 300) text += (chunk as Buffer).toString('utf8');
    else lines.push(...(splitter.push(chunk as Buffer) as (DockerProgressLine & Record<string, unknown>)[]));
  }
  if (response.status >= 300) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Docker's plain-text error.
    }
    return { pushed: false, status: null, error: `${response.status} Client Error: ${engineMessage(body)}` };
  }
  lines.push(...(splitter.end() as (DockerProgressLine & Record<string, unknown>)[]));
  return pushOutcome(lines);
}

/** community.docker's push_image: pushes name:tag through the node's Docker; `changed` when a layer went up. */
export async function pushImage(ctx: ModuleContext, api: EngineApi, originalName: string, name: string, tag: string, results: ImageResults): Promise<void> {
  if (isImageId(name)) throw new ModuleFailure(`Cannot push an image ID: ${name}`);
  let repository = name;
  if (!tag) [repository, tag] = parseRepositoryTag(name) as [string, string];
  const { registry, repo } = resolveRepositoryName(repository);
  results.actions.push(`Pushed image ${originalName} to ${registry}/${repo}:${tag}`);
  results.changed = true;
  if (ctx.check) return;
  const outcome = await streamPush(ctx, api, repository, tag);
  if (outcome.error !== undefined) throw new ModuleFailure(pushFailure(registry, repo, tag, repository, outcome.error));
  results.changed = outcome.pushed;
  const image: Record<string, unknown> = (await findImage(api, repository, tag)) ?? {};
  image.push_status = outcome.status;
  results.image = image;
}

/** community.docker's tag_image: tags name[:tag] as `repository` (its tag, or `tag`, or latest) unless that name is there already (force_tag: anyway); then pushes it when asked. */
export async function tagImage(
  ctx: ModuleContext,
  api: EngineApi,
  args: { originalName: string; name: string; tag: string; repository: string; forceTag: boolean; push: boolean },
  results: ImageResults,
): Promise<void> {
  const [repo, written] = parseRepositoryTag(args.repository);
  const repoTag = written ?? (args.tag || 'latest');
  const existing: InspectDocument | undefined = await findImage(api, repo, repoTag);
  if (!existing || args.forceTag) {
    let imageName = args.name;
    if (!isImageId(args.name) && args.tag && !args.name.endsWith(`:${args.tag}`)) imageName = `${args.name}:${args.tag}`;
    results.changed = true;
    results.actions.push(`Tagged image ${imageName} to ${repo}:${repoTag}`);
    if (!ctx.check) {
      // force: a registry on localhost is not always found by name first, as the module notes.
      const r = await api.request('POST', `/images/${encodeURIComponent(imageName)}/tag`, { query: { tag: repoTag, repo, force: 'true' } });
      if (r.status !== 201) throw new ModuleFailure(`Error: failed to tag image - ${r.status >= 300 ? engineMessage(r.body) : 'Tag operation failed.'}`);
      ctx.invalidateFacts();
      const tagged = (await findImage(api, repo, repoTag)) ?? {};
      results.image = tagged;
      if (existing && existing.Id === (tagged as InspectDocument).Id) results.changed = false;
    }
  }
  if (args.push) await pushImage(ctx, api, args.originalName, repo, repoTag, results);
}
