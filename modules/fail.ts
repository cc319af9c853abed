// `fail`: fail the host with a message (any value, as Ansible's fail action registers it).
import { failModule } from './schemas.js';
import { controllerModule } from './implementation.js';

export const fail = controllerModule<{ msg?: unknown }>(failModule, async (args) => {
  const msg = args.msg ?? 'Failed as requested from task';
  return { status: 'failed', msg: typeof msg === 'string' ? msg : JSON.stringify(msg), bytes: 0, data: { msg } };
});
