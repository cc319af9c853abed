// `ping`: the host's connection runs a command, as Ansible's ping proves its module runs
// there. hound needs no Python on the node: the answer is `pong` (or `data`), and
// `data: crash` fails, as Ansible's ping raises then.
import { pingModule } from './schemas.js';
import { ModuleFailure, controllerModule } from './implementation.js';

export const ping = controllerModule<{ data?: string }>(pingModule, async (args, ctx) => {
  const data = args.data ?? 'pong';
  const conn = await ctx.connection();
  const r = await conn.exec('true', { signal: ctx.signal });
  if (r.code !== 0) throw new ModuleFailure(`the node did not run a command: exit ${r.code ?? r.signal}${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
  if (data === 'crash') throw new ModuleFailure('boom', { ping: data });
  return { status: 'ok', msg: data, bytes: 0, data: { ping: data } };
});
