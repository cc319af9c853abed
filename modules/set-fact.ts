// `set_fact`: host variables for the rest of the run (above inventory and play vars).
import { setFactModule } from './schemas.js';
import type { ControllerModule } from './implementation.js';

export const setFact: ControllerModule<Record<string, unknown>> = {
  kind: 'controller',
  definition: setFactModule,
  async run(args) {
    return { status: 'ok', msg: `set ${Object.keys(args).join(', ')}`, bytes: 0, data: { ansible_facts: args }, facts: { ...args } };
  },
};
