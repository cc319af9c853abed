// Thousands of broken inventories (INI and YAML, close to real ones and far from them)
// through the real loader: each either loads or is refused with one ParseError/OptionsError
// that points into the file, never another kind of exception.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { INI_LINE_BREAK } from '../../../inventory/ini.js';
import { loadInventory } from '../../../inventory/load.js';
import { checkRefusal, mutatedText, tokenSoup } from './malformed-text.js';

const CORPUS = path.resolve(__dirname, '../../fixtures/inventory');
const dir = mkdtempSync(path.join(tmpdir(), 'hound-fuzz-inventory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The inventory files of the parity corpus, by kind. */
function corpusFiles(match: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(CORPUS)) {
    const caseDir = path.join(CORPUS, name);
    if (!statSync(caseDir).isDirectory()) continue;
    for (const f of readdirSync(caseDir)) {
      const full = path.join(caseDir, f);
      if (statSync(full).isFile() && match.test(f) && !f.endsWith('.json')) out.push(readFileSync(full, 'utf8'));
    }
  }
  return out;
}

const INI_SEEDS = [
  '[web]\nweb[1:3] ansible_port=2222 node_images=\'["app:1"]\'\n\n[db]\ndb1\n\n[all:children]\nweb\n\n[web:vars]\ntier=web\n',
  ...corpusFiles(/\.ini$/),
];
const YAML_SEEDS = [
  'all:\n  children:\n    web:\n      hosts:\n        web1:\n          node_images: [app:1]\n        web[2:3]:\n      vars:\n        tier: web\n    db:\n      hosts:\n        db1: {}\n',
  ...corpusFiles(/\.ya?ml$/),
];

let counter = 0;
/** How many cases were refused: a property that only ever saw valid files would prove nothing. */
const refused = { count: 0, total: 0 };
async function refusalOf(text: string, ext: string): Promise<string | undefined> {
  const file = path.join(dir, `inv${counter++}${ext}`);
  writeFileSync(file, text);
  refused.total++;
  try {
    await loadInventory([file]);
    return undefined;
  } catch (err) {
    refused.count++;
    // Files without a YAML extension are read by the INI plugin, as Ansible reads them.
    const lineBreak = ['.yml', '.yaml', '.json'].includes(ext) ? undefined : INI_LINE_BREAK;
    return checkRefusal(err, text, file, [4, 5], lineBreak) ?? undefined;
  } finally {
    rmSync(file, { force: true });
  }
}

// yaml reports some oddities through process.emitWarning, which would print beside hound's output.
const processWarnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
afterAll(() => processWarnings.mockRestore());

describe('malformed inventories', () => {
  it('INI: broken real inventories load or fail with one positioned error', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(INI_SEEDS), async (text) => {
        expect(await refusalOf(text, '.ini')).toBeUndefined();
      }),
      { numRuns: 700 },
    );
  }, 120_000);

  it('YAML: broken real inventories load or fail with one positioned error', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText(YAML_SEEDS), async (text) => {
        expect(await refusalOf(text, '.yml')).toBeUndefined();
      }),
      { numRuns: 700 },
    );
  }, 120_000);

  it('token soup, with and without an extension, never escapes as another exception', async () => {
    await fc.assert(
      fc.asyncProperty(tokenSoup, fc.constantFrom('', '.ini', '.yml', '.yaml', '.json'), async (text, ext) => {
        expect(await refusalOf(text, ext)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it("no case made a library print a warning to stderr behind hound's back", () => {
    expect(processWarnings.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });

  it('most generated cases were really refused', () => {
    expect(refused.total).toBeGreaterThanOrEqual(1900);
    expect(refused.count / refused.total).toBeGreaterThan(0.2);
  });

  it('refuses alias bombs and 10k-deep nesting without exhausting memory', async () => {
    const laughs = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      laughs.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    const cases: Array<[string, string, RegExp]> = [
      ['bomb.yml', 'all:\n  vars:\n' + laughs.map((l) => '    ' + l).join('\n') + '\n', /^YAML_ALIASES$/],
      ['deep-flow.yml', '['.repeat(10_000) + ']'.repeat(10_000), /^YAML_(TOO_DEEP|SYNTAX)$/],
      ['deep-block.yml', '- '.repeat(10_000) + 'x\n', /^YAML_(TOO_DEEP|SYNTAX)$/],
      ['deep-map.yml', Array.from({ length: 3_000 }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n') + ' x\n', /^YAML_(TOO_DEEP|SYNTAX)$/],
    ];
    for (const [name, text, code] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const heapBefore = process.memoryUsage().heapUsed;
      const err = await loadInventory([file]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(checkRefusal(err, text, file, [4]), name).toBeUndefined();
      expect((err as { code: string }).code, name).toMatch(code);
      // A bomb that expanded would hold gigabytes; a refusal holds next to nothing.
      expect(process.memoryUsage().heapUsed - heapBefore, name).toBeLessThan(512 * 1024 * 1024);
    }
  });
});
