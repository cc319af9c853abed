// The catalog of Ansible modules (modules/ansible-catalog.ts) against what hound resolves, and
// against the table of docs/ansible-compatibility.md that scripts/write-module-table.mjs writes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ANSIBLE_MODULE_CATALOG, catalogMarkdown, TABLE_END, TABLE_START } from '../../../modules/ansible-catalog.js';
import { fqcnOf, resolveModule } from '../../../modules/names.js';
import { MODULE_DEFINITIONS } from '../../../modules/schemas.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the Ansible module catalog', () => {
  it('is the table of docs/ansible-compatibility.md (rewrite it with scripts/write-module-table.mjs)', () => {
    const page = readFileSync(path.join(root, 'docs/ansible-compatibility.md'), 'utf8');
    const start = page.indexOf(TABLE_START);
    const end = page.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(0);
    expect(page.slice(start + TABLE_START.length, end).trim()).toBe(catalogMarkdown());
  });

  it('names each module once; a module it calls supported is one hound runs, one it refuses is refused with its note', () => {
    const names = ANSIBLE_MODULE_CATALOG.map((e) => e.fqcn);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of ANSIBLE_MODULE_CATALOG) {
      const resolved = resolveModule(entry.fqcn);
      if (entry.status === 'not supported') expect(resolved, entry.fqcn).toEqual({ kind: 'not supported', fqcn: entry.fqcn, reason: entry.note });
      else expect(resolved.kind, entry.fqcn).toMatch(/^(module|include)$/);
    }
  });

  it('lists every Ansible module hound runs, so the page leaves none out', () => {
    const listed = new Set(ANSIBLE_MODULE_CATALOG.map((e) => e.fqcn));
    const hounds = new Set(['image', 'images', 'registry_login', 'load']);
    const missing = MODULE_DEFINITIONS.filter((d) => !hounds.has(d.name) && !listed.has(fqcnOf(d))).map(fqcnOf);
    expect(missing).toEqual([]);
  });
});
