import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TerminalRegion, type RegionLine } from '../../../report/terminal-region.js';
import { fitToWidth, textColumns } from '../../../report/terminal-text.js';
import { TerminalScreen } from '../../fixtures/terminal-screen.js';

/** A region writing into a terminal emulator, and everything it wrote. */
function regionOn(screen: TerminalScreen): { region: TerminalRegion; written: () => string; flush: () => Promise<void> } {
  let pending = '';
  let all = '';
  const region = new TerminalRegion({
    write: (text: string) => {
      pending += text;
      all += text;
    },
  });
  return {
    region,
    written: () => all,
    flush: async () => {
      const text = pending;
      pending = '';
      await screen.write(text);
    },
  };
}

const plain = (...texts: string[]): RegionLine[] => texts.map((text) => ({ text }));

describe('TerminalRegion', () => {
  it('redraws in place below what was there, and sends only what changed', async () => {
    const screen = new TerminalScreen(10, 40);
    await screen.write('$ hound play\n');
    const { region, written, flush } = regionOn(screen);
    region.draw(plain('0/2 hosts done', 'node1  1.00 MiB', 'node2  waiting'), textColumns);
    await flush();
    expect(screen.screen().slice(0, 4)).toEqual(['$ hound play', '0/2 hosts done', 'node1  1.00 MiB', 'node2  waiting']);
    expect(screen.cursorRow).toBe(4);

    const before = written().length;
    region.draw(plain('0/2 hosts done', 'node1  2.00 MiB', 'node2  waiting'), textColumns);
    await flush();
    expect(screen.screen().slice(0, 5)).toEqual(['$ hound play', '0/2 hosts done', 'node1  2.00 MiB', 'node2  waiting', '']);
    // One changed character: a cursor move and the line's tail, not the frame.
    expect(written().length - before).toBeLessThan(40);

    region.draw(plain('1/2 hosts done'), textColumns);
    await flush();
    expect(screen.screen().slice(0, 4)).toEqual(['$ hound play', '1/2 hosts done', '', '']);
    expect(screen.cursorRow).toBe(2);

    region.clear();
    await flush();
    expect(screen.screen().slice(0, 2)).toEqual(['$ hound play', '']);
    expect(screen.cursorRow).toBe(1);
  });

  it('prints lines above itself and draws itself again under them', async () => {
    const screen = new TerminalScreen(6, 30);
    const { region, flush } = regionOn(screen);
    region.draw([{ text: 'summary' }, { mark: '>', text: 'node1' }], textColumns);
    region.printAbove('fatal: [node2]: FAILED!\n', textColumns);
    await flush();
    expect(screen.screen().slice(0, 4)).toEqual(['fatal: [node2]: FAILED!', 'summary', '> node1', '']);
    // Enough lines above to scroll the screen: what scrolled off is only the printed lines.
    for (let i = 0; i < 6; i++) region.printAbove(`line ${i}\n`, textColumns);
    await flush();
    expect(screen.scrollback()).toEqual(['fatal: [node2]: FAILED!', 'line 0', 'line 1', 'line 2']);
    expect(screen.screen()).toEqual(['line 3', 'line 4', 'line 5', 'summary', '> node1', '']);
  });

  it('after a terminal narrowed (and rewrapped its lines) erases the region wherever the rewrap left it', async () => {
    const screen = new TerminalScreen(12, 60);
    await screen.write('kept\n');
    const { region, flush } = regionOn(screen);
    region.draw(plain('x'.repeat(59), 'y'.repeat(45), 'z'), textColumns);
    await flush();
    screen.resize(12, 20);
    region.resized(20);
    region.draw(plain('after'), textColumns);
    await flush();
    expect(screen.logicalLines()).toEqual(['kept', 'after']);
  });

  it('whatever the frames, the screen shows exactly the last one, under the lines printed above', async () => {
    const rows = 12;
    const columns = 30;
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '界', ' ', '\t'), maxLength: 40 });
    const step = fc.oneof(
      fc.record({ frame: fc.array(fc.record({ mark: fc.option(fc.constantFrom('>', '+'), { nil: undefined }), text }), { maxLength: rows - 1 }) }),
      fc.record({ print: fc.stringMatching(/^[a-z]{1,10}$/) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const screen = new TerminalScreen(rows, columns);
        const { region, flush } = regionOn(screen);
        const printed: string[] = [];
        let last: RegionLine[] = [];
        for (const s of steps) {
          if ('frame' in s) {
            last = s.frame.map((l) => ({ mark: l.mark, text: fitToWidth(l.text, columns - 1 - (l.mark ? 2 : 0)) }));
            region.draw(last, textColumns);
          } else {
            printed.push(s.print);
            region.printAbove(s.print + '\n', textColumns);
          }
          await flush();
          expect(screen.wrappedScreenRows()).toEqual([]);
        }
        const shown = last.map((l) => (l.mark ? `${l.mark} ${l.text}` : l.text).trimEnd());
        const expected = [...printed, ...shown];
        while (expected.length > 0 && expected[expected.length - 1] === '') expected.pop();
        expect(screen.logicalLines()).toEqual(expected);
        region.clear();
        await flush();
        expect(screen.logicalLines()).toEqual(printed);
      }),
      { numRuns: 100 },
    );
    // The emulator takes each write on a timer turn of its own (some thousand here): on a
    // loaded machine the turns, not the CPU (a second or two), took past the unit default of 20 s.
  }, 120_000);
});
