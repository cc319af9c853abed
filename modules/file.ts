// `file`: a path on the node made a file (attributes only), a directory (created with its
// parents, `recurse` for owner/group/mode of everything in it), a symbolic link, touched, or
// absent, as ansible-core 2.14's file module does: the same state defaults, messages,
// `changed` and diff ({before, after} with path, state, mode, owner, group).
import path from 'node:path/posix';
import { shlexQuote } from '../base/shlex.js';
import { fileModule } from './file-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';
import { inspectPath, pathResult, setAttributes, type AttributeArgs, type PathState } from './node-file.js';

export interface FileArgs extends AttributeArgs {
  path: string;
  state?: 'absent' | 'directory' | 'file' | 'link' | 'touch';
  src?: string;
  recurse?: boolean;
  force?: boolean;
  follow?: boolean;
  unsafe_writes?: boolean;
}

type State = 'absent' | 'file' | 'directory' | 'link' | 'hard' | 'other';

/** Ansible's get_state: what the path is now. */
export function stateOf(s: PathState): State {
  if (!s.exists) return 'absent';
  if (s.kind === 'link') return 'link';
  if (s.kind === 'directory') return 'directory';
  if (s.kind === 'file') return 'file';
  return 'other';
}

async function sh(ctx: ModuleContext, script: string, words: string[], shownAs: string): Promise<void> {
  const conn = await ctx.connection();
  const r = await conn.exec(`sh -c ${shlexQuote(script)} hound-file ${words.map(shlexQuote).join(' ')}`, { signal: ctx.signal, shownAs });
  if (r.code !== 0) throw new ModuleFailure(r.stderr.trim() || `${shownAs} failed (exit ${r.code ?? r.signal})`);
}

function initialDiff(p: string, state: string, prev: State): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const diff = { before: { path: p } as Record<string, unknown>, after: { path: p } as Record<string, unknown> };
  if (prev !== state) {
    diff.before.state = prev;
    diff.after.state = state;
  }
  return diff;
}

function result(changed: boolean, data: Record<string, unknown>, diff: { before: object; after: object } | undefined, ctx: ModuleContext): ModuleResult {
  return { status: changed ? 'changed' : 'ok', msg: '', bytes: 0, data: { ...data, ...(ctx.diff && diff ? { diff } : {}) } };
}

export const file = controllerModule<FileArgs>(fileModule, async (args, ctx) => {
  let p = args.path;
  let current = await inspectPath(ctx, p);
  // As additional_parameter_handling: a link's src names the file inside an existing directory path.
  if (args.state !== 'link' && args.state !== 'absent' && current.kind === 'directory' && args.src !== undefined) {
    p = path.join(p, path.basename(args.src));
    current = await inspectPath(ctx, p);
  }
  const prev = stateOf(current);
  const state = args.state ?? (prev !== 'absent' ? prev : args.recurse ? 'directory' : 'file');
  if (args.recurse && state !== 'directory') throw new ModuleFailure("recurse option requires state to be 'directory'", { path: p });
  if (args.src !== undefined && state !== 'link' && state !== 'hard') throw new ModuleFailure("src option requires state to be 'link' or 'hard'", { path: p });
  const follow = args.follow ?? true;

  if (state === 'absent') {
    if (prev === 'absent') return result(false, { path: p, state: 'absent' }, undefined, ctx);
    if (!ctx.check) await sh(ctx, 'rm -rf -- "$1"', [p], `rm -rf ${p}`);
    return result(true, { path: p, state: 'absent' }, initialDiff(p, 'absent', prev), ctx);
  }

  if (state === 'file') {
    if (prev === 'link' && follow && current.linkTarget !== undefined) {
      p = path.resolve(path.dirname(p), current.linkTarget);
      current = await inspectPath(ctx, p);
    }
    const now = stateOf(current);
    if (now !== 'file' && now !== 'hard') throw new ModuleFailure(`file (${p}) is ${now}, cannot continue`, { path: p, state: now });
    const diff = initialDiff(p, 'file', now);
    const attrs = await setAttributes(ctx, p, current, args);
    Object.assign(diff.before, attrs.before);
    Object.assign(diff.after, attrs.after);
    return result(attrs.changed, await pathResult(ctx, p), diff, ctx);
  }

  if (state === 'directory') {
    if (prev === 'link' && follow && current.targetIsDirectory) {
      p = path.resolve(path.dirname(p), current.linkTarget!);
      current = await inspectPath(ctx, p);
    }
    const diff = initialDiff(p, 'directory', stateOf(current));
    let changed: boolean;
    if (!current.exists) {
      changed = true;
      if (ctx.check) return result(true, { path: p, state: 'absent' }, diff, ctx);
      // Each directory created gets the attributes, as the module sets them on every new component.
      const missing: string[] = [];
      for (let dir = p; dir !== '/' && dir !== '.'; dir = path.dirname(dir)) {
        const s = await inspectPath(ctx, dir);
        if (s.exists) break;
        missing.unshift(dir);
      }
      await sh(ctx, 'mkdir -p -- "$1"', [p], `mkdir -p ${p}`);
      for (const dir of missing) {
        const made = await inspectPath(ctx, dir);
        const attrs = await setAttributes(ctx, dir, made, args);
        if (dir === p) {
          Object.assign(diff.before, attrs.before);
          Object.assign(diff.after, attrs.after);
        }
      }
    } else if (current.kind !== 'directory') {
      throw new ModuleFailure(`${p} already exists as a ${stateOf(current)}`, { path: p });
    } else {
      const attrs = await setAttributes(ctx, p, current, args);
      Object.assign(diff.before, attrs.before);
      Object.assign(diff.after, attrs.after);
      changed = attrs.changed;
      if (args.recurse) changed = (await recurseAttributes(ctx, p, args)) || changed;
    }
    return result(changed, await pathResult(ctx, p), diff, ctx);
  }

  if (state === 'touch') {
    const diff = initialDiff(p, 'touch', prev);
    if (!ctx.check) {
      if (prev === 'absent') await sh(ctx, ': > "$1"', [p], `touch ${p}`);
      else await sh(ctx, 'touch -- "$1"', [p], `touch ${p}`);
    }
    if (ctx.check && prev === 'absent') return result(true, { path: p }, diff, ctx);
    const now = prev === 'absent' ? { ...(await inspectPath(ctx, p)) } : current;
    const attrs = await setAttributes(ctx, p, now, args);
    Object.assign(diff.before, attrs.before);
    Object.assign(diff.after, attrs.after);
    return result(true, await pathResult(ctx, p), diff, ctx);
  }

  // state: link
  if (args.src === undefined) {
    if (prev === 'link') {
      const attrs = await setAttributes(ctx, p, current, args);
      return result(attrs.changed, { ...(await pathResult(ctx, p)), dest: p, src: current.linkTarget }, initialDiff(p, 'link', prev), ctx);
    }
    throw new ModuleFailure('src is required for creating new symlinks', { path: p });
  }
  const src = args.src;
  const absoluteSrc = path.isAbsolute(src) ? src : path.join(path.dirname(p), src);
  if (!args.force) {
    const target = await inspectPath(ctx, absoluteSrc);
    if (!target.exists)
      throw new ModuleFailure(`src file does not exist, use "force=yes" if you really want to create the link: ${absoluteSrc}`, { path: p, src });
  }
  const diff = initialDiff(p, 'link', prev);
  let changed = false;
  if (prev === 'link') {
    if (current.linkTarget !== src) {
      diff.before.src = current.linkTarget;
      diff.after.src = src;
      changed = true;
    }
  } else if (prev === 'absent') changed = true;
  else if (prev === 'hard' || prev === 'file' || prev === 'other') {
    if (!args.force) throw new ModuleFailure(`refusing to convert from ${prev} to symlink for ${p}`, { path: p, src });
    changed = true;
  } else if (prev === 'directory') {
    throw new ModuleFailure(`the directory ${p} is not empty, refusing to convert it`, { path: p, src });
  }
  if (changed && !ctx.check) await sh(ctx, 'ln -sfn -- "$1" "$2"', [src, p], `ln -s ${src} ${p}`);
  if (ctx.check && changed) return result(true, { dest: p, src, state: 'link' }, diff, ctx);
  const linkState = await inspectPath(ctx, p);
  const attrs = args.owner != null || args.group != null ? await setAttributes(ctx, p, linkState, { owner: args.owner, group: args.group }) : undefined;
  const { path: _path, ...info } = await pathResult(ctx, p);
  return result(changed || attrs?.changed === true, { ...info, dest: p, src }, diff, ctx);
});

/** recurse: owner, group and mode of everything under a directory, changed when any differs. */
async function recurseAttributes(ctx: ModuleContext, dir: string, args: AttributeArgs): Promise<boolean> {
  if (args.mode == null && args.owner == null && args.group == null) return false;
  const conn = await ctx.connection();
  const list = await conn.exec(`find ${shlexQuote(dir)} -mindepth 1 -printf '%y\\n%p\\0'`, { signal: ctx.signal, shownAs: `find ${dir}` });
  if (list.code !== 0) throw new ModuleFailure(list.stderr.trim() || `find ${dir} failed`);
  let changed = false;
  for (const entry of list.stdout.split('\0').filter((e) => e !== '')) {
    const nl = entry.indexOf('\n');
    const kind = entry.slice(0, nl);
    const item = entry.slice(nl + 1);
    const s = await inspectPath(ctx, item);
    const attrs = await setAttributes(ctx, item, s, kind === 'l' ? { owner: args.owner, group: args.group } : args);
    changed = changed || attrs.changed;
  }
  return changed;
}
