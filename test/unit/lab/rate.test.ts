import { describe, expect, it } from 'vitest';
import { parseRate, tbfArgs } from '../../../lab/rate.js';

describe('lab link rates', () => {
  it('reads tc units: bit-based and byte-based', () => {
    expect(parseRate('400mbit').bitsPerSecond).toBe(400e6);
    expect(parseRate('10Mbit').bitsPerSecond).toBe(10e6);
    expect(parseRate('1gbit').bitsPerSecond).toBe(1e9);
    expect(parseRate('500kbit').bitsPerSecond).toBe(500e3);
    expect(parseRate('2.5mbit').bitsPerSecond).toBe(2.5e6);
    // tc's "mbps" is megabytes per second
    expect(parseRate('25mbps').bitsPerSecond).toBe(200e6);
  });

  it('rejects what tc would reject, with LAB_BAD_RATE and exit 5', () => {
    for (const bad of ['', 'fast', '400', 'mbit', '-5mbit', '0mbit', '10 furlongs', '1bit']) {
      expect(() => parseRate(bad, '--node-rate')).toThrowError(expect.objectContaining({ code: 'LAB_BAD_RATE', exitCode: 5 }));
    }
  });

  it('names the option in the message', () => {
    expect(() => parseRate('fast', '--registry-rate')).toThrowError(/--registry-rate 'fast'/);
  });

  it('gives tbf a bucket of at least 10 ms of traffic so high rates are reachable', () => {
    const args = tbfArgs(parseRate('10gbit'));
    expect(args.slice(0, 3)).toEqual(['tbf', 'rate', '10000000000bit']);
    expect(Number(args[4])).toBeGreaterThanOrEqual(10e9 / 8 / 100);
    const slow = tbfArgs(parseRate('1mbit'));
    expect(Number(slow[4])).toBeGreaterThanOrEqual(32 * 1024);
  });
});
