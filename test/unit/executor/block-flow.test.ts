import { describe, expect, it } from 'vitest';
import type { BlockFrame, TaskInstance } from '../../../playbook/compiled.js';
import { HostCursor, isRescued } from '../../../core/block-flow.js';
import { task } from './play-fixture.js';

// One host's steps: each named task sits in the block sections given.
function steps(...spec: [string, BlockFrame[]][]): TaskInstance[][] {
  return spec.map(([name, blocks], i) => [task('node1', i, { name, blocks })]);
}
const frame = (id: string, section: BlockFrame['section'], has: { rescue?: boolean; always?: boolean }): BlockFrame => ({
  id,
  section,
  hasRescue: has.rescue ?? false,
  hasAlways: has.always ?? false,
});

/** Walks the cursor, failing the steps named in `failing`; returns the names run and whether the host ended failed. */
function walk(all: TaskInstance[][], failing: string[]): { ran: string[]; failed: boolean } {
  const cursor = new HostCursor(all);
  const ran: string[] = [];
  for (let step = cursor.current(); step; step = cursor.current()) {
    ran.push(step[0].name);
    cursor.advance(failing.includes(step[0].name));
  }
  return { ran, failed: cursor.hasFailed };
}

describe('blocks with rescue and always, as ansible-core runs them', () => {
  const both = { rescue: true, always: true };
  const play = steps(
    ['before', []],
    ['b1', [frame('B', 'block', both)]],
    ['b2', [frame('B', 'block', both)]],
    ['r1', [frame('B', 'rescue', both)]],
    ['a1', [frame('B', 'always', both)]],
    ['after', []],
  );

  it('a host that never fails skips the rescue and runs the always', () => {
    expect(walk(play, [])).toEqual({ ran: ['before', 'b1', 'b2', 'a1', 'after'], failed: false });
  });

  it('a failure in the block jumps to the rescue, then always, and the host goes on', () => {
    expect(walk(play, ['b1'])).toEqual({ ran: ['before', 'b1', 'r1', 'a1', 'after'], failed: false });
    expect(isRescued(play[1][0])).toBe(true);
    expect(isRescued(play[0][0])).toBe(false);
  });

  it('a failing rescue still runs the always, then the host is failed', () => {
    expect(walk(play, ['b2', 'r1'])).toEqual({ ran: ['before', 'b1', 'b2', 'r1', 'a1'], failed: true });
  });

  it('always without rescue runs after a failure and the failure goes on outward', () => {
    const onlyAlways = { always: true };
    const s = steps(['b1', [frame('B', 'block', onlyAlways)]], ['a1', [frame('B', 'always', onlyAlways)]], ['after', []]);
    expect(walk(s, ['b1'])).toEqual({ ran: ['b1', 'a1'], failed: true });
  });

  it('an inner block without rescue hands its failure to the outer block with rescue', () => {
    const outer = frame('O', 'block', { rescue: true });
    const s = steps(
      ['inner', [outer, frame('I', 'block', { always: true })]],
      ['inner-always', [outer, frame('I', 'always', { always: true })]],
      ['outer-next', [outer]],
      ['outer-rescue', [frame('O', 'rescue', { rescue: true })]],
      ['after', []],
    );
    expect(walk(s, ['inner'])).toEqual({ ran: ['inner', 'inner-always', 'outer-rescue', 'after'], failed: false });
  });
});
