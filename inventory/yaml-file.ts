// Reading one YAML file of an inventory (inventory, group_vars, host_vars) the way Ansible's
// loader does: YAML 1.1 (so `yes` is true and 0x1F is 31), duplicate keys allowed (last
// wins, with a warning), and bounded: a huge file, a billion-laughs alias bomb or absurd nesting is refused
// with a ParseError instead of exhausting memory.
import { isAlias, isCollection, isPair, isScalar, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { dropDuplicateKeys, duplicateKeyWarning } from '../base/yaml-duplicate-keys.js';
import { checkYamlTextDepth, findYamlLimitProblem, isParserDepthError, MAX_YAML_DEPTH, yamlLimitError } from '../base/yaml-limits.js';
import { ParseError, type SourcePosition } from '../base/errors.js';
import { pyyamlCustomTags } from './pyyaml-scalars.js';
import { markUnsafeNodes, UNSAFE_TAG } from '../base/unsafe-text.js';
import { setVar } from './vars-object.js';
import { decryptVaultScalars, openVaultedText, revealValues, VAULT_TAGS, type VaultReading } from '../vault/vaulted-yaml.js';

/** Inventory and vars files larger than this are refused. */
export const MAX_YAML_BYTES = 32 * 1024 * 1024;
/** Aliases one document may expand (the yaml package's guard against alias bombs). */
export const MAX_YAML_ALIASES = 100;
export { MAX_YAML_DEPTH } from '../base/yaml-limits.js';

export interface YamlFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  /** The document as JS values; mappings are Maps so key types survive (Ansible checks them). */
  value: unknown;
  /** A key written twice in a mapping (the last value is kept), as Ansible warns of it. */
  warnings: string[];
}

export function positionAt(file: string, text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  const end = text.indexOf('\n', lineStart);
  const sourceLine = text.slice(lineStart, end < 0 ? text.length : end).replace(/\r$/, '');
  return { file, line, column: offset - lineStart + 1, sourceLine };
}

/** Where a node starts, for error frames. */
export function nodePosition(y: YamlFile, node: Node | null | undefined): SourcePosition {
  const offset = node?.range?.[0] ?? 0;
  return positionAt(y.file, y.text, offset);
}

/** `vault`: how a vault-encrypted file and `!vault` values are opened. */
export function readYaml(file: string, content: string, vault?: VaultReading): YamlFile {
  const { text, vaulted } = openVaultedText(file, content, vault);
  if (Buffer.byteLength(text) > MAX_YAML_BYTES) {
    throw new ParseError('YAML_TOO_LARGE', `${file} is larger than ${MAX_YAML_BYTES / 1024 / 1024} MiB`, {
      position: { file, line: 1, column: 1 },
      hint: 'split it into several files (a directory given to -i reads them all)',
    });
  }
  checkYamlTextDepth(file, text);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      version: '1.1',
      customTags: (tags) => [...pyyamlCustomTags(tags), ...VAULT_TAGS, UNSAFE_TAG],
      uniqueKeys: false,
      prettyErrors: false,
    });
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep(file);
    throw err;
  }
  const first = doc.errors[0];
  if (first) {
    if (isParserDepthError(first)) throw yamlLimitError({ kind: 'too-deep', offset: first.pos[0] }, file, positionAt(file, text, first.pos[0]));
    let offset = first.pos[0];
    // A bad indent is reported from the end of the previous item; point at the line that is off instead.
    if (first.code === 'BAD_INDENT' && text.slice(first.pos[0], first.pos[1]).includes('\n')) {
      offset = first.pos[1];
      while (text[offset] === ' ' || text[offset] === '\t') offset++;
    }
    throw new ParseError('YAML_SYNTAX', first.message.split('\n')[0], {
      position: positionAt(file, text, offset),
      hint: 'fix the YAML syntax (indentation, quoting, a missing colon?)',
    });
  }
  const limit = findYamlLimitProblem(doc);
  if (limit) throw yamlLimitError(limit, file, positionAt(file, text, limit.offset));
  const warnings = dropDuplicateKeys(doc, text).map((d) =>
    duplicateKeyWarning(positionAt(file, text, d.offset), d.key, positionAt(file, text, d.droppedOffset).line),
  );
  decryptVaultScalars(doc, vault, (offset) => {
    const p = positionAt(file, text, offset);
    return `${file}:${p.line}:${p.column}`;
  });
  markUnsafeNodes(doc);
  let value: unknown;
  try {
    value = doc.toJS({ mapAsMap: true, maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep(file);
    if (err instanceof ReferenceError || (err instanceof Error && /alias/i.test(err.message))) {
      throw new ParseError('YAML_ALIASES', `${err.message}`, {
        position: { file, line: 1, column: 1 },
        hint: `a document may expand at most ${MAX_YAML_ALIASES} aliases; write the values out`,
      });
    }
    throw err;
  }
  if (vaulted) revealValues(value);
  return { file, text, doc, value, warnings };
}

function tooDeep(file: string): ParseError {
  return new ParseError('YAML_TOO_DEEP', `${file} nests collections more than ${MAX_YAML_DEPTH} levels deep`, {
    position: { file, line: 1, column: 1 },
    hint: 'flatten the structure',
  });
}

/** A YAML value as hound keeps variables: Maps become plain objects with string keys. */
export function plainValue(v: unknown): unknown {
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of v) setVar(out, keyString(k), plainValue(val));
    return out;
  }
  if (v instanceof Set) return [...v].map(plainValue);
  if (Array.isArray(v)) return v.map(plainValue);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  return v;
}

/** The string JSON gives a key: Python json.dumps writes True as "true", None as "null". */
export function keyString(k: unknown): string {
  if (k === null || k === undefined) return 'null';
  return String(k);
}

/** The pair for `key` in the mapping node `map`; the last one, since a repeated key's last value wins. */
function pairOf(map: unknown, key: unknown): Pair | undefined {
  if (!isCollection(map)) return undefined;
  let found: Pair | undefined;
  for (const item of map.items as unknown[]) {
    if (!isPair(item)) continue;
    const k = item.key;
    const kv = isScalar(k) ? k.value : k;
    if (kv === key || (isScalar(k) && String(k.value) === String(key))) found = item;
  }
  return found;
}

/** The node of the key `key` in the mapping node `map` (for positions), if there is one. */
export function keyNode(map: unknown, key: unknown): Node | undefined {
  return (pairOf(map, key)?.key as Node | null) ?? undefined;
}

/** The value node under `key` in the mapping node `map`, aliases resolved. */
export function valueNode(doc: Document.Parsed, map: unknown, key: unknown): Node | undefined {
  let v = (pairOf(map, key)?.value as Node | null | undefined) ?? null;
  if (isAlias(v)) v = (v.resolve(doc) as Node | undefined) ?? null;
  return v ?? undefined;
}
