// `lineinfile`: one line in a file on the node, as ansible-core 2.14's lineinfile: the edit is
// modules/line-edit.ts's (pure, compared with the real module), made on the controller from
// the file's bytes, written back atomically only when it changed (through a link, to the file
// it points to), then owner, group and mode; messages, `changed`, `backup` and the diff list
// ([content, file attributes]) as the module returns them.
import posix from 'node:path/posix';
import { shlexQuote } from '../base/shlex.js';
import { lineinfileModule } from './file-schemas.js';
import { ModuleFailure, controllerModule, type ModuleContext, type ModuleResult } from './implementation.js';
import { lineinfileAbsent, lineinfilePresent, type LineEdit } from './line-edit.js';
import { inspectPath, newFileMode, setAttributes, writeFileAtomically, type AttributeArgs, type PathState } from './node-file.js';

export interface LineinfileArgs extends AttributeArgs {
  path: string;
  state?: 'present' | 'absent';
  regexp?: string;
  search_string?: string;
  line?: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs?: boolean;
  create?: boolean;
  backup?: boolean;
  firstmatch?: boolean;
  validate?: string;
  unsafe_writes?: boolean;
}

/** The file's state, following a link to the file it names (edits go there, as the modules' realpath). */
export async function readTarget(ctx: ModuleContext, path: string): Promise<{ path: string; state: PathState }> {
  const state = await inspectPath(ctx, path, { content: true });
  if (state.kind === 'link' && state.linkTarget !== undefined) {
    const target = posix.resolve(posix.dirname(path), state.linkTarget);
    return { path: target, state: await inspectPath(ctx, target, { content: true }) };
  }
  return { path, state };
}

/** Writes an edit and sets attributes, then answers as lineinfile/blockinfile's exit_json does. */
export async function finishEdit(
  ctx: ModuleContext,
  args: AttributeArgs & { backup?: boolean; validate?: string },
  shownPath: string,
  target: { path: string; state: PathState },
  edit: LineEdit,
  before: string | undefined,
  extra: Record<string, unknown>,
): Promise<ModuleResult> {
  const { state } = target;
  const contentDiff = {
    before: ctx.diff && before !== undefined ? Buffer.from(before, 'latin1').toString('utf8') : '',
    after: ctx.diff ? Buffer.from(edit.content, 'latin1').toString('utf8') : '',
    before_header: `${shownPath} (content)`,
    after_header: `${shownPath} (content)`,
  };
  let backup: string | undefined;
  if (edit.changed && !ctx.check) {
    if (!state.exists) {
      const conn = await ctx.connection();
      const dir = posix.dirname(target.path);
      const r = await conn.exec(`mkdir -p -- ${shlexQuote(dir)}`, { signal: ctx.signal, shownAs: `mkdir -p ${dir}` });
      if (r.code !== 0) throw new ModuleFailure(`Error creating ${dir} (${r.stderr.trim()})`);
    }
    backup = await writeFileAtomically(ctx, target.path, Buffer.from(edit.content, 'latin1'), {
      newMode: newFileMode(state.umask),
      backup: args.backup === true && state.exists,
      validate: args.validate,
    });
  }
  let { msg, changed } = edit;
  const backupKey = extra.found !== undefined || 'backup' in extra ? 'backup' : 'backup_file';
  if (ctx.check && !state.exists) {
    return { status: changed ? 'changed' : 'ok', msg, bytes: 0, data: { msg, ...extra, ...(ctx.diff ? { diff: contentDiff } : {}) } };
  }
  const written: PathState = state.exists ? state : { ...state, exists: true, kind: 'file', mode: newFileMode(state.umask) };
  const attrs = await setAttributes(ctx, target.path, written, args);
  if (attrs.changed) {
    if (changed) msg += ' and ';
    changed = true;
    msg += 'ownership, perms or SE linux context changed';
  }
  const data: Record<string, unknown> = { msg, ...extra };
  if (backupKey === 'backup') data.backup = backup ?? '';
  else if (backup !== undefined) data.backup_file = backup;
  if (ctx.diff)
    data.diff = [
      contentDiff,
      { before: attrs.before, after: attrs.after, before_header: `${shownPath} (file attributes)`, after_header: `${shownPath} (file attributes)` },
    ];
  return { status: changed ? 'changed' : 'ok', msg, bytes: 0, data };
}

export const lineinfile = controllerModule<LineinfileArgs>(lineinfileModule, async (args, ctx) => {
  const target = await readTarget(ctx, args.path);
  const { state } = target;
  if (state.kind === 'directory') throw new ModuleFailure(`Path ${args.path} is a directory !`, { rc: 256 });
  const before = state.exists ? (state.content ?? Buffer.alloc(0)).toString('latin1') : undefined;
  if ((args.state ?? 'present') === 'present') {
    if (args.backrefs && args.regexp === undefined) throw new ModuleFailure('regexp is required with backrefs=true');
    if (args.line === undefined) throw new ModuleFailure('line is required with state=present');
    if (args.backrefs && args.search_string !== undefined) throw new ModuleFailure('parameters are mutually exclusive: backrefs|search_string');
    if (!state.exists && !args.create) throw new ModuleFailure(`Destination ${args.path} does not exist !`, { rc: 257 });
    const edit = lineinfilePresent(before ?? '', { ...args, line: args.line });
    return finishEdit(ctx, args, args.path, target, edit, before, { backup: '' });
  }
  if (args.regexp === undefined && args.search_string === undefined && args.line === undefined)
    throw new ModuleFailure('one of line, search_string, or regexp is required with state=absent');
  if (!state.exists) return { status: 'ok', msg: 'file not present', bytes: 0, data: { msg: 'file not present' } };
  const edit = lineinfileAbsent(before ?? '', args);
  return finishEdit(ctx, args, args.path, target, edit, before, { found: edit.found, backup: '' });
});
