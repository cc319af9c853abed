// The text edits of lineinfile and blockinfile, as ansible-core 2.14's modules make them
// (modules/lineinfile.py present()/absent(), modules/blockinfile.py main()), pure. Files are
// handled as bytes, as those modules read them: a "byte string" here is a JavaScript string of
// one character per byte (latin1), and regular expressions, lines and markers are turned into
// UTF-8 bytes the same way, so `\w`, `.` and lengths mean what Python's bytes patterns mean.
import { ModuleFailure } from './implementation.js';

/** UTF-8 text as a byte string (one character per byte). */
export function toBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A Python `re` pattern (bytes, no flags) as a JavaScript RegExp over byte strings; `multiline` says whether it set (?m). */
export function pythonRegex(source: string): { regex: RegExp; multiline: boolean } {
  let pattern = toBytes(source);
  let flags = '';
  // Global inline flags at the start: (?i), (?m), (?s), combined (?im).
  const inline = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (inline) {
    pattern = pattern.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (!inClass && next === 'Z') out += '$(?![\\s\\S])';
      else if (!inClass && next === 'A') out += '^';
      else out += c + next;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += '\\' + pattern[++i];
      continue;
    }
    if (c === '(' && pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '(' && pattern.startsWith('(?P=', i)) {
      const end = pattern.indexOf(')', i);
      out += `\\k<${pattern.slice(i + 4, end)}>`;
      i = end;
      continue;
    }
    // Python's $ without MULTILINE also matches before a newline that ends the string.
    if (c === '$' && !multiline) {
      out += '(?=\\n?$(?![\\s\\S]))';
      continue;
    }
    out += c;
  }
  try {
    return { regex: new RegExp(out, flags), multiline };
  } catch (err) {
    throw new ModuleFailure(`Invalid regular expression '${source}': ${(err as Error).message}`);
  }
}

/** bytes.readlines(): each line keeps its "\n"; a last line without one is kept too. */
export function readLines(content: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = content.indexOf('\n', start);
    if (nl < 0) break;
    lines.push(content.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < content.length) lines.push(content.slice(start));
  return lines;
}

/** bytes.splitlines(True): on \n, \r and \r\n, each keeping its end. */
export function splitLinesKeepEnds(content: string): string[] {
  return content.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

const stripEnd = (line: string) => line.replace(/[\r\n]+$/, '');

/** Python's match.expand(template): \1 … \99, \g<n>, \g<name>, and the usual escapes. */
export function expandMatch(match: RegExpExecArray, template: string): string {
  return template.replace(/\\(?:g<([^>]+)>|(\d{1,2})|(.))/g, (all, named: string | undefined, digits: string | undefined, other: string | undefined) => {
    if (named !== undefined) return (/^\d+$/.test(named) ? match[Number(named)] : match.groups?.[named]) ?? '';
    if (digits !== undefined) return match[Number(digits)] ?? '';
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };
    return escapes[other!] ?? all;
  });
}

export interface LineEdit {
  /** The new content (byte string). */
  content: string;
  changed: boolean;
  msg: string;
  /** state=absent: how many lines were removed. */
  found?: number;
}

export interface LinePresentArgs {
  regexp?: string;
  search_string?: string;
  line: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs?: boolean;
  firstmatch?: boolean;
}

/** lineinfile state=present on a file's content (byte string; '' for a file created now). */
export function lineinfilePresent(content: string, args: LinePresentArgs): LineEdit {
  const lines = readLines(content);
  let insertafter = args.insertafter;
  const insertbefore = args.insertbefore;
  if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF';
  const re = args.regexp !== undefined ? pythonRegex(args.regexp).regex : undefined;
  const ins =
    insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF'
      ? pythonRegex(insertafter).regex
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? pythonRegex(insertbefore).regex
        : undefined;
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | undefined;
  let exactLineMatch = false;
  const line = toBytes(args.line);
  if (re) {
    for (let n = 0; n < lines.length; n++) {
      const m = re.exec(lines[n]);
      if (m) {
        index[0] = n;
        match = m;
        if (args.firstmatch) break;
      }
    }
  }
  if (args.search_string !== undefined) {
    const needle = toBytes(args.search_string);
    for (let n = 0; n < lines.length; n++) {
      if (lines[n].includes(needle)) {
        index[0] = n;
        match = true;
        if (args.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let n = 0; n < lines.length; n++) {
      if (line === stripEnd(lines[n])) {
        index[0] = n;
        exactLineMatch = true;
      } else if (ins && ins.test(lines[n])) {
        if (insertafter) {
          index[1] = n + 1;
          if (args.firstmatch) break;
        }
        if (insertbefore) {
          index[1] = n;
          if (args.firstmatch) break;
        }
      }
    }
  }
  let msg = '';
  let changed = false;
  const added = () => {
    msg = 'line added';
    changed = true;
  };
  const endsWithNewline = (l: string) => l.endsWith('\n') || l.endsWith('\r');
  if (index[0] !== -1) {
    let newLine = args.backrefs && typeof match === 'object' ? expandMatch(match, line) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (args.regexp === undefined && args.search_string === undefined && match === undefined && !exactLineMatch) {
      // Unreachable in practice (index[0] is set only by a match), kept as the module has it.
    } else if (lines[index[0]] !== newLine) {
      lines[index[0]] = newLine;
      msg = 'line replaced';
      changed = true;
    }
  } else if (args.backrefs) {
    // Nothing matched the regexp: with backrefs the file is left alone.
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(line + '\n');
    added();
  } else if (insertafter === 'EOF' || index[1] === -1) {
    if (lines.length > 0 && !endsWithNewline(lines[lines.length - 1])) lines.push('\n');
    lines.push(line + '\n');
    added();
  } else if (insertafter && index[1] !== -1) {
    if (lines.length === index[1]) {
      if (stripEnd(lines[index[1] - 1]) !== line) {
        lines.push(line + '\n');
        added();
      }
    } else if (line !== stripEnd(lines[index[1]])) {
      lines.splice(index[1], 0, line + '\n');
      added();
    }
  } else {
    lines.splice(index[1], 0, line + '\n');
    added();
  }
  return { content: lines.join(''), changed, msg };
}

/** lineinfile state=absent: removes every line the regexp, search string or exact line matches. */
export function lineinfileAbsent(content: string, args: { regexp?: string; search_string?: string; line?: string }): LineEdit {
  const re = args.regexp !== undefined ? pythonRegex(args.regexp).regex : undefined;
  const needle = args.search_string !== undefined ? toBytes(args.search_string) : undefined;
  const line = args.line !== undefined ? toBytes(args.line) : undefined;
  const found: string[] = [];
  const kept = readLines(content).filter((l) => {
    const hit = re ? re.test(l) : needle !== undefined ? l.includes(needle) : line === stripEnd(l);
    if (hit) found.push(l);
    return !hit;
  });
  const changed = found.length > 0;
  return { content: kept.join(''), changed, msg: changed ? `${found.length} line(s) removed` : '', found: found.length };
}

/** blockinfile's arguments as a task writes them; what it leaves out takes the module's defaults. */
export interface BlockArgs {
  state?: string;
  marker?: string;
  block?: string;
  insertafter?: string;
  insertbefore?: string;
  marker_begin?: string;
  marker_end?: string;
}

/** blockinfile on a file's content (byte string), or undefined for a file that is not there (created when changed). */
export function blockinfileEdit(original: string | undefined, args: BlockArgs): LineEdit {
  const lines = original === undefined ? [] : splitLinesKeepEnds(original);
  let insertafter = args.insertafter;
  const insertbefore = args.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const insertre =
    insertafter !== undefined && insertafter !== 'EOF'
      ? pythonRegex(insertafter)
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? pythonRegex(insertbefore)
        : undefined;
  const marker = toBytes(args.marker ?? '# {mark} ANSIBLE MANAGED BLOCK');
  const marker0 = marker.replace(/\{mark\}/g, () => toBytes(args.marker_begin ?? 'BEGIN')) + '\n';
  const marker1 = marker.replace(/\{mark\}/g, () => toBytes(args.marker_end ?? 'END')) + '\n';
  let block = toBytes(args.block ?? '');
  let blocklines: string[] = [];
  if (args.state !== 'absent' && block !== '') {
    if (!block.endsWith('\n')) block += '\n';
    blocklines = [marker0, ...splitLinesKeepEnds(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => {
    if (l === marker0) n0 = i;
    if (l === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre) {
      if (insertre.multiline) {
        const m = insertre.regex.exec(original ?? '');
        if (m) {
          const upTo = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = ((original ?? '').slice(0, upTo).match(/\n/g) ?? []).length;
        }
      } else {
        lines.forEach((l, i) => {
          if (insertre.regex.test(l)) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) n0 = 0;
    else n0 = lines.length;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const result = lines.join('');
  if (original === result) return { content: result, changed: false, msg: '' };
  if (original === undefined) return { content: result, changed: true, msg: 'File created' };
  return { content: result, changed: true, msg: blocklines.length === 0 ? 'Block removed' : 'Block inserted' };
}
