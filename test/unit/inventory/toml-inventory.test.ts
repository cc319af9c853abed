// TOML inventories (Ansible's `toml` inventory plugin) against ansible-inventory, on the corpus
// of real files in test/fixtures/corpus/toml-inventory (origins beside each, one hand-written
// case for the value types the real files do not use): --list and --graph --vars byte for byte,
// read in-process as `hound inventory` reads them from the case's folder; a file
// ansible-inventory could not read is one clear error here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSecretName, maskSecrets } from '../../../base/secrets.js';
import { ansibleJson, inventoryGraph, inventoryToListJson } from '../../../inventory/list.js';
import { loadInventory, withPlaybookVarsDir } from '../../../inventory/load.js';
import { graphWithSecretsMasked, inventoryFailure } from './inventory-failure.js';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus/toml-inventory');

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const dir = path.join(CORPUS, d.name);
    const origin = JSON.parse(readFileSync(path.join(dir, 'origin.json'), 'utf8')) as { repository: string | null; sources: string[] };
    const rc = Number(readFileSync(path.join(dir, 'expected.rc'), 'utf8').trim());
    return { name: d.name, dir, origin, rc };
  });

/** As `hound inventory` reads them from the case's folder: inline !vault values kept as ansible-inventory lists them. */
async function load(c: (typeof cases)[number]) {
  const vault = { inline: 'keep' } as const;
  const inv = await loadInventory(
    c.origin.sources.map((s) => path.join(c.dir, s)),
    { vault },
  );
  return withPlaybookVarsDir(inv, c.dir, { vault, onlyInHostVars: true });
}

// One known difference: a TOML date and time is text in hound, as --list writes it
// (1979-05-27T07:32:00+00:00); --graph --vars shows Python's str() of it, with a space.
const pythonDateTimes = (graph: string) => graph.replace(/ = (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/g, ' = $1T$2');

describe('the corpus of TOML inventories', () => {
  it('holds real files from several repositories and one ansible-inventory could not read', () => {
    expect(cases.filter((c) => c.origin.repository !== null).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.rc !== 0).length).toBeGreaterThanOrEqual(1);
  });

  describe.each(cases.filter((c) => c.rc === 0).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('--list and --graph --vars are what ansible-inventory printed', async () => {
      const inv = await load(c);
      const listed = ansibleJson(inventoryToListJson(inv)) + '\n';
      const expected = readFileSync(path.join(c.dir, 'expected.json'), 'utf8');
      if (/"([^"]+)": [{[]/.test(expected) && [...expected.matchAll(/"([^"]+)": [{[]/g)].some((m) => isSecretName(m[1]))) {
        // A secret-named variable holding a mapping ({"__ansible_vault": …}) is masked whole: compared as data, that one value as ********.
        const data = JSON.parse(expected) as { _meta: { hostvars: Record<string, Record<string, unknown>> } };
        for (const vars of Object.values(data._meta.hostvars)) for (const key of Object.keys(vars)) if (isSecretName(key)) vars[key] = '********';
        expect(JSON.parse(listed)).toEqual(data);
      } else expect(maskSecrets(listed)).toBe(maskSecrets(expected));
      const graph = readFileSync(path.join(c.dir, 'expected.graph'), 'utf8');
      // Empty where ansible-inventory's --graph --vars stopped at a !vault value it had no password for.
      // hound masks secret-named variables where Ansible prints them: its masking applied to both.
      if (graph !== '')
        expect(maskSecrets(inventoryGraph(inv, 'all', { vars: true }) + '\n')).toBe(maskSecrets(graphWithSecretsMasked(pythonDateTimes(graph))));
    });
  });

  describe.each(cases.filter((c) => c.rc !== 0).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('fails with one positioned error where ansible-inventory could not read it', async () => {
      const e = await inventoryFailure(() => load(c));
      expect(e.position && existsSync(e.position.file)).toBe(true);
    });
  });
});
