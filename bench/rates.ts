// Link rates are written the way tc writes them (`40mbit`); the bounds need bits per second.
// tc's units are decimal (1 mbit = 1,000,000 bit/s) and `bps` means bytes per second.

const BIT_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};

/** Bits per second of a tc rate such as `40mbit`, `1.5gbit` or `500kbps`; undefined when malformed. */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2].toLowerCase() || 'bit';
  const factor = BIT_UNITS[unit];
  if (factor === undefined || !(value > 0)) return undefined;
  return value * factor;
}
