// The bounds every YAML document hound reads is held to before it becomes data, checked on
// the parsed syntax tree (without recursion, so the check itself cannot overflow the stack):
//  - nesting deeper than MAX_YAML_DEPTH (no playbook, inventory or vars file nests 200 deep,
//    and everything that walks data later recurses);
//  - an alias inside the node it refers to (`a: &x [*x]`): the data would contain itself, and
//    every walk over it (templating, validation, printing) would never end. PyYAML builds
//    such data and Ansible then recurses without end; hound refuses it where it is written.
// Alias bombs are bounded by the yaml package's maxAliasCount where the document is converted.
// The yaml parser itself recurses per level, and deep enough (`- - - … x`, 1000 levels) it
// overflows the stack inside V8's regular-expression compiler, which ends Node with a fatal
// "out of memory" no try/catch can stop: so the text is measured first (yamlTextTooDeep).
import { isAlias, isCollection, isNode, isPair, type Document } from 'yaml';
import { ParseError, positionAtOffset, type SourcePosition } from './errors.js';

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

/**
 * yaml's parser reports nesting past its own stack (about 800 flow levels) as a document
 * error whose message is the stack overflow: the same bound as MAX_YAML_DEPTH, said as such.
 */
export function isParserDepthError(error: { message: string }): boolean {
  return /Maximum call stack/.test(error.message);
}

/**
 * Where `text` first nests deeper than `maxDepth`, read from the characters alone (one pass,
 * no recursion), for refusing before the parser recurses. It counts block levels (indentation
 * steps, and `- ` written on one line), flow brackets outside quotes and comments, skipping
 * block scalars; for ordinary YAML this is at most the true depth, so only text that truly
 * nests that deep is refused. Undefined when it does not.
 */
export function yamlTextTooDeep(text: string, maxDepth = MAX_YAML_DEPTH): YamlLimitProblem | undefined {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  /** The indentation of the line that opened a block scalar (`|`, `>`): deeper lines are its text. */
  let blockScalarOf: number | undefined;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let i = start;
    while (i < end && text[i] === ' ') i++;
    const indent = i - start;
    const blank = i === end || text[i] === '\r' || text[i] === '#';
    if (blockScalarOf !== undefined && (blank || indent > blockScalarOf)) {
      start = end + 1;
      continue;
    }
    blockScalarOf = undefined;
    let inline = 0;
    if (!blank && quote === undefined && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      // `- - - x`: each dash on the line opens one more sequence.
      while (i + 1 < end && (text[i] === '-' || text[i] === '?') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
        inline++;
        i += 2;
        while (i < end && text[i] === ' ') i++;
      }
    }
    // In block context a flow collection or a quoted scalar only starts a value (`[` inside
    // `a in groups.get(x, [])` is text); inside a flow collection brackets always nest.
    let valueStart = true;
    let previous = ' ';
    for (; i < end; i++) {
      const c = text[i];
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
        previous = c;
        continue;
      }
      if (c === ' ' || c === '\t') {
        previous = ' ';
        continue;
      }
      if (c === '#' && previous === ' ') break;
      if (flow > 0) {
        if (c === '[' || c === '{') flow++;
        else if (c === ']' || c === '}') flow--;
        else if ((c === '"' || c === "'") && ' [{,:'.includes(previous)) quote = c;
      } else if (valueStart && (c === '[' || c === '{')) {
        flow++;
      } else if (valueStart && (c === '"' || c === "'")) {
        quote = c;
      } else if (valueStart && (c === '&' || c === '!') && previous === ' ') {
        // An anchor or a tag before the value: the value still starts after it.
        while (i + 1 < end && text[i + 1] !== ' ') i++;
        previous = ' ';
        continue;
      } else {
        valueStart = c === ':' && (i + 1 === end || text[i + 1] === ' ' || text[i + 1] === '\r');
      }
      if (indents.length + inline + flow > maxDepth) return { kind: 'too-deep', offset: i };
      previous = c;
    }
    if (indents.length + inline + flow > maxDepth) return { kind: 'too-deep', offset: start + indent };
    if (quote === undefined && flow === 0 && /[|>][-+0-9]*\s*$/.test(text.slice(Math.max(start, end - 8), end).replace(/\s+#.*$/, ''))) {
      blockScalarOf = indent;
    }
    start = end + 1;
  }
  return undefined;
}

/** Throws YAML_TOO_DEEP, at the place, when `text` nests past MAX_YAML_DEPTH: call before parsing. */
export function checkYamlTextDepth(file: string, text: string): void {
  const problem = yamlTextTooDeep(text);
  if (problem) throw yamlLimitError(problem, file, positionAtOffset(file, text, problem.offset));
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
