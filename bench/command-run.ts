// Runs one external command for the benchmark (ssh, ansible-playbook, hound) and collects
// its exit and output; an abort (Ctrl-C) kills it rather than leaving it behind.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Keep at most this many trailing characters of each stream (pull progress is chatty). */
  keepChars?: number;
  /** Called with the child's pid once it is spawned (to watch it from /proc). */
  onSpawn?: (pid: number) => void;
}

export function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const keep = options.keepChars ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGTERM',
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-keep);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-keep);
    });
    child.on('error', (err) => reject(err));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The last non-empty lines of a command's output, for a one-line failure message. */
export function tailOf(text: string, lines = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-lines)
    .join(' / ');
}

export function describeFailure(argv0: string, result: CommandResult): string {
  const how = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const detail = tailOf(result.stderr) || tailOf(result.stdout);
  return `${argv0}: ${how}${detail ? `: ${detail}` : ''}`;
}
