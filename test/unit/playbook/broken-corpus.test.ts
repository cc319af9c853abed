// Every broken playbook gives one clear error: the right code, exit code, file, line and
// column (as its .expect.json states), a short frame and never a stack trace.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { HoundError } from '../../../base/errors.js';
import { maskSecrets } from '../../../base/secrets.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { buildInventory } from './inventory-builder.js';

const dir = path.resolve(__dirname, '../../fixtures/playbooks/broken');

interface Expectation {
  playbook: string;
  code: string;
  exitCode: number;
  file: string;
  line: number;
  column: number;
  message?: string;
  hint?: string;
  /** The line as shown, when it differs from the file's (a masked secret). */
  sourceLine?: string;
  /** Text that must not appear anywhere in the error (a secret). */
  absent?: string;
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.expect.json'))
  .sort()
  .map((f) => ({ name: f.replace('.expect.json', ''), expect: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Expectation }));

const inventory = buildInventory({ nodes: { hosts: { node1: {}, node2: {} }, vars: { registry: 'registry.lab:5000' } } });

function failureOf(playbook: string): unknown {
  try {
    const loaded = new PlaybookLoader().load(path.join(dir, playbook));
    compilePlays(loaded.plays, { inventory });
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('broken playbooks', () => {
  it('has at least 40 of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const { name, expect: want } of cases) {
    it(name, () => {
      const err = failureOf(want.playbook);
      expect(err, 'loading and compiling should fail').toBeInstanceOf(HoundError);
      const error = err as HoundError;
      expect({ code: error.code, exitCode: error.exitCode }).toEqual({ code: want.code, exitCode: want.exitCode });
      expect(error.position).toBeDefined();
      expect({ file: error.position!.file, line: error.position!.line, column: error.position!.column }).toEqual({
        file: path.join(dir, want.file),
        line: want.line,
        column: want.column,
      });
      const text = readFileSync(path.join(dir, want.file), 'utf8').split('\n');
      // The line as shown: secrets are masked where every error is printed (base/secrets.ts).
      expect(maskSecrets(error.position!.sourceLine ?? '')).toBe(want.sourceLine ?? text[want.line - 1]);
      if (want.absent) expect(`${error.format()}\n${error.message}\n${error.hint ?? ''}`).not.toContain(want.absent);
      if (want.message) expect(error.message).toContain(want.message);
      if (want.hint) expect(error.hint).toContain(want.hint);
      const frame = error.format();
      expect(frame.split('\n').length).toBeLessThanOrEqual(12);
      expect(frame).not.toMatch(/\n\s+at .+:\d+:\d+/);
    });
  }
});
