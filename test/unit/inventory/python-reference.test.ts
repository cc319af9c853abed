// The pieces hound re-implements from Python, against what Python itself returned for the
// same inputs (recorded by test/fixtures/inventory/record.sh into reference/*.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandHostnameRange, HostRangeError } from '../../../inventory/host-range.js';
import { pythonLiteral } from '../../../inventory/python-literal.js';
import { shlexQuote, shlexSplit, ShlexError } from '../../../base/shlex.js';
import { pythonJsonLoads } from '../../../base/python-json.js';
import { FIXTURES } from './fixture-cases.js';

/** Read as Python's json reads it: a float Python wrote as 1.0 stays a float (a PythonFloat), as hound's literal reader makes it. */
function reference<T>(name: string): T[] {
  return pythonJsonLoads(readFileSync(path.join(FIXTURES, 'reference', `${name}.json`), 'utf8')) as T[];
}

describe('ast.literal_eval', () => {
  const rows = reference<{ input: string; ok: boolean; value?: unknown }>('literals');
  it.each(rows.map((r) => [r.input, r] as const))('%s', (_input, r) => {
    const got = pythonLiteral(r.input);
    expect(got.ok).toBe(r.ok);
    if (got.ok && r.ok) expect(got.value).toStrictEqual(r.value);
  });
});

describe('shlex.split(comments=True)', () => {
  const rows = reference<{ input: string; ok: boolean; tokens?: string[] }>('shlex');
  it.each(rows.map((r) => [r.input, r] as const))('%s', (_input, r) => {
    if (r.ok) expect(shlexSplit(r.input)).toStrictEqual(r.tokens);
    else expect(() => shlexSplit(r.input)).toThrow(ShlexError);
  });
});

describe('shlex.quote', () => {
  const rows = reference<{ input: string; quoted: string }>('quote');
  it.each(rows.map((r) => [r.input, r] as const))('%s', (_input, r) => {
    expect(shlexQuote(r.input)).toBe(r.quoted);
    // and sh reads it back as the one word it was
    expect(shlexSplit(shlexQuote(r.input))).toStrictEqual([r.input]);
  });
});

describe('expand_hostname_range', () => {
  const rows = reference<{ input: string; ok: boolean; hosts?: string[] }>('ranges');
  it.each(rows.map((r) => [r.input, r] as const))('%s', (_input, r) => {
    if (r.ok) expect(expandHostnameRange(r.input)).toStrictEqual(r.hosts);
    else expect(() => expandHostnameRange(r.input)).toThrow(HostRangeError);
  });

  it('refuses a range that would build millions of hosts instead of exhausting memory', () => {
    expect(() => expandHostnameRange('n[0:99999999]')).toThrow(/more than/);
    expect(() => expandHostnameRange('a[0:9999]b[0:9999]')).toThrow(/more than/);
  });
});
