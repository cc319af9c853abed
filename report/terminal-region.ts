// The few lines at the bottom of a terminal that the live view redraws in place. Each
// frame goes out as one write holding only the lines that changed (and, inside a line,
// only from the first changed column on). Between frames the cursor rests at the start
// of the line below the region, so output printed above it (a failure, the recap) simply
// takes the region's place and the region is drawn again under it.
import type { TextSink } from './reporter.js';
import { isAscii } from './terminal-text.js';

const ESC = '\x1b[';
/** Terminals that know mode 2026 show a frame whole, never half drawn; others ignore it. */
const BEGIN_FRAME = `${ESC}?2026h`;
const END_FRAME = `${ESC}?2026l`;
export const HIDE_CURSOR = `${ESC}?25l`;
export const SHOW_CURSOR = `${ESC}?25h`;

const up = (n: number) => (n > 0 ? `${ESC}${n}F` : '\r');
const down = (n: number) => (n > 0 ? `${ESC}${n}E` : '\r');

/**
 * One line of the region: an optional mark (a styled glyph one column wide, drawn with a
 * space after it) and plain text, already cut to fit (see fitToWidth). Keeping the
 * styling out of the text lets a redraw start mid-line at a known column.
 */
export interface RegionLine {
  mark?: string;
  text: string;
}

const MARK_COLUMNS = 2;

export class TerminalRegion {
  /** The lines on screen now. */
  private lines: RegionLine[] = [];
  /** Their width in columns when drawn, to know how a narrower terminal rewraps them. */
  private widths: number[] = [];

  constructor(private readonly out: TextSink) {}

  get height(): number {
    return this.lines.length;
  }

  /**
   * Draws `next` (lines of at most width-1 columns, at most rows-1 of them) over the
   * region. `widthOf` gives a text's columns (an upper bound).
   */
  draw(next: readonly RegionLine[], widthOf: (text: string) => number): void {
    const text = this.frame(next, widthOf);
    if (text !== '') this.out.write(BEGIN_FRAME + text + END_FRAME);
  }

  /** Removes the region; the cursor ends where its first line was. */
  clear(): void {
    if (this.lines.length === 0) return;
    this.out.write(`${up(this.lines.length)}${ESC}J`);
    this.lines = [];
    this.widths = [];
  }

  /** Prints `text` (whole lines) where the region is, and draws the region again below it. */
  printAbove(text: string, widthOf: (text: string) => number): void {
    const lines = this.lines;
    const head = this.lines.length > 0 ? `${up(this.lines.length)}${ESC}J` : '';
    this.lines = [];
    this.widths = [];
    const body = text.endsWith('\n') ? text : text + '\n';
    this.out.write(BEGIN_FRAME + head + body + this.frame(lines, widthOf) + END_FRAME);
  }

  /**
   * After the terminal changed size: a terminal that rewraps its lines (xterm.js, VTE,
   * iTerm2, kitty, tmux, Windows Terminal) has spread each line wider than the new width
   * over several rows. The region is erased from where its first line now is; the caller
   * draws the next frame for the new size.
   */
  resized(columns: number): void {
    if (this.lines.length === 0) return;
    let rows = 0;
    for (const w of this.widths) rows += Math.max(1, Math.ceil(w / Math.max(1, columns)));
    this.out.write(`${up(rows)}${ESC}J`);
    this.lines = [];
    this.widths = [];
  }

  private frame(next: readonly RegionLine[], widthOf: (text: string) => number): string {
    const before = this.lines;
    let text = '';
    // The cursor's row, counted from the region's first line; it starts below the last.
    let row = before.length;
    const moveTo = (target: number) => {
      text += target < row ? up(row - target) : down(target - row);
      row = target;
    };
    for (let i = 0; i < next.length; i++) {
      const line = next[i];
      if (i < before.length) {
        const old = before[i];
        if (old.mark === line.mark && old.text === line.text) continue;
        moveTo(i);
        const from = old.mark === line.mark ? firstDifference(old.text, line.text) : 0;
        // Columns equal characters only where all before them are ASCII.
        if (from > 0 && isAscii(line.text.slice(0, from))) text += `${ESC}${columnOf(line) + from + 1}G${line.text.slice(from)}${ESC}K`;
        else text += `${render(line)}${ESC}K`;
      } else {
        // A new line below the region: the newline scrolls the screen if the region is at its bottom.
        if (row < before.length) moveTo(before.length);
        text += `${render(line)}${ESC}K\n`;
        row = i + 1;
        continue;
      }
    }
    if (next.length < before.length) {
      moveTo(next.length);
      text += `${ESC}J`;
    } else if (row !== next.length) moveTo(next.length);
    this.lines = [...next];
    this.widths = next.map((line) => columnOf(line) + widthOf(line.text));
    return text;
  }
}

/** The column (from 0) where a line's text starts. */
function columnOf(line: RegionLine): number {
  return line.mark === undefined ? 0 : MARK_COLUMNS;
}

function render(line: RegionLine): string {
  return line.mark === undefined ? line.text : `${line.mark} ${line.text}`;
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
