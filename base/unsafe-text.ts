// Text that is data, never a template: Ansible's unsafe values. Two kinds of text take this
// form here:
// - what a playbook, an inventory or a vars file marks `!unsafe` (a password with `{%` in it,
//   a Go template for `docker ps --format`);
// - text the run learned from a node (a command's output kept by set_fact or looped over, a
//   gathered fact), which must never run as a template on the controller: a node's
//   `{{ lookup('pipe', …) }}` would otherwise run a command there.
// Of a node's text, only what holds `{{` or `{%` is boxed: any other text reads the same
// either way, and stays a plain string for every reader. The templating
// (playbook/templating.ts) hands the box out as its text, unrendered.
import { isScalar, isMap, isSeq, visit, type Document, type Node, type ScalarTag } from 'yaml';

export class UnsafeText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
}

/** True when `text` holds what Jinja would read as a template. */
export function hasTemplateMarkers(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/** `text` as data: boxed when it looks like a template, else as it is. */
export function unsafeText(text: string): string | UnsafeText {
  return hasTemplateMarkers(text) ? new UnsafeText(text) : text;
}

/** A value with every UnsafeText in it replaced by its text (for output, and for readers outside templating). */
export function plainData(value: unknown): unknown {
  return replaceUnsafeText(value, (unsafe) => unsafe.text);
}

/** A value with every UnsafeText in it replaced by `replace`'s value for it; what holds none is returned as it is. */
export function replaceUnsafeText(value: unknown, replace: (unsafe: UnsafeText) => unknown): unknown {
  if (value instanceof UnsafeText) return replace(value);
  if (!holdsUnsafeText(value)) return value;
  if (Array.isArray(value)) return value.map((item) => replaceUnsafeText(item, replace));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, replaceUnsafeText(v, replace)]));
}

/** A mapping as YAML, JSON and templates make one (python-repr's isPlainObject, which imports this file). */
function isMapping(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function holdsUnsafeText(value: unknown, depth = 0): boolean {
  if (value instanceof UnsafeText) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => holdsUnsafeText(v, depth + 1));
  if (isMapping(value)) return Object.values(value).some((v) => holdsUnsafeText(v, depth + 1));
  return false;
}

/** The `!unsafe` tag on a scalar, for the yaml package's customTags (its text is boxed by markUnsafeNodes). */
export const UNSAFE_TAG: ScalarTag = { tag: '!unsafe', resolve: (text: string) => text, identify: () => false };

/**
 * Boxes the text of every node tagged `!unsafe`, as Ansible's YAML constructor wraps it: a
 * scalar's text, and every string value in a tagged list or mapping (keys stay keys). Run on a
 * parsed document before its values are read.
 */
export function markUnsafeNodes(doc: Document.Parsed): void {
  const box = (node: unknown): void => {
    if (isScalar(node)) {
      // Every tagged string, templates or not: ansible-inventory writes each as unsafe.
      if (typeof node.value === 'string') node.value = new UnsafeText(node.value);
    } else if (isSeq(node)) for (const item of node.items) box(item);
    else if (isMap(node)) for (const pair of node.items) box(pair.value);
  };
  visit(doc, {
    Node(_key, node: Node) {
      if (node.tag !== '!unsafe') return undefined;
      box(node);
      return visit.SKIP;
    },
  });
}
