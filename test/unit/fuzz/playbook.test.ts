// Thousands of broken playbooks, task files and vars files (from the valid corpus, a few
// random edits each) through the real loader and compiler: each compiles or is refused with
// one HoundError pointing into the file, never another kind of exception.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compilePlays } from '../../../playbook/compiler.js';
import { mergeExtraVars } from '../../../playbook/extra-vars.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { loadInventory } from '../../../inventory/load.js';
import type { Inventory } from '../../../inventory/model.js';
import { checkRefusal, mutatedText, tokenSoup } from './malformed-text.js';

const VALID = path.resolve(__dirname, '../../fixtures/playbooks/valid');
const dir = mkdtempSync(path.join(tmpdir(), 'hound-fuzz-playbook-'));
let inventory: Inventory;
const refused = { count: 0, total: 0 };

beforeAll(async () => {
  cpSync(VALID, dir, { recursive: true });
  inventory = await loadInventory([path.join(dir, 'inventory.ini')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit codes a broken file may give: 4 (parse) or 5 (options); 1 only for a file it names that is missing, as ansible-playbook. */
function allowedExit(err: unknown): number[] {
  const code = (err as { code?: unknown }).code;
  // A file that cannot be used is exit 1, as in ansible-playbook (`-e @.` names a folder).
  return typeof code === 'string' && /(NOT_FOUND|NOT_REGULAR|UNREADABLE)$/.test(code) ? [1, 4, 5] : [4, 5];
}

/** Writes `text` over `relative` in the working copy, loads and compiles `playbook`, restores the file. */
function refusalOf(relative: string, text: string, playbook = 'warmup.yml', extraVars: string[] = []): string | undefined {
  const file = path.join(dir, relative);
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, text);
  refused.total++;
  try {
    const loaded = new PlaybookLoader().load(path.join(dir, playbook));
    compilePlays(loaded.plays, { inventory, extraVars: mergeExtraVars(extraVars, dir), baseDir: dir });
    return undefined;
  } catch (err) {
    refused.count++;
    return checkRefusal(err, text, file, allowedExit(err));
  } finally {
    writeFileSync(file, original);
  }
}

const seed = (relative: string) => readFileSync(path.join(VALID, relative), 'utf8');

// yaml reports some oddities through process.emitWarning, which would print beside hound's output.
const processWarnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
afterAll(() => processWarnings.mockRestore());

describe('malformed playbooks', () => {
  it('playbooks', () => {
    fc.assert(
      fc.property(mutatedText([seed('warmup.yml'), seed('site.yml'), seed('precedence.yml'), seed('registered.yml')]), (text) => {
        expect(refusalOf('warmup.yml', text)).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('imported task files', () => {
    fc.assert(
      fc.property(mutatedText([seed('tasks/extras.yml'), seed('tasks/more.yml')]), (text) => {
        expect(refusalOf('tasks/extras.yml', text)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('vars_files and -e @file', () => {
    fc.assert(
      fc.property(mutatedText([seed('vars/common.yml'), seed('vars/precedence.yml')]), fc.boolean(), (text, asExtraVars) => {
        const problem = asExtraVars ? refusalOf('vars/precedence.yml', text, 'warmup.yml', ['@vars/precedence.yml']) : refusalOf('vars/common.yml', text);
        expect(problem).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('token soup as a playbook', () => {
    fc.assert(
      fc.property(tokenSoup, (text) => {
        expect(refusalOf('warmup.yml', text)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('-e values on the command line', () => {
    fc.assert(
      fc.property(fc.oneof(tokenSoup, mutatedText(['k=v other="a b"', '{"node_images": ["app:1"], "n": 3}', '{a: [1, {b: c}]}'])), (value) => {
        try {
          mergeExtraVars([value], dir);
        } catch (err) {
          expect(checkRefusal(err, undefined, undefined, allowedExit(err))).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it("no case made a library print a warning to stderr behind hound's back", () => {
    expect(processWarnings.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });

  it('most generated cases were really refused', () => {
    expect(refused.total).toBeGreaterThanOrEqual(1100);
    expect(refused.count / refused.total).toBeGreaterThan(0.2);
  });

  it('refuses alias bombs and 10k-deep nesting in playbooks and vars files without exhausting memory', () => {
    const laughs = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      laughs.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    const bombPlay = `- hosts: web\n  vars:\n${laughs.map((l) => '    ' + l).join('\n')}\n  tasks: []\n`;
    const cases: Array<[string, string]> = [
      ['warmup.yml', bombPlay],
      ['vars/common.yml', laughs.join('\n') + '\n'],
      ['warmup.yml', '['.repeat(10_000) + ']'.repeat(10_000)],
      ['warmup.yml', '- '.repeat(10_000) + 'x\n'],
      ['vars/common.yml', 'a: ' + '{b: '.repeat(10_000) + '1' + '}'.repeat(10_000) + '\n'],
    ];
    for (const [relative, text] of cases) {
      const heapBefore = process.memoryUsage().heapUsed;
      const problem = refusalOf(relative, text);
      expect(problem, relative).toBeUndefined();
      expect(process.memoryUsage().heapUsed - heapBefore, relative).toBeLessThan(512 * 1024 * 1024);
    }
  });
});
