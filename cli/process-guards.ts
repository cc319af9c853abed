// What the `hound` binary sets up around the CLI before anything runs, so that whatever a
// command prints or meets on its way out behaves as a command-line tool should:
//  - every byte written to stdout and stderr goes through the one masking step
//    (base/secrets.ts): a secret no code path remembered to mask still never shows;
//  - a reader that stops early (`hound inventory --list | head -1`: EPIPE) ends hound quietly,
//    as it ends other CLIs; a full disk under stdout (`> /dev/full`: ENOSPC) is one clear error;
//  - SIGINT and SIGTERM always end hound: a run in progress cancels its work and prints its
//    recap (core/run.ts), anything else (loading a large inventory) stops at once with
//    "interrupted" and exit 99, and a second signal, or a run that has not ended 10 s after
//    the first, ends the process there and then.
import { EXIT } from '../base/errors.js';
import { processSecrets } from '../base/secrets.js';

/** How long a run may take to wind down after SIGINT/SIGTERM before hound exits anyway. */
export const WIND_DOWN_MS = 10_000;

function maskingWrite(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (processSecrets.size === 0) return original(chunk, ...rest);
    if (typeof chunk === 'string') return original(processSecrets.maskText(chunk), ...rest);
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk).toString('utf8');
      // Only text that decodes whole is masked; bytes that are not UTF-8 are not hound's output.
      if (Buffer.from(text, 'utf8').equals(chunk)) return original(processSecrets.maskText(text), ...rest);
    }
    return original(chunk, ...rest);
  };
  stream.write = write;
}

function onStreamError(name: 'stdout' | 'stderr') {
  return (err: NodeJS.ErrnoException): void => {
    // The reader went away (`| head -1`): nothing more can be shown, so stop quietly.
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
    const reason = err.code === 'ENOSPC' ? 'no space left on the device' : (err.code ?? err.message);
    if (name === 'stdout') {
      try {
        process.stderr.write(`hound: error WRITE_FAILED: cannot write to standard output: ${reason}\n`);
      } catch {
        // stderr is gone as well: the exit code is all that is left to say it.
      }
    }
    process.exit(EXIT.ERROR);
  };
}

let signalled = 0;

function onSignal(signal: NodeJS.Signals): void {
  signalled++;
  // A run in progress listens too (core/run.ts): it cancels its work and prints the recap.
  const runListening = process.listenerCount(signal) > 1;
  if (runListening && signalled === 1) {
    setTimeout(() => stop(`hound: ${signal}: the run did not end within ${WIND_DOWN_MS / 1000} s; stopping now`), WIND_DOWN_MS).unref();
    return;
  }
  stop(signalled > 1 ? `hound: ${signal} again: stopping now` : 'hound: interrupted');
}

function stop(message: string): never {
  try {
    process.stderr.write(`${message}\n`);
  } finally {
    process.exit(EXIT.INTERRUPTED);
  }
}

/** Installs the guards; called once by the binary (cli/hound.ts), never by in-process callers of run(). */
export function installProcessGuards(): void {
  maskingWrite(process.stdout);
  maskingWrite(process.stderr);
  process.stdout.on('error', onStreamError('stdout'));
  process.stderr.on('error', onStreamError('stderr'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
