// What the inventory tests check of a source hound refuses where ansible-inventory failed or
// skipped it, and how they put hound's masking of secret-named variables on Ansible's text.
import { expect } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { isSecretName } from '../../../base/secrets.js';

/** The error `load` ends with: one HoundError, exit 4 (a parse error), no stack trace. */
export async function inventoryFailure(load: () => Promise<unknown>): Promise<HoundError> {
  const err = await load().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HoundError);
  const e = err as HoundError;
  expect(e.exitCode).toBe(4);
  expect(e.format()).not.toMatch(/\n\s+at /);
  return e;
}

/** ansible-inventory's --graph --vars text with each secret-named variable shown as hound's graph shows it: ******** whole. */
export function graphWithSecretsMasked(graph: string): string {
  return graph.replace(/\{([^ ={}]+) = .*\}$/gm, (line, name: string) => (isSecretName(name) ? `{${name} = ********}` : line));
}
