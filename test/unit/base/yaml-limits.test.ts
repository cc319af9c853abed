import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findYamlLimitProblem, MAX_YAML_DEPTH } from '../../../base/yaml-limits.js';

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
