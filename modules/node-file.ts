// What the file modules (copy, template, file, lineinfile, blockinfile) do on a node, each a
// short POSIX sh script run through the task's connection (so become applies), with paths and
// values as arguments of the script, never part of its text: read a path's state (and its
// content, base64, when asked), write a file atomically (a temp file beside it, then mv, as
// Ansible's atomic_move), set owner, group and mode only where they differ, as Ansible's
// set_*_if_different. Reading the answers and deciding is pure (unit-tested).
import { shlexQuote, shlexSplit } from '../base/shlex.js';
import { formatMode, resolveMode, type ModeArgument } from './file-mode.js';
import { ModuleFailure, type ModuleContext } from './implementation.js';
import { pathInfo } from './stat.js';

type Ctx = Pick<ModuleContext, 'connection' | 'signal' | 'check'>;

export interface PathState {
  exists: boolean;
  kind?: 'file' | 'directory' | 'link' | 'other';
  /** Permission bits (lstat's, for a link the link's own). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** For a link: where it points (readlink), and whether that is a directory. */
  linkTarget?: string;
  targetIsDirectory?: boolean;
  /** The node's umask (for new files and symbolic modes without a user). */
  umask: number;
  /** sha1 of a regular file (or of the file a link names), when asked. */
  checksum?: string;
  /** A regular file's bytes, when asked. */
  content?: Buffer;
}

/**
 * $1 path, $2 content (1/0), $3 checksum (1/0). Prints the umask, then `missing` or
 * `S MODEHEX UID GID SIZE`, `L TARGET-IS-DIR TARGET` for a link, `C SHA1`, `B BASE64`.
 */
const INSPECT = [
  'export LC_ALL=C; p=$1; umask',
  'if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo missing; exit 0; fi',
  's=$(stat -c "%f %u %g %s" -- "$p") || exit 1; echo "S $s"',
  'if [ -L "$p" ]; then if [ -d "$p" ]; then echo "L 1 $(readlink -- "$p")"; else echo "L 0 $(readlink -- "$p")"; fi; fi',
  'if [ -f "$p" ]; then',
  '  if [ "$3" = 1 ]; then c=$(sha1sum < "$p") || exit 1; echo "C ${c%% *}"; fi',
  '  if [ "$2" = 1 ]; then b=$(base64 -w0 < "$p") || exit 1; echo "B $b"; fi',
  'fi',
].join('\n');

/** The state of `path` on the node, as INSPECT's output says (pure). */
export function parseInspect(out: string): PathState {
  const lines = out.split('\n');
  const umask = parseInt(lines[0].trim(), 8);
  if (lines[1] === 'missing') return { exists: false, mode: 0, uid: 0, gid: 0, size: 0, umask };
  const state: PathState = { exists: true, mode: 0, uid: 0, gid: 0, size: 0, umask };
  for (const line of lines.slice(1)) {
    const tag = line.slice(0, 2);
    const rest = line.slice(2);
    if (tag === 'S ') {
      const [hex, uid, gid, size] = rest.split(' ');
      const raw = parseInt(hex, 16);
      const type = raw & 0o170000;
      state.mode = raw & 0o7777;
      state.kind = type === 0o100000 ? 'file' : type === 0o040000 ? 'directory' : type === 0o120000 ? 'link' : 'other';
      state.uid = Number(uid);
      state.gid = Number(gid);
      state.size = Number(size);
    } else if (tag === 'L ') {
      state.targetIsDirectory = rest.startsWith('1');
      state.linkTarget = rest.slice(2);
    } else if (tag === 'C ') state.checksum = rest;
    else if (tag === 'B ') state.content = Buffer.from(rest, 'base64');
  }
  return state;
}

/** Runs a POSIX sh `script` on the node as `sh -c SCRIPT NAME WORDS…` (the words its $1…, never part of its text), through the task's connection. */
export async function runNodeScript(
  ctx: Pick<ModuleContext, 'connection' | 'signal'>,
  script: string,
  name: string,
  words: string[],
  shownAs: string,
  stdin?: Buffer,
) {
  const conn = await ctx.connection();
  return conn.exec(`sh -c ${shlexQuote(script)} ${name} ${words.map(shlexQuote).join(' ')}`, { signal: ctx.signal, shownAs, stdin });
}

export async function inspectPath(ctx: Ctx, path: string, want: { content?: boolean; checksum?: boolean } = {}): Promise<PathState> {
  const r = await runNodeScript(ctx, INSPECT, 'hound-inspect', [path, want.content ? '1' : '0', want.checksum ? '1' : '0'], `stat ${path}`);
  if (r.code !== 0) throw new ModuleFailure(r.stderr.trim() || `could not read ${path} (exit ${r.code ?? r.signal})`, { path });
  return parseInspect(r.stdout.replace(/\n$/, ''));
}

/**
 * $1 dest, $2 mode of a new file (octal), $3 backup (1/0), $4 follow a link at dest (1/0), then
 * the validate command's words if any; the content on stdin. An existing file keeps its mode and owner, as atomic_move keeps them.
 */
const WRITE = [
  'export LC_ALL=C; p=$1; newmode=$2; backup=$3',
  'if [ "$4" = 1 ] && [ -L "$p" ]; then p=$(readlink -f -- "$p"); fi',
  'd=$(dirname -- "$p"); [ -d "$d" ] || { echo "Destination directory $d does not exist" >&2; exit 5; }',
  't=$(mktemp "$d/.hound-tmp-XXXXXXXX") || exit 1',
  'if ! cat > "$t"; then rm -f -- "$t"; exit 1; fi',
  // validate: the words after $4, each %s replaced by the temp file, run before it replaces dest.
  'shift 4; if [ $# -gt 0 ]; then n=$#; while [ "$n" -gt 0 ]; do a=$1; shift; while case $a in *%s*) true;; *) false;; esac; do a="${a%%%s*}$t${a#*%s}"; done; set -- "$@" "$a"; n=$((n - 1)); done',
  '  if ! o=$("$@" 2>&1); then rc=$?; rm -f -- "$t"; printf "%s\\n" "$o" >&2; exit 6; fi; fi',
  'set -- "$p"',
  'if [ -e "$p" ] && [ ! -L "$p" ]; then',
  '  chmod --reference="$p" -- "$t" && { chown --reference="$p" -- "$t" 2>/dev/null || :; }',
  '  if [ "$backup" = 1 ]; then b="$p.$$.$(date +%Y-%m-%d@%H:%M:%S~)"; cp -p -- "$p" "$b" || { rm -f -- "$t"; exit 1; }; echo "$b"; fi',
  'else chmod "$newmode" -- "$t"; fi',
  'mv -f -- "$t" "$p" || { rm -f -- "$t"; exit 1; }',
].join('\n');

/** Writes `content` to `dest` atomically; returns the backup's path when one was made. */
export async function writeFileAtomically(
  ctx: Ctx,
  dest: string,
  content: Buffer,
  options: { newMode: number; backup?: boolean; follow?: boolean; validate?: string },
): Promise<string | undefined> {
  const words = [dest, options.newMode.toString(8), options.backup ? '1' : '0', options.follow ? '1' : '0'];
  if (options.validate !== undefined) {
    if (!options.validate.includes('%s')) throw new ModuleFailure(`validate must contain %s: ${options.validate}`);
    words.push(...shlexSplit(options.validate));
  }
  const r = await runNodeScript(ctx, WRITE, 'hound-write', words, `write ${dest}`, content);
  if (r.code === 6) throw new ModuleFailure('failed to validate', { stderr: r.stderr.replace(/\n$/, ''), path: dest });
  if (r.code === 5) throw new ModuleFailure(r.stderr.trim(), { path: dest });
  if (r.code !== 0) throw new ModuleFailure(`Could not write ${dest}: ${r.stderr.trim() || `exit ${r.code ?? r.signal}`}`, { path: dest });
  const backup = r.stdout.trim();
  return backup === '' ? undefined : backup;
}

/** $1 path, $2 mode (octal) or -, $3 owner or -, $4 group or -, $5 dry run (1/0), $6 recurse (1/0). Prints `owner OLD NEW`, `group OLD NEW`, `mode`. */
const ATTRIBUTES = [
  'export LC_ALL=C; p=$1; dry=$5; R=; [ "$6" = 1 ] && R=-R',
  'ou=$(stat -c %u -- "$p") && og=$(stat -c %g -- "$p") || exit 1',
  'if [ "$3" != - ]; then',
  '  case $3 in *[!0-9]*) u=$(id -u -- "$3" 2>/dev/null) || { echo "chown failed: failed to look up user $3" >&2; exit 4; };; *) u=$3;; esac',
  '  if [ "$u" != "$ou" ] || [ -n "$R" ]; then [ "$dry" = 1 ] || chown -h $R -- "$u" "$p" || exit 1; [ "$u" != "$ou" ] && echo "owner $ou $u"; fi',
  'fi',
  'if [ "$4" != - ]; then',
  '  case $4 in *[!0-9]*) g=$(getent group -- "$4" | cut -d: -f3); [ -n "$g" ] || { echo "chgrp failed: failed to look up group $4" >&2; exit 4; };; *) g=$4;; esac',
  '  if [ "$g" != "$og" ] || [ -n "$R" ]; then [ "$dry" = 1 ] || chgrp -h $R -- "$g" "$p" || exit 1; [ "$g" != "$og" ] && echo "group $og $g"; fi',
  'fi',
  'if [ "$2" != - ] && [ ! -L "$p" ]; then [ "$dry" = 1 ] || chmod $R -- "$2" "$p" || exit 1; echo mode; fi',
  'exit 0',
].join('\n');

export interface AttributeArgs {
  mode?: ModeArgument | null;
  owner?: string | null;
  group?: string | null;
}

export interface AttributeChange {
  changed: boolean;
  /** Ansible's file-attributes diff: before/after owner, group (uids, gids) and mode. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Sets owner, group and mode where they differ from `state` (the path's state before, or as
 * it was just written), as Ansible's set_fs_attributes_if_different; in check mode only says
 * whether it would. `recurse`: chown/chgrp/chmod -R (file state=directory recurse=yes).
 */
export async function setAttributes(ctx: Ctx, path: string, state: PathState, args: AttributeArgs, recurse = false): Promise<AttributeChange> {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  let mode: number | undefined;
  if (args.mode !== undefined && args.mode !== null) {
    mode = resolveMode(args.mode, { mode: state.mode, isDirectory: state.kind === 'directory', umask: state.umask }, path);
    if (mode !== state.mode && state.kind !== 'link') {
      before.mode = formatMode(state.mode);
      after.mode = formatMode(mode);
    } else if (!recurse) mode = undefined;
  }
  const owner = args.owner ?? undefined;
  const group = args.group ?? undefined;
  if (mode === undefined && owner === undefined && group === undefined) return { changed: false, before, after };
  const words = [path, mode === undefined ? '-' : mode.toString(8), owner ?? '-', group ?? '-', ctx.check ? '1' : '0', recurse ? '1' : '0'];
  const r = await runNodeScript(ctx, ATTRIBUTES, 'hound-attributes', words, `chown/chmod ${path}`);
  if (r.code === 4) throw new ModuleFailure(r.stderr.trim(), { path });
  if (r.code !== 0) throw new ModuleFailure(`chown/chmod ${path} failed: ${r.stderr.trim() || `exit ${r.code ?? r.signal}`}`, { path });
  for (const line of r.stdout.split('\n')) {
    const [what, old, now] = line.split(' ');
    if (what === 'owner' || what === 'group') {
      before[what] = Number(old);
      after[what] = Number(now);
    }
  }
  return { changed: Object.keys(after).length > 0, before, after };
}

/** The mode a file created now gets (0666 without the umask), as Ansible's atomic_move gives it. */
export function newFileMode(umask: number): number {
  return 0o666 & ~umask;
}

/** Ansible's add_path_info keys for a path after the change, or only `path` when it is not there (check mode). */
export async function pathResult(ctx: Ctx, path: string): Promise<Record<string, unknown>> {
  return { path, ...((await pathInfo(ctx, path)) ?? {}) };
}

/** A file's text for a diff: Ansible leaves out files over 104448 bytes and binary ones. */
export function diffText(content: Buffer | undefined): string | undefined {
  if (content === undefined) return '';
  if (content.length > 104448 || content.includes(0)) return undefined;
  return content.toString('utf8');
}
