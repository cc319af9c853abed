// `fail`: fail the host with a message.
import { failModule } from './schemas.js';
import type { ControllerModule } from './implementation.js';

export const fail: ControllerModule<{ msg?: string }> = {
  kind: 'controller',
  definition: failModule,
  async run(args) {
    return { status: 'failed', msg: args.msg ?? 'Failed as requested from task', bytes: 0, data: {} };
  },
};
