// `hound plan --out` that cannot be written is refused before the plan is gathered (a plan
// takes minutes; losing it to a typo is lost work): exit 5, one line, no stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-plan-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** stderr of an in-process run. */
async function runCapturingStderr(args: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array) => (chunks.push(String(chunk)), true);
  try {
    return { code: await run(args), stderr: chunks.join('') };
  } finally {
    process.stderr.write = write;
  }
}

describe('hound plan --out', () => {
  // The playbook is not even read: a missing one would be exit 1 with another code.
  const playbook = path.join(dir, 'not-there.yml');
  const inventory = path.join(dir, 'hosts.ini');
  writeFileSync(inventory, 'node1 ansible_host=192.0.2.1\n');

  it.each([
    ['a folder', () => dir, /--out .* is a folder/],
    ['a device that is always full', () => '/dev/full', /--out \/dev\/full is not a regular file/],
    ['a missing folder', () => path.join(dir, 'missing', 'plan.json'), /the folder \S+missing for --out does not exist/],
    ['a folder no one can write', () => '/sys/plan.json', /cannot write --out into the folder \/sys: permission denied/],
  ])('to %s is refused before any work', async (_what, out, message) => {
    const r = await runCapturingStderr(['plan', playbook, '-i', inventory, '--out', out()]);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/^error OUTPUT_NOT_WRITABLE: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
