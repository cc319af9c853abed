// `debug`: print a message or a variable, as Ansible's debug does.
import { debugModule } from './schemas.js';
import { controllerModule } from './implementation.js';
import { pythonJsonDumps } from '../base/python-json.js';

/** A value on one line, as JSON.stringify writes it but for a float, which keeps Python's `.0` (1.0). */
function oneLine(value: unknown): string {
  return pythonJsonDumps(value, { separators: [',', ':'], ensureAscii: false });
}

export interface DebugArgs {
  msg?: unknown;
  var?: string;
  verbosity?: number;
}

export const debug = controllerModule<DebugArgs>(debugModule, async (args, ctx) => {
  if ((args.verbosity ?? 0) > ctx.verbosity) {
    return { status: 'skipped', msg: `verbosity threshold not met (needs -${'v'.repeat(args.verbosity ?? 0)})`, bytes: 0, data: {} };
  }
  if (args.var !== undefined) {
    const value = ctx.renderValue(`{{ ${args.var} }}`, ctx.vars);
    return { status: 'ok', msg: `${args.var}: ${typeof value === 'string' ? value : oneLine(value)}`, bytes: 0, data: { [args.var]: value } };
  }
  const msg = args.msg ?? 'Hello world!';
  return { status: 'ok', msg: typeof msg === 'string' ? msg : oneLine(msg), bytes: 0, data: { msg } };
});
