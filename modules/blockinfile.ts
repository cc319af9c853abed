// `blockinfile`: a block of lines between two marker lines in a file on the node, as
// ansible-core 2.14's blockinfile: the edit is modules/line-edit.ts's (pure, compared with the
// real module), written back atomically only when it changed, then owner, group and mode.
import { blockinfileModule } from './file-schemas.js';
import { ModuleFailure, controllerModule } from './implementation.js';
import { blockinfileEdit } from './line-edit.js';
import { finishEdit, readTarget } from './lineinfile.js';
import type { AttributeArgs } from './node-file.js';

export interface BlockinfileArgs extends AttributeArgs {
  path: string;
  state?: 'present' | 'absent';
  marker?: string;
  block?: string;
  insertafter?: string;
  insertbefore?: string;
  create?: boolean;
  backup?: boolean;
  marker_begin?: string;
  marker_end?: string;
  validate?: string;
  unsafe_writes?: boolean;
}

export const blockinfile = controllerModule<BlockinfileArgs>(blockinfileModule, async (args, ctx) => {
  const target = await readTarget(ctx, args.path);
  const { state } = target;
  if (state.kind === 'directory') throw new ModuleFailure(`Path ${args.path} is a directory !`, { rc: 256 });
  const present = (args.state ?? 'present') === 'present';
  if (!state.exists && !args.create) throw new ModuleFailure(`Path ${args.path} does not exist !`, { rc: 257 });
  if (!present && !state.exists) return { status: 'ok', msg: `File ${args.path} not present`, bytes: 0, data: { msg: `File ${args.path} not present` } };
  const original = state.exists ? (state.content ?? Buffer.alloc(0)).toString('latin1') : undefined;
  const edit = blockinfileEdit(original, { ...args, state: present ? 'present' : 'absent' });
  return finishEdit(ctx, args, args.path, target, edit, original, {});
});
