// Positions of every task of a file must cost time linear in the file: the error-position
// helper once split the whole file for each position (20 000 tasks: minutes). Measured as
// work, not time: the characters that String.prototype.split walks while a large playbook loads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlaybookLoader } from '../../../playbook/loader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hound-position-cost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function splitWorkWhileLoading(tasks: number): { work: number; size: number } {
  const text = `- hosts: all\n  gather_facts: false\n  tasks:\n${Array.from({ length: tasks }, (_, i) => `    - name: task ${i}\n      debug: msg=hello-${i}\n`).join('')}`;
  const file = path.join(dir, `play-${tasks}.yml`);
  writeFileSync(file, text);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with each string as `this`, and put back
  const split = String.prototype.split;
  let work = 0;
  String.prototype.split = function (this: string, ...args: Parameters<typeof split>) {
    work += this.length;
    return split.apply(this, args);
  } as typeof split;
  try {
    const loaded = new PlaybookLoader().load(file);
    expect(loaded.plays[0].tasks).toHaveLength(tasks);
  } finally {
    String.prototype.split = split;
  }
  return { work, size: text.length };
}

describe('the cost of positions', () => {
  it('loading N tasks splits no more than a few times the file, whatever N', () => {
    for (const tasks of [500, 5_000]) {
      const { work, size } = splitWorkWhileLoading(tasks);
      expect(work, `${tasks} tasks`).toBeLessThan(3 * size);
    }
  }, 120_000);
});
