// A YAML file parsed with its positions kept, so that every later error (schema,
// unknown module, undefined variable) can point at the exact line and column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { pyyamlCustomTags } from '../inventory/pyyaml-scalars.js';
import { markUnsafeNodes, UNSAFE_TAG } from '../base/unsafe-text.js';
import { ParseError, type SourcePosition } from '../base/errors.js';
import { dropDuplicateKeys, duplicateKeyWarning } from '../base/yaml-duplicate-keys.js';
import { checkYamlTextDepth, findYamlLimitProblem, isParserDepthError, yamlLimitError } from '../base/yaml-limits.js';
import { decryptVaultScalars, openVaultedText, revealValues, VAULT_TAGS, type VaultReading } from '../vault/vaulted-yaml.js';

/** A path into the parsed data, as ajv's instancePath or our own walkers build it. */
export type DataPath = readonly (string | number)[];

/** Files larger than this are refused before parsing: a playbook is never this big. */
export const MAX_PLAYBOOK_FILE_BYTES = 8 * 1024 * 1024;
/** Aliases per document; more is a billion-laughs attack, not a playbook. */
const MAX_ALIAS_COUNT = 100;

export class YamlSource {
  readonly file: string;
  readonly text: string;
  readonly data: unknown;
  /** Warnings met while reading (a key written twice in a mapping), for `[WARNING]:` lines. */
  readonly warnings: string[];
  private readonly doc: Document;
  private readonly lines: LineCounter;

  private constructor(file: string, text: string, doc: Document, lines: LineCounter, data: unknown, warnings: string[]) {
    this.file = file;
    this.text = text;
    this.doc = doc;
    this.lines = lines;
    this.data = data;
    this.warnings = warnings;
  }

  /**
   * Parses `text` (the content of `file`), decrypting it when it is vault-encrypted and its
   * `!vault` values; throws ParseError with the position of the first problem. A key written
   * twice in a mapping is no error, as in Ansible: the last value is kept, with a warning.
   */
  static parse(file: string, content: string, vault?: VaultReading): YamlSource {
    const { text, vaulted } = openVaultedText(file, content, vault);
    if (Buffer.byteLength(text) > MAX_PLAYBOOK_FILE_BYTES) {
      throw new ParseError('YAML_TOO_LARGE', `${file} is larger than ${MAX_PLAYBOOK_FILE_BYTES / 1024 / 1024} MiB`, {
        hint: 'split it into smaller files with import_tasks or vars_files',
      });
    }
    const lines = new LineCounter();
    checkYamlTextDepth(file, text);
    // YAML 1.1 with PyYAML's implicit types, because Ansible reads playbooks that way: `yes`/`no`
    // are booleans, `1e3` is text, a date prints as written.
    // logLevel 'error': yaml would otherwise print its warnings (a collection used as a key, an
    // unknown tag) straight to stderr through process.emitWarning, beside hound's own output.
    const doc = parseDocument(text, {
      lineCounter: lines,
      uniqueKeys: false,
      version: '1.1',
      prettyErrors: false,
      customTags: (tags) => [...pyyamlCustomTags(tags), ...VAULT_TAGS, UNSAFE_TAG],
      logLevel: 'error',
    });
    const first = doc.errors[0];
    if (first && isParserDepthError(first)) throw yamlLimitError({ kind: 'too-deep', offset: first.pos[0] }, file, positionAt(file, text, lines, first.pos[0]));
    if (first) {
      // yaml reports some errors at the start of the line; point at the first character instead.
      let offset = first.pos[0];
      while (text[offset] === ' ' || text[offset] === '\t') offset++;
      throw new ParseError('YAML_SYNTAX', `invalid YAML: ${firstLine(first.message)}`, {
        position: positionAt(file, text, lines, offset),
        hint: 'check the indentation and quoting around this line',
      });
    }
    const limit = findYamlLimitProblem(doc);
    if (limit) throw yamlLimitError(limit, file, positionAt(file, text, lines, limit.offset));
    const warnings = dropDuplicateKeys(doc, text).map((d) =>
      duplicateKeyWarning(positionAt(file, text, lines, d.offset), d.key, lines.linePos(d.droppedOffset).line),
    );
    decryptVaultScalars(doc, vault, (offset) => {
      const { line, col } = lines.linePos(offset);
      return `${file}:${line}:${col}`;
    });
    markUnsafeNodes(doc);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new ParseError('YAML_ALIAS_LIMIT', `${file} expands too many aliases (more than ${MAX_ALIAS_COUNT})`, {
        position: positionAt(file, text, lines, 0),
        hint: 'this looks like a "billion laughs" document; write the data out instead of nesting aliases',
        cause: err,
      });
    }
    if (vaulted) revealValues(data);
    return new YamlSource(file, text, doc, lines, data, warnings);
  }

  /** Position of the value at `path`; falls back to the nearest ancestor that exists. */
  positionOf(path: DataPath): SourcePosition {
    const node = this.nodeAt(path);
    return this.positionFromOffset(node?.range?.[0] ?? 0);
  }

  /** Position of the key `key` of the mapping at `path` (where an unknown key is written). */
  keyPositionOf(path: DataPath, key: string): SourcePosition {
    const map = this.exactNodeAt(path);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return this.positionFromOffset(pair.key.range[0]);
      }
    }
    return this.positionOf(path);
  }

  positionFromOffset(offset: number): SourcePosition {
    return positionAt(this.file, this.text, this.lines, offset);
  }

  private exactNodeAt(path: DataPath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const step of path) {
      node = childOf(node, step);
      if (node === undefined) return undefined;
    }
    return node as Node;
  }

  private nodeAt(path: DataPath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const step of path) {
      const next = childOf(node, step);
      if (next === undefined || !(next as Node).range) break;
      node = next;
    }
    return (node as Node | null) ?? undefined;
  }
}

function childOf(node: unknown, step: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
    return pair?.value ?? undefined;
  }
  if (isSeq(node) && typeof step === 'number') return node.items[step];
  if (isSeq(node) && /^\d+$/.test(String(step))) return node.items[Number(step)];
  return undefined;
}

/**
 * The position of `offset`, with its line's text cut out of `text` by the line starts the
 * parser recorded: constant work per position, so that positioning every task of a file
 * costs time linear in its size (splitting the whole file per position made 20 000 tasks
 * take minutes).
 */
function positionAt(file: string, text: string, lines: LineCounter, offset: number): SourcePosition {
  const { line, col } = lines.linePos(offset);
  const start = lines.lineStarts[line - 1] ?? 0;
  const next = lines.lineStarts[line] ?? text.length;
  return { file, line, column: col, sourceLine: text.slice(start, next).replace(/\r?\n$/, '') };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
