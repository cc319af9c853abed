import { describe, expect, it } from 'vitest';
import { parseRate } from '../../../bench/rates.js';

describe('parseRate', () => {
  it('reads tc rates in decimal bits, and bps as bytes', () => {
    expect(parseRate('40mbit')).toBe(40e6);
    expect(parseRate('1.5gbit')).toBe(1.5e9);
    expect(parseRate('500kbit')).toBe(500e3);
    expect(parseRate('1mibit')).toBe(1048576);
    expect(parseRate('2mbps')).toBe(16e6);
    expect(parseRate('800')).toBe(800);
  });
  it('refuses what tc would refuse', () => {
    for (const bad of ['', 'fast', '10 furlongs', '-5mbit', '0mbit', 'mbit']) expect(parseRate(bad)).toBeUndefined();
  });
});
