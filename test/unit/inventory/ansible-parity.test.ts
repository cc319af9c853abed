// hound's inventory against what ansible-inventory (ansible-core 2.14) printed for the same
// files: --list JSON with value types, --graph and --graph --vars text, and failures.
import { describe, expect, it } from 'vitest';
import { HoundError } from '../../../base/errors.js';
import { ansibleJson, inventoryGraph, inventoryToListJson, inventoryToListYamlData } from '../../../inventory/list.js';
import { ansibleInventoryYaml } from '../../../cli/inventory.js';
import { loadInventory } from '../../../inventory/load.js';
import { inventoryPlugins } from '../../../playbook/inventory-plugins.js';
import { fixtureCases, type FixtureCase } from './fixture-cases.js';

const cases = fixtureCases();

// Known difference: a Python tuple is kept as a list: `(1,)` shows as `[1]` (JSON has no tuples either).
const TUPLE_CASES = new Set(['ini-typed-vars']);
const dropTupleMarks = (text: string) => text.replace('{trailing = (1,)}', '{trailing = [1]}');
// As the CLI reads them: with the plugins hound runs (constructed).
const load = (c: FixtureCase) => loadInventory(c.sources, { plugins: inventoryPlugins() });
const passing = cases.filter((c) => c.ansibleRc === 0);
const failing = cases.filter((c) => c.ansibleRc !== undefined && c.ansibleRc !== 0);

describe('the recorded corpus', () => {
  it('is large enough to mean something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(failing.length).toBeGreaterThanOrEqual(15);
  });
});

describe.each(passing.map((c) => [c.name, c] as const))('%s: same as ansible-inventory', (_name, c) => {
  it('--list', async () => {
    const inv = await load(c);
    // The printed text, byte for byte: a float with a whole value (1000.0) is written as Python writes it.
    expect(ansibleJson(inventoryToListJson(inv)) + '\n').toBe(c.expectedJsonText);
  });

  it('--list --yaml', async () => {
    const inv = await load(c);
    // Recorded for every case ansible-inventory lists (record.sh); PyYAML's text byte for byte.
    expect(c.expectedYaml).toBeDefined();
    // A value two hosts share (a group's list) is written once with an anchor, then as an alias, as PyYAML writes it.
    expect(await ansibleInventoryYaml(inventoryToListYamlData(inv))).toBe(c.expectedYaml);
  });

  it('--graph', async () => {
    const inv = await load(c);
    expect(inventoryGraph(inv) + '\n').toBe(c.expectedGraph);
  });

  it('--graph --vars', async () => {
    const inv = await load(c);
    const expected = TUPLE_CASES.has(c.name) ? dropTupleMarks(c.expectedGraphVars!) : c.expectedGraphVars;
    expect(inventoryGraph(inv, 'all', { vars: true }) + '\n').toBe(expected);
  });
});

describe.each(failing.map((c) => [c.name, c] as const))('%s: fails where ansible-inventory fails', (_name, c) => {
  it('with a positioned error', async () => {
    const err = await load(c).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HoundError);
    const e = err as HoundError;
    expect(e.exitCode).toBe(4);
    expect(e.position?.file).toMatch(new RegExp(`^${c.dir}/`));
    expect(e.position?.line).toBeGreaterThanOrEqual(1);
    expect(e.position?.column).toBeGreaterThanOrEqual(1);
    expect(e.format()).not.toMatch(/\n\s+at /); // no stack trace
    // Where ansible names the line (INI errors: "FILE:LINE: message"), hound names the same one.
    // (A .toml file is tried as INI first: its INI line is not where the TOML error is.)
    const ansibleLine = c.ansibleStderr.includes('with toml plugin') ? null : /@CASE@\/[^:\s]+:(\d+): /.exec(c.ansibleStderr);
    if (ansibleLine) expect(e.position?.line).toBe(Number(ansibleLine[1]));
    // Where ansible names a YAML error's place ("in 'FILE': line N, column M"), the same file and line.
    const yamlPlace = /The error appears to be in '@CASE@\/([^']+)': line (\d+), column \d+/.exec(c.ansibleStderr);
    if (yamlPlace) {
      expect(e.position?.file).toBe(`${c.dir}/${yamlPlace[1]}`);
      expect(e.position?.line).toBe(Number(yamlPlace[2]));
    }
    if (e.position?.sourceLine !== undefined) expect(e.format()).toContain(e.position.sourceLine);
    // Where a plugin failed ("with auto plugin: failed to parse FILE: MESSAGE"), the same message up to its cause.
    const pluginMessage = /with auto plugin: failed to parse @CASE@\/\S+: ((?:Could not|No key|Invalid|Adding)[^:.]+)/.exec(c.ansibleStderr);
    if (pluginMessage) expect(e.message).toContain(pluginMessage[1]);
  });
});
