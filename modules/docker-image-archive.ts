// docker_image's archive_path: the image saved as a tarball on the node, where
// community.docker's module (which runs there) writes it. Docker's GET /images/{name}/get is
// streamed through the SSH connection into `cat > PATH` on the same node, with no copy on the
// controller. Whether to write is decided as the module does (3.4.7, module_utils/image_archive):
// an archive there that already holds this image id under exactly this name is left alone.
import { shlexQuote } from '../base/shlex.js';
import type { EngineApi } from '../runtime/types.js';
import { engineMessage, findImage, findImageById, isImageId, type InspectDocument } from './docker-engine.js';
import { ModuleFailure, type ModuleContext } from './implementation.js';

/** What manifest.json of an archive says: the image id (its config file's name) and its names. */
export interface ArchivedImage {
  imageId: string;
  repoTags: unknown;
}

/** What is at the archive path: nothing, an archive with one image, or a file that is not one (why). */
export type ArchiveOnNode = { kind: 'missing' } | { kind: 'archive'; image: ArchivedImage } | { kind: 'unreadable'; why: string };

/** community.docker's archived_image_manifest, from the text of manifest.json. */
export function archivedImageOf(manifestText: string): ArchiveOnNode {
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch (error) {
    return { kind: 'unreadable', why: `Failed to decode and deserialize manifest.json: ${(error as Error).message}` };
  }
  if (!Array.isArray(manifest) || manifest.length !== 1) {
    return { kind: 'unreadable', why: `Expected to have one entry in manifest.json but found ${Array.isArray(manifest) ? manifest.length : 'no list'}` };
  }
  const entry = manifest[0] as Record<string, unknown>;
  if (typeof entry?.Config !== 'string') return { kind: 'unreadable', why: "Failed to get Config entry from manifest.json: 'Config'" };
  if (!Object.hasOwn(entry, 'RepoTags')) return { kind: 'unreadable', why: "Failed to get RepoTags entry from manifest.json: 'RepoTags'" };
  // os.path.splitext: the config file's path without its extension is the id (an extension needs a name before it).
  const config = entry.Config;
  const base = config.slice(config.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const imageId = dot > 0 && /[^.]/.test(base.slice(0, dot)) ? config.slice(0, config.length - base.length + dot) : config;
  return { kind: 'archive', image: { imageId, repoTags: entry.RepoTags } };
}

/** community.docker's archived_image_action: the action to report when the archive must be (re)written, undefined when it holds the image already. */
export function archivedImageAction(archivePath: string, imageName: string, imageId: string, archive: ArchiveOnNode): string | undefined {
  const message = (reason: string) => `Archived image ${imageName} to ${archivePath}, ${reason}`;
  if (archive.kind === 'unreadable') return message('overwriting an unreadable archive file');
  if (archive.kind === 'missing') return message('since none present');
  const { imageId: archivedId, repoTags } = archive.image;
  if (imageId === `sha256:${archivedId}` && Array.isArray(repoTags) && repoTags.length === 1 && repoTags[0] === imageName) return undefined;
  const names = Array.isArray(repoTags) ? repoTags.map(String).join(', ') : String(repoTags);
  return message(`overwriting archive with image ${archivedId} named ${names}`);
}

/** The path as the node's shell should see it: `~` is the remote user's home, as Ansible's `type: path` expands it. */
export function nodePathWord(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shlexQuote(path.slice(2))}`;
  return shlexQuote(path);
}

const NO_ARCHIVE = 3;

/**
 * The path as the module sees it on the node (`~` expanded, as Ansible's `type: path`), and
 * manifest.json of the archive there (tar on the node), or that there is none.
 */
async function archiveOnNode(ctx: ModuleContext, path: string): Promise<{ path: string; archive: ArchiveOnNode }> {
  const connection = await ctx.connection();
  const r = await connection.exec(`p=${nodePathWord(path)}; printf '%s\\n' "$p"; [ -f "$p" ] || exit ${NO_ARCHIVE}; tar -xOf "$p" manifest.json`, {
    signal: ctx.signal,
    shownAs: `read manifest.json of ${path}`,
  });
  const newline = r.stdout.indexOf('\n');
  const expanded = newline >= 0 ? r.stdout.slice(0, newline) : path;
  if (r.code === NO_ARCHIVE) return { path: expanded, archive: { kind: 'missing' } };
  if (r.code !== 0 || newline < 0) return { path: expanded, archive: { kind: 'unreadable', why: r.stderr.trim() || `tar exit ${r.code}` } };
  return { path: expanded, archive: archivedImageOf(r.stdout.slice(newline + 1)) };
}

/** Streams `imageName` out of the node's Docker into a file on the same node (`path` as expanded there). */
async function writeArchive(ctx: ModuleContext, api: EngineApi, imageName: string, path: string): Promise<void> {
  const saved = await api.stream('GET', `/images/${encodeURIComponent(imageName)}/get`, { signal: ctx.signal });
  if (saved.status >= 300) {
    const chunks: Buffer[] = [];
    for await (const chunk of saved.body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Docker's plain-text error.
    }
    throw new ModuleFailure(`Error getting image ${imageName} - ${saved.status}: ${engineMessage(body)}`);
  }
  const connection = await ctx.connection();
  const r = await connection.exec(`cat > ${shlexQuote(path)}`, {
    stdin: saved.body,
    signal: ctx.signal,
    shownAs: `write ${path} (docker save ${imageName})`,
  });
  if (r.code !== 0) throw new ModuleFailure(`Error writing image archive ${path} - ${r.stderr.trim() || `exit ${r.code}`}`);
}

/**
 * community.docker's archive_image: when the image is on the node and the archive does not hold
 * it already, writes it (not in check mode). Resolves to the action taken (undefined: none), the
 * image found, or nothing when the image is not there (the module then leaves its results alone).
 */
export async function archiveImage(
  ctx: ModuleContext,
  api: EngineApi,
  name: string,
  tag: string,
  archivePath: string,
): Promise<{ action: string | undefined; image: InspectDocument } | undefined> {
  const byId = isImageId(name);
  const image = byId ? await findImageById(api, name) : await findImage(api, name, tag || 'latest');
  const imageName = byId ? name : `${name}:${tag || 'latest'}`;
  if (!image) return undefined;
  const onNode = await archiveOnNode(ctx, archivePath);
  const action = archivedImageAction(onNode.path, imageName, image.Id, onNode.archive);
  if (action !== undefined && !ctx.check) await writeArchive(ctx, api, imageName, onNode.path);
  return { action, image };
}
