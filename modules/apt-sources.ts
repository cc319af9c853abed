// apt's one-line sources files as ansible-core 2.14's apt_repository reads and writes them,
// pure: a line's parts (enabled, source with its spaces collapsed, comment), the file name a
// new source gets (derived from its URI), and the files' texts after adding a source
// (enabling an equal disabled one instead, if there is one) or removing every enabled one.
export interface SourceLine {
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

const SOURCE_TYPES = ['deb', 'deb-src'];

/** One line of a .list file, as SourcesList._parse. */
export function parseSourceLine(raw: string): SourceLine {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const hash = line.indexOf('#');
  if (hash > 0) {
    comment = line.slice(hash + 1).trim();
    line = line.slice(0, hash);
  }
  let source = line.trim();
  let valid = false;
  if (source !== '') {
    const chunks = source.split(/\s+/);
    if (SOURCE_TYPES.includes(chunks[0])) {
      valid = true;
      source = chunks.join(' ');
    }
  }
  return { valid, enabled, source, comment };
}

/** A line as SourcesList writes it back. */
export function formatSourceLine(line: SourceLine): string {
  return `${line.enabled ? '' : '# '}${line.source}${line.comment ? ` # ${line.comment}` : ''}\n`;
}

/** The repo argument as a source (spaces collapsed); an error message when it is no enabled deb/deb-src line. */
export function repoSource(repo: string): { source: string } | { invalid: string } {
  const parsed = parseSourceLine(repo);
  if (!parsed.valid || !parsed.enabled) {
    let line = repo.trim();
    if (line.startsWith('#')) line = line.slice(1);
    const hash = line.indexOf('#');
    return { invalid: `Invalid repository string: ${hash > 0 ? line.slice(0, hash) : line}` };
  }
  return { source: parsed.source };
}

/** The file a new source goes to in sources.list.d: `filename` + .list, else its URI's letters and digits joined by `_` (as _suggest_filename). */
export function sourceFileName(source: string, filename?: string): string {
  if (filename !== undefined) return `${filename}.list`;
  const line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p !== '' && !SOURCE_TYPES.includes(p));
  let first = parts[0] ?? '';
  if (first.includes('@')) first = first.slice(first.indexOf('@') + 1);
  return `${first
    .replace(/[^a-zA-Z0-9]/g, ' ')
    .split(/\s+/)
    .filter((p) => p !== '')
    .join('_')}.list`;
}

/**
 * Each sources file's text after the change (the files given are every one apt reads: `path →
 * text`); a file whose text is '' after removing is deleted. `newFile` is where an added source
 * goes when no equal line exists. Only files whose lines change are in the answer.
 */
export function editSources(
  files: ReadonlyMap<string, string>,
  source: string,
  state: 'present' | 'absent',
  newFile: string,
): Map<string, { before?: string; after: string }> {
  const parsed = new Map([...files].map(([path, text]) => [path, splitLines(text).map(parseSourceLine)]));
  if (state === 'present') {
    let found = false;
    for (const lines of parsed.values())
      for (const line of lines)
        if (line.valid && line.source === source) {
          line.enabled = true;
          found = true;
        }
    if (!found) {
      const lines = parsed.get(newFile) ?? [];
      lines.push({ valid: true, enabled: true, source, comment: '' });
      parsed.set(newFile, lines);
    }
  } else {
    for (const [path, lines] of parsed)
      parsed.set(
        path,
        lines.filter((l) => !(l.valid && l.enabled && l.source === source)),
      );
  }
  const changes = new Map<string, { before?: string; after: string }>();
  for (const [path, lines] of parsed) {
    const after = lines.map(formatSourceLine).join('');
    const original = files.get(path);
    const before = original === undefined ? undefined : splitLines(original).map(parseSourceLine).map(formatSourceLine).join('');
    if (before !== after) changes.set(path, { before: original, after });
  }
  return changes;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
