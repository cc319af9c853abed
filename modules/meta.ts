// `meta`: asks the scheduler to act on the run (core/scheduler.ts): run the handlers
// notified so far, end the host, the batch or the play. noop does nothing. As in
// ansible-playbook, no meta task counts in the recap (core/recap.ts).
import { metaModule } from './schemas.js';
import { controllerModule, type MetaAction } from './implementation.js';

export const meta = controllerModule<{ free_form: MetaAction }>(metaModule, async (args) => {
  return { status: 'ok', msg: args.free_form, bytes: 0, data: {}, meta: args.free_form };
});
