// The YAML reader of the image lookups: every document of a compose file or manifest, with
// positions, read as the tools that own these files read them (PyYAML for kubectl-era
// manifests and docker-compose 1.x, yaml.v3 for Compose v2):
//  - merge keys (`<<: *base`) at any count: real compose files merge one anchor into a
//    hundred services; aliases are resolved to shared values, so that costs nothing;
//  - a duplicated key keeps its last value, as PyYAML does, and is reported to the caller;
//  - what would expand to an unreasonable size (a "billion laughs" document) is refused by
//    counting the expanded size over the syntax tree, before anything is built.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { lineOf, ParseError, type SourcePosition } from '../../base/errors.js';
import { checkYamlTextDepth, findYamlLimitProblem, isParserDepthError, yamlLimitError } from '../../base/yaml-limits.js';

/** Nodes one document may expand to through its aliases; real files stay far below. */
const MAX_EXPANDED_NODES = 1_000_000;

export interface YamlDocument {
  data: unknown;
  /** Where the value at `path` is written (or the nearest written ancestor). */
  positionOf(path: readonly (string | number)[]): SourcePosition;
}

export interface DuplicateKey {
  key: string;
  position: SourcePosition;
}

export interface ReadYamlOptions {
  /** Error codes start with this, e.g. `COMPOSE` gives COMPOSE_YAML. */
  codePrefix: string;
  /** What the file is, for messages: "compose file", "manifest". */
  what: string;
  onDuplicateKey(duplicate: DuplicateKey): void;
}

/** Reads every document of `text`; throws ParseError (`<prefix>_YAML`) at the first syntax error. */
export function readYamlDocuments(text: string, file: string, options: ReadYamlOptions): YamlDocument[] {
  const lines = new LineCounter();
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col, sourceLine: lineOf(text, line) };
  };
  checkYamlTextDepth(file, text);
  // logLevel 'error': yaml would otherwise print warnings to stderr behind hound's back.
  const docs = parseAllDocuments(text, { merge: true, lineCounter: lines, logLevel: 'error', prettyErrors: false }) as Document.Parsed[];
  const out: YamlDocument[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    for (const error of doc.errors) {
      if (error.code === 'DUPLICATE_KEY') continue;
      if (isParserDepthError(error)) throw yamlLimitError({ kind: 'too-deep', offset: error.pos[0] }, file, positionAt(error.pos[0]));
      let offset = error.pos[0];
      while (text[offset] === ' ' || text[offset] === '\t') offset++;
      throw new ParseError(`${options.codePrefix}_YAML`, `invalid YAML in ${options.what}: ${error.message.split('\n')[0]}`, {
        position: positionAt(offset),
        hint: 'check the indentation and quoting around this line',
      });
    }
    for (const error of doc.errors) {
      if (error.code !== 'DUPLICATE_KEY') continue;
      // yaml points at the key's first character: read the key up to its colon.
      const written = /^(?:"([^"]*)"|'([^']*)'|([^:\n]*))/.exec(text.slice(error.pos[0]));
      const key = (written?.[1] ?? written?.[2] ?? written?.[3] ?? '').trim();
      options.onDuplicateKey({ key, position: positionAt(error.pos[0]) });
    }
    // Depth and alias cycles first: the walks below recurse, and a cycle would be built into the data.
    const limit = findYamlLimitProblem(doc);
    if (limit) throw yamlLimitError(limit, file, positionAt(limit.offset));
    const collectionKey = firstCollectionKey(doc.contents, new Set());
    if (collectionKey) {
      // PyYAML ("found unhashable key") and kubectl refuse these; yaml would make a string of them.
      throw new ParseError(`${options.codePrefix}_YAML`, `invalid YAML in ${options.what}: a mapping key is itself a mapping or a list`, {
        position: positionAt(collectionKey.range?.[0] ?? 0),
        hint: 'an unrendered template ({{ … }}) reads this way: render it first, or quote the key',
      });
    }
    const expanded = expandedSize(doc.contents, new Map(), doc);
    if (expanded > MAX_EXPANDED_NODES) {
      throw new ParseError(`${options.codePrefix}_YAML_ALIAS_EXPANSION`, `the ${options.what} expands its aliases to more than ${MAX_EXPANDED_NODES} values`, {
        position: positionAt(doc.contents?.range?.[0] ?? 0),
        hint: 'this looks like a "billion laughs" document; write the data out instead of nesting aliases',
      });
    }
    // Aliases become shared values (maxAliasCount -1): the expansion was bounded above.
    const data = doc.toJS({ maxAliasCount: -1 }) as unknown;
    out.push({ data, positionOf: (path) => positionAt(nodeAt(doc.contents, path)?.range?.[0] ?? doc.contents?.range?.[0] ?? 0) });
  }
  return out;
}

/** Values a node stands for once every alias is written out, memoised per anchored node. */
function expandedSize(node: unknown, memo: Map<unknown, number>, doc: Document.Parsed): number {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target === undefined ? 1 : expandedSize(target, memo, doc);
  }
  if (!isMap(node) && !isSeq(node)) return 1;
  const known = memo.get(node);
  if (known !== undefined) return known;
  memo.set(node, 1); // a cycle counts once
  let size = 1;
  for (const item of node.items) {
    if (isPair(item)) size += expandedSize(item.key, memo, doc) + expandedSize(item.value, memo, doc);
    else size += expandedSize(item, memo, doc);
    if (size > MAX_EXPANDED_NODES) break;
  }
  memo.set(node, size);
  return size;
}

function firstCollectionKey(node: unknown, seen: Set<unknown>): Node | undefined {
  if ((!isMap(node) && !isSeq(node)) || seen.has(node)) return undefined;
  seen.add(node);
  for (const item of node.items) {
    if (isPair(item)) {
      if (isMap(item.key) || isSeq(item.key)) return item.key;
      const inner = firstCollectionKey(item.value, seen);
      if (inner) return inner;
    } else {
      const inner = firstCollectionKey(item, seen);
      if (inner) return inner;
    }
  }
  return undefined;
}

function nodeAt(root: unknown, path: readonly (string | number)[]): Node | undefined {
  let node: unknown = root;
  let found: Node | undefined = isMap(root) || isSeq(root) ? root : undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      node = pair?.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else return found;
    if (node === undefined || node === null || isAlias(node)) return found;
    if ((node as Node).range) found = node as Node;
  }
  return found;
}
