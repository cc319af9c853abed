// A contender's cost on the controller, measured by GNU time around its process: peak RSS
// (of the largest process it waited for) and CPU time (user+sys of it and its children).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EnvironmentError } from '../base/errors.js';
import type { ControllerCost, SshSetup } from './results-model.js';

export const GNU_TIME = '/usr/bin/time';

export function requireGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new EnvironmentError('BENCH_NO_GNU_TIME', `${GNU_TIME} is missing: it measures hound's memory and CPU time`, {
      hint: 'apt-get install time',
    });
  }
}

/** argv running `argv` under GNU time, which writes `maxrss_kb user_s sys_s` to `reportFile`. */
export function withGnuTime(argv: readonly string[], reportFile: string): string[] {
  return [GNU_TIME, '-o', reportFile, '-f', 'hound-bench-cost %M %U %S', ...argv];
}

/** Reads GNU time's line; it is preceded by "Command exited with non-zero status N" on failure. */
export function parseGnuTimeReport(text: string): ControllerCost | undefined {
  const match = /^hound-bench-cost (\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/m.exec(text);
  if (!match) return undefined;
  return { maxRssBytes: Number(match[1]) * 1024, userSeconds: Number(match[2]), systemSeconds: Number(match[3]) };
}

export async function readControllerCost(reportFile: string): Promise<ControllerCost | undefined> {
  const text = await readFile(reportFile, 'utf8').catch(() => '');
  return parseGnuTimeReport(text);
}

/**
 * hound's `ssh: …` line at -v (transport/pool.ts, describeConnectionStats), or undefined when
 * the output has none (a build from before it, or a run that failed before connecting).
 */
export function parseSshSetupLine(output: string): SshSetup | undefined {
  const match =
    /^ssh: (\d+) connections? opened over ([\d.]+) s from the first asked for to the last(?: \(each set up in ([\d.]+) s median, ([\d.]+) s at most from its handshake's start; up to ([\d.]+) s waiting for one of \d+ handshake slots\))?; (\d+) handshakes? tried again; (\d+) hosts? unreachable/m.exec(
      output,
    );
  if (!match) return undefined;
  const n = (i: number) => Number(match[i] ?? 0);
  return { connections: n(1), spanSeconds: n(2), medianSeconds: n(3), maxSeconds: n(4), longestWaitSeconds: n(5), retried: n(6), unreachable: n(7) };
}
