// lineinfile's and blockinfile's edits against what the real modules did to the same files
// (fixtures/file-modules/edit-oracle.json, made by edit-oracle.py beside it with
// ansible-playbook on localhost), plus Python-regex translation details.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockinfileEdit, expandMatch, lineinfileAbsent, lineinfilePresent, pythonRegex, toBytes, type LineEdit } from '../../../modules/line-edit.js';

interface OracleCase {
  module: 'lineinfile' | 'blockinfile';
  before: string | null;
  args: Record<string, unknown>;
  after: string | null;
  changed: boolean;
  msg: string;
  found?: number | null;
}
const oracle = JSON.parse(readFileSync(new URL('../../fixtures/file-modules/edit-oracle.json', import.meta.url), 'utf8')) as { cases: OracleCase[] };

const fromBytes = (s: string) => Buffer.from(s, 'latin1').toString('utf8');

function edit(c: OracleCase): LineEdit {
  const before = c.before === null ? undefined : toBytes(c.before);
  const a = c.args as Record<string, string & boolean>;
  if (c.module === 'blockinfile') {
    return blockinfileEdit(before, a);
  }
  if (a.state === 'absent') return lineinfileAbsent(before ?? '', a);
  return lineinfilePresent(before ?? '', { ...a, line: a.line });
}

describe('lineinfile and blockinfile edits', () => {
  for (const [i, c] of oracle.cases.entries()) {
    it(`case ${i}: ${c.module} ${JSON.stringify(c.args)} on ${JSON.stringify(c.before)}`, () => {
      const got = edit(c);
      expect({ after: fromBytes(got.content), changed: got.changed, msg: got.msg }).toEqual({
        after: c.after ?? '',
        changed: c.changed,
        msg: c.msg,
      });
      if (c.found !== null && c.found !== undefined) expect(got.found).toBe(c.found);
    });
  }

  it('translates Python regex syntax: $ before a final newline, named groups, \\Z, inline flags', () => {
    expect(pythonRegex('^a=1$').regex.test('a=1\n')).toBe(true);
    expect(pythonRegex('^a=1$').regex.test('a=1\nb')).toBe(false);
    expect(pythonRegex('a\\Z').regex.test('a\n')).toBe(false);
    expect(pythonRegex('(?i)^ABC').regex.test('abc')).toBe(true);
    expect(pythonRegex('[$]').regex.test('$')).toBe(true);
    const m = pythonRegex('(?P<k>\\w+)=(?P=k)').regex.exec('ab=ab')!;
    expect(m.groups?.k).toBe('ab');
    expect(expandMatch(/(\w+)-(?<two>\w+)/.exec('x-y')!, '\\2/\\g<1>/\\g<two>')).toBe('y/x/y');
  });
});
