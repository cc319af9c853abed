// What `exec` means on any HostConnection (SSH, the controller itself, a command under
// become): start the command, give it its stdin (or hold it open), collect its output,
// and end it when the run is interrupted. Each connection only knows how to start one.
import { abortErrorOf } from '../base/abort.js';
import type { ExecOptions, ExecResult, RunningCommand } from './types.js';

/** Runs a command being started to its end, as HostConnection.exec promises. */
export function runToCompletion(start: Promise<RunningCommand>, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let running: RunningCommand | undefined;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      running?.kill();
      reject(abortErrorOf(options.signal!));
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    start.then(
      (started) => {
        running = started;
        // Aborted while it was starting (an SSH channel opening, sudo asking): end it now.
        if (aborted) return started.kill();
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        started.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        started.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        started.done.then(
          ({ code, signal }) => {
            options.signal?.removeEventListener('abort', onAbort);
            if (aborted) return;
            const result: ExecResult = { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
            if (signal !== undefined) result.signal = signal;
            resolve(result);
          },
          (error: unknown) => {
            options.signal?.removeEventListener('abort', onAbort);
            if (!aborted) reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
        // A command that has ended may refuse more input: that is not the command's failure.
        started.stdin.on('error', () => undefined);
        writeStdin(started, options.stdin, options.holdStdin === true);
      },
      (error: unknown) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (!aborted) reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function writeStdin(running: RunningCommand, stdin: ExecOptions['stdin'], hold: boolean): void {
  if (stdin === undefined) {
    if (!hold) running.stdin.end();
  } else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    if (hold) running.stdin.write(stdin);
    else running.stdin.end(stdin);
  } else stdin.pipe(running.stdin);
}
