// Broken command lines and files through the CLI: in-process (`run`, thousands of cases)
// and a fixed sample through the built binary (`node dist/cli/hound.js`, each case killed
// after a bound, under a small heap), so the exit code and every byte on stderr are the
// user's. Only `play --syntax-check` and `inventory --list` are generated: nothing connects.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { mutatedText, tokenSoup } from './malformed-text.js';

const VALID = path.resolve(__dirname, '../../fixtures/playbooks/valid');
const HOUND = path.resolve(__dirname, '../../../dist/cli/hound.js');
const dir = mkdtempSync(path.join(tmpdir(), 'hound-fuzz-cli-'));
beforeAll(() => cpSync(VALID, dir, { recursive: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTION_VALUES = [
  '',
  '0',
  '-1',
  '1.5',
  'abc',
  '@missing.yml',
  '@',
  '{',
  '{"a": }',
  'a=b',
  '=x',
  'k="unterminated',
  'web:&db:!web1',
  '~[',
  'all',
  ',',
  'x,',
  '\u0000',
  '--',
];
const PLAY_OPTIONS = [
  '-i',
  '-l',
  '-e',
  '-t',
  '--skip-tags',
  '-f',
  '--forks',
  '--reporter',
  '--host-key-checking',
  '--distribution',
  '--roles-path',
  '-u',
  '--private-key',
  '-T',
  '--timeout',
  '--bogus',
  '-Z',
  '-vvvvvv',
  '--json',
  '--check',
];

/**
 * Junk values, but none that names a place outside the sandbox: `-i /` or `-i ..` would have
 * hound read the machine's folders as an inventory and run the executables it finds there as
 * inventory scripts, as Ansible does (a full suite once hung on one).
 */
const junk = fc.string({ maxLength: 8 }).filter((s) => !/[/~]|\.\./.test(s));

/** `play --syntax-check PLAYBOOK` followed by option/value pairs drawn from the real options and junk. */
const playCommandLine = fc
  .tuple(
    fc.constantFrom('warmup.yml', 'site.yml', 'missing.yml', ''),
    fc.array(fc.tuple(fc.constantFrom(...PLAY_OPTIONS), fc.oneof(fc.constantFrom(...OPTION_VALUES), junk)), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([playbook, pairs]) => ['play', '--syntax-check', ...(playbook ? [playbook] : []), ...pairs.flat()]);

const inventoryCommandLine = fc
  .array(fc.oneof(fc.constantFrom('-i', '--list', '--graph', '--host', '-y', '--vars', '-l', '--nope'), fc.constantFrom(...OPTION_VALUES)), {
    minLength: 1,
    maxLength: 6,
  })
  .map((args) => ['inventory', ...args]);

/** Runs the CLI in-process with stdout and stderr captured. */
async function runCaptured(argv: string[]): Promise<{ code: number; stderr: string }> {
  const previousCwd = process.cwd();
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let stderr = '';
  process.stdout.write = () => true;
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  process.chdir(dir);
  try {
    const code = await run(argv);
    return { code, stderr };
  } finally {
    process.exitCode = undefined;
    process.chdir(previousCwd);
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
}

/** The user-facing contract for a refusal on stderr: no trace, no internal error, a code or commander's one line. */
function stderrProblem(code: number, stderr: string): string | undefined {
  if (/\n\s+at .+:\d+:\d+\)?\n/.test(stderr) || stderr.includes('unexpected internal error')) return `stack trace or internal error:\n${stderr}`;
  if (code === 0) return undefined;
  if (![1, 4, 5].includes(code)) return `exit ${code}:\n${stderr}`;
  // Exit 1 is for a file hound cannot use, and for a --limit that leaves no hosts, as
  // ansible-playbook exits 1 for it too (even with --syntax-check: "Specified inventory, host
  // pattern and/or --limit leaves us with no hosts to target"). 1 in about 60,000 generated
  // lines hits the latter (`-i aGem,y -l 1Z{Pqf`).
  if (code === 1 && !/error ([A-Z_]*(NOT_FOUND|NOT_REGULAR|UNREADABLE)|NO_HOSTS_TO_TARGET):/.test(stderr))
    return `exit 1 for something other than a file hound cannot use or no hosts to target:\n${stderr}`;
  const errorLines = stderr.split('\n').filter((l) => /(^|: )error[ :]/.test(l));
  if (errorLines.length !== 1) return `expected one error line, got ${errorLines.length}:\n${stderr}`;
  return undefined;
}

describe('malformed command lines', () => {
  let refusals = 0;
  it('play --syntax-check with junk options: one clear error, exit 4 or 5 (1 for a missing file)', async () => {
    await fc.assert(
      fc.asyncProperty(playCommandLine, async (argv) => {
        const { code, stderr } = await runCaptured(argv);
        if (code !== 0) refusals++;
        expect(stderrProblem(code, stderr), argv.join(' ')).toBeUndefined();
      }),
      { numRuns: 250 },
    );
  }, 120_000);

  it('inventory with junk options: one clear error', async () => {
    await fc.assert(
      fc.asyncProperty(inventoryCommandLine, async (argv) => {
        const { code, stderr } = await runCaptured(argv);
        expect(stderrProblem(code, stderr), argv.join(' ')).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('a --limit that leaves no hosts: exit 1 and one error line, as ansible-playbook', async () => {
    const argv = ['play', '--syntax-check', 'warmup.yml', '-i', 'aGem,y', '-l', '1Z{Pqf'];
    const { code, stderr } = await runCaptured(argv);
    expect(code).toBe(1);
    expect(stderr).toContain('error NO_HOSTS_TO_TARGET: --limit 1Z{Pqf leaves no hosts to target');
    expect(stderrProblem(code, stderr)).toBeUndefined();
  });

  it('most generated command lines were really refused', () => {
    expect(refusals).toBeGreaterThan(125);
  });
});

interface BinaryResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The built CLI under a 256 MiB heap, killed after `limitMs` (a hang is a failure, not a slow pass). */
function houndBinary(args: string[], limitMs = 60_000): Promise<BinaryResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', HOUND, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('the built CLI on broken files', () => {
  const laughs = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++)
    laughs.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );

  it('refuses a billion laughs and 10k-deep nesting in each kind of file, in bounded memory', async () => {
    const cases: Array<{ file: string; text: string; args: string[] }> = [
      {
        file: 'bomb-play.yml',
        text: `- hosts: web\n  vars:\n${laughs.map((l) => '    ' + l).join('\n')}\n  tasks: []\n`,
        args: ['play', '--syntax-check', 'bomb-play.yml', '-i', 'inventory.ini'],
      },
      { file: 'deep-play.yml', text: '['.repeat(10_000) + ']'.repeat(10_000), args: ['play', '--syntax-check', 'deep-play.yml', '-i', 'inventory.ini'] },
      { file: 'bomb-inv.yml', text: 'all:\n  vars:\n' + laughs.map((l) => '    ' + l).join('\n') + '\n', args: ['inventory', '--list', '-i', 'bomb-inv.yml'] },
      { file: 'deep-inv.yml', text: '- '.repeat(10_000) + 'x\n', args: ['inventory', '--list', '-i', 'deep-inv.yml'] },
      { file: 'bomb-vars.yml', text: laughs.join('\n') + '\n', args: ['play', '--syntax-check', 'warmup.yml', '-i', 'inventory.ini', '-e', '@bomb-vars.yml'] },
      {
        file: 'deep-vars.yml',
        text: 'a: ' + '{b: '.repeat(10_000) + '1' + '}'.repeat(10_000) + '\n',
        args: ['play', '--syntax-check', 'warmup.yml', '-i', 'inventory.ini', '-e', '@deep-vars.yml'],
      },
    ];
    for (const c of cases) writeFileSync(path.join(dir, c.file), c.text);
    const results = await Promise.all(cases.map((c) => houndBinary(c.args)));
    results.forEach((r, i) => {
      const c = cases[i];
      expect(r.signal, c.file).toBeNull();
      expect(r.code, `${c.file}: ${r.stderr}`).toBe(4);
      expect(r.stderr, c.file).toMatch(new RegExp(`^${path.join(dir, c.file).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: error YAML_[A-Z_]+: `));
      expect(stderrProblem(r.code ?? -1, r.stderr), c.file).toBeUndefined();
    });
  }, 180_000);

  it('a fixed sample of broken playbooks and inventories: exit 4 or 5, one positioned error, no trace, no hang', async () => {
    const playbooks = fc.sample(mutatedText([readFileSync(path.join(VALID, 'warmup.yml'), 'utf8')]), { numRuns: 6, seed: 9 });
    const inventories = fc.sample(fc.oneof(mutatedText([readFileSync(path.join(VALID, 'inventory.ini'), 'utf8')]), tokenSoup), { numRuns: 6, seed: 9 });
    const cases = [
      ...playbooks.map((text, i) => ({ file: `sample-play-${i}.yml`, text, args: ['play', '--syntax-check', `sample-play-${i}.yml`, '-i', 'inventory.ini'] })),
      ...inventories.map((text, i) => ({ file: `sample-inv-${i}.ini`, text, args: ['play', '--syntax-check', 'warmup.yml', '-i', `sample-inv-${i}.ini`] })),
    ];
    for (const c of cases) writeFileSync(path.join(dir, c.file), c.text);
    let refusedWithPosition = 0;
    // Two at a time: the CI machine has two cores.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const results = await Promise.all(batch.map((c) => houndBinary(c.args)));
      results.forEach((r, j) => {
        const c = batch[j];
        expect(r.signal, c.file).toBeNull();
        expect(stderrProblem(r.code ?? -1, r.stderr), `${c.file}\n${c.text}`).toBeUndefined();
        if (r.code === 4) {
          // Parse errors point at a line of some file of the run, with the line shown under it.
          expect(r.stderr, c.file).toMatch(/^\S+:\d+:\d+: error [A-Z_]+: .+\n {2}\d+ \| /m);
          refusedWithPosition++;
        }
      });
    }
    expect(refusedWithPosition).toBeGreaterThan(cases.length / 4);
  }, 300_000);
});
