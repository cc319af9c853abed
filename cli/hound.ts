#!/usr/bin/env node
// The `hound` binary: everything else is in main.ts so tests can call run() directly.
import { installProcessGuards } from './process-guards.js';
import { run } from './main.js';

installProcessGuards();
// run() never rejects: every error becomes an exit code inside it.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
