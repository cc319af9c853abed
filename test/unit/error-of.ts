// The HoundError a call throws, for tests that look at its code, message, hint or frame.
import { HoundError } from '../../base/errors.js';

export function errorOf(fn: () => unknown): HoundError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HoundError) return err;
    throw err;
  }
  throw new Error('expected an error');
}
