// The text --diff shows for a file module's result, as Ansible's default callback prints it
// (_get_diff): each {before, after, before_header, after_header} as a unified diff with 3
// lines of context, mappings (file's attributes) as sorted, indented JSON, binary files as a
// note. Pure; the result under no_log never gets here (the event bus replaces it).

import { sortKeys } from '../base/sorted-json.js';
import { pythonJsonDumps } from '../base/python-json.js';

type DiffPart = { before?: unknown; after?: unknown; before_header?: string; after_header?: string; src_binary?: unknown; dst_binary?: unknown };

/** True when a result's `diff` is a file module's (text or mapping before/after), not hound's image lists. */
export function isFileDiff(diff: unknown): boolean {
  const parts = Array.isArray(diff) ? diff : [diff];
  return (
    parts.length > 0 && parts.every((p) => p !== null && typeof p === 'object' && ('before' in p || 'after' in p || 'src_binary' in p || 'dst_binary' in p))
  );
}

function serialise(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return pythonJsonDumps(sortKeys(value), { indent: 4, ensureAscii: false }) + '\n';
}

function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The lines Ansible prints for one result's diff (a part or a list of parts). */
export function formatFileDiff(diff: unknown): string[] {
  const out: string[] = [];
  for (const part of (Array.isArray(diff) ? diff : [diff]) as DiffPart[]) {
    if (part.dst_binary) out.push('diff skipped: destination file appears to be binary');
    if (part.src_binary) out.push('diff skipped: source file appears to be binary');
    if (!('before' in part) || !('after' in part)) continue;
    const before = splitLinesKeepEnds(serialise(part.before));
    const after = splitLinesKeepEnds(serialise(part.after));
    if (before.length > 0 && !before[before.length - 1].endsWith('\n')) before[before.length - 1] += '\n\\ No newline at end of file\n';
    if (after.length > 0 && !after[after.length - 1].endsWith('\n')) after[after.length - 1] += '\n\\ No newline at end of file\n';
    const hunks = unifiedDiff(before, after, 3);
    if (hunks.length === 0) continue;
    out.push(`--- ${part.before_header !== undefined ? `before: ${part.before_header}` : 'before'}`);
    out.push(`+++ ${part.after_header !== undefined ? `after: ${part.after_header}` : 'after'}`);
    for (const line of hunks) out.push(line.replace(/\n$/, ''));
  }
  return out;
}

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

/** difflib.unified_diff's hunks (`@@ -a,n +b,m @@` and the lines), from a longest-common-subsequence edit script. */
export function unifiedDiff(a: string[], b: string[], context: number): string[] {
  if (a.length * b.length > 4_000_000) return [`@@ -1,${a.length} +1,${b.length} @@`, ...a.map((l) => `-${l}`), ...b.map((l) => `+${l}`)];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++], a: i, b: ++j });
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', line: a[i++], a: i, b: j });
    else ops.push({ kind: '+', line: b[j++], a: i, b: j });
  }
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k].kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while the next change is within 2 × context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end].kind !== ' ') end++;
      let same = end;
      while (same < ops.length && ops[same].kind === ' ') same++;
      if (same < ops.length && same - end <= 2 * context) end = same;
      else {
        end = Math.min(ops.length, end + context);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aLines = hunk.filter((o) => o.kind !== '+').length;
    const bLines = hunk.filter((o) => o.kind !== '-').length;
    const aStart = countBefore(ops, start, '+') + (aLines > 0 ? 1 : 0);
    const bStart = countBefore(ops, start, '-') + (bLines > 0 ? 1 : 0);
    out.push(`@@ -${range(aStart, aLines)} +${range(bStart, bLines)} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    k = end;
  }
  return out;
}

/** Lines of one side before op `index` (every op not of the other side's kind). */
function countBefore(ops: Op[], index: number, otherKind: '+' | '-'): number {
  let n = 0;
  for (let x = 0; x < index; x++) if (ops[x].kind !== otherKind) n++;
  return n;
}

function range(start: number, length: number): string {
  return length === 1 ? `${start}` : `${start},${length}`;
}
