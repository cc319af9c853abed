// Text for a live terminal view, cut to fit the columns it has. A row that wraps pushes
// the view past the lines it counted, and the next redraw leaves the overflow behind: so
// widths here are an upper bound, never an estimate that can come out short.

/**
 * Columns a character may take. Below U+1100 every printable character is one column
 * (combining marks count one, an overestimate). From U+1100 on, two: CJK, Hangul, fullwidth
 * forms and emoji are two and everything else there is at most two. An upper bound that
 * needs no Unicode table.
 */
function columnsOf(codePoint: number): number {
  return codePoint < 0x1100 ? 1 : 2;
}

/** Columns `text` takes at most (see columnsOf). */
export function textColumns(text: string): number {
  let n = 0;
  for (const ch of text) n += columnsOf(ch.codePointAt(0)!);
  return n;
}

/** Control characters (a tab, a newline in a task name, an escape in an error) would move the cursor: shown as spaces. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** At most `width` columns of `text` on one line, with `…` where it was cut. */
export function fitToWidth(text: string, width: number): string {
  const clean = text.replace(CONTROL, ' ');
  if (width <= 0) return '';
  // Most rows are ASCII and short: no walk over the characters.
  if (clean.length <= width && !/[\u1100-\uffff]/.test(clean)) return clean;
  let used = 0;
  let end = 0;
  const chars = [...clean];
  for (const ch of chars) {
    const w = columnsOf(ch.codePointAt(0)!);
    if (used + w > width) break;
    used += w;
    end += 1;
  }
  if (end === chars.length) return clean;
  // Room for the ellipsis (two columns at most by the bound above, though it takes one).
  while (end > 0 && used + 2 > width) used -= columnsOf(chars[--end].codePointAt(0)!);
  return chars.slice(0, end).join('') + (width >= 2 ? '…' : '');
}

/** Whether every character of `text` is ASCII, so that its length is its width on any terminal. */
export function isAscii(text: string): boolean {
  return !/[\u0080-\uffff]/.test(text);
}

/** `3s`, `1m05s`, `2h03m`: short enough for a row of the view. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
