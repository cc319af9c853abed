// --diff for file modules: unified diffs as Python's difflib.unified_diff(n=3) prints them
// (the expected hunks below are difflib's own output for the same lines).
import { describe, expect, it } from 'vitest';
import { formatFileDiff, isFileDiff, unifiedDiff } from '../../../report/text-diff.js';

const lines = (n: number, f = (i: number) => `l${i}\n`) => Array.from({ length: n }, (_, i) => f(i + 1));

describe('file diffs', () => {
  it('prints one changed line with 3 lines of context, removals first', () => {
    const a = lines(10);
    const b = lines(10, (i) => (i === 5 ? 'five\n' : `l${i}\n`));
    expect(unifiedDiff(a, b, 3)).toEqual(['@@ -2,7 +2,7 @@', ' l2\n', ' l3\n', ' l4\n', '-l5\n', '+five\n', ' l6\n', ' l7\n', ' l8\n']);
  });

  it('joins changes closer than 6 lines into one hunk and splits the others', () => {
    const a = lines(20);
    const b = lines(20, (i) => (i === 2 || i === 7 || i === 18 ? `x${i}\n` : `l${i}\n`));
    const out = unifiedDiff(a, b, 3);
    expect(out.filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,10 +1,10 @@', '@@ -15,6 +15,6 @@']);
  });

  it('shows an added file from nothing and a removed last line', () => {
    expect(unifiedDiff([], ['a\n'], 3)).toEqual(['@@ -0,0 +1 @@', '+a\n']);
    expect(unifiedDiff(['a\n', 'b\n'], ['a\n'], 3)).toEqual(['@@ -1,2 +1 @@', ' a\n', '-b\n']);
  });

  it('formats a module’s diff list with Ansible’s headers, and mappings as sorted JSON', () => {
    const diff = [
      { before: 'a=1\n', after: 'a=1\nb=2\n', before_header: '/etc/x (content)', after_header: '/etc/x (content)' },
      { before: { path: '/etc/x' }, after: { path: '/etc/x' }, before_header: '/etc/x (file attributes)', after_header: '/etc/x (file attributes)' },
    ];
    expect(isFileDiff(diff)).toBe(true);
    expect(isFileDiff({ added: ['img'], removed: [] })).toBe(false);
    expect(formatFileDiff(diff)).toEqual(['--- before: /etc/x (content)', '+++ after: /etc/x (content)', '@@ -1 +1,2 @@', ' a=1', '+b=2']);
    expect(formatFileDiff({ before: { mode: '0644', path: '/p' }, after: { mode: '0600', path: '/p' } })).toEqual([
      '--- before',
      '+++ after',
      '@@ -1,4 +1,4 @@',
      ' {',
      '-    "mode": "0644",',
      '+    "mode": "0600",',
      '     "path": "/p"',
      ' }',
    ]);
  });
});
