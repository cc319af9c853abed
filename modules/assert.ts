// `assert`: fail the host unless every condition holds; says which one did not.
import { assertModule } from './schemas.js';
import type { ControllerModule } from './implementation.js';

export interface AssertArgs {
  that: string | string[];
  fail_msg?: string;
  success_msg?: string;
}

export const assert: ControllerModule<AssertArgs> = {
  kind: 'controller',
  definition: assertModule,
  async run(args, ctx) {
    const conditions = Array.isArray(args.that) ? args.that : [args.that];
    for (const condition of conditions) {
      if (!ctx.evaluateCondition(condition, ctx.vars)) {
        return {
          status: 'failed',
          msg: args.fail_msg ?? `Assertion failed: ${condition}`,
          bytes: 0,
          data: { assertion: condition, evaluated_to: false },
        };
      }
    }
    return { status: 'ok', msg: args.success_msg ?? 'All assertions passed', bytes: 0, data: {} };
  },
};
