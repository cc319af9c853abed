// The adversarial suite of #21: every case of adversarial-cases.ts through the built binary
// (`node dist/cli/hound.js`, under a 256 MiB heap, killed at its time bound), two at a time.
// Beyond each case's own exit code and message, every case must pass the same checks:
//   no stack trace and no exit 250 (a bug), no hang (ended within the bound), bounded memory
//   (no heap exhaustion, no signal death), and no secret in any byte of stdout or stderr, in
//   any encoding hound could print it (raw, JSON-escaped, URL-encoded, base64).
// A run prints its size and failures per kind; the figures go into the closing note.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { houndEnv } from '../../fixtures/play/helpers.js';
import { CASES, SECRET, type AdversarialCase, type Kind } from './adversarial-cases.js';

const HOUND = path.resolve(import.meta.dirname, '../../../dist/cli/hound.js');
const DEFAULT_LIMIT_MS = 45_000;
const root = mkdtempSync(path.join(tmpdir(), 'hound-adversarial-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Every form in which a secret could leave hound. */
const SECRET_FORMS = [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64')];

function writeFiles(dir: string, files: AdversarialCase['files'] = {}): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === 'string') writeFileSync(file, content);
    else execFileSync('mkfifo', [file]);
  }
}

function runCase(c: AdversarialCase, dir: string): Promise<Outcome> {
  const limitMs = c.limitMs ?? DEFAULT_LIMIT_MS;
  return new Promise((resolve, reject) => {
    const full = c.output === 'full' ? openSync('/dev/full', 'w') : undefined;
    const started = Date.now();
    const child = spawn(process.execPath, ['--max-old-space-size=256', HOUND, ...c.args], {
      cwd: dir,
      env: houndEnv(),
      stdio: ['ignore', full ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    // The signal is timed from hound's first output, not from the spawn (on a loaded machine
    // Node may take longer than afterMs just to start) nor from SigCgt in /proc: Node installs
    // its own SIGINT/SIGTERM handlers at startup (they restore the terminal and re-raise the
    // signal), so SigCgt shows them long before hound's. hound's handlers (cli/process-guards.ts)
    // are installed before anything it prints, so a signal after the first byte meets them.
    let signal: NodeJS.Timeout | undefined;
    let done = false;
    const onOutput = (): void => {
      if (!c.signal || done) return;
      if (c.signal.unlessDone?.test(stdout)) {
        done = true;
        clearTimeout(signal);
      } else if (signal === undefined) {
        const { name, afterMs } = c.signal;
        signal = setTimeout(() => child.kill(name), afterMs);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onOutput();
      // A reader that stops after the first bytes, as `| head -c1` does.
      if (c.output === 'closed-early') child.stdout?.destroy();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      onOutput();
    });
    const watchdog = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(watchdog);
      clearTimeout(signal);
      if (full !== undefined) closeSync(full);
      resolve({ code, signal: sig, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** What is wrong with an outcome, by the checks every case shares and by the case's own; empty when nothing. */
export function problems(c: AdversarialCase, o: Outcome): string[] {
  const out: string[] = [];
  const both = o.stdout + o.stderr;
  if (o.timedOut) out.push(`hang: still running after ${(c.limitMs ?? DEFAULT_LIMIT_MS) / 1000} s`);
  // The case's own signal after the run's last line (sent as that line was on its way): the
  // run had ended, and Node's teardown meets the signal with its default action.
  else if (o.signal && !(o.signal === c.signal?.name && c.signal.unlessDone?.test(o.stdout))) out.push(`killed by ${o.signal} (memory or a crash)`);
  if (/\n\s+at .+:\d+:\d+\)?/.test(both) || /unexpected internal error|FATAL ERROR|heap out of memory/.test(both)) out.push('stack trace or internal error');
  if (o.code === 250) out.push('exit 250 (a bug)');
  for (const form of SECRET_FORMS) if (both.includes(form)) out.push(`secret printed (as ${JSON.stringify(form)})`);
  if (!o.timedOut && c.exit >= 0 && o.code !== c.exit) out.push(`exit ${o.code}, expected ${c.exit}`);
  if (c.stderr && !c.stderr.test(o.stderr)) out.push(`stderr does not match ${c.stderr}`);
  if (c.stdout && !c.stdout.test(o.stdout)) out.push(`stdout does not match ${c.stdout}`);
  return out;
}

describe('the adversarial suite (#21): bad input through the built binary', () => {
  const results: Array<{ c: AdversarialCase; o: Outcome; problems: string[] }> = [];

  it(
    'every case: its exit code and message; no stack trace, hang, crash or secret',
    async () => {
      // HOUND_ADVERSARIAL_ONLY=text runs only the cases whose name holds it (while fixing one).
      const only = process.env.HOUND_ADVERSARIAL_ONLY;
      const cases = CASES.map((c, i) => ({ c, dir: path.join(root, String(i)) })).filter(({ c }) => !only || c.name.includes(only));
      expect(cases.length, `no case is named like ${only}`).toBeGreaterThan(0);
      for (const { c, dir } of cases) {
        mkdirSync(dir);
        writeFiles(dir, c.files);
      }
      // Two at a time: the CI machine has two cores.
      for (let i = 0; i < cases.length; i += 2) {
        const batch = cases.slice(i, i + 2);
        const outcomes = await Promise.all(batch.map(({ c, dir }) => runCase(c, dir)));
        outcomes.forEach((o, j) => results.push({ c: batch[j].c, o, problems: problems(batch[j].c, o) }));
      }
      const byKind = new Map<Kind, { tried: number; failed: number }>();
      for (const r of results) {
        const k = byKind.get(r.c.kind) ?? { tried: 0, failed: 0 };
        k.tried++;
        if (r.problems.length > 0) k.failed++;
        byKind.set(r.c.kind, k);
      }
      const table = [...byKind].map(([kind, k]) => `  ${kind}: ${k.failed} failed / ${k.tried}`).join('\n');
      const failures = results
        .filter((r) => r.problems.length > 0)
        .map(
          (r) =>
            `- [${r.c.kind}] ${r.c.name} (exit ${r.o.code}, ${r.o.ms} ms): ${r.problems.join('; ')}\n  stderr: ${r.o.stderr.slice(0, 600)}\n  stdout: ${r.o.stdout.slice(0, 600)}`,
        );
      process.stdout.write(`adversarial suite: ${results.length} cases, ${failures.length} failed\n${table}\n${failures.join('\n')}\n`);
      expect(failures).toEqual([]);
    },
    // About 50 cases, two at a time, most ending in well under a second.
    900_000,
  );
});
