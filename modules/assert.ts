// `assert`: fail the host unless every condition holds; says which one did not, with
// the registered value Ansible's assert action returns (assertion, evaluated_to, msg).
import { assertModule } from './schemas.js';
import { controllerModule } from './implementation.js';

type Message = string | string[];

export interface AssertArgs {
  that: string | boolean | (string | boolean)[];
  fail_msg?: Message;
  msg?: Message;
  success_msg?: Message;
  quiet?: boolean;
}

function shown(message: Message): string {
  return Array.isArray(message) ? message.join('\n') : message;
}

export const assert = controllerModule<AssertArgs>(assertModule, async (args, ctx) => {
  const conditions = Array.isArray(args.that) ? args.that : [args.that];
  for (const condition of conditions) {
    const holds = typeof condition === 'boolean' ? condition : ctx.evaluateCondition(condition, ctx.vars);
    if (!holds) {
      const msg = args.fail_msg ?? args.msg ?? 'Assertion failed';
      return {
        status: 'failed',
        msg: typeof msg === 'string' && !args.fail_msg && !args.msg ? `${msg}: ${String(condition)}` : shown(msg),
        bytes: 0,
        data: { assertion: condition, evaluated_to: false, msg },
      };
    }
  }
  const msg = args.success_msg ?? 'All assertions passed';
  return { status: 'ok', msg: shown(msg), bytes: 0, data: { msg } };
});
