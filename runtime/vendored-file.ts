// Finds a file shipped beside the sources (a vendored gRPC descriptor) from both places the
// code runs: runtime/… under vitest, and dist/runtime/… when built or installed (the package
// carries the file at its own path, package.json's "files"). tsc copies no such file into
// dist/, so the file is looked up from this module's dir upwards.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../base/errors.js';

/** Absolute path of `relative` (e.g. runtime/cri/api.json) under the nearest ancestor that has it. */
export function vendoredFile(relative: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new EnvironmentError('RUNTIME_FILE_MISSING', `hound's installation lacks ${relative}`, {
        hint: 'reinstall hound: the file ships with its sources',
      });
    }
    dir = parent;
  }
}
