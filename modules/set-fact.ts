// `set_fact`: host variables for the rest of the run (above inventory and play vars).
// `cacheable` is set_fact's own option, as in Ansible: it names no variable (hound has no
// fact cache across runs, so it changes nothing else).
import { setFactModule } from './schemas.js';
import type { ControllerModule } from './implementation.js';

export const setFact: ControllerModule<Record<string, unknown>> = {
  kind: 'controller',
  definition: setFactModule,
  async run(args) {
    const { cacheable: _cacheable, ...facts } = args;
    return { status: 'ok', msg: `set ${Object.keys(facts).join(', ')}`, bytes: 0, data: { ansible_facts: facts }, facts: { ...facts } };
  },
};
