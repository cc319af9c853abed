// `set_fact`: host variables for the rest of the run (above inventory and play vars).
// `cacheable` is set_fact's own option, as in Ansible: it names no variable (hound has no
// fact cache across runs, so it changes nothing else).
import { setFactModule } from './schemas.js';
import { controllerModule } from './implementation.js';
import { plainData } from '../base/unsafe-text.js';

export const setFact = controllerModule<Record<string, unknown>>(setFactModule, async (args) => {
  const { cacheable: _cacheable, ...facts } = args;
  // The host keeps the values as given (data stays data: base/unsafe-text.ts); the result shows their text.
  return { status: 'ok', msg: `set ${Object.keys(facts).join(', ')}`, bytes: 0, data: { ansible_facts: plainData(facts) }, facts: { ...facts } };
});
