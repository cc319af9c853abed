import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findYamlLimitProblem, MAX_YAML_DEPTH, yamlTextTooDeep } from '../../../base/yaml-limits.js';
import { errorOf } from '../error-of.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const problemOf = (text: string) => findYamlLimitProblem(parseDocument(text, { logLevel: 'error' }));

describe('YAML bounds', () => {
  it('finds an alias inside the node it refers to, at the alias', () => {
    const text = 'a: &x [1, *x]\n';
    expect(problemOf(text)).toEqual({ kind: 'alias-cycle', offset: text.indexOf('*x'), anchor: 'x' });
    expect(problemOf('- &t\n  debug:\n    msg: [*t]\n')).toMatchObject({ kind: 'alias-cycle', anchor: 't' });
    expect(problemOf('a: &x {b: {c: *x}}\n')).toMatchObject({ kind: 'alias-cycle' });
  });

  it('accepts aliases to complete nodes, repeated anchors and merge keys', () => {
    expect(problemOf('a: &x [1]\nb: [*x, *x]\nc: &x [2]\nd: *x\n')).toBeUndefined();
    expect(problemOf('base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n')).toBeUndefined();
  });

  it('refuses nesting past the bound without recursing itself', () => {
    expect(problemOf('['.repeat(MAX_YAML_DEPTH) + ']'.repeat(MAX_YAML_DEPTH))).toBeUndefined();
    expect(problemOf('['.repeat(MAX_YAML_DEPTH + 2) + ']'.repeat(MAX_YAML_DEPTH + 2))).toMatchObject({ kind: 'too-deep' });
  });
});

describe('nesting measured from the text, before the parser recurses', () => {
  // Deep enough, the yaml parser overflows the stack inside V8's regexp compiler, a fatal
  // "out of memory" no catch can stop (seen at 1000 levels of `- `, on the second parse).
  const shapes: Record<string, (n: number) => string> = {
    'block sequences on one line': (n) => 'a:\n' + '  - '.repeat(1) + '- '.repeat(n) + 'x\n',
    'flow sequences': (n) => 'a: ' + '['.repeat(n) + ']'.repeat(n) + '\n',
    'flow mappings behind an anchor and a tag': (n) => 'a: &x !!map ' + '{b: '.repeat(n) + '1' + '}'.repeat(n) + '\n',
    'indented mappings': (n) => Array.from({ length: n }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n') + '\n',
    'flow sequences after text holding an unclosed [': (n) => 'a: see [1\nb: ' + '['.repeat(n) + ']'.repeat(n) + '\n',
  };

  it.each(Object.keys(shapes))('refuses %s past the bound in playbooks, inventories, -e and lookups, three times over', async (shape) => {
    const { YamlSource } = await import('../../../playbook/yaml-source.js');
    const { readYaml } = await import('../../../inventory/yaml-file.js');
    const { readYamlDocuments } = await import('../../../playbook/lookups/yaml-documents.js');
    for (const levels of [MAX_YAML_DEPTH + 20, 3000]) {
      const text = shapes[shape](levels);
      expect(yamlTextTooDeep(text), `${levels} levels`).toMatchObject({ kind: 'too-deep' });
      for (let round = 0; round < 3; round++) {
        for (const parse of [
          () => YamlSource.parse('deep.yml', text),
          () => readYaml('deep.yml', text),
          () => readYamlDocuments(text, 'deep.yml', { codePrefix: 'K8S', what: 'manifest', onDuplicateKey: () => {} }),
        ]) {
          const err = errorOf(parse);
          expect(err.code).toBe('YAML_TOO_DEEP');
          expect(err.position?.file).toBe('deep.yml');
        }
      }
    }
    expect(yamlTextTooDeep(shapes[shape](MAX_YAML_DEPTH - 20))).toBeUndefined();
  });

  it('refuses nothing in the repository’s YAML (real playbooks, inventories, compose files, manifests), nor counts deeper than the tree', () => {
    const files = execFileSync('git', ['ls-files', '*.yml', '*.yaml'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(500);
    /** The least d not too deep (the depth), by bisection: tooDeepAt is monotonic and real files stay under 200. */
    const depthOf = (tooDeepAt: (d: number) => boolean) => {
      let low = 0;
      let high = MAX_YAML_DEPTH;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (tooDeepAt(mid)) low = mid + 1;
        else high = mid;
      }
      return low;
    };
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      expect(yamlTextTooDeep(text), file).toBeUndefined();
      const docs = parseAllDocuments(text, { logLevel: 'silent' });
      if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) continue;
      const estimate = depthOf((d) => yamlTextTooDeep(text, d) !== undefined);
      // The tree nests at least estimate - 1 deep: the text never counts more than one level over.
      if (estimate >= 2)
        expect(
          docs.some((doc) => findYamlLimitProblem(doc, estimate - 2)?.kind === 'too-deep'),
          file,
        ).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  }, 120_000);
});
