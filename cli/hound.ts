#!/usr/bin/env node
// The `hound` binary: everything else is in main.ts so tests can call run() directly.
import { EnvironmentError } from '../base/errors.js';
import { openFileLimit, tooFewOpenFiles } from '../base/open-files.js';
import { installProcessGuards } from './process-guards.js';

installProcessGuards();
// Before the rest of hound is loaded: with too few descriptors the loading itself fails, and
// says so as a package that cannot be found.
const tooFew = tooFewOpenFiles(openFileLimit());
if (tooFew !== undefined) {
  const error = new EnvironmentError('OPEN_FILES_TOO_FEW', tooFew, {
    hint: 'raise the limit (ulimit -n, or its hard limit ulimit -Hn; LimitNOFILE= in a systemd unit)',
  });
  process.stderr.write(error.format() + '\n');
  process.exitCode = error.exitCode;
} else {
  const { run } = await import('./main.js');
  // run() never rejects: every error becomes an exit code inside it.
  process.exitCode = await run(process.argv.slice(2));
}
