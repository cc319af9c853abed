// A key written twice in a YAML mapping, read as Ansible reads it (ansible-core 2.14 checked):
// the last value wins, and a warning names the key, where it is written again and where first.
// Playbooks, task files, vars files, -e @file, inventories and their group_vars alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { dropDuplicateKeys } from '../../../base/yaml-duplicate-keys.js';
import { loadInventory } from '../../../inventory/load.js';
import { readYaml } from '../../../inventory/yaml-file.js';
import { parseExtraVars } from '../../../playbook/extra-vars.js';
import { PlaybookLoader } from '../../../playbook/loader.js';
import { YamlSource } from '../../../playbook/yaml-source.js';
import { writeTree } from '../file-tree.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-dup-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): string {
  const base = mkdtempSync(path.join(dir, 'case-'));
  writeTree(base, files);
  return base;
}

describe('dropDuplicateKeys', () => {
  it('keeps the last pair of each key, at any depth, and tells each one dropped in the order written', () => {
    const text = 'a: 1\nb:\n  - {x: 1, x: 2}\na: 3\na: 4\n';
    const doc = parseDocument(text, { uniqueKeys: false });
    expect(dropDuplicateKeys(doc, text).map((d) => [d.key, d.droppedOffset, d.offset])).toEqual([
      ['a', 0, text.lastIndexOf('a: 4')],
      ['x', text.indexOf('x: 1'), text.indexOf('x: 2')],
      ['a', text.indexOf('a: 3'), text.lastIndexOf('a: 4')],
    ]);
    expect(doc.toJS()).toEqual({ b: [{ x: 2 }], a: 4 });
  });

  it('JSON keeps the last value without a word, as Python’s json (which Ansible tries first); merge keys are no duplicates', () => {
    const json = '{"a": 1, "a": 2}';
    const doc = parseDocument(json, { uniqueKeys: false });
    expect(dropDuplicateKeys(doc, json)).toEqual([]);
    expect(doc.toJS()).toEqual({ a: 2 });
    const merged = 'base: &b {x: 1}\none:\n  <<: *b\n  <<: {y: 2}\n';
    expect(dropDuplicateKeys(parseDocument(merged, { uniqueKeys: false, version: '1.1' }), merged)).toEqual([]);
  });
});

describe('a key written twice', () => {
  it('in a playbook: the play keeps its last tasks:, a warning points at it, and positions are those of the value kept', () => {
    const base = write({
      'play.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=first\n  tasks:\n    - debug:\n        msg: a\n        msg: b\n',
    });
    const warnings: string[] = [];
    const [play] = new PlaybookLoader({ warn: (m) => warnings.push(m) }).load(path.join(base, 'play.yml')).plays;
    expect(play.tasks.map((t) => [t.args, t.position.line])).toEqual([[{ msg: 'b' }, 6]]);
    const file = path.join(base, 'play.yml');
    expect(warnings).toEqual([
      `${file}:5:3: duplicate key "tasks" in a mapping (also at line 3): the last value is used, as Ansible does`,
      `${file}:8:9: duplicate key "msg" in a mapping (also at line 7): the last value is used, as Ansible does`,
    ]);
  });

  it('in a vars file, -e @file and an inline -e mapping; not in inline JSON', () => {
    const base = write({ 'vars.yml': 'v: 1\nv: 2\n' });
    const warnings: string[] = [];
    expect(parseExtraVars('@vars.yml', base, undefined, (m) => warnings.push(m))).toEqual({ v: 2 });
    expect(parseExtraVars('{b: 1, b: 3}', base, undefined, (m) => warnings.push(m))).toEqual({ b: 3 });
    expect(parseExtraVars('{"c": 1, "c": 4}', base, undefined, (m) => warnings.push(m))).toEqual({ c: 4 });
    expect(warnings).toEqual([
      `${path.join(base, 'vars.yml')}:2:1: duplicate key "v" in a mapping (also at line 1): the last value is used, as Ansible does`,
      '-e: duplicate key "b" in a mapping: the last value is used, as Ansible does',
    ]);
    expect(YamlSource.parse('v.yml', 'x: 1\nx: 2\n').positionOf(['x']).line).toBe(2);
  });

  it('in an inventory and its group_vars: the last value, with a warning each', async () => {
    const base = write({ 'hosts.yml': 'all:\n  hosts:\n    h1:\n      x: 1\n      x: 2\n', 'group_vars/all.yml': 'y: 1\ny: 2\n' });
    const warnings: string[] = [];
    const inventory = await loadInventory([path.join(base, 'hosts.yml')], { warn: (m) => warnings.push(m) });
    expect(inventory.hosts.get('h1')?.vars).toMatchObject({ x: 2 });
    expect(warnings).toEqual(
      expect.arrayContaining([
        `${path.join(base, 'hosts.yml')}:5:7: duplicate key "x" in a mapping (also at line 4): the last value is used, as Ansible does`,
        `${path.join(base, 'group_vars', 'all.yml')}:2:1: duplicate key "y" in a mapping (also at line 1): the last value is used, as Ansible does`,
      ]),
    );
    expect(readYaml('i.yml', 'a: 1\na: 2\n').warnings).toHaveLength(1);
  });

  it('a YAML syntax error is still refused', () => {
    expect(() => YamlSource.parse('bad.yml', 'a: [1\n')).toThrow(expect.objectContaining({ code: 'YAML_SYNTAX' }));
  });
});
