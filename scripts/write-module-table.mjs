#!/usr/bin/env node
// Rewrites the modules table of docs/ansible-compatibility.md from modules/ansible-catalog.ts
// (build first: npx tsc -p tsconfig.json). test/unit/modules/catalog.test.ts checks they agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { catalogMarkdown, TABLE_START, TABLE_END } = await import(path.join(root, 'dist/modules/ansible-catalog.js'));
const page = path.join(root, 'docs/ansible-compatibility.md');
const text = readFileSync(page, 'utf8');
const start = text.indexOf(TABLE_START);
const end = text.indexOf(TABLE_END);
if (start < 0 || end < start) {
  process.stderr.write(`${page}: the markers ${TABLE_START} … ${TABLE_END} are missing\n`);
  process.exit(1);
}
writeFileSync(page, `${text.slice(0, start + TABLE_START.length)}\n${catalogMarkdown()}\n${text.slice(end)}`);
process.stdout.write(`${page}: modules table written\n`);
