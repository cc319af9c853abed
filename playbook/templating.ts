// Jinja2-style templates (`{{ expr }}`) over playbook variables, rendered with nunjucks.
//
// nunjucks is not a sandbox: its runtime follows any property (`range.constructor`) and
// calls any function. Here templates are compiled by nunjucks but run against a runtime
// of our own whose member lookup reads only own data of plain objects, arrays and
// strings, and whose calls reach only functions we registered. Variables are resolved
// lazily (a variable's value may itself be a template), as Ansible does.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { EXIT, HoundError } from '../base/errors.js';
import { isPythonFloat, PythonFloat, pythonFloat } from '../base/python-float.js';
import { isSecretName, registerSecretVariables } from '../base/secrets.js';
import { hasTemplateMarkers, UnsafeText, unsafeText } from '../base/unsafe-text.js';
import { buildFilters, buildTests, missingFilterError, missingTestError, type TemplateFunction } from './template-filters.js';
import { percentFormat } from './python-format.js';
import { ansibleTextResult, pythonUnescape } from './python-literal.js';
import {
  bindArguments,
  isPlainObject,
  isPythonNumber,
  pythonCompare,
  pythonEqual,
  pythonError,
  pythonRepr,
  pythonContains,
  refuseMethodValue,
  pythonStr,
  pythonTruthy,
  pythonTypeName,
  PythonObject,
  splitArguments,
  unsafeTemplateError,
  UndefinedValue,
} from './template-values.js';
import { allow, callable, safeMemberLookup } from './template-sandbox.js';
import { dateTimeArithmetic, pythonNow, timeDeltaUnary } from './python-datetime.js';
import { dictKey, iterableItems, MUTATING_METHODS, ownedCopy, ownValue, updateDict, withOwnedValues } from './python-methods.js';
import { isTuple, markTuple } from '../base/python-repr.js';
import { nested, spendCharacters, spendSteps, withTemplateBudget } from './template-budget.js';
import { composeLookupOptions, imagesFromCompose, imagesFromK8s } from './lookups/image-lookups.js';
import { CONTROLLER_COMMAND_LOOKUPS, CONTROLLER_LOOKUPS, loopItems, readControllerText, runLookupPlugin, type LookupContext } from './lookup-plugins.js';
import { templateFileVariables } from '../modules/template.js';

export { UndefinedValue } from './template-values.js';

export type Vars = Record<string, unknown>;

/** Jinja's `omit`: an argument whose value renders to this is dropped. */
export const OMIT = '__omit_place_holder__hound__';

interface NunjucksNode {
  typename: string;
  fields: string[];
  lineno: number;
  colno: number;
  [field: string]: unknown;
}
type NodeConstructor = new (lineno: number, colno: number, ...fields: unknown[]) => NunjucksNode;
interface NunjucksInternals {
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(ast: unknown): void; getCode(): string } };
  parser: { parse(src: string, extensions?: unknown[], opts?: object): unknown };
  transformer: { transform(ast: unknown, asyncFilters: string[], name: string): unknown };
  nodes: Record<string, NodeConstructor> & { Node: NodeConstructor };
  runtime: Record<string, unknown> & { Frame: new () => { lookup(name: string): unknown }; SafeString: new (s: string) => object };
}
const require = createRequire(import.meta.url);
const internals: NunjucksInternals = {
  compiler: require('nunjucks/src/compiler.js') as NunjucksInternals['compiler'],
  parser: require('nunjucks/src/parser.js') as NunjucksInternals['parser'],
  transformer: require('nunjucks/src/transformer.js') as NunjucksInternals['transformer'],
  nodes: require('nunjucks/src/nodes.js') as NunjucksInternals['nodes'],
  runtime: require('nunjucks/src/runtime.js') as NunjucksInternals['runtime'],
};

/**
 * Python's slices (`name[4:]`, `s[:-3]`, `l[::2]`): nunjucks parses only `x[i]`. Its
 * jinja-compat adds them by patching nunjucks' runtime as well, which hound does not run
 * (template-sandbox.ts), so this takes its parser half: brackets whose contents fail as an
 * index and hold a colon are a Slice, which jinjaSemantics turns into a call of
 * __hound_slice. A Slice anywhere else (`[1:2]` as a list) stays one, and fails to compile.
 */
interface ParserInternals {
  tokens: { index: number; lineno: number; colno: number; houndBrackets?: number };
  peeked: unknown;
  peekToken(): { type: string; lineno: number; colno: number };
  nextToken(): unknown;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  skipSymbol(value: string): boolean;
  parsePrimary(): NunjucksNode | null;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): NunjucksNode;
  parseExpression(): NunjucksNode;
  parseCompare(): NunjucksNode;
  parsePostfix(node: NunjucksNode): NunjucksNode;
  fail(message: string, lineno?: number, colno?: number): never;
}
const SliceNode = (internals.nodes.Node as unknown as { extend(name: string, props: object): NodeConstructor }).extend('Slice', {
  fields: ['start', 'stop', 'step'],
});
/**
 * A float literal (`1.0`) keeps its kind, as Jinja2's does: `{{ 1.0 }}` prints 1.0 and
 * `{{ 3 * 1.0 }}` 3.0. nunjucks reads it with parseFloat into a plain 1; the Literal is marked
 * here, from its token, and compiled as a PythonFloat (floatLiterals below).
 */
{
  type Primary = (this: ParserInternals, noPostfix?: boolean) => NunjucksNode | null;
  const parserPrototype = (require('nunjucks/src/parser.js') as { Parser: { prototype: { parsePrimary: Primary } } }).Parser.prototype;
  const parsePrimary = parserPrototype.parsePrimary;
  parserPrototype.parsePrimary = function (this: ParserInternals, noPostfix?: boolean) {
    const token = this.peekToken() as { type: string } | null;
    const node = parsePrimary.call(this, noPostfix);
    if (token?.type === 'float' && node?.typename === 'Literal') node.houndFloat = true;
    return node;
  };
}

/** Jinja2's float_re and integer_re (lexer.py), tried in its order: float first. */
const JINJA_FLOAT = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/y;
const JINJA_INTEGER = /0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\da-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*/y;

/**
 * A number literal at `index` that nunjucks' lexer reads otherwise: an exponent (`1e3`,
 * `2.5E-3`), underscores (`1_000`), or a 0x/0o/0b prefix; its value as decimal text, as
 * parsePrimary reads it. Plain `12` and `1.5` are left to nunjucks.
 */
function jinjaNumberAt(text: string, index: number): { type: 'int' | 'float'; value: string; length: number } | undefined {
  if (!/[0-9]/.test(text[index] ?? '') || (index > 0 && /[\w.]/.test(text[index - 1]))) return undefined;
  JINJA_FLOAT.lastIndex = index;
  const float = JINJA_FLOAT.exec(text)?.[0];
  if (float !== undefined) return /[eE_]/.test(float) ? { type: 'float', value: float.replaceAll('_', ''), length: float.length } : undefined;
  JINJA_INTEGER.lastIndex = index;
  const integer = JINJA_INTEGER.exec(text)?.[0];
  if (integer === undefined) return undefined;
  // Python has no leading zeros: `007` is `00` and then `7` to Jinja2, a syntax error; nunjucks read 7.
  if (integer.startsWith('0') && /\d/.test(text[index + integer.length] ?? '')) return { type: 'int', value: '0', length: integer.length };
  if (!/[_xXoObB]/.test(integer)) return undefined;
  const digits = integer.replaceAll('_', '');
  return { type: 'int', value: (/^0[oO]/.test(digits) ? BigInt(`0o${digits.slice(2)}`) : BigInt(digits)).toString(), length: integer.length };
}

/**
 * `}}` inside an open bracket closes a dict, as Jinja2's lexer reads it (it ends a `{{ }}` only
 * when every bracket is closed): `{{ d.update({k: {'a': 1}}) }}`, as Kolla-Ansible writes,
 * is two `}` and then the end. nunjucks' lexer ends the expression at the first `}}`.
 */
{
  interface TokenizerInternals {
    tags: { BLOCK_START: string; VARIABLE_START: string; COMMENT_START: string; COMMENT_END: string };
    in_code: boolean;
    str: string;
    index: number;
    lineno: number;
    colno: number;
    forward(): void;
    houndBrackets?: number;
    houndInVariable?: boolean;
    houndNext?: Record<string, number>;
  }
  type Token = { type: string; value: string; lineno: number; colno: number } | null;
  /**
   * Text holding `#}` outside a comment (`#define service {` … `#}` in a Nagios template): text
   * to Jinja2, and to nunjucks "unexpected end of comment". The text up to the next tag is one
   * data token here when a `#}` is in it; undefined otherwise (nunjucks reads it).
   */
  const textWithStrayCommentEnd = (t: TokenizerInternals): Token | undefined => {
    const { BLOCK_START, VARIABLE_START, COMMENT_START, COMMENT_END } = t.tags;
    // Where each delimiter next occurs (-1: nowhere after), kept until the tokenizer passes it,
    // so that a template's text tokens are searched once in all, not each to the end.
    const next = (t.houndNext ??= {});
    const find = (tag: string): number => {
      const known = next[tag];
      if (known === undefined || (known !== -1 && known < t.index)) next[tag] = t.str.indexOf(tag, t.index);
      return next[tag];
    };
    const stray = find(COMMENT_END);
    if (stray < 0 || t.index >= t.str.length) return undefined;
    const starts = [BLOCK_START, VARIABLE_START, COMMENT_START].map(find).filter((at) => at >= 0);
    const end = starts.length > 0 ? Math.min(...starts) : t.str.length;
    if (end === t.index || stray >= end) return undefined;
    const at = { lineno: t.lineno, colno: t.colno };
    const value = t.str.slice(t.index, end);
    while (t.index < end) t.forward();
    return { type: 'data', value, ...at };
  };
  const lexer = require('nunjucks/src/lexer.js') as { lex(src: string): object };
  const tokenizerPrototype = Object.getPrototypeOf(lexer.lex('')) as { nextToken: (this: TokenizerInternals) => Token };
  const nextToken = tokenizerPrototype.nextToken;
  tokenizerPrototype.nextToken = function (this: TokenizerInternals): Token {
    const open = this.houndBrackets ?? 0;
    if (this.in_code && open > 0 && this.str.startsWith('}}', this.index)) {
      const at = { lineno: this.lineno, colno: this.colno };
      this.forward();
      this.houndBrackets = open - 1;
      return { type: 'right-curly', value: '}', ...at };
    }
    const number = this.in_code ? jinjaNumberAt(this.str, this.index) : undefined;
    if (number !== undefined) {
      const at = { lineno: this.lineno, colno: this.colno };
      for (let i = 0; i < number.length; i++) this.forward();
      return { type: number.type, value: number.value, ...at };
    }
    const stray = this.in_code ? undefined : textWithStrayCommentEnd(this);
    if (stray !== undefined) return stray;
    const tok = nextToken.call(this);
    // nunjucks lexes `null` as None; to Jinja2 it is a name like any other (undefined unless
    // set), and a template that reads it fails in Ansible.
    if (tok?.type === 'none' && tok.value === 'null') return { ...tok, type: 'symbol' };
    if (tok !== null) {
      if (tok.type === 'variable-start') this.houndInVariable = true;
      else if (tok.type === 'block-start' || tok.type === 'variable-end') this.houndInVariable = false;
      if (tok.type === 'left-paren' || tok.type === 'left-bracket' || tok.type === 'left-curly') this.houndBrackets = open + 1;
      else if (tok.type === 'right-paren' || tok.type === 'right-bracket' || tok.type === 'right-curly') this.houndBrackets = Math.max(0, open - 1);
      else if (!this.in_code) this.houndBrackets = 0;
    }
    return tok;
  };
  /**
   * A string literal as Jinja2 reads it: up to the next quote not escaped by a backslash, its
   * escapes decoded as Python decodes them (`'\\d'` is a backslash and d, and so is `'\d'`;
   * nunjucks read `'\d'` as `d` and `'\.'` as `.`, silently changing every regex written so).
   * Under ansibleBackslashes, inside `{{ }}`, backslashes are the string's own characters:
   * Ansible doubles them there before Jinja2 reads the template (_escape_backslashes), so that a
   * playbook's `regex_replace('\.', '')` means what it says, as text outside the braces does.
   */
  (tokenizerPrototype as unknown as { _parseString: (this: TokenizerInternals, delimiter: string) => string })._parseString = function (
    this: TokenizerInternals,
    delimiter: string,
  ) {
    const raw = ansibleBackslashes && this.houndInVariable === true;
    const at = { lineno: this.lineno, colno: this.colno };
    this.forward();
    let body = '';
    while (this.index < this.str.length && this.str[this.index] !== delimiter) {
      if (this.str[this.index] === '\\' && !raw && this.index + 1 < this.str.length) {
        body += '\\';
        this.forward();
      }
      body += this.str[this.index];
      this.forward();
    }
    this.forward();
    if (raw) return body;
    // Jinja2's own steps: newlines normalised, and every non-ASCII character spelled as an
    // escape (backslashreplace) before Python's unicode-escape codec decodes the whole.
    const spelled = body.replace(/\r\n?/g, '\n').replace(/[^\p{ASCII}]/gu, (ch) => {
      const code = ch.codePointAt(0)!;
      return code < 0x100
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : code < 0x10000
          ? `\\u${code.toString(16).padStart(4, '0')}`
          : `\\U${code.toString(16).padStart(8, '0')}`;
    });
    const value = pythonUnescape(spelled);
    if (value === undefined)
      throw new Error(
        `(line ${at.lineno + 1}, column ${at.colno + 1}) a string literal has an escape Python cannot decode (a truncated \\x, \\u or \\U, or \\N{…})`,
      );
    return value;
  };
}

/**
 * Jinja2's set where nunjucks' differs: `{% set ns.found = true %}` assigns a namespace()
 * attribute (how a value outlives a loop's scope; nunjucks' compiler fails on it), parsed into
 * a call of __hound_namespace_set printing nothing; and `{% set a, b = 1, 2 %}` takes a tuple
 * without brackets (jinjaSemantics unpacks it, where nunjucks gave every name the whole value).
 */
{
  const parserPrototype = (require('nunjucks/src/parser.js') as { Parser: { prototype: { parseSet: (this: ParserInternals) => NunjucksNode } } }).Parser
    .prototype;
  parserPrototype.parseSet = function (this: ParserInternals) {
    const tag = this.peekToken() as { type: string; value?: string; lineno: number; colno: number };
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const { Set: SetNode, Capture, Output, FunCall, Symbol: SymbolNode, NodeList, Array: ArrayNode } = internals.nodes;
    const targets: NunjucksNode[] = [];
    for (let target = this.parsePrimary(); target; target = this.parsePrimary()) {
      targets.push(target);
      if (!this.skip('comma')) break;
    }
    // nunjucks' parsePrimary reads `ns.found` whole, as an attribute lookup.
    const [first] = targets;
    const owner = first?.target as NunjucksNode | undefined;
    const attribute = first?.val as NunjucksNode | undefined;
    if (targets.length === 1 && first.typename === 'LookupVal' && owner?.typename === 'Symbol' && attribute?.typename === 'Literal') {
      if (!this.skipValue('operator', '=')) this.fail('expected = after an attribute to set (`{% set ns.name = value %}`)', tag.lineno, tag.colno);
      const value = this.parseExpression();
      this.advanceAfterBlockEnd(tag.value);
      const call = new FunCall(
        tag.lineno,
        tag.colno,
        new SymbolNode(tag.lineno, tag.colno, '__hound_namespace_set'),
        new NodeList(tag.lineno, tag.colno, [owner, attribute, value]),
      );
      return new Output(tag.lineno, tag.colno, [call]);
    }
    const node = new SetNode(tag.lineno, tag.colno, targets);
    if (!this.skipValue('operator', '=')) {
      if (!this.skip('block-end')) this.fail('parseSet: expected = or block end in set tag', tag.lineno, tag.colno);
      node.body = new Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
      node.value = null;
      this.advanceAfterBlockEnd();
      return node;
    }
    const value = this.parseExpression();
    if (this.skip('comma')) {
      const items = [value];
      while (this.peekToken().type !== 'block-end') {
        items.push(this.parseExpression());
        if (!this.skip('comma')) break;
      }
      const tuple = new ArrayNode(value.lineno, value.colno, items);
      tuple.tuple = true;
      node.value = tuple;
    } else node.value = value;
    this.advanceAfterBlockEnd(tag.value);
    return node;
  };
}

/** Whether the tokenizer's next token, past whitespace, is `(`; the tokenizer is left where it was. */
function nextIsLeftParen(tokens: ParserInternals['tokens']): boolean {
  const tokenizer = tokens as ParserInternals['tokens'] & { nextToken(): { type: string } | null };
  const saved = { ...tokenizer };
  let token = tokenizer.nextToken();
  while (token?.type === 'whitespace') token = tokenizer.nextToken();
  for (const key of Object.keys(tokenizer)) if (!Object.hasOwn(saved, key)) delete (tokenizer as Record<string, unknown>)[key];
  Object.assign(tokenizer, saved, { houndNext: undefined });
  return token?.type === 'left-paren';
}

/**
 * `{% for (key, value) in d.items() %}`: Jinja2 takes the loop's names in parentheses too
 * (dev-sec's hardening templates write it). The `(` is passed over before nunjucks' parseFor
 * reads the names, and the `)` before its `in`.
 */
{
  type ForParser = ParserInternals & { pushToken(token: unknown): void; skipSymbol(value: string): boolean };
  const parserPrototype = (
    require('nunjucks/src/parser.js') as {
      Parser: { prototype: { parseFor: (this: ForParser) => NunjucksNode; skipSymbol: (this: ForParser, value: string) => boolean } };
    }
  ).Parser.prototype;
  const parseFor = parserPrototype.parseFor;
  parserPrototype.parseFor = function (this: ForParser) {
    const forToken = this.peekToken() as { type: string; value?: string };
    if (forToken.type !== 'symbol' || forToken.value !== 'for' || !nextIsLeftParen(this.tokens)) return parseFor.call(this);
    this.nextToken();
    this.nextToken();
    this.pushToken(forToken);
    const skipSymbol = parserPrototype.skipSymbol;
    this.skipSymbol = function (this: ForParser, value: string) {
      if (value === 'in') {
        delete (this as Partial<ForParser>).skipSymbol;
        if (!this.skip('right-paren')) this.fail('parseFor: expected ) after the loop variables');
      }
      return skipSymbol.call(this, value);
    };
    try {
      return parseFor.call(this);
    } finally {
      delete (this as Partial<ForParser>).skipSymbol;
    }
  };
}

type ConditionalParser = ParserInternals & { parseOr(): NunjucksNode; parseInlineIf(): NunjucksNode };

/**
 * Jinja2's conditional expression (parse_condexpr): the else branch is itself one, so
 * `a if x else b if y else c` chains (nunjucks read only an `or` there and stopped at the
 * second `if`), and `a if x if y` applies the conditions in turn.
 */
{
  const parserPrototype = (require('nunjucks/src/parser.js') as { Parser: { prototype: { parseInlineIf: (this: ConditionalParser) => NunjucksNode } } }).Parser
    .prototype;
  parserPrototype.parseInlineIf = function (this: ConditionalParser) {
    let node = this.parseOr();
    while (this.skipSymbol('if')) {
      const cond = this.parseOr();
      const inlineIf = new internals.nodes.InlineIf(node.lineno, node.colno);
      inlineIf.body = node;
      inlineIf.cond = cond;
      inlineIf.else_ = this.skipSymbol('else') ? this.parseInlineIf() : null;
      node = inlineIf;
    }
    return node;
  };
}

/**
 * `{% with a = x, b = y %}…{% endwith %}`, Jinja2's scope of its own (nunjucks has no with tag):
 * parsed as a for loop of one pass over the values, each name set from its value in the loop's
 * scope. So the values are computed outside (`{% with a = 2, b = a %}` gives b the outer a, as
 * in Jinja2), a `{% set %}` inside stays inside (the loop's frame keeps its writes), and the pass
 * binds no `loop` (houndWith, jinjaLoopVariables), so an enclosing loop's shows through.
 */
{
  const parserPrototype = (require('nunjucks/src/parser.js') as { Parser: { prototype: { parseStatement: (this: ParserInternals) => NunjucksNode | null } } })
    .Parser.prototype;
  const parseStatement = parserPrototype.parseStatement;
  parserPrototype.parseStatement = function (this: ParserInternals) {
    const tag = this.peekToken() as { type: string; value?: string; lineno: number; colno: number };
    if (tag.type !== 'symbol' || tag.value !== 'with') return parseStatement.call(this);
    this.nextToken();
    const { For, Set: SetNode, Symbol: SymbolNode, LookupVal, Literal, NodeList, Array: ArrayNode } = internals.nodes;
    const at = [tag.lineno, tag.colno] as const;
    const targetsOf: NunjucksNode[][] = [];
    const values: NunjucksNode[] = [];
    for (let next = this.peekToken() as { type: string } | null; next?.type !== 'block-end'; next = this.peekToken() as { type: string } | null) {
      if (next === null) this.fail('unexpected end of template in the with tag', tag.lineno, tag.colno);
      if (values.length > 0 && !this.skip('comma')) this.fail('expected , or the end of the with tag', tag.lineno, tag.colno);
      const targets: NunjucksNode[] = [];
      for (let target = this.parsePrimary(); target; target = this.parsePrimary()) {
        if (target.typename !== 'Symbol') this.fail('with tag: expected a name to assign to', target.lineno, target.colno);
        targets.push(target);
        if (!this.skip('comma')) break;
      }
      if (!this.skipValue('operator', '=')) this.fail('with tag: expected = after the name', tag.lineno, tag.colno);
      targetsOf.push(targets);
      values.push(this.parseExpression());
    }
    this.advanceAfterBlockEnd('with');
    const body = this.parseUntilBlocks('endwith');
    this.advanceAfterBlockEnd();
    const pass = () => new SymbolNode(...at, '__hound_with');
    const sets = targetsOf.map((targets, i) => new SetNode(...at, targets, new LookupVal(...at, pass(), new Literal(...at, i))));
    const scope = new For(...at, new ArrayNode(...at, [new ArrayNode(...at, values)]), pass(), new NodeList(...at, [...sets, body]), null);
    scope.houndWith = true;
    return scope;
  };
}

/** A recursive loop (`{% for item in tree recursive %}`, `loop(item.children)`) said plainly, not as nunjucks' "expected block end". */
{
  const parserPrototype = (
    require('nunjucks/src/parser.js') as { Parser: { prototype: { advanceAfterBlockEnd: (this: ParserInternals, name?: string) => unknown } } }
  ).Parser.prototype;
  const advanceAfterBlockEnd = parserPrototype.advanceAfterBlockEnd;
  parserPrototype.advanceAfterBlockEnd = function (this: ParserInternals, name?: string) {
    const next = this.peekToken() as { type: string; value?: string } | null;
    if (name === 'for' && next?.type === 'symbol' && next.value === 'recursive')
      throw new HoundError('TEMPLATE_UNSUPPORTED', 'recursive for loops (`{% for … recursive %}` with `loop(…)`) are not supported', EXIT.PARSE, {
        hint: 'flatten the tree first, or write one loop per level',
      });
    return advanceAfterBlockEnd.call(this, name);
  };
}

/**
 * Tests where Jinja2 parses them: as filters are, after a primary expression and its unary sign
 * (parse_filter_expr), so `1 + x is number` is `1 + (x is number)`, `2 * 3 is divisibleby 3` is 2,
 * and `x is defined == true` compares the test's result. nunjucks parsed `is` after a whole
 * comparison, giving those other values, and failed on the last.
 * A test's one argument may go without parentheses, as Jinja2 allows: `n is divisibleby 3`,
 * `x is in groups['etcd']`; `v is version '1.2', '>='` is not (one argument only, as in Jinja2).
 * The argument is a primary expression with its subscripts and calls, and not `and`, `or`,
 * `else` or `if` (which end the test).
 */
{
  const parserPrototype = (
    require('nunjucks/src/parser.js') as { Parser: { prototype: { parseFilter: (this: ParserInternals, node: NunjucksNode) => NunjucksNode } } }
  ).Parser.prototype;
  const parseFilters = parserPrototype.parseFilter;
  const ENDS_TEST = new Set(['and', 'or', 'else', 'if', 'is', 'not']);
  const STARTS_ARGUMENT = new Set(['string', 'int', 'float', 'boolean', 'none', 'left-bracket', 'left-curly']);
  const peek = (parser: ParserInternals) => parser.peekToken() as unknown as { type: string; value: string; lineno: number; colno: number } | null;
  function parseTest(this: ParserInternals, node: NunjucksNode): NunjucksNode {
    this.skipSymbol('is');
    const negated = this.skipSymbol('not');
    const name = peek(this);
    // `is none`, `is true` and `is false` are tests too, though their names lex as literals.
    const literalTest = name?.type === 'none' ? 'none' : name?.type === 'boolean' ? String(name.value).toLowerCase() : undefined;
    if (name === null || (name.type !== 'symbol' && literalTest === undefined)) this.fail('expected the name of a test after "is"', name?.lineno, name?.colno);
    this.nextToken();
    // A test by its full name: `is ansible.builtin.failed`.
    let fullName = literalTest ?? name.value;
    while (peek(this)?.type === 'operator' && peek(this)?.value === '.') {
      this.nextToken();
      const part = this.nextToken() as { type: string; value: string } | null;
      if (part?.type !== 'symbol') this.fail('expected the rest of the test name after "."', name.lineno, name.colno);
      fullName += `.${part.value}`;
    }
    const { Symbol: SymbolNode, FunCall, NodeList } = internals.nodes;
    const callee = new SymbolNode(name.lineno, name.colno, fullName);
    const next = peek(this);
    let test: NunjucksNode = callee;
    if (next?.type === 'left-paren') test = this.parsePostfix(callee);
    else if (next !== null && (STARTS_ARGUMENT.has(next.type) || (next.type === 'symbol' && !ENDS_TEST.has(next.value)))) {
      const argument = this.parsePrimary() as NunjucksNode;
      test = new FunCall(name.lineno, name.colno, callee, new NodeList(name.lineno, name.colno, [argument]));
    }
    const tested = new internals.nodes.Is(node.lineno, node.colno, node, test);
    return negated ? new internals.nodes.Not(node.lineno, node.colno, tested) : tested;
  }
  parserPrototype.parseFilter = function (this: ParserInternals, node: NunjucksNode) {
    for (;;) {
      const next = peek(this);
      if (next?.type === 'pipe') node = parseFilters.call(this, node);
      else if (next?.type === 'symbol' && next.value === 'is') node = parseTest.call(this, node);
      else return node;
    }
  };
}

/**
 * `(…)`, `[…]` and `{…}` as Jinja2 parses them, where nunjucks' parseAggregate differs: a dict
 * key is any expression (`{key: 1}` keys on the variable's value, `{item.name: …}` as
 * Kolla-Ansible writes; nunjucks takes a bare name as the key's text and refuses the rest), and
 * a trailing comma is allowed (`{'dns': 2, 'ip': 1,}` in Kubespray's openssl.conf.j2; `(x,)`
 * is a tuple of one).
 */
function parseJinjaAggregate(this: ParserInternals): NunjucksNode | null {
  const tok = this.nextToken() as { type: string; lineno: number; colno: number };
  const { Group, Array: ArrayNode, Dict, Pair } = internals.nodes;
  const node =
    tok.type === 'left-paren'
      ? new Group(tok.lineno, tok.colno)
      : tok.type === 'left-bracket'
        ? new ArrayNode(tok.lineno, tok.colno)
        : tok.type === 'left-curly'
          ? new Dict(tok.lineno, tok.colno)
          : null;
  if (node === null) return null;
  const children = node.children as NunjucksNode[];
  const closes = () => ['right-paren', 'right-bracket', 'right-curly'].includes(this.peekToken().type);
  while (!closes()) {
    if (children.length > 0) {
      if (!this.skip('comma')) this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
      if (closes()) {
        node.trailingComma = true;
        break;
      }
    }
    if (node.typename === 'Dict') {
      const key = this.parseExpression();
      if (!this.skip('colon')) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
      const pair = new Pair(key.lineno, key.colno, key, this.parseExpression());
      pair.computedKey = true;
      children.push(pair);
    } else children.push(this.parseExpression());
  }
  this.nextToken();
  return node;
}

{
  const parserPrototype = (require('nunjucks/src/parser.js') as { Parser: { prototype: { parseAggregate: (this: ParserInternals) => NunjucksNode | null } } })
    .Parser.prototype;
  parserPrototype.parseAggregate = function (this: ParserInternals) {
    // The state before the opening bracket, which the index parse consumed.
    // (With the lexer's count of open brackets, which counts that one: see the lexer above.)
    const brackets = this.tokens.houndBrackets ?? 0;
    const before = { index: this.tokens.index - 1, lineno: this.tokens.lineno, colno: this.tokens.colno - 1, houndBrackets: Math.max(0, brackets - 1) };
    try {
      return parseJinjaAggregate.apply(this);
    } catch (err) {
      const failedAt = { index: this.tokens.index, lineno: this.tokens.lineno, colno: this.tokens.colno, houndBrackets: this.tokens.houndBrackets };
      const rethrow = () => {
        Object.assign(this.tokens, failedAt);
        return err;
      };
      Object.assign(this.tokens, before);
      this.peeked = false;
      const open = this.peekToken();
      if (open.type !== 'left-bracket') throw rethrow();
      this.nextToken();
      const slice: Record<string, NunjucksNode | null> = { start: null, stop: null, step: null };
      let isSlice = false;
      for (const field of ['start', 'stop', 'step', undefined]) {
        if (this.skip('right-bracket')) break;
        if (field === undefined) {
          if (isSlice) this.fail('too many slice components', open.lineno, open.colno);
          break;
        }
        if (this.skip('colon')) {
          isSlice = true;
          continue;
        }
        slice[field] = this.parseExpression();
        isSlice = this.skip('colon') || isSlice;
      }
      if (!isSlice) throw rethrow();
      const { Literal, Array: ArrayNode } = internals.nodes;
      const part = (node: NunjucksNode | null) => node ?? new Literal(open.lineno, open.colno, null);
      return new ArrayNode(open.lineno, open.colno, [new SliceNode(open.lineno, open.colno, part(slice.start), part(slice.stop), part(slice.step))]);
    }
  };
}

/** Python's `value[start:stop:step]` of a string or a list (CPython's PySlice_AdjustIndices). */
function pythonSlice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (value instanceof UndefinedValue) value.fail();
  for (const part of [start, stop, step]) if (part instanceof UndefinedValue) part.fail();
  const index = (part: unknown): number | null => {
    if (part === null || part === undefined) return null;
    if (typeof part === 'boolean') return part ? 1 : 0;
    if (typeof part === 'number' && Number.isInteger(part)) return part;
    throw new HoundError('TEMPLATE_ERROR', `slice indices must be integers or None, not ${pythonStr(part)}`, EXIT.PARSE);
  };
  const by = index(step) ?? 1;
  if (by === 0) throw new HoundError('TEMPLATE_ERROR', 'slice step cannot be zero', EXIT.PARSE);
  const items: unknown[] | undefined = typeof value === 'string' ? Array.from(value) : Array.isArray(value) ? value : undefined;
  if (items === undefined)
    throw new HoundError('TEMPLATE_ERROR', `a ${value === null ? 'None' : isPlainObject(value) ? 'dict' : typeof value} cannot be sliced`, EXIT.PARSE);
  const length = items.length;
  const [lower, upper] = by < 0 ? [-1, length - 1] : [0, length];
  const clamp = (at: number | null, otherwise: number) => (at === null ? otherwise : at < 0 ? Math.max(at + length, lower) : Math.min(at, upper));
  const from = clamp(index(start), by < 0 ? upper : lower);
  const to = clamp(index(stop), by < 0 ? lower : upper);
  const out: unknown[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(items[i]);
  spendSteps(out.length, 'a slice');
  return typeof value === 'string' ? out.join('') : out;
}

const tests = buildTests();
const filters = buildFilters((name, value, args) => {
  const test = Object.hasOwn(tests, name) ? tests[name] : undefined;
  if (!test) throw missingTestError(name);
  return test(value, ...args) === true;
});
/**
 * Jinja2's filter and test tests: whether hound has a filter or test of that name. Ansible's
 * tables answer true or fail: a name they have not is its TemplateSyntaxError, a name that is
 * not text its ValueError.
 */
function namedIn(kind: 'filter' | 'test', table: Record<string, TemplateFunction>, missing: (name: string) => HoundError): TemplateFunction {
  return (value: unknown, ...rest: unknown[]) => {
    bindArguments(`test_${kind}`, rest, {}, 2);
    if (value instanceof UndefinedValue) value.fail();
    if (typeof value !== 'string') throw pythonError('ValueError', `key must be a string, got <class '${pythonTypeName(value)}'> instead`);
    if (!Object.hasOwn(table, value)) throw missing(value);
    return true;
  };
}
tests.filter = namedIn('filter', filters, (name) => missingFilterError(name));
tests.test = namedIn('test', tests, (name) => missingTestError(name));

const environment = new nunjucks.Environment([], { autoescape: false });
for (const name of Object.keys((environment as unknown as { globals: object }).globals))
  delete (environment as unknown as { globals: Record<string, unknown> }).globals[name];
for (const [name, filter] of Object.entries(filters)) {
  const strict = name === 'default' || name === 'd' || name === 'mandatory';
  environment.addFilter(name, (value: unknown, ...args: unknown[]) => {
    if (!strict && value instanceof UndefinedValue) value.fail();
    for (const arg of args) if (arg instanceof UndefinedValue) arg.fail();
    spendSteps(1, `filter '${name}'`);
    const out = filter(value, ...args);
    if (typeof out === 'string') spendCharacters(out.length);
    else if (Array.isArray(out)) spendSteps(out.length, `filter '${name}'`);
    return out;
  });
}
for (const [name, test] of Object.entries(tests)) {
  (environment as unknown as { addTest(n: string, f: TemplateFunction): void }).addTest(name, test);
}
// nunjucks' own filters and test that Jinja2 has not: Ansible fails on them, and so does hound.
for (const name of ['dump', 'nl2br']) delete environmentTables().filters[name];
delete environmentTables().tests.null;
// Filter and test names come from templates: `x | constructor` must not reach Object.prototype.
for (const table of [environmentTables().filters, environmentTables().tests]) Object.setPrototypeOf(table, null);
/** The environment's filters and tests by name (nunjucks' builtins among them, those hound does not override). */
function environmentTables(): { filters: Record<string, unknown>; tests: Record<string, unknown> } {
  return environment as unknown as { filters: Record<string, unknown>; tests: Record<string, unknown> };
}

/** The filter the native-value wrapper uses to hand the expression's value back to us. */
environment.addFilter('__hound_capture', function (this: RenderContext, value: unknown) {
  refuseMethodValue(value);
  this.captured = value;
  return '';
});

/** What namespace() made: the only objects `{% set x.attr = … %}` may assign to. */
const namespaces = new WeakSet<object>();

const globals: Record<string, unknown> = {
  True: true,
  False: false,
  None: null,
  omit: OMIT,
  range: allow((...args: unknown[]) => {
    for (const arg of args) if (isPythonFloat(arg)) throw pythonError('TypeError', "'float' object cannot be interpreted as an integer (range())");
    const [start, stop, step = 1] = (args.length === 1 ? [0, args[0]] : args).map(Number);
    if (step === 0) throw new HoundError('TEMPLATE_ERROR', 'range() step must not be zero', EXIT.PARSE);
    if (![start, stop, step].every(Number.isFinite)) throw new HoundError('TEMPLATE_ERROR', 'range() takes whole numbers', EXIT.PARSE);
    // Counted before anything is built: range(10**12) must not allocate first.
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (count > 100_000) throw new HoundError('TEMPLATE_TOO_EXPENSIVE', `range() of ${count} items, more than 100000`, EXIT.PARSE);
    spendSteps(count, 'range()');
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(start + i * step);
    return out;
  }),
  // Called by the rewritten syntax tree (see jinjaSemantics): Python truthiness, strict undefined.
  __hound_truthy: allow((value: unknown) => pythonTruthy(value)),
  // `count`: how many names the loop unpacks each item into (`{% for k, v in pairs %}`), when more than one.
  __hound_iterable: allow((value: unknown, count?: unknown) => {
    if (value instanceof UndefinedValue) value.fail();
    const size = Array.isArray(value) || typeof value === 'string' ? value.length : isPlainObject(value) ? Object.keys(value).length : 0;
    spendSteps(size, 'a for loop');
    // Python iterates a dict's keys (`{% for name in users %}`); nunjucks ran no pass at all over one
    // loop variable, and gave key and value to two (which Jinja2 unpacks from each key).
    if (!Array.isArray(value) && typeof value !== 'string' && !isPlainObject(value))
      throw pythonError('TypeError', `'${pythonTypeName(value)}' object is not iterable (a for loop)`);
    const items = isPlainObject(value) ? Object.keys(value) : value;
    return typeof count === 'number' ? iterableItems('for', items).map((item) => unpack(item, count)) : items;
  }),
  // loop.cycle(…) for the pass at `index` (jinjaLoopVariables).
  __hound_loop_cycle: allow((index: unknown) =>
    allow((...items: unknown[]) => {
      if (items.length === 0) throw pythonError('TypeError', 'no items for cycling given (loop.cycle())');
      return items[(index as number) % items.length];
    }),
  ),
  // loop.changed(…) for one run of a loop: true at its first call and whenever its arguments differ from the last call's.
  __hound_loop_changed: allow(() => {
    let last: unknown[] | undefined;
    return allow((...value: unknown[]) => {
      if (last !== undefined && pythonEqual(last, value)) return false;
      last = value;
      return true;
    });
  }),
  // Python's arithmetic where JavaScript's differs in a way that hides a mistake or costs without bound.
  __hound_concat: allow((left: unknown, right: unknown) => {
    // Jinja2's ~ is str() of each side: None is 'None' (JavaScript's undefined, a missing value, stays '').
    const out = pythonStr(left === undefined ? '' : left) + pythonStr(right === undefined ? '' : right);
    spendCharacters(out.length);
    return out;
  }),
  __hound_slice: allow(pythonSlice),
  // Each link of a chain in turn; unlike Python, every operand of a chain is evaluated before the first link is compared.
  __hound_compare: allow((...chain: unknown[]) => {
    for (let i = 1; i < chain.length; i += 2) if (!pythonCompare(chain[i - 1], chain[i] as string, chain[i + 1])) return false;
    return true;
  }),
  __hound_add: allow((left: unknown, right: unknown) => {
    if (Array.isArray(left) && Array.isArray(right)) {
      spendSteps(left.length + right.length, 'list +');
      const joined = (left as unknown[]).concat(right as unknown[]);
      // Two tuples join into a tuple. (A tuple and a list are Python's TypeError; here a list,
      // since a tuple read back from a variable may have come through as a list.)
      return isTuple(left) && isTuple(right) ? markTuple(joined) : ownValue(joined);
    }
    failUndefined(left, right);
    if (typeof left === 'string' && typeof right === 'string') {
      spendCharacters(left.length + right.length);
      return left + right;
    }
    const timed = dateTimeArithmetic('+', left, right);
    if (timed !== undefined) return timed;
    // Python's + adds numbers and joins two strings or two lists; a string and a number is its TypeError (JavaScript joined them).
    if (!isPythonNumber(left) || !isPythonNumber(right)) throw operandError('+', left, right);
    return arithmetic(Number(left) + Number(right), left, right);
  }),
  __hound_neg: allow((operand: unknown) => unary('-', operand)),
  __hound_pos: allow((operand: unknown) => unary('+', operand)),
  __hound_sub: allow((left: unknown, right: unknown) => {
    failUndefined(left, right);
    const timed = dateTimeArithmetic('-', left, right);
    if (timed !== undefined) return timed;
    if (!isPythonNumber(left) || !isPythonNumber(right)) throw operandError('-', left, right);
    return arithmetic(Number(left) - Number(right), left, right);
  }),
  __hound_pow: allow((left: unknown, right: unknown) => {
    failUndefined(left, right);
    if (!isPythonNumber(left) || !isPythonNumber(right)) throw operandError('** or pow()', left, right);
    const [base, exponent] = [Number(left), Number(right)];
    if (base === 0 && exponent < 0) throw pythonError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    const out = Math.pow(base, exponent);
    if (Number.isNaN(out)) throw new HoundError('TEMPLATE_UNSUPPORTED', `${base} ** ${exponent} is a complex number, which hound does not compute`, EXIT.PARSE);
    if (!Number.isFinite(out))
      throw new HoundError('TEMPLATE_UNSUPPORTED', `${base} ** ${exponent} is larger than hound's numbers hold (about 1.8e308)`, EXIT.PARSE);
    // An int to a negative int power is a float in Python (2 ** -1 is 0.5, 1 ** -1 is 1.0).
    return exponent < 0 ? pythonFloat(out) : arithmetic(out, left, right);
  }),
  // Python's *: a str or list times an int repeats it (JavaScript gave NaN, rendered as '', and
  // `[1] * 2` gave 2); numbers multiply; anything else fails as Python's TypeError does.
  __hound_mul: allow((left: unknown, right: unknown) => {
    failUndefined(left, right);
    const timed = dateTimeArithmetic('*', left, right);
    if (timed !== undefined) return timed;
    const isInt = (v: unknown): v is number | boolean => typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
    const [sequence, times] = typeof left === 'string' || Array.isArray(left) ? [left, right] : [right, left];
    if (typeof sequence === 'string' || Array.isArray(sequence)) {
      if (!isInt(times)) throw pythonError('TypeError', `can't multiply sequence by non-int of type '${typeof times}'`);
      const count = Math.max(0, Number(times));
      if (typeof sequence === 'string') {
        spendCharacters(sequence.length * count);
        return sequence.repeat(count);
      }
      spendSteps(sequence.length * count, 'list *');
      const out: unknown[] = [];
      for (let i = 0; i < count; i++) out.push(...(sequence as unknown[]));
      return ownValue(out);
    }
    if (isPythonNumber(left) && isPythonNumber(right)) return arithmetic(Number(left) * Number(right), left, right);
    throw pythonError('TypeError', `unsupported operand type(s) for *: ${pythonStr(left)} and ${pythonStr(right)}`);
  }),
  // `{% set a, b = value %}`: value's items, exactly as many as names (Python's ValueError otherwise).
  __hound_unpack: allow((value: unknown, count: unknown) => unpack(value, Number(count))),
  // Jinja2's namespace(): an object whose attributes `{% set ns.x = … %}` assigns, across loop scopes.
  namespace: allow((...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    const initial = positional[0];
    if (positional.length > 1 || (initial !== undefined && !isPlainObject(initial)))
      throw pythonError('TypeError', 'namespace() takes a dict and keyword arguments');
    const ns = ownValue({ ...initial, ...keywords });
    namespaces.add(ns);
    return ns;
  }),
  __hound_namespace_set: allow((ns: unknown, attribute: unknown, value: unknown) => {
    if (ns instanceof UndefinedValue) ns.fail();
    if (ns === null || typeof ns !== 'object' || !namespaces.has(ns))
      throw new HoundError('TEMPLATE_ERROR', `cannot assign attribute on non-namespace object (set ….${pythonStr(attribute)})`, EXIT.PARSE, {
        hint: 'make it with namespace(): {% set ns = namespace(found=false) %} … {% set ns.found = true %}',
      });
    (ns as Record<string, unknown>)[pythonStr(attribute)] = value;
    return null;
  }),
  // Jinja2's joiner(sep): a function that gives '' at its first call and sep after (`{{ comma() }}{{ x }}` in a loop).
  joiner: allow((...args: unknown[]) => {
    const [sep = ', '] = args;
    let used = false;
    return allow(() => {
      if (!used) {
        used = true;
        return '';
      }
      return sep;
    });
  }),
  // Jinja2's cycler(a, b, …): next() gives each item in turn, round again; reset() starts over; current is the next one.
  cycler: allow((...items: unknown[]) => {
    if (items.length === 0) throw pythonError('RuntimeError', 'at least one item has to be provided (cycler())');
    let position = 0;
    const cycler: Record<string, unknown> = { current: items[0] };
    // Its methods are not among its items: printed, it shows `current` only.
    Object.defineProperties(cycler, {
      next: {
        value: allow(() => {
          const item = items[position];
          position = (position + 1) % items.length;
          cycler.current = items[position];
          return item;
        }),
      },
      reset: {
        value: allow(() => {
          position = 0;
          cycler.current = items[0];
          return null;
        }),
      },
    });
    return cycler;
  }),
  // Python's dict(): `dict(a=1)`, `dict(keys | zip(values))`, `dict(d, extra=1)`.
  // Ansible's now(utc=False, fmt=None): a datetime (python-datetime.ts), or its strftime(fmt).
  now: allow(pythonNow),
  dict: allow((...args: unknown[]) => {
    const { positional, keywords } = splitArguments(args);
    failUndefined(...positional, ...Object.values(keywords));
    if (positional.length > 1) throw pythonError('TypeError', `dict expected at most 1 argument, got ${positional.length}`);
    const made: Record<string, unknown> = {};
    if (positional.length === 1) updateDict(made, positional[0], 'dict()');
    return ownValue(Object.assign(made, keywords));
  }),
  __hound_div: allow((left: unknown, right: unknown) => divide(left, right, '/')),
  __hound_floordiv: allow((left: unknown, right: unknown) => divide(left, right, '//')),
  __hound_mod: allow((left: unknown, right: unknown) => (typeof left === 'string' ? percentFormat(left, right) : divide(left, right, '%'))),
  // Image lookups (playbooks/warmup-from-*.yml): read files on the controller, like
  // Ansible's lookups; relative paths are taken from the playbook's folder.
  images_from_compose: allow(function (this: RenderContext, paths: unknown, options?: unknown) {
    return imagesFromCompose(paths, { baseDir: lookupBaseDir(this) }, composeLookupOptions(options));
  }),
  images_from_k8s: allow(function (this: RenderContext, paths: unknown) {
    return imagesFromK8s(paths, { baseDir: lookupBaseDir(this) });
  }),
  lookup: allow(function (this: RenderContext, plugin: unknown, ...args: unknown[]) {
    return runLookup(this, plugin, args, false);
  }),
  query: allow(function (this: RenderContext, plugin: unknown, ...args: unknown[]) {
    return runLookup(this, plugin, args, true);
  }),
};
globals.q = globals.query;

/** A lookup plugin's short name: `ansible.builtin.vars` and `ansible.legacy.vars` are `vars`. */
function lookupPluginName(plugin: unknown): string {
  return typeof plugin === 'string' ? plugin.replace(/^ansible\.(builtin|legacy)\./, '') : '';
}

/** True while withoutLookups runs a render: lookup() and query() then fail, as under Ansible's disable_lookups. */
let lookupsDisabled = false;

/**
 * Runs `render` with lookups disabled, as Ansible's inventory plugins compose their
 * expressions (Constructable._compose): a lookup there fails, and the plugin skips the
 * expression or, when strict, stops.
 */
export function withoutLookups<T>(render: () => T): T {
  const outer = lookupsDisabled;
  lookupsDisabled = true;
  try {
    return render();
  } finally {
    lookupsDisabled = outer;
  }
}

/** The warnings of the renders collectTemplateWarnings runs now; undefined outside one. */
let warningSink: string[] | undefined;

/**
 * Runs `render` (rendering is synchronous) and returns what it rendered with the warnings it
 * gave (a lookup with `errors='warn'` that failed), for the task's result to carry, as
 * Ansible prints them with the task's.
 */
export function collectTemplateWarnings<T>(render: () => T): { value: T; warnings: string[] } {
  const outer = warningSink;
  const warnings: string[] = [];
  warningSink = warnings;
  try {
    return { value: render(), warnings };
  } finally {
    warningSink = outer;
  }
}

/** Adds warnings to the collecting render's; outside one, errors='warn' is refused (a warning must not be lost). */
function passWarnings(warnings: readonly string[]): void {
  if (warningSink === undefined) throw warnOutsideTask();
  warningSink.push(...warnings);
}

function warnOutsideTask(): HoundError {
  return new HoundError(
    'TEMPLATE_UNSUPPORTED',
    "lookup(): errors='warn' is supported in a task's values only (hound has no place to print the warning here)",
    EXIT.PARSE,
    {
      hint: "use errors='ignore' here, or move the lookup into a task",
    },
  );
}

/**
 * Ansible's lookup() and query(): the plugin's list of results (lookup-plugins.ts), which
 * lookup() turns into text joined with commas when every result is text, the one result itself
 * when there is one, and the list otherwise (Templar._lookup); query() keeps the list.
 * `errors='ignore'` makes a failed lookup None (query(): an empty list), as Ansible's does;
 * `errors='warn'` too, with Ansible's warning in the task's result.
 */
function runLookup(context: RenderContext, plugin: unknown, args: unknown[], query: boolean): unknown {
  // Ansible's words (Templar._fail_lookup, which takes lookup's place under disable_lookups): whatever its errors= says.
  if (lookupsDisabled)
    throw new HoundError('TEMPLATE_ERROR', `The lookup \`${String(plugin)}\` was found, however lookups were disabled from templating`, EXIT.PARSE);
  const { positional: terms, keywords } = splitArguments(args);
  // allow_unsafe is the templar's, not the plugin's: as Ansible's, only `False` (its default) makes the result data.
  const { wantlist, errors = 'strict', allow_unsafe: allowUnsafe = false, ...options } = keywords;
  const listed = query || wantlist === true;
  if (errors !== 'strict' && errors !== 'ignore' && errors !== 'warn')
    throw new HoundError('TEMPLATE_UNSUPPORTED', `lookup(): errors=${pythonRepr(errors)} is not supported`, EXIT.PARSE, {
      hint: "errors='strict' (the default) fails the task; errors='warn' and errors='ignore' make a failed lookup None, with a warning or without",
    });
  if (errors === 'warn' && warningSink === undefined) throw warnOutsideTask();
  for (const term of terms) if (term instanceof UndefinedValue) term.fail();
  const name = lookupPluginName(plugin);
  let results: unknown[];
  try {
    results = runLookupPlugin(name === '' ? String(plugin) : name, terms, options, lookupContextOf(context));
  } catch (err) {
    // Ansible re-raises an undefined variable and a refused option whatever errors= says.
    const ignorable = err instanceof HoundError && !['UNDEFINED_VARIABLE', 'TEMPLATE_UNSUPPORTED'].includes(err.code);
    if (errors !== 'strict' && ignorable) {
      if (errors === 'warn') {
        // Ansible's words; its lookups fail with AnsibleError or a subclass of it.
        passWarnings([
          `An unhandled exception occurred while running the lookup plugin '${name === '' ? String(plugin) : name}'. Error was a <class 'ansible.errors.AnsibleError'>, original message: ${err.message}`,
        ]);
      }
      return listed ? [] : null;
    }
    throw err;
  }
  // What a lookup returns is data, as Ansible wraps it unsafe: a file's `{{ x }}` kept by set_fact stays text.
  if (results.length > 0 && allowUnsafe === false) dataReads++;
  // Ansible joins the results only on that path: with allow_unsafe they stay a list (`['42']` in a string).
  if (listed || allowUnsafe !== false) return results;
  if (results.length > 0 && results.every((r) => typeof r === 'string')) return results.join(',');
  return results.length === 1 ? results[0] : results;
}

/** What a lookup sees: the task's search path (`ansible_search_path`, else the playbook's folder) and its variables. */
function lookupContextOf(context: RenderContext, subdir = 'files'): LookupContext {
  const basedir = lookupBaseDir(context);
  const searchPath = context.vars.ansible_search_path;
  return {
    searchPath: Array.isArray(searchPath) && searchPath.every((p) => typeof p === 'string') ? searchPath : [basedir],
    basedir,
    subdir,
    variable: (name) => (Object.hasOwn(context.vars, name) ? { value: context.lookupVariable(name) } : undefined),
    variableNames: () => Object.keys(context.vars),
    renderTemplate: (file, term, extra, convertData) =>
      nested(`lookup('template', '${term}')`, () => {
        const vars = { ...context.vars, ...templateFileVariables(term, file, context.vars), ...extra };
        // Included files are found as the lookup finds them: the template's own folder, then each search path folder's templates/ and itself.
        const includePath = [
          path.dirname(file),
          ...(Array.isArray(searchPath) ? (searchPath as string[]) : []).flatMap((dir) => [path.join(dir, 'templates'), dir]),
        ];
        const text = renderTemplateFile(readControllerText(file, 'template'), vars, includePath);
        return convertData ? ansibleTextResult(text) : text;
      }),
    // Outside a task's values (a play's vars, its hosts) there is no line to print it with: the
    // lookup's result or failure says the same.
    warn: (message) => void warningSink?.push(message),
  };
}

/** The items of a loop (`loop:`, or a `with_<lookup>:` over its rendered value) with a task's variables; `subdir`: where first_found looks. */
export function loopItemsFor(kind: string, value: unknown, vars: Vars, subdir = 'files'): unknown[] {
  return withTemplateBudget(() => loopItems(kind, value, lookupContextOf(new RenderContext(vars), subdir)));
}

/** Python's unpacking of one value into `count` names (`{% set a, b = pair %}`, `{% for k, v in pairs %}`). */
function unpack(value: unknown, count: number): unknown[] {
  if (value instanceof UndefinedValue) value.fail();
  const items = iterableItems('unpack', value);
  if (items.length !== count)
    throw pythonError('ValueError', `${items.length < count ? 'not enough' : 'too many'} values to unpack (expected ${count}, got ${items.length})`);
  return items;
}

/** An operator's operands: an undefined one fails, naming the variable. */
function failUndefined(...operands: unknown[]): void {
  for (const operand of operands) if (operand instanceof UndefinedValue) operand.fail();
}

/** Python's unary - and +: numbers only (`-'a'` is a TypeError; JavaScript made it NaN, printed as nothing). */
function unary(op: '-' | '+', operand: unknown): unknown {
  failUndefined(operand);
  const delta = timeDeltaUnary(op, operand);
  if (delta !== undefined) return delta;
  if (!isPythonNumber(operand)) throw pythonError('TypeError', `bad operand type for unary ${op}: '${pythonTypeName(operand)}'`);
  return arithmetic(op === '-' ? -Number(operand) : Number(operand), operand, operand);
}

/** An arithmetic result of Python's kind: a float when either operand is one (1 + 1.0 is 2.0), else an int. */
function arithmetic(result: number, left: unknown, right: unknown): number | PythonFloat {
  return isPythonFloat(left) || isPythonFloat(right) ? pythonFloat(result) : result;
}

function operandError(op: string, left: unknown, right: unknown): HoundError {
  return pythonError('TypeError', `unsupported operand type(s) for ${op}: '${pythonTypeName(left)}' and '${pythonTypeName(right)}'`);
}

/** `/`, `//` and `%` as Python computes them: a zero divisor is ZeroDivisionError (Ansible fails the task), never Infinity or NaN. */
function divide(left: unknown, right: unknown, op: '/' | '//' | '%'): unknown {
  failUndefined(left, right);
  const timed = dateTimeArithmetic(op, left, right);
  if (timed !== undefined) return timed;
  if (!isPythonNumber(left) || !isPythonNumber(right)) throw operandError(op, left, right);
  const a = Number(left);
  const b = Number(right);
  if (b === 0) {
    // Python's words, which differ when either side is a float.
    const float = isPythonFloat(left) || isPythonFloat(right);
    const what = float
      ? { '/': 'float division by zero', '//': 'float floor division by zero', '%': 'float modulo' }[op]
      : { '/': 'division by zero', '//': 'integer division or modulo by zero', '%': 'integer modulo by zero' }[op];
    throw pythonError('ZeroDivisionError', what, 'guard the division, e.g. {{ (a / b) if b else 0 }}');
  }
  // Python's / always gives a float (4 / 2 is 2.0); // and % give ints for ints.
  if (op === '/') return pythonFloat(a / b);
  if (op === '//') return arithmetic(Math.floor(a / b), left, right);
  // Python's % takes the sign of the divisor.
  return arithmetic(((a % b) + b) % b, left, right);
}

function lookupBaseDir(context: RenderContext): string {
  const dir = context.lookup('playbook_dir');
  return typeof dir === 'string' ? dir : process.cwd();
}

/** The per-render state nunjucks' compiled code talks to (in place of its own Context). */
class RenderContext {
  captured: unknown = undefined;
  /** A template file's render (renderTemplateFile): where `{% include %}` finds files, and its options; undefined elsewhere. */
  file?: FileRender;
  private locals?: Map<string, unknown>;
  /** With `copies`, each variable read is the render's own copy, the same one at each read (a template that changes values in place). */
  constructor(
    readonly vars: Vars,
    private readonly copies?: Map<string, unknown>,
  ) {}

  lookup(name: string): unknown {
    if (this.locals?.has(name)) return this.locals.get(name);
    if (Object.hasOwn(this.vars, name)) return this.lookupVariable(name);
    if (Object.hasOwn(globals, name)) return globals[name];
    return new UndefinedValue(`'${name}'`, Object.hasOwn(this.vars, 'ansible_facts'));
  }
  /** A play's variable, rendered (one of `vars`). */
  lookupVariable(name: string): unknown {
    if (this.copies === undefined) return resolveVariable(this.vars, name);
    if (!this.copies.has(name)) this.copies.set(name, ownedCopy(resolveVariable(this.vars, name)));
    return this.copies.get(name);
  }
  setVariable(name: string, value: unknown): void {
    (this.locals ??= new Map()).set(name, value);
  }
  getVariables(): Vars {
    return { ...this.vars, ...Object.fromEntries(this.locals ?? []) };
  }
  /** The names a template exports (its top-level macros and `{% set %}`s), for `{% import %}`. */
  exported?: Set<string>;
  addExport(name: string): void {
    (this.exported ??= new Set()).add(name);
  }
  /** What `{% import %}` binds: each exported name with its value, as Jinja2's TemplateModule has them. */
  exports(): Record<string, unknown> {
    return Object.fromEntries([...(this.exported ?? [])].map((name) => [name, this.locals?.get(name)]));
  }
  /** Each block's definitions, the most derived first (`{% extends %}`): nunjucks' Context.blocks. */
  private blocks?: Map<string, BlockFunction[]>;
  addBlock(name: string, block: BlockFunction): this {
    const list = (this.blocks ??= new Map<string, BlockFunction[]>()).get(name);
    if (list === undefined) this.blocks.set(name, [block]);
    else if (!list.includes(block)) list.push(block);
    return this;
  }
  /** The blocks a compiled template defines, added as its render starts (the template's own come before a parent's). */
  addBlocksOf(root: RootRenderFunction): void {
    for (const [name, block] of Object.entries(templateBlocks.get(root) ?? {})) this.addBlock(name, block);
  }
  getBlock(name: string): BlockFunction {
    const block = this.blocks?.get(name)?.[0];
    if (block === undefined) throw new HoundError('TEMPLATE_ERROR', `unknown block '${name}'`, EXIT.PARSE);
    return block;
  }
  /** `{{ super() }}`: the definition after `block` of the block `name`. */
  getSuper(env: unknown, name: string, block: BlockFunction, frame: unknown, runtime: unknown, cb: (err: unknown, out?: string) => void): void {
    const list = this.blocks?.get(name) ?? [];
    const next = list[list.indexOf(block) + 1];
    if (!list.includes(block) || next === undefined) throw new HoundError('TEMPLATE_ERROR', `no parent block '${name}' for super()`, EXIT.PARSE);
    next(env, this, frame, runtime, cb);
  }
}

/**
 * Values made while the run goes (what `register` stores: a command's output, a node's
 * answers): as Ansible's unsafe values, never rendered again when read, so text from a node
 * that looks like a template (`{{ ... }}` in a container's labels, Go templates in a
 * command line) is data, and cannot run as a template on the controller.
 */
const runTimeValues = new WeakSet<object>();

/** Whether any value was marked yet: until one is (a compile), no object is looked up. */
let anyRunTimeValue = false;

/** Marks a registered result as data: reading it never renders what it holds. */
export function markRunTimeValue<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    runTimeValues.add(value);
    anyRunTimeValue = true;
  }
  return value;
}

function isRunTimeValue(value: unknown): boolean {
  return anyRunTimeValue && value !== null && typeof value === 'object' && runTimeValues.has(value);
}

/**
 * How many times rendering has read data (a run-time value, an UnsafeText): a render that read
 * some made data of what it returns, as Ansible's templar marks a result unsafe when its context
 * read an unsafe value. Storing sites (set_fact, a loop's items) keep such a result as data.
 */
let dataReads = 0;

/** A value the run stores as data: text that looks like a template boxed, a list or a mapping marked. */
export function asData(value: unknown): unknown {
  if (typeof value === 'string') return unsafeText(value);
  return markRunTimeValue(value);
}

/**
 * A loop's items as its variable holds them. A with_* loop's are a lookup plugin's results, which
 * Ansible always makes unsafe (`with_items: ["{{ '{{' }} x }}"]` gives the text `{{ x }}`); a
 * `loop:`'s are data only when its value read some (a registered result, `!unsafe` text).
 */
export function itemsAsStored(kind: string, items: unknown[], readData: boolean): unknown[] {
  return kind !== 'loop' || readData ? items.map(asData) : items;
}

/** Runs `work` (a render) and says whether it read data. */
export function readsData<T>(work: () => T): { value: T; data: boolean } {
  const before = dataReads;
  const value = work();
  return { value, data: dataReads > before };
}

/**
 * Variables whose values are templates are rendered when first read, once per vars object;
 * the warnings a rendering gave are given again at each read, as Ansible renders at each use.
 */
const resolvedVariables = new WeakMap<Vars, Map<string, { value: unknown; warnings: readonly string[]; data: boolean }>>();
const NO_WARNINGS: readonly string[] = Object.freeze([]);
/** Variables being resolved right now (rendering is synchronous), to catch self-reference. */
const resolving = new Set<string>();

function resolveVariable(vars: Vars, name: string): unknown {
  const raw = vars[name];
  if (raw instanceof UnsafeText) {
    dataReads++;
    return raw.text;
  }
  if (isRunTimeValue(raw)) {
    dataReads++;
    return raw;
  }
  if (!containsTemplate(raw)) return raw;
  let cache = resolvedVariables.get(vars);
  const cached = cache?.get(name);
  if (cached !== undefined) {
    if (cached.warnings.length > 0) passWarnings(cached.warnings);
    if (cached.data) dataReads++;
    return cached.value;
  }
  if (resolving.has(name)) {
    throw new HoundError('TEMPLATE_RECURSION', `variable '${name}' refers to itself (through ${[...resolving].join(' -> ')})`, EXIT.PARSE, {
      hint: 'a variable cannot be defined in terms of itself; give the new value another name',
    });
  }
  resolving.add(name);
  // The warnings its rendering adds to the collecting render's (outside one, errors='warn' is refused).
  const sink = warningSink;
  const from = sink?.length ?? 0;
  let value: unknown;
  const before = dataReads;
  // A variable is rendered as a template of its own: with lookups, even inside a render that
  // disables them (Ansible's AnsibleJ2Vars templates it anew; constructed's compose relies on it).
  const lookupsWere = lookupsDisabled;
  lookupsDisabled = false;
  try {
    value = nested(`variable '${name}'`, () => renderWith(raw, vars));
  } finally {
    resolving.delete(name);
    lookupsDisabled = lookupsWere;
  }
  const data = dataReads > before;
  const warnings = sink !== undefined && sink.length > from ? sink.slice(from) : NO_WARNINGS;
  if (!cache) {
    cache = new Map();
    resolvedVariables.set(vars, cache);
  }
  cache.set(name, { value, warnings, data });
  // A secret-named variable's value is a secret once rendered (`ansible_password: "{{ vault_pw }}"`).
  if (isSecretName(name)) registerSecretVariables(value, true);
  return value;
}

const safeRuntime: Record<string, unknown> = {
  ...internals.runtime,
  memberLookup: safeMemberLookup,
  __houndOwn: ownValue,
  __houndTuple: markTuple,
  __houndKey: dictKey,
  __houndFloat: pythonFloat,
  contextOrFrameLookup(context: RenderContext, frame: { lookup(name: string): unknown }, name: string): unknown {
    const local = frame.lookup(name);
    if (local === undefined) return context.lookup(name);
    if (typeof local === 'function' && !callable.has(local)) throw unsafeTemplateError(`access to '${name}'`);
    return local;
  },
  callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
    if (fn instanceof UndefinedValue) fn.fail();
    if (typeof fn !== 'function' || !callable.has(fn)) throw unsafeTemplateError(`call of '${name}', which is not a template function`);
    spendSteps(1, `a call of '${name}'`);
    return nested(`'${name}'`, () => (fn as TemplateFunction).apply(context, args));
  },
  makeMacro(...args: unknown[]): unknown {
    return allow((internals.runtime.makeMacro as (...a: unknown[]) => TemplateFunction)(...args));
  },
  /**
   * A macro called as Jinja2's Macro.__call__ takes its arguments (jinjaMacroCalls): parameters
   * by position, then by name; positional arguments past them are `varargs` and keywords that
   * name none of them `kwargs` when the body reads those names, and a TypeError otherwise
   * (nunjucks dropped them without a word). nunjucks' own function then gets its parameters as
   * it expects them: those without a default by position, the rest and `caller` as keywords.
   */
  __houndMacro(info: MacroInfo, argNames: string[], kwargNames: string[], body: (...a: unknown[]) => unknown): unknown {
    const params = [...argNames, ...kwargNames];
    return allow(function (this: unknown, ...callArgs: unknown[]) {
      const last = callArgs[callArgs.length - 1];
      const named = isPlainObject(last) && Object.hasOwn(last, '__keywords');
      const positional = named ? callArgs.slice(0, -1) : callArgs;
      const keywords: Record<string, unknown> = named ? { ...last } : {};
      delete keywords.__keywords;
      const given = new Map<string, unknown>();
      params.forEach((name, i) => {
        if (i < positional.length) given.set(name, positional[i]);
        else if (Object.hasOwn(keywords, name)) {
          given.set(name, keywords[name]);
          delete keywords[name];
        }
      });
      const caller = Object.hasOwn(keywords, 'caller') ? keywords.caller : undefined;
      delete keywords.caller;
      const unknown = Object.keys(keywords);
      if (unknown.length > 0 && !info.kwargs) throw pythonError('TypeError', `macro '${info.name}' takes no keyword argument '${unknown[0]}'`);
      if (positional.length > params.length && !info.varargs)
        throw pythonError('TypeError', `macro '${info.name}' takes not more than ${params.length} argument(s)`);
      const rest: Record<string, unknown> = {};
      for (const name of kwargNames) if (given.has(name)) rest[name] = given.get(name);
      if (caller !== undefined) rest.caller = caller;
      rest.__hound_varargs = markTuple(positional.slice(params.length));
      rest.__hound_kwargs = ownValue(keywords);
      // A parameter without a default that the call left out is undefined (Jinja2: "parameter 'b' was not provided").
      const values = argNames.map((name) => (given.has(name) ? given.get(name) : new UndefinedValue(`the macro parameter '${name}', not given,`)));
      // Jinja2's macro gives a str under Ansible (Markup only with autoescape on), which filters
      // read as text: `m() | from_yaml`. nunjucks gave its SafeString object.
      const out = body.apply(this, [...values, rest]);
      return out instanceof internals.runtime.SafeString ? String(out) : out;
    });
  },
  /**
   * `{% include name %}` (compileInclude below): the first of the names found on the template's
   * search path, rendered with the including template's variables and its locals (a loop's
   * variable too, as Jinja2's include sees them), its own `{% set %}` kept to itself.
   */
  __houndInclude(context: RenderContext, frame: { push(isolate: boolean): unknown }, names: unknown, ignoreMissing: boolean): string {
    if (names instanceof UndefinedValue) names.fail();
    const wanted = (Array.isArray(names) ? names : [names]).map((n) => pythonStr(n));
    const file = templateFileOf(context, wanted, 'include', ignoreMissing);
    if (file === undefined) return '';
    const root = compileTemplate(jinjaSource(readTemplateFile(file), context.file!.options), 'jinja');
    context.addBlocksOf(root);
    return nested(`include ${wanted[0]}`, () => callRoot(root, context, frame.push(true), `${file}: `));
  },
  /**
   * `{% import 'x.j2' as m %}` and `{% from 'x.j2' import a %}`: the file found as `{% include %}`
   * finds it, run in a context of its own (Jinja2's import sees no variables unless `with
   * context`), and its exports.
   */
  __houndImport(context: RenderContext, names: unknown, withContext: boolean): Record<string, unknown> {
    if (names instanceof UndefinedValue) names.fail();
    const wanted = (Array.isArray(names) ? names : [names]).map((n) => pythonStr(n));
    const file = templateFileOf(context, wanted, 'import', false) as string;
    const imported = new RenderContext(withContext ? context.getVariables() : {});
    imported.file = context.file;
    // A top-level frame, as nunjucks' own renders start with: its `{% set %}`s are exported.
    const frame = Object.assign(new internals.runtime.Frame(), { topLevel: true });
    const root = compileTemplate(jinjaSource(readTemplateFile(file), context.file!.options), 'jinja');
    imported.addBlocksOf(root);
    nested(`import ${wanted[0]}`, () => callRoot(root, imported, frame, `${file}: `));
    return imported.exports();
  },
  /**
   * `{% extends 'base.j2' %}`: the parent template, found as `{% include %}` finds it, whose root
   * renders once the child's has run (its blocks the child's where the child defines them).
   */
  __houndExtends(context: RenderContext, names: unknown): { rootRenderFunc: RootRenderFunction; blocks: Record<string, BlockFunction> } {
    if (names instanceof UndefinedValue) names.fail();
    const wanted = (Array.isArray(names) ? names : [names]).map((n) => pythonStr(n));
    const file = templateFileOf(context, wanted, 'extends', false) as string;
    const root = compileTemplate(jinjaSource(readTemplateFile(file), context.file!.options), 'jinja');
    return {
      rootRenderFunc: (env, ctx, frame, runtime, cb) => nested(`extends ${wanted[0]}`, () => root(env, ctx, frame, runtime, cb)),
      blocks: templateBlocks.get(root) ?? {},
    };
  },
  /** A name `{% from … import %}` asks for; one the template does not export is undefined, an error only when used (Jinja2's). */
  __houndImported(module: Record<string, unknown>, name: string, template: string): unknown {
    if (!Object.hasOwn(module, name)) return new UndefinedValue(`the name '${name}', which the template '${template}' does not export,`);
    return module[name];
  },
  suppressValue(value: unknown): string {
    if (value === null || value === undefined) return '';
    refuseMethodValue(value);
    const text = value instanceof internals.runtime.SafeString ? String(value) : pythonStr(value);
    spendCharacters(text.length);
    return text;
  },
  ensureDefined(value: unknown): unknown {
    if (value instanceof UndefinedValue) value.fail();
    return value;
  },
  inOperator(item: unknown, container: unknown): boolean {
    return pythonContains(container, item);
  },
  handleError(error: unknown, line: number, column: number): unknown {
    if (error instanceof HoundError) return error;
    return foreignTemplateError(error instanceof Error ? error.message : String(error), '', ` (template line ${line + 1}, column ${column + 1})`);
  },
};

type RootRenderFunction = (env: unknown, context: RenderContext, frame: unknown, runtime: unknown, callback: (err: unknown, out?: string) => void) => void;
/** A compiled `{% block %}` (nunjucks' b_NAME), called as the root is. */
type BlockFunction = (env: unknown, context: RenderContext, frame: unknown, runtime: unknown, cb: (err: unknown, out?: string) => void) => void;

/** The blocks each compiled template defines, by name. */
const templateBlocks = new WeakMap<RootRenderFunction, Record<string, BlockFunction>>();

const compiledTemplates = new Map<string, RootRenderFunction>();

function callNode(name: string, argument: NunjucksNode, ...more: NunjucksNode[]): NunjucksNode {
  const { FunCall, Symbol: SymbolNode, NodeList } = internals.nodes;
  return new FunCall(
    argument.lineno,
    argument.colno,
    new SymbolNode(argument.lineno, argument.colno, name),
    new NodeList(argument.lineno, argument.colno, [argument, ...more]),
  );
}

/** Binary operators that run as calls of ours (Python's semantics, the template budget). */
const OPERATOR_CALLS: Record<string, string> = {
  Concat: '__hound_concat',
  Add: '__hound_add',
  Sub: '__hound_sub',
  Pow: '__hound_pow',
  Div: '__hound_div',
  FloorDiv: '__hound_floordiv',
  Mod: '__hound_mod',
  Mul: '__hound_mul',
};

/**
 * Rewrites the syntax tree so that conditions follow Jinja2, not JavaScript: `not []` is
 * true, and `if`/`not`/`for` on an undefined variable fail (`and`/`or`: pythonBooleanOperators).
 */
function jinjaSemantics(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jinjaSemantics);
  if (!(node instanceof internals.nodes.Node)) return node;
  // Each node once: a NodeList's `children` is one of its fields.
  for (const field of node.fields) node[field] = jinjaSemantics(node[field]);
  switch (node.typename) {
    case 'Not':
      node.target = callNode('__hound_truthy', node.target as NunjucksNode);
      return node;
    case 'Neg':
      return callNode('__hound_neg', node.target as NunjucksNode);
    case 'Pos':
      return callNode('__hound_pos', node.target as NunjucksNode);
    case 'If':
    case 'IfAsync':
    case 'InlineIf':
      node.cond = callNode('__hound_truthy', node.cond as NunjucksNode);
      return node;
    case 'Set': {
      // `{% set a, b = pair %}`: Python's unpacking, each name its item (nunjucks gave each the whole value).
      const targets = node.targets as NunjucksNode[];
      if (targets.length < 2 || node.value === null || node.value === undefined) return node;
      const { Set: SetNode, Symbol: SymbolNode, LookupVal, Literal, NodeList } = internals.nodes;
      const temp = `__hound_unpacked_${++unpackedSets}`;
      const at = (n: NunjucksNode) => [n.lineno, n.colno] as const;
      const sets = [
        new SetNode(
          ...at(node),
          [new SymbolNode(...at(node), temp)],
          callNode('__hound_unpack', node.value as NunjucksNode, new Literal(...at(node), targets.length)),
        ),
        ...targets.map(
          (target, i) => new SetNode(...at(target), [target], new LookupVal(...at(target), new SymbolNode(...at(target), temp), new Literal(...at(target), i))),
        ),
      ];
      return new NodeList(...at(node), sets);
    }
    case 'For':
      loopFilter(node);
      node.arr =
        node.name instanceof internals.nodes.Array
          ? callNode(
              '__hound_iterable',
              node.arr as NunjucksNode,
              new internals.nodes.Literal(node.lineno, node.colno, (node.name.children as unknown[]).length),
            )
          : callNode('__hound_iterable', node.arr as NunjucksNode);
      return node;
    case 'LookupVal':
      if (node.val instanceof SliceNode) {
        const slice = node.val;
        return callNode('__hound_slice', node.target as NunjucksNode, slice.start as NunjucksNode, slice.stop as NunjucksNode, slice.step as NunjucksNode);
      }
      return node;
    case 'Compare': {
      // Python's comparisons: `l == []` compares items (JavaScript's == compared identity, so it was
      // never true), '1' == 1 is false, '9' < 10 is a TypeError, and `a < b < c` is `a < b and b < c`.
      const ops = node.ops as NunjucksNode[];
      const links = ops.flatMap((op): NunjucksNode[] => {
        if (op.type === '===' || op.type === '!==')
          throw new HoundError(
            'TEMPLATE_SYNTAX',
            `template syntax error: '${String(op.type)}' is JavaScript's, not Jinja2's (line ${op.lineno + 1})`,
            EXIT.PARSE,
            {
              hint: `write ${op.type === '===' ? '==' : '!='}`,
            },
          );
        return [new internals.nodes.Literal(op.lineno, op.colno, op.type), op.expr as NunjucksNode];
      });
      return callNode('__hound_compare', node.expr as NunjucksNode, ...links);
    }
    case 'Group': {
      // A tuple, `(a, b)`, `(a,)` or `()`: nunjucks would compile it to JavaScript's comma operator (the last value).
      const items = node.children as NunjucksNode[];
      if (items.length === 1 && node.trailingComma !== true) return node;
      const tuple = new internals.nodes.Array(node.lineno, node.colno, items);
      tuple.tuple = true;
      return tuple;
    }
    default:
      if (Object.hasOwn(OPERATOR_CALLS, node.typename)) return callNode(OPERATOR_CALLS[node.typename], node.left as NunjucksNode, node.right as NunjucksNode);
      return node;
  }
}

/** Names of the temporaries `{% set a, b = … %}` unpacks through, one per such set compiled. */
let unpackedSets = 0;

/** Whether `name` is read anywhere in the tree. */
function reads(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => reads(n, name));
  if (!(node instanceof internals.nodes.Node)) return false;
  if (node.typename === 'Symbol' && node.value === name) return true;
  return node.fields.some((field) => reads(node[field], name));
}

/**
 * Jinja2's loop filter, `{% for r in registries if r.unqualified %}` (Kubespray's CRI-O
 * template): nunjucks parses `registries if r.unqualified` as one inline if, evaluated before
 * the loop. Here the condition moves into the loop, around its body, which is Jinja2's meaning
 * as long as the body does not read `loop` (whose index and length count filtered items only
 * in Jinja2) and the loop has no `else` (run in Jinja2 when the filter leaves nothing): those
 * two are refused rather than computed differently.
 */
function loopFilter(node: NunjucksNode): void {
  const arr = node.arr as NunjucksNode;
  if (arr.typename !== 'InlineIf' || arr.else_ !== null) return;
  if (node.else_ !== null && node.else_ !== undefined)
    throw new HoundError('TEMPLATE_UNSUPPORTED', 'a for loop with both a loop filter (`for x in items if …`) and an else branch is not supported', EXIT.PARSE, {
      hint: 'filter the items first (`items | selectattr(…)`, `select`, `reject`) and loop over the result',
    });
  if (reads(node.body, 'loop'))
    throw new HoundError(
      'TEMPLATE_UNSUPPORTED',
      'loop.index and the other loop variables in a loop with a loop filter (`for x in items if …`) are not supported',
      EXIT.PARSE,
      {
        hint: 'filter the items first (`items | selectattr(…)`, `select`, `reject`) and loop over the result',
      },
    );
  const body = node.body as NunjucksNode;
  const filtered = new internals.nodes.If(body.lineno, body.colno);
  filtered.cond = arr.cond; // already Python's truthiness (__hound_truthy, from the InlineIf)
  filtered.body = body;
  filtered.else_ = null;
  node.body = new internals.nodes.NodeList(body.lineno, body.colno, [filtered]);
  node.arr = arr.body;
}

interface CompilerInternals {
  _emit(code: string): void;
  compile(node: unknown, frame: unknown): void;
  _compileAggregate(node: unknown, frame: unknown, startChar?: string, endChar?: string): void;
}

/**
 * nunjucks compiles a test's arguments with nothing between them, so `x is version('1.2', '>=')`
 * is a syntax error there; Jinja2 passes each. This is nunjucks' compileIs with the arguments
 * separated by commas.
 */
function testsWithArguments(compiler: object): void {
  (compiler as { compileIs: (node: NunjucksNode, frame: unknown) => void }).compileIs = function (this: CompilerInternals, node: NunjucksNode, frame: unknown) {
    const right = node.right as { name?: { value: string }; value?: string; args?: unknown };
    this._emit(`env.getTest("${right.name ? right.name.value : right.value}").call(context, `);
    this.compile(node.left, frame);
    if (right.args) {
      this._emit(',');
      this._compileAggregate(right.args, frame);
    }
    this._emit(') === true');
  };
}

/**
 * Jinja2's scoping: a `{% set %}` in a for loop's body stays in the loop, so `{% set found = true
 * %}` there leaves the outer `found` as it was (a loop reports out through namespace()). nunjucks'
 * set wrote through to the frame that defined the name, so a template rendered with hound
 * differed from Ansible's. The loop's frame now isolates writes, as nunjucks' macro frames do.
 */
function loopScopes(compiler: object): void {
  type ForCompiler = CompilerInternals & {
    compileFor: (this: ForCompiler, node: NunjucksNode, frame: unknown) => void;
    _emitLine: (this: ForCompiler, code: string) => void;
    _emitLoopBindings: (this: ForCompiler, node: NunjucksNode, arr: string, i: string, len: string) => void;
  };
  const forCompiler = compiler as ForCompiler;
  // Each pass starts with a fresh scope, as each of Jinja2's does: what the body set in the last pass
  // is gone; only the loop's own names, just bound, stay. Emitted where the pass binds `loop`.
  const emitLoopBindings = forCompiler._emitLoopBindings;
  forCompiler._emitLoopBindings = function (this: ForCompiler, node: NunjucksNode, arr: string, i: string, len: string) {
    const names = node.name instanceof internals.nodes.Array ? (node.name.children as NunjucksNode[]).map((n) => n.value) : [(node.name as NunjucksNode).value];
    this._emitLine(`for (const name of Object.keys(frame.variables)) if (!${JSON.stringify(names)}.includes(name)) delete frame.variables[name];`);
    emitLoopBindings.call(this, node, arr, i, len);
  };
  const compileFor = forCompiler.compileFor;
  forCompiler.compileFor = function (this: ForCompiler, node: NunjucksNode, frame: unknown) {
    const emitLine = this._emitLine;
    let pushed = false;
    // The loop's own frame is the first one compileFor pushes; frames pushed inside its body are left alone.
    this._emitLine = function (this: ForCompiler, code: string) {
      if (!pushed && code === 'frame = frame.push();') {
        pushed = true;
        code = 'frame = frame.push(true);';
      }
      emitLine.call(this, code);
    };
    try {
      compileFor.call(this, node, frame);
    } finally {
      this._emitLine = emitLine;
    }
    // A nunjucks that emits the push differently would silently lose the scoping: a bug, not the user's.
    if (!pushed) throw new Error('nunjucks compiled a for loop without a frame of its own');
  };
}

/**
 * The loop variables Jinja2's LoopContext has and nunjucks' loop lacks: previtem and nextitem
 * (undefined at the ends), depth and depth0 (1 and 0: hound has no recursive loops),
 * cycle(…) and changed(…). Without them `loop.previtem | default("-")` printed the default on
 * every pass, with no error, where ansible-playbook prints the previous item.
 */
function jinjaLoopVariables(compiler: object): void {
  type ForCompiler = CompilerInternals & {
    _emitLine: (this: ForCompiler, code: string) => void;
    _tmpid(): string;
    _emitLoopBindings: (this: ForCompiler, node: NunjucksNode, arr: string, i: string, len: string) => void;
  };
  const forCompiler = compiler as ForCompiler;
  const emitLoopBindings = forCompiler._emitLoopBindings;
  const helper = (name: string) => `runtime.contextOrFrameLookup(context, frame, "${name}")`;
  forCompiler._emitLoopBindings = function (this: ForCompiler, node: NunjucksNode, arr: string, i: string, len: string) {
    // A `{% with %}` scope is a pass of its own but no loop: `loop` stays the enclosing loop's.
    if (node.houndWith === true) return;
    emitLoopBindings.call(this, node, arr, i, len);
    // changed() remembers its last value across the passes of one run of the loop: a variable of the
    // compiled function (the loop's code runs again, from i = 0, each time an outer loop comes round).
    const changed = this._tmpid();
    const sequence = `(runtime.isArray(${arr}) || typeof ${arr} === "string")`;
    this._emitLine('frame.set("loop.depth", 1);');
    this._emitLine('frame.set("loop.depth0", 0);');
    this._emitLine(`if (${sequence} && ${i} > 0) frame.set("loop.previtem", ${arr}[${i} - 1]);`);
    this._emitLine(`if (${sequence} && ${i} < ${len} - 1) frame.set("loop.nextitem", ${arr}[${i} + 1]);`);
    // The two methods are not among the loop's items: `{{ loop }}` and `loop | to_json` must not show them.
    const method = (name: string, value: string) =>
      `Object.defineProperty(frame.lookup("loop"), "${name}", { value: ${value}, enumerable: false, writable: true, configurable: true });`;
    this._emitLine(method('cycle', `${helper('__hound_loop_cycle')}(${i})`));
    this._emitLine(`var ${changed}; if (${i} === 0) ${changed} = ${helper('__hound_loop_changed')}();`);
    this._emitLine(method('changed', changed));
  };
}

/** What __houndMacro needs to know of a macro: its name for errors, and whether its body reads `varargs` and `kwargs`. */
interface MacroInfo {
  name: string;
  varargs: boolean;
  kwargs: boolean;
}

/**
 * Macros (and `{% call %}` blocks) made through __houndMacro instead of nunjucks' makeMacro, and
 * `varargs` and `kwargs` bound in the body when it reads them, as Jinja2 decides whether a
 * macro catches extra arguments (its catch_varargs and catch_kwargs).
 */
function jinjaMacroCalls(compiler: object): void {
  type MacroCompiler = CompilerInternals & {
    _compileMacro: (this: MacroCompiler, node: NunjucksNode, frame?: unknown) => string;
    _emitLines: (this: MacroCompiler, ...lines: string[]) => void;
  };
  const macroCompiler = compiler as MacroCompiler;
  const compileMacro = macroCompiler._compileMacro;
  macroCompiler._compileMacro = function (this: MacroCompiler, node: NunjucksNode, frame?: unknown) {
    const info: MacroInfo = {
      name: String((node.name as NunjucksNode | undefined)?.value ?? 'caller'),
      varargs: reads(node.body, 'varargs'),
      kwargs: reads(node.body, 'kwargs'),
    };
    const emitLines = this._emitLines;
    let made = false;
    this._emitLines = function (this: MacroCompiler, ...lines: string[]) {
      if (!made && lines[0]?.endsWith(' = runtime.makeMacro(')) {
        made = true;
        lines[0] = lines[0].replace(/ = runtime\.makeMacro\($/, ` = runtime.__houndMacro(${JSON.stringify(info)}, `);
        if (info.varargs) lines.push('frame.set("varargs", kwargs.__hound_varargs);');
        if (info.kwargs) lines.push('frame.set("kwargs", kwargs.__hound_kwargs);');
      }
      emitLines.apply(this, lines);
    };
    let id: string;
    try {
      id = compileMacro.call(this, node, frame);
    } finally {
      this._emitLines = emitLines;
    }
    // A nunjucks that makes macros differently would silently lose Jinja2's argument checks: a bug, not the user's.
    if (!made) throw new Error('nunjucks compiled a macro without runtime.makeMacro');
    return id;
  };
}

/**
 * `a or b` and `a and b` as Jinja2 computes them: the left operand's Python truthiness decides
 * (`[] or x` is x, an undefined left operand fails), and the left operand is evaluated once:
 * `((t) => (truthy(t) ? t : b))(a)`. Rewritten in the syntax tree as `a if a else b` instead,
 * the left operand was copied into both branches, doubling the code at each `or` of a chain
 * (ceph-ansible's eight-way `or` in a `when` never finished compiling).
 */
function pythonBooleanOperators(compiler: object): void {
  const operator = (kind: 'or' | 'and') =>
    function (this: CompilerInternals & { _tmpid(): string }, node: NunjucksNode, frame: unknown) {
      const left = this._tmpid();
      this._emit(`((${left}) => (runtime.callWrap(runtime.contextOrFrameLookup(context, frame, "__hound_truthy"), "__hound_truthy", context, [${left}]) ? `);
      if (kind === 'or') this._emit(left);
      else this.compile(node.right, frame);
      this._emit(' : ');
      if (kind === 'or') this.compile(node.right, frame);
      else this._emit(left);
      this._emit('))(');
      this.compile(node.left, frame);
      this._emit(')');
    };
  Object.assign(compiler, { compileOr: operator('or'), compileAnd: operator('and') });
}

/**
 * `{% include %}`, `{% import %}` and `{% from … import %}` through the runtime's __houndInclude
 * and __houndImport, synchronously (nunjucks' own look the template up in a loader hound has not).
 */
function includesOnSearchPath(compiler: object): void {
  type Compiler = CompilerInternals & {
    buffer: string;
    _compileExpression(node: unknown, frame: unknown): void;
    _tmpid(): string;
    _emitLine(code: string): void;
  };
  type Frame = { parent?: unknown; set(name: string, id: string): void };
  const bind = (self: Compiler, frame: Frame, name: string, id: string) => {
    frame.set(name, id);
    self._emitLine(frame.parent ? `frame.set(${JSON.stringify(name)}, ${id});` : `context.setVariable(${JSON.stringify(name)}, ${id});`);
  };
  const importModule = (self: Compiler, node: NunjucksNode, frame: Frame): string => {
    const id = self._tmpid();
    self._emit(`var ${id} = runtime.__houndImport(context, `);
    self._compileExpression(node.template, frame);
    self._emitLine(`, ${node.withContext === true ? 'true' : 'false'});`);
    return id;
  };
  Object.assign(compiler, {
    compileExtends(this: Compiler, node: NunjucksNode, frame: Frame) {
      const key = this._tmpid();
      this._emit('parentTemplate = runtime.__houndExtends(context, ');
      this._compileExpression(node.template, frame);
      this._emitLine(');');
      this._emitLine(`for (var ${key} in parentTemplate.blocks) context.addBlock(${key}, parentTemplate.blocks[${key}]);`);
    },
    compileImport(this: Compiler, node: NunjucksNode, frame: Frame) {
      bind(this, frame, (node.target as NunjucksNode).value as string, importModule(this, node, frame));
    },
    compileFromImport(this: Compiler, node: NunjucksNode, frame: Frame) {
      const module = importModule(this, node, frame);
      const template = (node.template as NunjucksNode).typename === 'Literal' ? String((node.template as NunjucksNode).value) : 'the imported template';
      for (const nameNode of (node.names as NunjucksNode).children as NunjucksNode[]) {
        const [name, alias] =
          nameNode.typename === 'Pair'
            ? [(nameNode.key as NunjucksNode).value as string, (nameNode.value as NunjucksNode).value as string]
            : [nameNode.value as string, nameNode.value as string];
        const id = this._tmpid();
        this._emitLine(`var ${id} = runtime.__houndImported(${module}, ${JSON.stringify(name)}, ${JSON.stringify(template)});`);
        bind(this, frame, alias, id);
      }
    },
  });
  (compiler as { compileInclude: (node: NunjucksNode, frame: unknown) => void }).compileInclude = function (
    this: CompilerInternals & { buffer: string; _compileExpression(node: unknown, frame: unknown): void },
    node: NunjucksNode,
    frame: unknown,
  ) {
    this._emit(`${this.buffer} += runtime.__houndInclude(context, frame, `);
    this._compileExpression(node.template, frame);
    this._emit(`, ${node.ignoreMissing === true ? 'true' : 'false'});\n`);
  };
}

/** The file an `{% include %}` or `{% import %}` of `wanted` reads (the first found on the render's search path); undefined when missing and `ignoreMissing`. */
function templateFileOf(context: RenderContext, wanted: string[], tag: 'include' | 'import' | 'extends', ignoreMissing: boolean): string | undefined {
  if (context.file === undefined)
    throw new HoundError(
      'TEMPLATE_UNSUPPORTED',
      `{% ${tag} ${wanted.map((n) => `'${n}'`).join(', ')} %} works in template files only (the template module)`,
      EXIT.PARSE,
    );
  const { includePath } = context.file;
  const file = findIncluded(wanted, includePath);
  if (file === undefined && !ignoreMissing)
    throw new HoundError('TEMPLATE_ERROR', `template not found: ${wanted.join(', ')} (searched ${includePath.join(', ')})`, EXIT.PARSE);
  return file;
}

function readTemplateFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new HoundError('TEMPLATE_ERROR', `cannot read the template ${file}: ${(err as Error).message}`, EXIT.PARSE);
  }
}

/** The first of `names` that is a file under one of `dirs` (Jinja2's FileSystemLoader: no `..`, no absolute path). */
function findIncluded(names: string[], dirs: readonly string[]): string | undefined {
  for (const name of names) {
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) continue;
    for (const dir of dirs) {
      const file = path.join(dir, ...parts);
      try {
        if (statSync(file).isFile()) return file;
      } catch {
        // not in this directory
      }
    }
  }
  return undefined;
}

/**
 * A list or dict literal is the render's own (python-methods.ts): `{% set found = [] %}` …
 * `found.append(x)` may change it. A tuple, `(a, b)`, is a list here but not changed, as in
 * Python. (A `for a, b in` target is an Array node too, which compileFor reads itself.)
 */
function ownedLiterals(compiler: object): void {
  const literal = (open: string, close: string) =>
    function (this: CompilerInternals, node: NunjucksNode, frame: unknown) {
      this._emit(node.tuple === true ? 'runtime.__houndTuple(' : 'runtime.__houndOwn(');
      this._compileAggregate(node, frame, open, close);
      this._emit(')');
    };
  Object.assign(compiler, { compileArray: literal('[', ']'), compileDict: literal('{', '}') });
}

/**
 * A dict literal's key is an expression, evaluated (parseJinjaAggregate): a JavaScript computed
 * key, as Python's dict keys it (`__houndKey`). Keyword arguments (`f(name=1)`) are pairs too,
 * with a name for a key, and stay nunjucks' own.
 */
function computedDictKeys(compiler: object): void {
  const compilePair = (compiler as { compilePair: (node: NunjucksNode, frame: unknown) => void }).compilePair;
  (compiler as { compilePair: (node: NunjucksNode, frame: unknown) => void }).compilePair = function (
    this: CompilerInternals & { _compileExpression(node: unknown, frame: unknown): void },
    node: NunjucksNode,
    frame: unknown,
  ) {
    if (node.computedKey !== true) return compilePair.call(this, node, frame);
    this._emit('[runtime.__houndKey(');
    this.compile(node.key, frame);
    this._emit(')]: ');
    this._compileExpression(node.value, frame);
  };
}

/**
 * The name nunjucks writes into a call's compiled code for its error messages (`"\n".join`'s is
 * `"\n"["join"]`) is put between double quotes with only `"` escaped, so a string literal
 * holding a newline broke the compiled template. Its text is escaped for a JavaScript string here.
 */
function callNamesEscaped(compiler: object): void {
  const nodeName = (compiler as { _getNodeName: (node: NunjucksNode) => string })._getNodeName;
  (compiler as { _getNodeName: (node: NunjucksNode) => string })._getNodeName = function (this: object, node: NunjucksNode) {
    if (node.typename === 'Literal' && typeof node.value === 'string')
      return node.value
        .replace(/\\/g, '\\\\')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029');
    return nodeName.call(this, node);
  };
}

/** A float literal marked by parsePrimary (above), compiled as a PythonFloat when it is a whole number. */
function floatLiterals(compiler: object): void {
  const compileLiteral = (compiler as { compileLiteral: (node: NunjucksNode, frame: unknown) => void }).compileLiteral;
  (compiler as { compileLiteral: (node: NunjucksNode, frame: unknown) => void }).compileLiteral = function (
    this: CompilerInternals,
    node: NunjucksNode,
    frame: unknown,
  ) {
    if (node.houndFloat === true && Number.isInteger(node.value)) this._emit(`runtime.__houndFloat(${String(node.value)})`);
    else compileLiteral.call(this, node, frame);
  };
}

/** Compiled templates that name a method changing a value in place: they read variables as copies (python-methods.ts). */
const mutatingRoots = new WeakSet<RootRenderFunction>();

/** Whether the syntax tree names a method that changes its value (`x.append`, `d['update']`). */
function namesMutatingMethod(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(namesMutatingMethod);
  if (!(node instanceof internals.nodes.Node)) return false;
  if (node.typename === 'LookupVal') {
    const val = node.val as NunjucksNode | undefined;
    if (val?.typename === 'Literal' && typeof val.value === 'string' && MUTATING_METHODS.has(val.value)) return true;
  }
  return node.fields.some((field) => namesMutatingMethod(node[field]));
}

/**
 * Set while a playbook value's template is parsed: string literals inside its `{{ }}` keep their
 * backslashes (the lexer's _parseString above). Ansible does this for the values it templates
 * when they hold a backslash and `{{` (Templar's escape_backslashes), not for a template
 * file (the template action turns it off) nor for a condition (`when:` is put inside a
 * `{% if %}`, where nothing is doubled).
 */
let ansibleBackslashes = false;

/** How a template's string literals read backslashes: see ansibleBackslashes. */
type Backslashes = 'playbook-value' | 'jinja';

function compileTemplate(source: string, backslashes: Backslashes): RootRenderFunction {
  const key = backslashes === 'playbook-value' && source.includes('\\') && source.includes('{{') ? `v${source}` : `j${source}`;
  const cached = compiledTemplates.get(key);
  if (cached) return cached;
  let root: RootRenderFunction;
  try {
    const env = environment as unknown as { asyncFilters: string[]; extensionsList: unknown[]; opts: object };
    ansibleBackslashes = key.startsWith('v');
    let parsed: unknown;
    try {
      parsed = internals.parser.parse(numericAttributes(source), env.extensionsList, env.opts);
    } finally {
      ansibleBackslashes = false;
    }
    const ast = jinjaSemantics(parsed);
    const mutates = namesMutatingMethod(ast);
    const compiler = new internals.compiler.Compiler('template', false);
    testsWithArguments(compiler);
    pythonBooleanOperators(compiler);
    loopScopes(compiler);
    jinjaLoopVariables(compiler);
    jinjaMacroCalls(compiler);
    ownedLiterals(compiler);
    includesOnSearchPath(compiler);
    computedDictKeys(compiler);
    floatLiterals(compiler);
    callNamesEscaped(compiler);
    compiler.compile(internals.transformer.transform(ast, env.asyncFilters, 'template'));
    const code = compiler.getCode();
    // nunjucks compiles a template to JavaScript source and runs it this way itself; what that
    // code can reach is decided by the hardened runtime (template-sandbox.ts), not here.
    // A root and a block (b_NAME) are called alike.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const compiled = (new Function(code) as () => Record<string, RootRenderFunction>)();
    root = compiled.root;
    const blocks = Object.entries(compiled).filter(([name]) => name.startsWith('b_'));
    if (blocks.length > 0) templateBlocks.set(root, Object.fromEntries(blocks.map(([name, block]) => [name.slice(2), block])));
    if (mutates) mutatingRoots.add(root);
  } catch (err) {
    if (err instanceof HoundError) throw err; // a construct refused while rewriting the tree (loopFilter)
    throw new HoundError('TEMPLATE_SYNTAX', `template syntax error: ${templateMessage(err)}`, EXIT.PARSE, {
      hint: 'templates use Jinja2 syntax: {{ variable }}, {{ value | filter }}, {% if … %}…{% endif %}',
    });
  }
  compiledTemplates.set(key, root);
  return root;
}

/**
 * Jinja2 reads `item.0` as `item[0]` (with_together, with_subelements, with_indexed_items
 * use it all the time); nunjucks does not parse it. Rewritten inside {{ }} and {% %} only,
 * outside string literals, and only after a name, `]` or `)` (never in a number like 1.5).
 */
function numericAttributes(source: string): string {
  if (!/[\w\])]\.\d/.test(source)) return source;
  let out = '';
  let inside: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const pair = source.slice(i, i + 2);
    if (inside === undefined) {
      if (pair === '{{' || pair === '{%') inside = pair === '{{' ? '}}' : '%}';
      out += c;
      continue;
    }
    if (quote !== undefined) {
      if (c === '\\') {
        out += source.slice(i, i + 2);
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
      out += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (pair === inside) inside = undefined;
    else if (
      c === '.' &&
      /\d/.test(source[i + 1] ?? '') &&
      /(?:[\])]|[A-Za-z_][A-Za-z0-9_]*)$/.test(out.slice(-64)) &&
      // A word that starts with a digit is a number (`1_0.5` is 10.5), not a name.
      !/(^|[^A-Za-z0-9_])\d[A-Za-z0-9_]*$/.test(out.slice(-64))
    ) {
      const digits = /^\d+/.exec(source.slice(i + 1))![0];
      out += `[${digits}]`;
      i += digits.length;
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * A failure nunjucks raised, as hound's error (`where` before its message, `at` after): a
 * filter or test hound has not is refused by name, anything else is the template's error.
 */
function foreignTemplateError(message: string, where: string, at = ''): HoundError {
  const unknown = /^(filter|test) not found: ([\w.]+)/.exec(message);
  if (unknown) return unknown[1] === 'filter' ? missingFilterError(unknown[2], where, at) : missingTestError(unknown[2], where, at);
  return new HoundError('TEMPLATE_ERROR', `${where}${message}${at}`, EXIT.PARSE);
}

function templateMessage(err: unknown): string {
  // nunjucks' parser reads a token past the end of an unfinished template (`{{ x | `) as null.
  if (err instanceof TypeError && /^Cannot read properties of null/.test(err.message)) return 'unexpected end of template';
  const message = err instanceof Error ? err.message : String(err);
  return (
    message
      .replace(/^\(template\)\s*/, '')
      .replace(/\s+/g, ' ')
      .trim()
      // As Jinja2 words it (`unexpected '.'`): "token: ." would read as a secret-named assignment, and be masked.
      .replace(/\bunexpected token: (\S+)$/, "unexpected '$1'")
  );
}

/** What a template file's render adds: where `{% include %}` looks, and the file's Jinja2 options (its includes share them). */
interface FileRender {
  includePath: readonly string[];
  options: JinjaOptions;
}

function runRoot(root: RootRenderFunction, vars: Vars, file?: FileRender): RenderContext & { output: string } {
  return withTemplateBudget(() => runRootBudgeted(root, vars, file));
}

function runRootBudgeted(root: RootRenderFunction, vars: Vars, file?: FileRender): RenderContext & { output: string } {
  const context = new RenderContext(vars, mutatingRoots.has(root) ? new Map() : undefined) as RenderContext & { output: string };
  context.file = file;
  context.addBlocksOf(root);
  context.output = withOwnedValues(() => callRoot(root, context, new internals.runtime.Frame()));
  return context;
}

/** Runs a compiled template in `frame` and returns its text; a failure is a HoundError (`where` prefixes a foreign one's message). */
function callRoot(root: RootRenderFunction, context: RenderContext, frame: unknown, where = ''): string {
  let failure: unknown;
  let output = '';
  root(environment, context, frame, safeRuntime, (err, out) => {
    failure = err;
    output = out ?? '';
  });
  if (failure) throw failure instanceof HoundError ? failure : foreignTemplateError(templateMessage(failure), where);
  return output;
}

/**
 * A value that is exactly one `{{ … }}`, nothing around it: as in Ansible, text around the
 * expression (a space, a newline) makes the value text, which ansibleTextResult reads as
 * Ansible does (`"{{ names }}\n"` is still the list, `" {{ names }}"` is text).
 */
const SINGLE_EXPRESSION = /^\{\{-?([\s\S]*?)-?\}\}$/;

/** The expression inside `{{ … }}` when the string is exactly one expression (so it keeps its type). */
function singleExpression(template: string): string | undefined {
  const match = SINGLE_EXPRESSION.exec(template);
  if (!match) return undefined;
  const inner = match[1];
  return inner.includes('{{') || inner.includes('{%') || endsOutsideBrackets(inner) ? undefined : inner;
}

/** Whether `}}` occurs in the expression outside brackets and strings: there it ends the `{{ }}` (the lexer's rule). */
function endsOutsideBrackets(expression: string): boolean {
  if (!expression.includes('}}')) return false;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0 && c === '}' && expression[i + 1] === '}') return true;
      depth = Math.max(0, depth - 1);
    }
  }
  return false;
}

/**
 * Jinja2's trim_blocks, which Ansible's environment turns on for every template: the first
 * newline after a block's `%}` or a comment's `#}` goes. Not after `+%}`, Jinja2's way of keeping
 * it (jinjaSource takes the `+` off), nor after a `#}` that ends no comment (text to Jinja2, as
 * in `#define x {` … `#}`). One pass, each tag end found once, whatever the text holds.
 */
export function trimBlocks(source: string): string {
  const parts: string[] = [];
  let kept = 0;
  let at = 0;
  let nextBlockEnd = -2;
  let nextComment = -2;
  for (;;) {
    if (nextBlockEnd !== -1 && nextBlockEnd < at) nextBlockEnd = source.indexOf('%}', at);
    if (nextComment !== -1 && nextComment < at) nextComment = source.indexOf('{#', at);
    if (nextBlockEnd < 0 && nextComment < 0) break;
    let end: number;
    if (nextComment >= 0 && (nextBlockEnd < 0 || nextComment < nextBlockEnd)) {
      const close = source.indexOf('#}', nextComment + 2);
      if (close < 0) break; // a comment left open: the parser says so
      end = close + 2;
    } else {
      end = nextBlockEnd + 2;
      if (source[nextBlockEnd - 1] === '+') {
        at = end;
        continue;
      }
    }
    at = end;
    const newline = source.startsWith('\r\n', end) ? 2 : source[end] === '\n' ? 1 : 0;
    if (newline > 0) {
      parts.push(source.slice(kept, end));
      kept = end + newline;
      at = kept;
    }
  }
  parts.push(source.slice(kept));
  return parts.join('');
}

/** The Jinja2 environment options a template may change in its first line (Ansible's `#jinja2:` override). */
export interface JinjaOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
}

/** Ansible's environment: trim_blocks on, lstrip_blocks off. */
const ANSIBLE_JINJA: JinjaOptions = { trimBlocks: true, lstripBlocks: false };

/**
 * A template's `#jinja2: trim_blocks: False, lstrip_blocks: True` first line, as Ansible's
 * do_template reads it (the line is not part of the text): the options it sets and the rest of
 * the template. Other options (keep_trailing_newline, the delimiters, ...) are refused plainly.
 */
function jinjaOverrides(template: string, environment: JinjaOptions): { body: string; options: JinjaOptions } {
  if (!template.startsWith('#jinja2:')) return { body: template, options: environment };
  const eol = template.indexOf('\n');
  const line = template.slice('#jinja2:'.length, eol < 0 ? template.length - 1 : eol);
  const options = { ...environment };
  for (const pair of line.split(',')) {
    const colon = pair.indexOf(':');
    const key = pair.slice(0, colon).trim();
    const value = pair.slice(colon + 1).trim();
    if (colon < 0)
      throw new HoundError(
        'TEMPLATE_SYNTAX',
        `failed to parse jinja2 override '${pair}'. Did you use something different from colon as key-value separator?`,
        EXIT.PARSE,
      );
    if ((key !== 'trim_blocks' && key !== 'lstrip_blocks') || (value !== 'True' && value !== 'False'))
      throw new HoundError(
        'TEMPLATE_UNSUPPORTED',
        `the template override '#jinja2: ${key}: ${value}' is not supported (only trim_blocks and lstrip_blocks, True or False)`,
        EXIT.PARSE,
      );
    options[key === 'trim_blocks' ? 'trimBlocks' : 'lstripBlocks'] = value === 'True';
  }
  return { body: eol < 0 ? '' : template.slice(eol + 1), options };
}

/**
 * What Jinja2 compiles of a text template under Ansible: trim_blocks (unless turned off),
 * lstrip_blocks when turned on (spaces and tabs before a `{%` or `{#` that starts a line), and
 * one trailing newline taken off (Jinja2's keep_trailing_newline is off); the caller puts back
 * as many as the template ended with (Ansible's preserve_trailing_newlines).
 */
function jinjaSource(template: string, options: JinjaOptions = ANSIBLE_JINJA): string {
  let text = template.replace(/(?:\r\n|\n|\r)$/, '');
  if (options.lstripBlocks) text = text.replace(/^[ \t]+(?=\{%(?!\+)|\{#)/gm, '');
  if (options.trimBlocks) text = trimBlocks(text);
  // Jinja2's `{%+` (keep the spaces lstrip_blocks takes) and `+%}` (keep the newline trim_blocks
  // takes), both honoured above, are `{%` and `%}` to the parser.
  return text.replace(/\{%\+/g, '{%').replace(/\+%\}/g, '%}');
}

/** The newlines a text ends with (Ansible's _count_newlines_from_end). */
export function trailingNewlines(text: string): number {
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === '\n') n++;
  return n;
}

/** `text` with at least `count` trailing newlines. */
export function withTrailingNewlines(text: string, count: number): string {
  const missing = count - trailingNewlines(text);
  return missing > 0 ? text + '\n'.repeat(missing) : text;
}

/** How a string renders, decided once per distinct string. */
type RenderPlan =
  { kind: 'literal' } | { kind: 'native'; root: RootRenderFunction; keepsText: boolean } | { kind: 'text'; root: RootRenderFunction; keepsText: boolean };

/** Ansible's filters whose text is never read as a literal (C.STRING_TYPE_FILTERS): `{{ x | to_json }}` stays the JSON text. */
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

/**
 * Whether the expression's value stays text: its outermost operation is one of those filters,
 * or a template lookup with convert_data off (whose result is Ansible's NativeJinjaText).
 */
function keepsText(expression: string): boolean {
  if (!/\||lookup/.test(expression)) return false;
  const env = environment as unknown as { extensionsList: unknown[]; opts: object };
  let node = internals.parser.parse(numericAttributes(`{{ ${expression} }}`), env.extensionsList, env.opts) as NunjucksNode | undefined;
  node = (node?.children as NunjucksNode[] | undefined)?.[0];
  node = (node?.children as NunjucksNode[] | undefined)?.[0];
  while (node?.typename === 'Group' && (node.children as NunjucksNode[]).length === 1) node = (node.children as NunjucksNode[])[0];
  if (node?.typename === 'FunCall') return isTextTemplateLookup(node);
  const name = node?.typename === 'Filter' ? (node.name as { value?: unknown } | undefined)?.value : undefined;
  return typeof name === 'string' && STRING_TYPE_FILTERS.has(name);
}

/** `lookup('template', …, convert_data=False)`, the option written as a literal. */
function isTextTemplateLookup(call: NunjucksNode): boolean {
  const name = call.name as NunjucksNode;
  if (name.typename !== 'Symbol' || name.value !== 'lookup') return false;
  const args = ((call.args as NunjucksNode).children as NunjucksNode[]) ?? [];
  if (args[0]?.typename !== 'Literal' || lookupPluginName(args[0].value) !== 'template') return false;
  const keywords = args.at(-1)?.typename === 'KeywordArgs' ? ((args.at(-1)!.children as NunjucksNode[]) ?? []) : [];
  return keywords.some((pair) => {
    const key = pair.key as NunjucksNode;
    const value = pair.value as NunjucksNode;
    const off = (value.typename === 'Literal' && value.value === false) || (value.typename === 'Symbol' && ['False', 'false'].includes(String(value.value)));
    return key.value === 'convert_data' && off;
  });
}
const plans = new Map<string, RenderPlan>();
const LITERAL: RenderPlan = { kind: 'literal' };

function planFor(template: string): RenderPlan {
  let plan = plans.get(template);
  if (plan) return plan;
  if (!hasTemplateMarkers(template)) plan = LITERAL;
  else {
    const expression = singleExpression(template);
    if (expression !== undefined) {
      compileTemplate(template, 'playbook-value'); // syntax errors reported against what the user wrote
      plan = {
        kind: 'native',
        root: compileTemplate(`{{ (${expression}) | __hound_capture }}`, 'playbook-value'),
        keepsText: keepsText(expression),
      };
    } else {
      compileTemplate(template, 'playbook-value'); // syntax errors reported against what the user wrote
      const { body, options } = jinjaOverrides(template, ANSIBLE_JINJA);
      // Jinja2 drops a template's one last newline, so `"{{ x | to_json }}\n"` is one node to
      // Ansible and its JSON text stays text (the newline put back after); `"{{ x }}\n"` is read as a literal still.
      const beforeNewline = template.endsWith('\n') && !template.endsWith('\n\n') ? singleExpression(template.slice(0, -1)) : undefined;
      plan = {
        kind: 'text',
        root: compileTemplate(jinjaSource(body, options), 'playbook-value'),
        keepsText: beforeNewline !== undefined && keepsText(beforeNewline),
      };
    }
  }
  plans.set(template, plan);
  return plan;
}

const conditionRoots = new Map<string, RootRenderFunction>();

function conditionRoot(expr: string): RootRenderFunction {
  let root = conditionRoots.get(expr);
  if (!root) {
    const text = expr.trim();
    const inner = singleExpression(text) ?? text;
    root = compileTemplate(`{{ (${inner}) | __hound_capture }}`, 'jinja');
    conditionRoots.set(expr, root);
  }
  return root;
}

/**
 * Ansible's SINGLE_VAR: `{{ name }}` and nothing else (Python's `$` also before one last
 * newline). When the variable's own value is a number, a boolean or None, Templar hands it back
 * without rendering, so it keeps its kind; every other whole value goes through Jinja's text.
 */
const SINGLE_VARIABLE = /^\{\{\s*([\p{L}\p{N}_]*)\s*\}\}\n?$/u;

function unrenderedValue(template: string, vars: Vars): { value: unknown } | undefined {
  const name = SINGLE_VARIABLE.exec(template)?.[1];
  if (name === undefined || !Object.hasOwn(vars, name)) return undefined;
  const raw = vars[name];
  return raw === null || raw === undefined || typeof raw === 'boolean' || typeof raw === 'number' || raw instanceof PythonFloat
    ? { value: raw ?? null }
    : undefined;
}

/**
 * A whole value's number or None as Ansible's defaults leave it (jinja2_native off): Jinja
 * prints it, `{{ n + 1 }}` is the text `'4'` and `{{ none }}` is `''`. So `"http://h:" + port`
 * works where `port: "{{ base + 1 }}"`, and `{"p": port} | to_json` writes `"8081"`, as there.
 */
function asJinjaText(value: unknown, madePythonObjects: boolean): unknown {
  if (value === null || value === undefined) return '';
  // A datetime is text (its str()), and a list or dict holding one is text Ansible cannot read back.
  if (madePythonObjects && holdsPythonObject(value)) return pythonStr(value);
  // Ansible reads back only a list's, a dict's or a boolean's text: a tuple's, `(1, 2)`, stays text.
  if (isTuple(value)) return pythonStr(value);
  if (typeof value === 'number' || value instanceof PythonFloat) return pythonStr(value);
  return value;
}

/** True when `value` is a PythonObject (a datetime) or a list or dict holding one at any depth. */
function holdsPythonObject(value: unknown): boolean {
  if (value instanceof PythonObject) return true;
  if (Array.isArray(value)) return value.some(holdsPythonObject);
  if (isPlainObject(value)) return Object.values(value).some(holdsPythonObject);
  return false;
}

function renderString(template: string, vars: Vars): unknown {
  const plan = planFor(template);
  if (plan.kind === 'literal') return template;
  const unrendered = unrenderedValue(template, vars);
  if (unrendered !== undefined) return unrendered.value;
  const made = PythonObject.made;
  const context = runRoot(plan.root, vars);
  if (plan.kind === 'text') {
    const value = plan.keepsText ? context.output : ansibleTextResult(context.output);
    return typeof value === 'string' ? withTrailingNewlines(value, trailingNewlines(template)) : value;
  }
  const value = context.captured;
  if (value instanceof UndefinedValue) value.fail();
  // A string result is read as Ansible reads a template's text (a list's, a dict's, a boolean's spelling).
  if (typeof value === 'string' && !plan.keepsText) return ansibleTextResult(value);
  return asJinjaText(value, PythonObject.made !== made);
}

/**
 * `keepData`: each string that read data while rendering stays data (asData), as set_fact and
 * a loop keep it, and an UnsafeText stays boxed; otherwise an UnsafeText is its text.
 */
function renderWith(value: unknown, vars: Vars, keepData = false): unknown {
  if (typeof value === 'string') {
    if (!keepData) return renderString(value, vars);
    const { value: rendered, data } = readsData(() => renderString(value, vars));
    return data ? asData(rendered) : rendered;
  }
  if (value instanceof UnsafeText) {
    dataReads++;
    return keepData ? value : value.text;
  }
  if (isRunTimeValue(value)) {
    dataReads++;
    return value;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const rendered = renderWith(item, vars, keepData);
      if (rendered !== OMIT) out.push(rendered);
    }
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const rendered = renderWith(value[key], vars, keepData);
      if (rendered !== OMIT) out[key] = rendered;
    }
    return out;
  }
  return value;
}

/**
 * True when `value` (deeply) holds a string with `{{` or `{%`, or an UnsafeText: either must go
 * through renderValue before a reader that is not a template sees it (the UnsafeText comes out
 * as its text). It looks inside run-time values too (asking of each list and mapping whether it
 * is one cost a 1,000-host compile 10 %): renderValue passes over them whole all the same.
 */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplateMarkers(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (isPlainObject(value)) return Object.values(value).some(containsTemplate);
  return value instanceof UnsafeText;
}

/**
 * A template file's text rendered as Ansible's template action renders it: text, never read back
 * as a value (its convert_data off); backslashes as Jinja2 reads them (its escape_backslashes
 * off); trim_blocks; one trailing newline taken off before rendering and as many put back after as
 * the file ends with (Jinja2's keep_trailing_newline off, Ansible's preserve_trailing_newlines).
 */
export function renderTemplateFile(source: string, vars: Vars, includePath: readonly string[] = [], environment: Partial<JinjaOptions> = {}): string {
  // The template task's trim_blocks and lstrip_blocks set the environment; a #jinja2: first line overrides them.
  const { body, options } = jinjaOverrides(source, { ...ANSIBLE_JINJA, ...environment });
  const text = runRoot(compileTemplate(jinjaSource(body, options), 'jinja'), vars, { includePath, options }).output;
  return withTrailingNewlines(text, trailingNewlines(source));
}

/** Renders every template in `value` (strings, lists, dicts) against `vars`. */
export function renderValue(value: unknown, vars: Vars): unknown {
  return renderWith(value, vars);
}

/** renderValue for a value the run stores (set_fact's): what read data, or was marked `!unsafe`, stays data. */
export function renderValueKeepingData(value: unknown, vars: Vars): unknown {
  return renderWith(value, vars, true);
}

/**
 * One Jinja expression's own value (bare, or as `{{ … }}`), as a condition or a loop reads it:
 * `1 + 1` is 2 here, where the playbook value `"{{ 1 + 1 }}"` is Ansible's text '2'.
 */
export function evaluateExpression(expression: string, vars: Vars): unknown {
  const value = runRoot(conditionRoot(expression), vars).captured;
  if (value instanceof UndefinedValue) value.fail();
  return value === undefined ? null : value;
}

/** Evaluates a `when`/`until`/`assert` condition (a bare Jinja expression, or a boolean). */
export function evaluateCondition(expr: string | boolean, vars: Vars): boolean {
  if (typeof expr === 'boolean') return expr;
  return pythonTruthy(runRoot(conditionRoot(expr), vars).captured);
}

/** Checks that a template (or a bare condition when `bare`) parses; throws TEMPLATE_SYNTAX. */
export function checkTemplateSyntax(source: string, bare = false): void {
  if (bare) conditionRoot(source);
  else planFor(source);
}

const namesCache = new Map<string, Set<string>>();

/** In referencedNames' answer: the template may read any variable, by a name made as it runs (`lookup('vars', prefix + x)`, varnames, a template lookup's file). */
export const ANY_VARIABLE = '*';
/** In referencedNames' answer: the template reads the controller's files (the file, fileglob, first_found, template lookups). */
export const CONTROLLER_FILES = '<controller files>';
/** In referencedNames' answer: the template runs a command on the controller or writes a file there (the pipe, lines, password lookups). */
export const CONTROLLER_COMMANDS = '<controller commands>';

/**
 * What a lookup plugin of this name reads beyond its terms, whether lookup() or a with_ loop
 * calls it: any variable (a template lookup's file; varnames; vars, by names its terms make),
 * the controller's files, or commands it runs there.
 */
export function lookupPluginReads(plugin: string): string[] {
  const variables = ['template', 'varnames', 'vars'].includes(plugin) ? [ANY_VARIABLE] : [];
  if (CONTROLLER_COMMAND_LOOKUPS.has(plugin)) return [...variables, CONTROLLER_COMMANDS];
  return CONTROLLER_LOOKUPS.has(plugin) ? [...variables, CONTROLLER_FILES] : variables;
}

/** The variables a `lookup('vars', …)`/`query('varnames', …)` call reads: its literal names, or ANY_VARIABLE. */
function lookupReads(call: NunjucksNode): string[] {
  const name = call.name as NunjucksNode;
  if (name.typename !== 'Symbol' || !['lookup', 'query', 'q'].includes(String(name.value))) return [];
  const [plugin, ...terms] = ((call.args as NunjucksNode).children as NunjucksNode[]) ?? [];
  if (plugin?.typename !== 'Literal') return [ANY_VARIABLE];
  const kind = lookupPluginName(plugin.value);
  // A vars lookup written with literal names reads just those.
  if (kind !== 'vars') return lookupPluginReads(kind);
  return terms.map((t) => (t.typename === 'Literal' && typeof t.value === 'string' ? t.value : ANY_VARIABLE));
}

/**
 * The variable names a template reads (free names, whatever the scope), so the compiler
 * can tell whether a task depends on a value only known at run time. Over-approximates;
 * ANY_VARIABLE when a lookup reads variables by names the template makes.
 */
export function referencedNames(source: string, bare = false): Set<string> {
  const key = `${bare ? 'b' : 't'}${source}`;
  const cached = namesCache.get(key);
  if (cached) return cached;
  const names = new Set<string>();
  let ast: unknown;
  try {
    ast = internals.parser.parse(numericAttributes(bare ? `{{ ${source} }}` : source));
  } catch {
    namesCache.set(key, names);
    return names;
  }
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    const typename = (node as { typename?: string }).typename;
    if (typename === 'Symbol') {
      names.add(String((node as { value: unknown }).value));
      return;
    }
    if (typename === 'FunCall') for (const read of lookupReads(node as NunjucksNode)) names.add(read);
    for (const [childKey, child] of Object.entries(node)) {
      if (childKey === 'parent') continue;
      // The callee of a call or filter, and the test of `is`, are not variables; but a method's
      // object is (`result.stdout.split(',')` reads `result`).
      if (typename === 'Filter' && childKey === 'name') continue;
      if (typename === 'FunCall' && childKey === 'name' && (child as { typename?: string }).typename === 'Symbol') continue;
      if (typename === 'Is' && childKey === 'right') {
        walk((child as { args?: unknown }).args);
        continue;
      }
      walk(child);
    }
  };
  walk(ast);
  namesCache.set(key, names);
  return names;
}

/** Strings in `value` (deeply), for dependency analysis. */
export function templateStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (hasTemplateMarkers(value)) out.push(value);
  } else if (Array.isArray(value)) for (const item of value) templateStrings(item, out);
  else if (isPlainObject(value)) for (const item of Object.values(value)) templateStrings(item, out);
  return out;
}
