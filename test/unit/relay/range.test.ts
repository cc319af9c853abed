import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../relay/server.js';

describe('parseRange', () => {
  it('serves the whole blob without a Range header or with forms it does not handle', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=-20', 100)).toBeUndefined();
    expect(parseRange('bytes=0-9,20-29', 100)).toBeUndefined();
    expect(parseRange('items=0-9', 100)).toBeUndefined();
    expect(parseRange('bytes=50-10', 100)).toBeUndefined();
  });

  it('reads open and closed ranges as [start, end)', () => {
    expect(parseRange('bytes=40-', 100)).toEqual({ start: 40, end: 100 });
    expect(parseRange('bytes=0-0', 100)).toEqual({ start: 0, end: 1 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 20 });
    // A last byte past the end means "to the end".
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 100 });
  });

  it('refuses a range that starts past the end', () => {
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=150-160', 100)).toBe('unsatisfiable');
  });
});
