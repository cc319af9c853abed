// Running the system tools a lab is made of (ip, tc, ssh-keygen...). A failure becomes one
// EnvironmentError naming the command and its stderr, never a stack trace.
import { execFile } from 'node:child_process';
import { EnvironmentError } from '../base/errors.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves whatever its exit status. */
export function tryCommand(file: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === -1 ? err.message : '') });
    });
    // A command that ends without reading its input (EPIPE) is judged by its exit status.
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command; throws LAB_COMMAND_FAILED when it exits non-zero. */
export async function runCommand(file: string, args: string[], options: { input?: string; timeoutMs?: number; hint?: string } = {}): Promise<string> {
  const r = await tryCommand(file, args, options);
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').slice(-3).join(' / ');
    throw new EnvironmentError('LAB_COMMAND_FAILED', `\`${[file, ...args].join(' ')}\` failed (exit ${r.code}): ${detail}`, {
      hint: options.hint ?? "run `hound lab down` and then `hound lab up` again; the daemons' logs are in the lab dir",
    });
  }
  return r.stdout;
}
