// `copy`: a file on the node from a controller file (`src`, looked up in the role's and
// playbook's `files/` as Ansible's copy action looks it up, vault-encrypted files decrypted) or
// from `content`, as ansible-core 2.14's copy does: dest an existing directory (or ending in
// `/`) gets the src's basename; the file is replaced only when its sha1 differs (never with
// `force: no` once there), atomically, an existing file keeping its mode and owner;
// then owner, group and mode where they differ. Check mode and --diff as Ansible's. A
// directory src (a recursive copy) and `remote_src` are refused.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PythonFloat } from '../base/python-float.js';
import posix from 'node:path/posix';
import { searchPathCandidates } from '../base/search-path.js';
import { shlexQuote } from '../base/shlex.js';
import { openControllerFile } from '../vault/vault-files.js';
import { copyModule } from './file-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';
import { diffText, inspectPath, newFileMode, pathResult, setAttributes, writeFileAtomically, type AttributeArgs } from './node-file.js';

export interface CopyArgs extends AttributeArgs {
  src?: string;
  content?: unknown;
  dest: string;
  backup?: boolean;
  force?: boolean;
  follow?: boolean;
  local_follow?: boolean;
  decrypt?: boolean;
  checksum?: string;
  validate?: string;
  unsafe_writes?: boolean;
}

/** The controller file `file` names, or Ansible's failure listing where it looked. */
export function findControllerFile(file: string, subdir: 'files' | 'templates', searchDirs: readonly string[]): string {
  const candidates = searchPathCandidates(file, subdir, searchDirs);
  const found = candidates.find((c) => {
    try {
      return statSync(c).isFile() || statSync(c).isDirectory();
    } catch {
      return false;
    }
  });
  if (found) return found;
  throw new ModuleFailure(
    `Could not find or access '${file}'\nSearched in:\n${candidates.map((c) => `\t${c}`).join('\n')} on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`,
  );
}

export function sha1(content: Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}

export interface PutFile {
  dest: string;
  content: Buffer;
  /** Where the content came from, for the result's `src` and the diff's header. */
  source: string;
  /** The src's basename, joined to a dest that is a directory; undefined for content. */
  basename?: string;
  /** copy's mode: preserve, from the controller file. */
  sourceMode?: number;
}

/**
 * A controller file as copy's and template's actions read it (Ansible's loader.get_real_file):
 * opened with the run's vault password when vault-encrypted (`vaulted`), its plaintext then a
 * secret that hound's output never shows, a --diff of the file included.
 */
export function openedControllerFile(file: string, ctx: ModuleContext): { content: Buffer; vaulted: boolean } {
  return openControllerFile(file, ctx.vault, () => new ModuleFailure(`A vault password or secret must be specified to decrypt ${file}`));
}

/** Writes a file the way copy's and template's actions do, from the content they made on the controller. */
export async function putFile(args: CopyArgs, put: PutFile, ctx: ModuleContext): Promise<ModuleResult> {
  let dest = put.dest;
  let state = await inspectPath(ctx, dest, { checksum: true, content: ctx.diff });
  if (dest.endsWith('/') || state.kind === 'directory' || (state.kind === 'link' && state.targetIsDirectory)) {
    if (put.basename === undefined) throw new ModuleFailure('can not use content with a dir as dest');
    // As the copy module: a dest ending in / that is not there yet is made a directory.
    if (!state.exists && !ctx.check) {
      const conn = await ctx.connection();
      const r = await conn.exec(`mkdir -p -- ${shlexQuote(dest)}`, { signal: ctx.signal, shownAs: `mkdir -p ${dest}` });
      if (r.code !== 0) throw new ModuleFailure(`Error creating ${dest} (${r.stderr.trim()})`);
    }
    dest = posix.join(dest, put.basename);
    state = await inspectPath(ctx, dest, { checksum: true, content: ctx.diff });
  }
  if (state.kind === 'link' && args.follow && state.linkTarget !== undefined) {
    dest = posix.resolve(posix.dirname(dest), state.linkTarget);
    state = await inspectPath(ctx, dest, { checksum: true, content: ctx.diff });
  }
  const checksum = sha1(put.content);
  if (args.checksum !== undefined && args.checksum !== checksum)
    throw new ModuleFailure(`Copied file does not match the expected checksum. Transfer failed.`, { checksum, expected_checksum: args.checksum });
  const mode = args.mode === 'preserve' ? put.sourceMode : args.mode;
  const attrsArgs: AttributeArgs = { mode, owner: args.owner, group: args.group };
  if (state.exists && args.force === false) {
    return { status: 'ok', msg: '', bytes: 0, data: { dest, src: put.source, changed: false } };
  }
  const contentChanged = !state.exists || state.checksum !== checksum;
  const diff = ctx.diff && contentChanged ? contentDiff(dest, put, state.content) : undefined;
  const base = { dest, src: put.source, checksum, md5sum: createHash('md5').update(put.content).digest('hex'), size: put.content.length };
  if (ctx.check) {
    let changed = contentChanged;
    if (!changed) changed = (await setAttributes(ctx, dest, state, attrsArgs)).changed;
    return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data: { ...base, ...(diff ? { diff: [diff] } : {}) } };
  }
  let backupFile: string | undefined;
  let written = state;
  if (contentChanged) {
    if (!state.exists || state.kind !== 'file') written = { ...state, exists: true, kind: 'file', mode: newFileMode(state.umask) };
    backupFile = await writeFileAtomically(ctx, dest, put.content, {
      newMode: newFileMode(state.umask),
      backup: args.backup === true && state.exists,
      validate: args.validate,
    });
  }
  const attrs = await setAttributes(ctx, dest, written, attrsArgs);
  const changed = contentChanged || attrs.changed;
  const { path: _path, ...info } = await pathResult(ctx, dest);
  const data: Record<string, unknown> = { ...base, ...info, ...(backupFile !== undefined ? { backup_file: backupFile } : {}) };
  if (diff) data.diff = [diff];
  else if (ctx.diff && attrs.changed) data.diff = { before: { path: dest, ...attrs.before }, after: { path: dest, ...attrs.after } };
  return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data };
}

function contentDiff(dest: string, put: PutFile, before: Buffer | undefined): Record<string, unknown> {
  const beforeText = diffText(before);
  const afterText = diffText(put.content);
  const diff: Record<string, unknown> = { before_header: dest, after_header: put.source };
  if (beforeText === undefined || afterText === undefined) {
    diff.dst_binary = beforeText === undefined ? 1 : undefined;
    diff.src_binary = afterText === undefined ? 1 : undefined;
    return diff;
  }
  return { ...diff, before: beforeText, after: afterText };
}

/** The text copy writes for `content`: a mapping or list as JSON, as its action plugin does. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content !== null && typeof content === 'object' && !(content instanceof PythonFloat)) return JSON.stringify(content);
  if (typeof content === 'boolean') return content ? 'True' : 'False';
  return String(content);
}

export const copy = controllerModule<CopyArgs>(copyModule, async (args, ctx) => {
  if (args.content !== undefined && args.content !== null) {
    const content = Buffer.from(contentText(args.content), 'utf8');
    return putFile(args, { dest: args.dest, content, source: 'dynamically generated' }, ctx);
  }
  if (args.src === undefined) throw new ModuleFailure('src (or content) is required');
  if (args.src.endsWith('/')) throw new ModuleFailure(`copying a directory (src '${args.src}', recursively) is not done by hound: copy its files one by one`);
  const file = findControllerFile(args.src, 'files', ctx.searchDirs);
  const info = statSync(file);
  if (info.isDirectory()) throw new ModuleFailure(`copying a directory (src '${args.src}', recursively) is not done by hound: copy its files one by one`);
  const content = args.decrypt === false ? readFileSync(file) : openedControllerFile(file, ctx).content;
  return putFile(args, { dest: args.dest, content, source: file, basename: path.basename(args.src), sourceMode: info.mode & 0o7777 }, ctx);
});
