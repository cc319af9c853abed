// A key written twice in one YAML mapping, read as Ansible reads it: PyYAML keeps the last
// value, and Ansible's loader warns ("found a duplicate dict key (tasks). Using last defined
// value only."). Playbooks, task files, vars files and inventories all go through that loader.
import { isMap, isPair, isScalar, isSeq, type Document } from 'yaml';

export interface DuplicateKey {
  key: string;
  /** Where the key that wins (the last one) is written. */
  offset: number;
  /** Where the earlier key, whose value is dropped, is written. */
  droppedOffset: number;
}

/**
 * Removes from every mapping of `doc` the earlier pairs of keys written again later, so that
 * the data and the positions found afterwards are those of the last value; returns each one
 * dropped, in the order written. A text that is JSON returns none: Ansible reads JSON first,
 * with Python's json, which keeps the last value without a word.
 */
export function dropDuplicateKeys(doc: Document, text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const visit = (node: unknown): void => {
    if (isSeq(node)) {
      for (const item of node.items) visit(item);
      return;
    }
    if (!isMap(node)) return;
    const last = new Map<string, number>();
    node.items.forEach((pair, index) => {
      const id = keyIdentity(pair);
      if (id !== undefined) last.set(id, index);
    });
    if (last.size === node.items.length) {
      for (const pair of node.items) visit(pair.value);
      return;
    }
    const kept: typeof node.items = [];
    node.items.forEach((pair, index) => {
      visit(pair.value);
      const id = keyIdentity(pair);
      const winner = id === undefined ? index : last.get(id)!;
      if (winner === index) {
        kept.push(pair);
        return;
      }
      const key = pair.key as { value: unknown; range?: [number, number, number] | null };
      const winning = node.items[winner].key as { range?: [number, number, number] | null };
      found.push({ key: String(key.value), offset: winning.range?.[0] ?? 0, droppedOffset: key.range?.[0] ?? 0 });
    });
    node.items = kept;
  };
  visit(doc.contents);
  if (found.length > 0 && isJson(text)) return [];
  return found.sort((a, b) => a.droppedOffset - b.droppedOffset);
}

/** The warning for one duplicate key, in the file:line:column form of hound's other warnings. */
export function duplicateKeyWarning(at: { file: string; line: number; column: number }, key: string, droppedLine: number): string {
  return `${at.file}:${at.line}:${at.column}: duplicate key "${key}" in a mapping (also at line ${droppedLine}): the last value is used, as Ansible does`;
}

/** Scalar keys compare by type and value, as Python's dict does for what PyYAML builds; `<<` (a merge) is no key. */
function keyIdentity(pair: unknown): string | undefined {
  if (!isPair(pair) || !isScalar(pair.key)) return undefined;
  const value = pair.key.value;
  // yaml marks a merge key with a symbol (with merge on, as in YAML 1.1); several merge, none is dropped.
  if (value === '<<' || typeof value === 'symbol') return undefined;
  return `${typeof value}:${String(value)}`;
}

function isJson(text: string): boolean {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
