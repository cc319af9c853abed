import { describe, expect, it } from 'vitest';
import { machineCpuOver, parseProcStat, readCpuTicks } from '../../../bench/machine-cpu.js';

// The first lines of a real /proc/stat (Linux 6.1, 2 cores).
const STAT = `cpu  4705 356 3018 1240335 1523 0 97 12 0 0
cpu0 2398 180 1501 620120 760 0 60 6 0 0
cpu1 2307 176 1517 620215 763 0 37 6 0 0
intr 1154217 9 0 0
`;

describe("the machine's CPU over a run", () => {
  it('reads the aggregate line: busy is all but idle and iowait, guest time already in user', () => {
    expect(parseProcStat(STAT)).toEqual({ busy: 4705 + 356 + 3018 + 97 + 12, total: 4705 + 356 + 3018 + 97 + 12 + 1240335 + 1523 });
    expect(() => parseProcStat('intr 1 2\n')).toThrow(/no aggregate cpu line/);
  });

  it('gives busy seconds and their share of the cores over the run', () => {
    // 10 s on 2 cores: 2000 ticks in all, 1500 of them busy.
    const cpu = machineCpuOver({ busy: 1000, total: 50_000 }, { busy: 2500, total: 52_000 }, 2);
    expect(cpu).toEqual({ busySeconds: 15, busyShare: 0.75, cores: 2 });
    expect(machineCpuOver({ busy: 5, total: 9 }, { busy: 5, total: 9 }, 2).busyShare).toBe(0);
  });

  it('reads this machine', async () => {
    const a = await readCpuTicks();
    // 150 ms of this process's CPU: /proc/stat counts in 10 ms ticks.
    let x = 0;
    const until = Date.now() + 150;
    while (Date.now() < until) x += 1;
    const b = await readCpuTicks();
    expect(x).toBeGreaterThan(0);
    expect(b.total).toBeGreaterThan(a.total);
    expect(b.busy).toBeGreaterThan(a.busy);
    expect(b.busy).toBeLessThanOrEqual(b.total);
  });
});
