// The bounds every YAML document hound reads is held to before it becomes data, checked on
// the parsed syntax tree (without recursion, so the check itself cannot overflow the stack):
//  - nesting deeper than MAX_YAML_DEPTH (no playbook, inventory or vars file nests 200 deep,
//    and everything that walks data later recurses);
//  - an alias inside the node it refers to (`a: &x [*x]`): the data would contain itself, and
//    every walk over it (templating, validation, printing) would never end. PyYAML builds
//    such data and Ansible then recurses without end; hound refuses it where it is written.
// Alias bombs are bounded by the yaml package's maxAliasCount where the document is converted.
import { isAlias, isCollection, isNode, isPair, type Document } from 'yaml';
import { ParseError, type SourcePosition } from './errors.js';

/** Collections nested deeper than this are refused. */
export const MAX_YAML_DEPTH = 200;

export type YamlLimitProblem = { kind: 'too-deep'; offset: number } | { kind: 'alias-cycle'; offset: number; anchor: string };

interface Frame {
  node: unknown;
  depth: number;
  /** Set on the frame that closes an anchored node: its anchor leaves the path. */
  leave?: string;
}

/** The first bound `doc` breaks, with the offset of the node where it does; undefined when none. */
export function findYamlLimitProblem(doc: Document, maxDepth = MAX_YAML_DEPTH): YamlLimitProblem | undefined {
  const stack: Frame[] = [{ node: doc.contents, depth: 0 }];
  // Anchors of the nodes on the path from the root to the current node, counted (a name may repeat).
  const open = new Map<string, number>();
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.leave !== undefined) {
      const n = open.get(frame.leave)! - 1;
      if (n === 0) open.delete(frame.leave);
      else open.set(frame.leave, n);
      continue;
    }
    const node = frame.node;
    if (isAlias(node)) {
      if (open.has(node.source)) return { kind: 'alias-cycle', offset: node.range?.[0] ?? 0, anchor: node.source };
      continue;
    }
    if (!isNode(node)) continue;
    if (frame.depth > maxDepth) return { kind: 'too-deep', offset: node.range?.[0] ?? 0 };
    if (node.anchor) {
      open.set(node.anchor, (open.get(node.anchor) ?? 0) + 1);
      stack.push({ node: undefined, depth: frame.depth, leave: node.anchor });
    }
    if (!isCollection(node)) continue;
    const items = node.items as unknown[];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      if (isPair(item)) {
        stack.push({ node: item.value, depth: frame.depth + 1 });
        stack.push({ node: item.key, depth: frame.depth + 1 });
      } else stack.push({ node: item, depth: frame.depth + 1 });
    }
  }
  return undefined;
}

/** The error for a broken bound, at `position` (where the offending node starts). */
export function yamlLimitError(problem: YamlLimitProblem, file: string, position: SourcePosition): ParseError {
  if (problem.kind === 'too-deep') {
    return new ParseError('YAML_TOO_DEEP', `${file} nests collections more than ${MAX_YAML_DEPTH} levels deep`, { position, hint: 'flatten the structure' });
  }
  return new ParseError(
    'YAML_ALIAS_CYCLE',
    `the alias *${problem.anchor} is inside the node &${problem.anchor} it refers to, so the data would contain itself`,
    {
      position,
      hint: 'an alias may only refer to a node that is complete before it; copy the values instead',
    },
  );
}
