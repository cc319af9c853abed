import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSmapsRollup } from '../../../lab/memory.js';

describe("a process's memory from /proc", () => {
  it("reads Rss and Pss of this very process's smaps_rollup, agreeing with the kernel's VmRSS", () => {
    const { rssBytes, pssBytes } = parseSmapsRollup(readFileSync('/proc/self/smaps_rollup', 'utf8'));
    const vmRss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
    expect(rssBytes).toBeGreaterThan(10 << 20);
    // Two readings a moment apart of a running process: close, not equal.
    expect(Math.abs(rssBytes - vmRss) / vmRss).toBeLessThan(0.1);
    expect(pssBytes).toBeGreaterThan(0);
    expect(pssBytes).toBeLessThanOrEqual(rssBytes);
  });
});
