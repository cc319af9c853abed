// PyYAML's yaml.dump as Ansible's to_yaml and to_nice_yaml call it: Dumper=AnsibleDumper,
// allow_unicode=True. A template that writes a config file through these filters decides
// `changed` by that file's bytes, so hound must write PyYAML's text byte for byte, not merely
// equivalent YAML.
//
// AnsibleDumper derives from CSafeDumper whenever PyYAML was built with libyaml (as Debian's
// is): the representer and the resolver are PyYAML's Python code, but the text is written by
// libyaml's C emitter (src/emitter.c, 0.2.5), not by yaml/emitter.py. The two differ: libyaml
// writes no `...` after a root plain scalar, counts a simple key's 128-character limit in UTF-8
// bytes, and escapes every character outside the Basic Multilingual Plane even with
// allow_unicode. So the emitter below is a port of emitter.c; the representer, the serializer's
// event order (yaml/_yaml.pyx, CEmitter.serialize) and Resolver.resolve are ported from
// PyYAML 6.0. Anchors and aliases, written by PyYAML for a list or dict met twice (the same
// object, by id()), are written only when asked (`aliases`); tags, directives, canonical mode and
// block scalar styles are left out: JSON-like data never needs them.
import { PythonFloat, pyyamlFloatText } from '../base/python-float.js';
import { isPlainObject, PythonObject } from './template-values.js';
import { UnsafeText } from '../base/unsafe-text.js';

export interface PyYamlDumpOptions {
  /** Python's default (None) is libyaml's 2; to_nice_yaml passes 4. Outside 2..9 it is 2. */
  indent?: number;
  /** Python's default (None) is libyaml's 80. */
  width?: number;
  sortKeys?: boolean;
  /** yaml.dump's default is False; to_yaml passes None (flow for collections of scalars). */
  defaultFlowStyle?: boolean | null;
  /**
   * A list or dict met twice written once with an anchor, then as an alias (`&id001`, `*id001`),
   * as PyYAML writes one Python object met twice. Only where hound's values are one object just
   * where Ansible's are (the inventory's variables: a group's list shared by its hosts); a
   * template's values are shared more often in hound than in Ansible, which copies them at
   * set_fact and at each templated variable, so to_yaml writes them out each time.
   */
  aliases?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Representer (yaml/representer.py, SafeRepresenter) and Resolver (yaml/resolver.py)

type Node =
  | { kind: 'scalar'; value: string; tag: 'str' | 'other' }
  | { kind: 'seq'; items: Node[]; flow: boolean }
  | { kind: 'map'; pairs: Array<[Node, Node]>; flow: boolean };

// Python's `$` also matches before a final newline, hence `\n?$` for each of Resolver's patterns.
const IMPLICIT_RESOLVERS: Array<{ first: string; pattern: RegExp }> = [
  { first: 'yYnNtTfFoO', pattern: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\n?$/ },
  {
    first: '-+0123456789.',
    pattern:
      /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\n?$/,
  },
  { first: '-+0123456789', pattern: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\n?$/ },
  { first: '<', pattern: /^(?:<<)\n?$/ },
  { first: '~nN', pattern: /^(?:~|null|Null|NULL|)\n?$/ },
  {
    first: '0123456789',
    pattern:
      /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\n?$/,
  },
  { first: '=', pattern: /^(?:=)\n?$/ },
  { first: '!&*', pattern: /^(?:!|&|\*)\n?$/ },
];

/** Whether Resolver.resolve(ScalarNode, value, (True, False)) gives something other than str. */
function resolvesToOtherType(value: string): boolean {
  // Resolvers are looked up by the first character; the empty string has its own list (null's).
  if (value === '') return true;
  return IMPLICIT_RESOLVERS.some((r) => r.first.includes(value[0]) && r.pattern.test(value));
}

/** Python's ordering of str: by code point, which UTF-16 order is not past U+D7FF. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (astral characters) must sort after U+E000..U+FFFF.
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function hasLoneSurrogate(text: string): boolean {
  return /(?:[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/.test(text);
}

class Representer {
  private readonly active = new Set<object>();
  /** With aliases, each list or dict already represented: met again, it is the same node, which the serializer writes as an alias (represented_objects). */
  private readonly represented = new Map<object, Node>();

  constructor(
    private readonly sortKeys: boolean,
    private readonly defaultFlowStyle: boolean | null,
    private readonly aliases: boolean,
  ) {}

  represent(value: unknown): Node {
    if (value === null) return { kind: 'scalar', value: 'null', tag: 'other' };
    if (typeof value === 'boolean') return { kind: 'scalar', value: value ? 'true' : 'false', tag: 'other' };
    if (value instanceof PythonFloat) return { kind: 'scalar', value: pyyamlFloatText(value.value), tag: 'other' };
    if (typeof value === 'number') {
      // A whole number stands for a Python int, whose str() never uses an exponent.
      const text = Number.isInteger(value) ? BigInt(value).toString() : pyyamlFloatText(value);
      return { kind: 'scalar', value: text, tag: 'other' };
    }
    if (typeof value === 'string') return { kind: 'scalar', value: this.text(value), tag: 'str' };
    if (value instanceof UnsafeText) return { kind: 'scalar', value: this.text(value.text), tag: 'str' };
    if (Array.isArray(value)) {
      return this.collection(value, () => {
        const items: Node[] = [];
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new Error('yaml.dump: a sparse array has no Python equivalent');
          items.push(this.represent(value[i]));
        }
        return { kind: 'seq', items, flow: this.flowStyle(items.every(isPlainScalarNode)) };
      });
    }
    if (isPlainObject(value)) {
      return this.collection(value, () => {
        const keys = Object.keys(value);
        if (this.sortKeys) keys.sort(compareCodePoints);
        const pairs = keys.map((k): [Node, Node] => [{ kind: 'scalar', value: this.text(k), tag: 'str' }, this.represent(value[k])]);
        return { kind: 'map', pairs, flow: this.flowStyle(pairs.every(([k, v]) => isPlainScalarNode(k) && isPlainScalarNode(v))) };
      });
    }
    // A datetime or date: PyYAML's timestamp, plain (isoformat with a space).
    const scalar = value instanceof PythonObject ? value.yamlScalar() : undefined;
    if (scalar !== undefined) return { kind: 'scalar', value: scalar, tag: 'other' };
    const what = typeof value === 'object' ? `an instance of ${String((value as { constructor?: { name?: string } }).constructor?.name)}` : `a ${typeof value}`;
    throw new Error(`yaml.dump: cannot represent ${what}`);
  }

  private text(value: string): string {
    // CEmitter encodes every scalar to UTF-8, which a lone surrogate cannot be.
    if (hasLoneSurrogate(value)) throw new Error('yaml.dump: a string with a lone surrogate cannot be encoded to UTF-8');
    return value;
  }

  private flowStyle(bestStyle: boolean): boolean {
    return this.defaultFlowStyle ?? bestStyle;
  }

  // A cycle PyYAML refuses too (represent_data's "recursive objects are not allowed"); hound's values never hold one.
  private collection(value: object, build: () => Node): Node {
    if (this.active.has(value)) throw new Error('yaml.dump: a value that contains itself (anchors and aliases) is not supported');
    const known = this.represented.get(value);
    if (known !== undefined) return known;
    this.active.add(value);
    try {
      const node = build();
      if (this.aliases) this.represented.set(value, node);
      return node;
    } finally {
      this.active.delete(value);
    }
  }
}

// represent_scalar gives no style, so every scalar counts toward best_style.
function isPlainScalarNode(node: Node): boolean {
  return node.kind === 'scalar';
}

// ---------------------------------------------------------------------------------------------
// Serializer (yaml/_yaml.pyx, CEmitter.serialize and _serialize_node)

type Event =
  | { type: 'STREAM_START' | 'STREAM_END' | 'DOCUMENT_START' | 'DOCUMENT_END' | 'SEQUENCE_END' | 'MAPPING_END' }
  | { type: 'SEQUENCE_START' | 'MAPPING_START'; flow: boolean; anchor?: string }
  | { type: 'SCALAR'; value: string; plainImplicit: boolean; quotedImplicit: boolean; anchor?: string }
  | { type: 'ALIAS'; anchor: string };

function serialize(root: Node): Event[] {
  const events: Event[] = [{ type: 'STREAM_START' }, { type: 'DOCUMENT_START' }];
  // _anchor_node: a node met a second time gets the next anchor, id001, id002, ..., in the order of those second meetings.
  const anchors = new Map<Node, string | null>();
  let lastAnchor = 0;
  const anchorNode = (node: Node): void => {
    if (anchors.has(node)) {
      if (anchors.get(node) === null) anchors.set(node, `id${String(++lastAnchor).padStart(3, '0')}`);
      return;
    }
    anchors.set(node, null);
    if (node.kind === 'seq') node.items.forEach(anchorNode);
    else if (node.kind === 'map')
      for (const [k, v] of node.pairs) {
        anchorNode(k);
        anchorNode(v);
      }
  };
  anchorNode(root);
  const serialized = new Set<Node>();
  const walk = (node: Node): void => {
    const anchor = anchors.get(node) ?? undefined;
    if (serialized.has(node)) {
      events.push({ type: 'ALIAS', anchor: anchor! });
      return;
    }
    serialized.add(node);
    if (node.kind === 'scalar') {
      // A str is plain-implicit unless it would read back as another type; any scalar resolves
      // to str when quoted, so only str is quoted-implicit.
      const plainImplicit = node.tag === 'str' ? !resolvesToOtherType(node.value) : true;
      events.push({ type: 'SCALAR', value: node.value, plainImplicit, quotedImplicit: node.tag === 'str', anchor });
    } else if (node.kind === 'seq') {
      events.push({ type: 'SEQUENCE_START', flow: node.flow, anchor });
      node.items.forEach(walk);
      events.push({ type: 'SEQUENCE_END' });
    } else {
      events.push({ type: 'MAPPING_START', flow: node.flow, anchor });
      for (const [k, v] of node.pairs) {
        walk(k);
        walk(v);
      }
      events.push({ type: 'MAPPING_END' });
    }
  };
  walk(root);
  events.push({ type: 'DOCUMENT_END' }, { type: 'STREAM_END' });
  return events;
}

// ---------------------------------------------------------------------------------------------
// Emitter (libyaml 0.2.5, src/emitter.c)

const SPACE = 0x20;
const LF = 0x0a;

function isBreak(c: number | undefined): boolean {
  return c === 0x0d || c === LF || c === 0x85 || c === 0x2028 || c === 0x2029;
}

// libyaml reads past a scalar's end into the NUL that ends Python's bytes: `undefined` here.
function isBlankz(c: number | undefined): boolean {
  return c === undefined || c === 0 || c === SPACE || c === 0x09 || isBreak(c);
}

/** IS_PRINTABLE, a test on UTF-8 bytes: nothing past U+FFFF is printable to libyaml. */
function isPrintable(c: number): boolean {
  return c === LF || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

interface ScalarData {
  chars: number[];
  /** In UTF-8 bytes, as libyaml measures a simple key. */
  length: number;
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  style: 'plain' | 'single' | 'double';
}

/** yaml_emitter_analyze_scalar, with allow_unicode on. */
function analyzeScalar(value: string): ScalarData {
  const chars = Array.from(value, (ch) => ch.codePointAt(0) as number);
  const length = chars.reduce((n, c) => n + utf8Length(c), 0);
  const data: ScalarData = {
    chars,
    length,
    multiline: false,
    flowPlainAllowed: false,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    style: 'plain',
  };
  if (chars.length === 0) return data;

  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;

  if (value.startsWith('---') || value.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }

  let precededByWhitespace = true;
  let followedByWhitespace = isBlankz(chars[1]);
  const n = chars.length;
  for (let i = 0; i < n; i++) {
    const c = chars[i];
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }

    if (!isPrintable(c)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;

    if (c === SPACE) {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }

    precededByWhitespace = isBlankz(c);
    if (i + 1 < n) followedByWhitespace = isBlankz(chars[i + 2]);
  }

  data.multiline = lineBreaks;
  data.flowPlainAllowed = true;
  data.blockPlainAllowed = true;
  data.singleQuotedAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    data.flowPlainAllowed = false;
    data.blockPlainAllowed = false;
  }
  if (breakSpace) {
    data.flowPlainAllowed = false;
    data.blockPlainAllowed = false;
    data.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    data.flowPlainAllowed = false;
    data.blockPlainAllowed = false;
    data.singleQuotedAllowed = false;
  }
  if (lineBreaks) {
    data.flowPlainAllowed = false;
    data.blockPlainAllowed = false;
  }
  if (flowIndicators) data.flowPlainAllowed = false;
  if (blockIndicators) data.blockPlainAllowed = false;
  return data;
}

type State =
  | 'STREAM_START'
  | 'FIRST_DOCUMENT_START'
  | 'DOCUMENT_START'
  | 'DOCUMENT_CONTENT'
  | 'DOCUMENT_END'
  | 'FLOW_SEQUENCE_FIRST_ITEM'
  | 'FLOW_SEQUENCE_ITEM'
  | 'FLOW_MAPPING_FIRST_KEY'
  | 'FLOW_MAPPING_KEY'
  | 'FLOW_MAPPING_SIMPLE_VALUE'
  | 'FLOW_MAPPING_VALUE'
  | 'BLOCK_SEQUENCE_FIRST_ITEM'
  | 'BLOCK_SEQUENCE_ITEM'
  | 'BLOCK_MAPPING_FIRST_KEY'
  | 'BLOCK_MAPPING_KEY'
  | 'BLOCK_MAPPING_SIMPLE_VALUE'
  | 'BLOCK_MAPPING_VALUE'
  | 'END';

const ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

class Emitter {
  private readonly out: string[] = [];
  private readonly bestIndent: number;
  private readonly bestWidth: number;
  private state: State = 'STREAM_START';
  private readonly states: State[] = [];
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;
  private mappingContext = false;
  private simpleKeyContext = false;
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = 0;
  private pos = 0;
  private scalar: ScalarData | null = null;
  /** The `!` a non-str scalar would need when not written plain. */
  private tagHandle: string | null = null;

  constructor(
    private readonly events: Event[],
    indent: number,
    width: number,
  ) {
    // yaml_emitter_set_indent, yaml_emitter_set_width, then emit_stream_start's corrections.
    this.bestIndent = indent > 1 && indent < 10 ? indent : 2;
    let bestWidth = width >= 0 ? width : -1;
    if (bestWidth >= 0 && bestWidth <= this.bestIndent * 2) bestWidth = 80;
    if (bestWidth < 0) bestWidth = 0x7fffffff;
    this.bestWidth = bestWidth;
  }

  run(): string {
    for (this.pos = 0; this.pos < this.events.length; this.pos++) {
      const event = this.events[this.pos];
      this.tagHandle = null;
      this.scalar = event.type === 'SCALAR' ? analyzeScalar(event.value) : null;
      this.stateMachine(event);
    }
    return this.out.join('');
  }

  // --- output primitives: PUT, PUT_BREAK, WRITE, WRITE_BREAK

  private put(text: string): void {
    this.out.push(text);
    this.column++;
  }

  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }

  private writeBreak(c: number): void {
    if (c === LF) {
      this.putBreak();
    } else {
      this.out.push(String.fromCodePoint(c));
      this.column = 0;
    }
  }

  // --- states

  private stateMachine(event: Event): void {
    switch (this.state) {
      case 'STREAM_START':
        return this.emitStreamStart(event);
      case 'FIRST_DOCUMENT_START':
        return this.emitDocumentStart(event);
      case 'DOCUMENT_START':
        return this.emitDocumentStart(event);
      case 'DOCUMENT_CONTENT':
        this.states.push('DOCUMENT_END');
        return this.emitNode(event, false, false);
      case 'DOCUMENT_END':
        return this.emitDocumentEnd(event);
      case 'FLOW_SEQUENCE_FIRST_ITEM':
        return this.emitFlowSequenceItem(event, true);
      case 'FLOW_SEQUENCE_ITEM':
        return this.emitFlowSequenceItem(event, false);
      case 'FLOW_MAPPING_FIRST_KEY':
        return this.emitFlowMappingKey(event, true);
      case 'FLOW_MAPPING_KEY':
        return this.emitFlowMappingKey(event, false);
      case 'FLOW_MAPPING_SIMPLE_VALUE':
        return this.emitFlowMappingValue(event, true);
      case 'FLOW_MAPPING_VALUE':
        return this.emitFlowMappingValue(event, false);
      case 'BLOCK_SEQUENCE_FIRST_ITEM':
        return this.emitBlockSequenceItem(event, true);
      case 'BLOCK_SEQUENCE_ITEM':
        return this.emitBlockSequenceItem(event, false);
      case 'BLOCK_MAPPING_FIRST_KEY':
        return this.emitBlockMappingKey(event, true);
      case 'BLOCK_MAPPING_KEY':
        return this.emitBlockMappingKey(event, false);
      case 'BLOCK_MAPPING_SIMPLE_VALUE':
        return this.emitBlockMappingValue(event, true);
      case 'BLOCK_MAPPING_VALUE':
        return this.emitBlockMappingValue(event, false);
      case 'END':
        throw new Error('yaml.dump: expected nothing after STREAM-END');
    }
  }

  private expect(event: Event, type: Event['type']): void {
    if (event.type !== type) throw new Error(`yaml.dump: expected ${type}, got ${event.type}`);
  }

  private emitStreamStart(event: Event): void {
    this.expect(event, 'STREAM_START');
    this.openEnded = 0;
    this.indent = -1;
    this.column = 0;
    this.whitespace = true;
    this.indention = true;
    this.state = 'FIRST_DOCUMENT_START';
  }

  private emitDocumentStart(event: Event): void {
    if (event.type === 'DOCUMENT_START') {
      // The first document is implicit and has no directives: no `---`.
      this.openEnded = 0;
      this.state = 'DOCUMENT_CONTENT';
      return;
    }
    this.expect(event, 'STREAM_END');
    // Only a block scalar with kept trailing breaks sets open_ended to 2, and none is written here.
    this.state = 'END';
  }

  private emitDocumentEnd(event: Event): void {
    this.expect(event, 'DOCUMENT_END');
    this.writeIndent();
    if (!this.openEnded) this.openEnded = 1;
    this.state = 'DOCUMENT_START';
  }

  private popIndent(): void {
    this.indent = this.indents.pop() as number;
  }

  private popState(): void {
    this.state = this.states.pop() as State;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  private emitFlowSequenceItem(event: Event, first: boolean): void {
    if (first) {
      this.writeIndicator('[', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
    }
    if (event.type === 'SEQUENCE_END') {
      this.flowLevel--;
      this.popIndent();
      this.writeIndicator(']', false, false, false);
      this.popState();
      return;
    }
    if (!first) this.writeIndicator(',', false, false, false);
    if (this.column > this.bestWidth) this.writeIndent();
    this.states.push('FLOW_SEQUENCE_ITEM');
    this.emitNode(event, false, false);
  }

  private emitFlowMappingKey(event: Event, first: boolean): void {
    if (first) {
      this.writeIndicator('{', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
    }
    if (event.type === 'MAPPING_END') {
      this.flowLevel--;
      this.popIndent();
      this.writeIndicator('}', false, false, false);
      this.popState();
      return;
    }
    if (!first) this.writeIndicator(',', false, false, false);
    if (this.column > this.bestWidth) this.writeIndent();
    if (this.checkSimpleKey()) {
      this.states.push('FLOW_MAPPING_SIMPLE_VALUE');
      this.emitNode(event, true, true);
    } else {
      this.writeIndicator('?', true, false, false);
      this.states.push('FLOW_MAPPING_VALUE');
      this.emitNode(event, true, false);
    }
  }

  private emitFlowMappingValue(event: Event, simple: boolean): void {
    if (simple) {
      this.writeIndicator(':', false, false, false);
    } else {
      if (this.column > this.bestWidth) this.writeIndent();
      this.writeIndicator(':', true, false, false);
    }
    this.states.push('FLOW_MAPPING_KEY');
    this.emitNode(event, true, false);
  }

  private emitBlockSequenceItem(event: Event, first: boolean): void {
    // A sequence that is a mapping's value, on the key's own line, is not indented (`key:\n- a`).
    if (first) this.increaseIndent(false, this.mappingContext && !this.indention);
    if (event.type === 'SEQUENCE_END') {
      this.popIndent();
      this.popState();
      return;
    }
    this.writeIndent();
    this.writeIndicator('-', true, false, true);
    this.states.push('BLOCK_SEQUENCE_ITEM');
    this.emitNode(event, false, false);
  }

  private emitBlockMappingKey(event: Event, first: boolean): void {
    if (first) this.increaseIndent(false, false);
    if (event.type === 'MAPPING_END') {
      this.popIndent();
      this.popState();
      return;
    }
    this.writeIndent();
    if (this.checkSimpleKey()) {
      this.states.push('BLOCK_MAPPING_SIMPLE_VALUE');
      this.emitNode(event, true, true);
    } else {
      this.writeIndicator('?', true, false, true);
      this.states.push('BLOCK_MAPPING_VALUE');
      this.emitNode(event, true, false);
    }
  }

  private emitBlockMappingValue(event: Event, simple: boolean): void {
    if (simple) {
      this.writeIndicator(':', false, false, false);
    } else {
      this.writeIndent();
      this.writeIndicator(':', true, false, true);
    }
    this.states.push('BLOCK_MAPPING_KEY');
    this.emitNode(event, true, false);
  }

  // emit_node's root and sequence contexts matter only to tags, which are not written.
  private emitNode(event: Event, mapping: boolean, simpleKey: boolean): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    switch (event.type) {
      case 'ALIAS':
        this.processAnchor(event.anchor, true);
        if (this.simpleKeyContext) this.put(' ');
        return this.popState();
      case 'SCALAR':
        return this.emitScalar(event);
      case 'SEQUENCE_START':
        this.processAnchor(event.anchor, false);
        this.state =
          this.flowLevel || event.flow || this.checkEmpty('SEQUENCE_START', 'SEQUENCE_END') ? 'FLOW_SEQUENCE_FIRST_ITEM' : 'BLOCK_SEQUENCE_FIRST_ITEM';
        return;
      case 'MAPPING_START':
        this.processAnchor(event.anchor, false);
        this.state = this.flowLevel || event.flow || this.checkEmpty('MAPPING_START', 'MAPPING_END') ? 'FLOW_MAPPING_FIRST_KEY' : 'BLOCK_MAPPING_FIRST_KEY';
        return;
      default:
        throw new Error(`yaml.dump: expected SCALAR, SEQUENCE-START or MAPPING-START, got ${event.type}`);
    }
  }

  /** process_anchor: `&id001` before a node's first writing, `*id001` for an alias. */
  private processAnchor(anchor: string | undefined, alias: boolean): void {
    if (anchor === undefined) return;
    this.writeIndicator(alias ? '*' : '&', true, false, false);
    for (const ch of anchor) this.put(ch);
    this.whitespace = false;
    this.indention = false;
  }

  private emitScalar(event: Event & { type: 'SCALAR' }): void {
    this.selectScalarStyle(event);
    this.processAnchor(event.anchor, false);
    if (this.tagHandle !== null) this.writeTagHandle(this.tagHandle);
    this.increaseIndent(true, false);
    this.processScalar();
    this.popIndent();
    this.popState();
  }

  // --- checkers

  private checkEmpty(start: Event['type'], end: Event['type']): boolean {
    return this.events[this.pos]?.type === start && this.events[this.pos + 1]?.type === end;
  }

  private checkSimpleKey(): boolean {
    const event = this.events[this.pos];
    let length =
      event.type === 'ALIAS' || event.type === 'SCALAR' || event.type === 'SEQUENCE_START' || event.type === 'MAPPING_START' ? (event.anchor?.length ?? 0) : 0;
    switch (event.type) {
      case 'ALIAS':
        break;
      case 'SCALAR': {
        const scalar = this.scalar as ScalarData;
        if (scalar.multiline) return false;
        length += scalar.length;
        break;
      }
      case 'SEQUENCE_START':
        if (!this.checkEmpty('SEQUENCE_START', 'SEQUENCE_END')) return false;
        break;
      case 'MAPPING_START':
        if (!this.checkEmpty('MAPPING_START', 'MAPPING_END')) return false;
        break;
      default:
        return false;
    }
    return length <= 128;
  }

  private selectScalarStyle(event: Event & { type: 'SCALAR' }): void {
    const scalar = this.scalar as ScalarData;
    let style: ScalarData['style'] = 'plain';
    if (this.simpleKeyContext && scalar.multiline) style = 'double';
    if (style === 'plain') {
      if ((this.flowLevel && !scalar.flowPlainAllowed) || (!this.flowLevel && !scalar.blockPlainAllowed)) style = 'single';
      if (!scalar.length && (this.flowLevel || this.simpleKeyContext)) style = 'single';
      if (!event.plainImplicit) style = 'single';
    }
    if (style === 'single' && !scalar.singleQuotedAllowed) style = 'double';
    if (!event.quotedImplicit && style !== 'plain') this.tagHandle = '!';
    scalar.style = style;
  }

  private processScalar(): void {
    const scalar = this.scalar as ScalarData;
    const allowBreaks = !this.simpleKeyContext;
    if (scalar.style === 'plain') this.writePlainScalar(scalar.chars, allowBreaks);
    else if (scalar.style === 'single') this.writeSingleQuotedScalar(scalar.chars, allowBreaks);
    else this.writeDoubleQuotedScalar(scalar.chars, allowBreaks);
  }

  // --- writers

  private writeIndent(): void {
    const indent = this.indent >= 0 ? this.indent : 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    for (const ch of indicator) this.put(ch);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private writeTagHandle(handle: string): void {
    if (!this.whitespace) this.put(' ');
    for (const ch of handle) this.put(ch);
    this.whitespace = false;
    this.indention = false;
  }

  private writePlainScalar(chars: number[], allowBreaks: boolean): void {
    let spaces = false;
    let breaks = false;
    if (!this.whitespace && (chars.length || this.flowLevel)) this.put(' ');
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (c === SPACE) {
        if (allowBreaks && !spaces && this.column > this.bestWidth && chars[i + 1] !== SPACE) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === LF) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuotedScalar(chars: number[], allowBreaks: boolean): void {
    let spaces = false;
    let breaks = false;
    this.writeIndicator("'", true, false, false);
    const last = chars.length - 1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (c === SPACE) {
        if (allowBreaks && !spaces && this.column > this.bestWidth && i !== 0 && i !== last && chars[i + 1] !== SPACE) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === LF) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (breaks) this.writeIndent();
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuotedScalar(chars: number[], allowBreaks: boolean): void {
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    const last = chars.length - 1;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (!isPrintable(c) || c === 0xfeff || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        const escape = ESCAPES[c];
        if (escape !== undefined) {
          this.put(escape);
        } else {
          const [letter, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(letter);
          for (const digit of c.toString(16).toUpperCase().padStart(width, '0')) this.put(digit);
        }
        spaces = false;
      } else if (c === SPACE) {
        if (allowBreaks && !spaces && this.column > this.bestWidth && i !== 0 && i !== last) {
          this.writeIndent();
          if (chars[i + 1] === SPACE) this.put('\\');
        } else {
          this.put(' ');
        }
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }
}

function checkInteger(name: string, value: number): number {
  // CEmitter hands these to C ints; a float is a TypeError there, a huge int an OverflowError.
  if (!Number.isInteger(value) || Math.abs(value) > 0x7fffffff) throw new Error(`yaml.dump: ${name} must be an integer, not ${String(value)}`);
  return value;
}

/** yaml.dump(value, Dumper=AnsibleDumper, allow_unicode=True, ...) */
export function pyyamlDump(value: unknown, options: PyYamlDumpOptions = {}): string {
  const indent = options.indent === undefined ? 2 : checkInteger('indent', options.indent);
  const width = options.width === undefined ? 80 : checkInteger('width', options.width);
  const representer = new Representer(
    options.sortKeys ?? true,
    options.defaultFlowStyle === undefined ? false : options.defaultFlowStyle,
    options.aliases ?? false,
  );
  return new Emitter(serialize(representer.represent(value)), indent, width).run();
}
